#!/usr/bin/env python3
"""Cost and accuracy of the machine-vision readers: faces in clips, OCR of scanned pages.

    python bench/vision.py [--clips DIR] [--runs 5] [--skip-faces] [--skip-ocr] [--skip-portfolio]
    python bench/vision.py --skip-faces --ocr-engine pytesseract   # or rapidocr, tesseract-plain

Faces: two clips made with ffmpeg from the portrait in ../shared/corpus/faces (720p, 25 frames a
second, a keyframe every 2 s as phones write them, with sound), 1 and 10 minutes long; each is
looked at ``--runs`` times, in turns, after a warm-up. The 10-minute clip must cost at most 1.5
times the 1-minute one in processor time (which a neighbour's load on this shared machine does
not change) and take under 1 s in its fastest run (exit status 1 otherwise).

OCR: pages with known text (a statement rendered as an A4 scan at 200 dpi turned 1.5 degrees, a
call sheet at 150 dpi turned 3 degrees, the statement at 300 dpi turned 6 degrees) and the real
scanned page ``page.png``; per page, character and word accuracy (1 - edit distance / length,
after collapsing white space) and seconds. ``--ocr-engine`` runs another engine on the same
pages for comparison: ``tesseract-plain`` (Tesseract without this project's page preparation),
``pytesseract`` (the tesseract command, one process a page) or ``rapidocr`` (rapidocr-onnxruntime,
which brings its own OpenCV: run it in a separate virtual environment).

Portfolio: a ready portfolio of Word files and PDFs with a text layer only (no scan, no clip),
checked as ``check -o`` checks it (thumbnails, the HTML and JSON reports) with the vision steps
off (``ExtractionSettings(vision=False)``, as before they were wired in) and on, in turns; the
median with them on must be within 10% (or 0.1 s) of the median without (exit status 1 otherwise).

Imports: seconds to import cv2, tesserocr, av and numpy in a fresh interpreter (median of 3), and
the installed size of each package.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS_FACES = REPO.parent / "shared" / "corpus" / "faces"
MAX_RATIO = 1.5
MAX_SECONDS = 1.0

STATEMENT = [
    "Declaration of authenticity",
    "We confirm that the evidence in this portfolio is valid and attributable to the",
    "apprentice, and that it is the apprentice's own work completed during the",
    "apprenticeship at Northern Pictures Limited between March 2025 and June 2026.",
    "Apprentice name: Priya Okafor    Signed: Priya Okafor    Date: 06/03/2026",
    "Employer name: Jo Bloggs, Line Manager    Signed: Jo Bloggs    Date: 06/03/2026",
]
CALL_SHEET = [
    "Call sheet - shoot day 3",
    "Unit base: Studio 2, Salford Quays. Crew call 07:30, first shot 08:15, wrap 18:00.",
    "The production schedule for the documentary shoot was agreed with the",
    "producer on 14 January; call sheets, risk assessments and the budget tracker",
    "were kept up to date each day (K3, K7, S2, S5, B1).",
]
PAGE_TEXT = """Region-based segmentation
Let us first determine markers of the coins and the
background. These markers are pixels that we can label
unambiguously as either object or background. Here,
the markers are found at the two extreme parts of the
histogram of grey values:
>>> markers = np.zeros_like(coins)"""


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


# --------------------------------------------------------------------------- faces


def portrait_clip(path: Path, seconds: int) -> Path:
    """The portrait at 1280x720 drifting slowly across the frame, with sound; made once."""
    if path.exists():
        return path
    photo = CORPUS_FACES / "astronaut.png"
    drift = f"overlay=x='-200+400*t/{seconds}':y=-80:shortest=1"
    subprocess.run([
        ffmpeg(), "-y", "-loglevel", "error",
        "-f", "lavfi", "-i", f"color=c=0x404850:size=1280x720:rate=25:duration={seconds}",
        "-loop", "1", "-framerate", "25", "-i", str(photo),
        "-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=44100:duration={seconds}",
        "-filter_complex", f"[1]scale=880:880[p];[0][p]{drift},format=yuv420p[v]",
        "-map", "[v]", "-map", "2:a", "-t", str(seconds),
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-b:a", "64k",
        str(path)], check=True)
    return path


def timed(actions: dict[int, Callable[[], object]], runs: int) -> dict[int, tuple[float, float, float, object]]:
    """Per action: fastest and median wall-clock seconds, median processor seconds, last result.

    Each action is called once to warm up (imports, cascades, the file in the page cache), then
    the actions take turns ``runs`` times, so a neighbour's load on this shared machine falls on
    each alike. Processor time (all threads) does not count the neighbours at all.
    """
    results = {key: action() for key, action in actions.items()}
    wall: dict[int, list[float]] = {key: [] for key in actions}
    processor: dict[int, list[float]] = {key: [] for key in actions}
    for _ in range(runs):
        for key, action in actions.items():
            started, started_processor = time.perf_counter(), time.process_time()
            results[key] = action()
            wall[key].append(time.perf_counter() - started)
            processor[key].append(time.process_time() - started_processor)
    return {key: (min(wall[key]), statistics.median(wall[key]), statistics.median(processor[key]), results[key])
            for key in actions}


def bench_faces(clips: Path, runs: int) -> bool:
    from portfolio_check.extract.faces import faces_in_clip

    print("Faces in clips (720p, 25 fps, keyframe every 2 s, with sound)")
    made: dict[int, Path] = {}
    for minutes in (1, 10):
        started = time.perf_counter()
        made[minutes] = portrait_clip(clips / f"portrait-{minutes}min.mp4", minutes * 60)
        if time.perf_counter() - started > 1:
            print(f"  made the {minutes} min clip in {time.perf_counter() - started:.0f} s")
    plain = timed({m: functools.partial(faces_in_clip, clip) for m, clip in made.items()}, runs)
    sheet = timed({m: functools.partial(faces_in_clip, clip, contact_sheet=True) for m, clip in made.items()}, runs)
    for minutes, (fastest, median, processor, result) in plain.items():
        print(f"  {minutes:2d} min clip ({made[minutes].stat().st_size / 1e6:5.1f} MB): fastest {fastest:.3f} s, "
              f"median {median:.3f} s, processor {processor:.3f} s (medians of {runs}); "
              f"{sheet[minutes][1]:.3f} s with the contact sheet; "
              f"{result.frames_with_face}/{result.frames_sampled} frames with a face, "  # type: ignore[attr-defined]
              f"largest {result.largest_face:.0%} of the height")  # type: ignore[attr-defined]
    ratio = plain[10][2] / plain[1][2]
    fastest_long = plain[10][0]
    ok = ratio <= MAX_RATIO and fastest_long < MAX_SECONDS
    print(f"  10 min / 1 min = {ratio:.2f} in processor time (at most {MAX_RATIO}); 10 min clip under "
          f"{MAX_SECONDS:g} s: {'yes' if fastest_long < MAX_SECONDS else 'NO'} ({fastest_long:.3f} s) -> "
          f"{'PASS' if ok else 'FAIL'}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return ok


# --------------------------------------------------------------------------- OCR


def scanned_page(lines: list[str], size: tuple[int, int], font_size: int, angle: float, seed: int) -> object:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.load_default(size=font_size)
    page = Image.new("L", size, 245)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((font_size * 3, font_size * 3 + number * int(font_size * 1.6)), line, fill=25, font=font)
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=245).filter(ImageFilter.GaussianBlur(0.6))
    random.seed(seed)
    return Image.blend(page, Image.effect_noise(size, 50), 0.18)


def ocr_pages() -> list[tuple[str, object, str]]:
    from PIL import Image

    pages = [
        ("statement, A4 200 dpi, 1.5 deg", scanned_page(STATEMENT, (1654, 2339), 30, 1.5, 1), "\n".join(STATEMENT)),
        ("call sheet, A4 150 dpi, 3 deg", scanned_page(CALL_SHEET, (1240, 1754), 22, 3.0, 2), "\n".join(CALL_SHEET)),
        ("statement, A4 300 dpi, 6 deg", scanned_page(STATEMENT, (2480, 3508), 44, 6.0, 3), "\n".join(STATEMENT)),
    ]
    if (CORPUS_FACES / "page.png").is_file():
        pages.append(("page.png, real scan", Image.open(CORPUS_FACES / "page.png"), PAGE_TEXT))
    return pages


def ocr_engine(name: str) -> Callable[[object], str]:
    """A function reading one page with the named engine, its model already loaded."""
    if name == "portfolio-check":
        from portfolio_check.extract.ocr import ocr_image

        return lambda image: ocr_image(image).text  # type: ignore[arg-type]
    if name == "tesseract-plain":
        from portfolio_check.extract import ocr

        api = ocr._Engine.get()

        def plain(image: object) -> str:
            api.SetImage(image)
            return str(api.GetUTF8Text())
        return plain
    if name == "pytesseract":
        import pytesseract

        return lambda image: str(pytesseract.image_to_string(image))
    if name == "rapidocr":
        import numpy as np
        from rapidocr_onnxruntime import RapidOCR

        engine = RapidOCR()

        def rapid(image: object) -> str:
            found, _ = engine(np.asarray(image.convert("RGB")))  # type: ignore[attr-defined]
            rows = sorted(found or [], key=lambda row: (round(row[0][0][1] / 20), row[0][0][0]))
            return "\n".join(row[1] for row in rows)
        return rapid
    raise SystemExit(f"unknown OCR engine {name!r}")


def edit_distance(a: list[str] | str, b: list[str] | str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def accuracy(got: str, want: str) -> tuple[float, float]:
    def norm(text: str) -> str:
        return " ".join(text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split())

    g, w = norm(got), norm(want)
    return (max(0.0, 1 - edit_distance(g, w) / len(w)),
            max(0.0, 1 - edit_distance(g.split(), w.split()) / len(w.split())))


def bench_ocr(engine_name: str) -> None:
    started = time.perf_counter()
    read = ocr_engine(engine_name)
    print(f"OCR with {engine_name} (loaded in {time.perf_counter() - started:.2f} s)")
    totals = []
    for label, image, truth in ocr_pages():
        image.load()  # type: ignore[attr-defined]
        started = time.perf_counter()
        text = read(image)
        seconds = time.perf_counter() - started
        characters, words = accuracy(text, truth)
        totals.append(seconds)
        print(f"  {label:32s} characters {characters:6.1%}  words {words:6.1%}  {seconds:5.2f} s")
    print(f"  mean {statistics.mean(totals):.2f} s a page")


# --------------------------------------------------------------------------- a portfolio without scans or clips

#: A portfolio without scans or clips may be this much slower with the vision steps on: noise.
MAX_SLOWDOWN = 1.10
MAX_SLOWDOWN_SECONDS = 0.1


def text_only_portfolio(folder: Path) -> Path:
    """The tests' ready portfolio (Word files, PDFs with text, a CSV manifest, a typed statement), no clip."""
    sys.path.insert(0, str(REPO / "tests"))
    import portfolios

    root = folder / "Sam Patel 1234567899"
    if not root.exists():
        portfolios.build(root, portfolios.Spec(videos=()))
    return root


def bench_text_portfolio(folder: Path, runs: int) -> bool:
    from portfolio_check.catalogue.loader import discover
    from portfolio_check.extract.runner import ExtractionSettings
    from portfolio_check.pipeline import CheckSettings, check_portfolio
    from portfolio_check.report.check_view import assessment_to_dict
    from portfolio_check.report.html_view import render_report_html

    root = text_only_portfolio(folder)
    catalogues = discover()

    def check(vision: bool) -> object:
        settings = CheckSettings(extraction=ExtractionSettings(thumbnails=True, vision=vision))
        assessment = check_portfolio(root, catalogues, settings)
        render_report_html(assessment, assessment_to_dict(assessment))
        return assessment

    files = sum(1 for path in root.rglob("*") if path.is_file())
    print(f"Portfolio without scans or clips ({files} files: Word, PDF with text, CSV), checked as check -o")
    results = timed({0: functools.partial(check, False), 1: functools.partial(check, True)}, runs)
    before, after = results[0][1], results[1][1]
    ok = after <= max(before * MAX_SLOWDOWN, before + MAX_SLOWDOWN_SECONDS)
    print(f"  vision off (as before): median {before:.3f} s; vision on: median {after:.3f} s "
          f"(ratio {after / before:.2f}; medians of {runs}) -> {'PASS' if ok else 'FAIL'}")
    return ok


# --------------------------------------------------------------------------- imports and sizes


def import_seconds(module: str, runs: int = 3) -> float | None:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if done.returncode:
            return None
        times.append(float(done.stdout))
    return statistics.median(times)


def installed_megabytes(distribution: str) -> float | None:
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return None
    total = 0
    for file in files:
        path = Path(str(file.locate()))
        if path.is_file():
            total += path.stat().st_size
    return total / 1e6


def bench_imports() -> None:
    print("Imports (fresh interpreter, median of 3) and installed sizes")
    for module, distribution in (("cv2", "opencv-python-headless"), ("tesserocr", "tesserocr"),
                                 ("av", "av"), ("numpy", "numpy")):
        seconds = import_seconds(module)
        size = installed_megabytes(distribution)
        shown = f"{seconds:.3f} s" if seconds is not None else "not installed"
        print(f"  {module:10s} {shown:14s} {distribution} {f'{size:.0f} MB' if size is not None else '-'}")
    try:
        from portfolio_check.extract.ocr import _tessdata_dir
    except ImportError:  # measuring another engine in an environment without this project
        return
    folder = _tessdata_dir()
    if folder:
        data = Path(folder) / "eng.traineddata"
        print(f"  language data {data} {data.stat().st_size / 1e6:.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=Path, help="folder to keep the generated clips in (default: a temporary one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-faces", action="store_true")
    parser.add_argument("--skip-ocr", action="store_true")
    parser.add_argument("--skip-portfolio", action="store_true")
    parser.add_argument("--ocr-engine", default="portfolio-check",
                        choices=["portfolio-check", "tesseract-plain", "pytesseract", "rapidocr"])
    args = parser.parse_args()
    ok = True
    if not args.skip_faces:
        if not (CORPUS_FACES / "astronaut.png").is_file():
            print(f"Faces skipped: {CORPUS_FACES} is not present")
        else:
            folder = args.clips or Path(tempfile.mkdtemp(prefix="vision-bench-"))
            folder.mkdir(parents=True, exist_ok=True)
            try:
                ok = bench_faces(folder, args.runs)
            finally:
                if args.clips is None:
                    shutil.rmtree(folder, ignore_errors=True)
    if not args.skip_ocr:
        if args.ocr_engine in ("pytesseract", "rapidocr"):
            bench_ocr(args.ocr_engine)
        else:
            from portfolio_check.extract.ocr import ocr_available

            available, why = ocr_available()
            if available:
                bench_ocr(args.ocr_engine)
            else:
                print(f"OCR skipped: {why}")
    if not args.skip_portfolio:
        with tempfile.TemporaryDirectory(prefix="vision-bench-") as folder:
            ok = bench_text_portfolio(Path(folder), args.runs) and ok
    bench_imports()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
