#!/usr/bin/env python3
"""Write a synthetic export of apprentice portfolios for the batch benchmark.

Each portfolio has 20 pieces (Word, PowerPoint, PDF, photos, an audio clip and video clips totalling
about 10 minutes), a KSB mapping manifest and a signed declaration; every fifth portfolio is zipped
and every 25th holds two corrupt files. Each distinct file is generated once, in a pool beside the
export, and hard-linked into the portfolios (copied when links are not possible), so even a large
export takes little disk. Clips are tiny (16x16 pixels, 1 frame a second, 8 kHz sound).

    python bench/make_export.py /tmp/export --portfolios 200 [--clip-scale 10]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

VIDEO_SECONDS = (150.0, 145.0, 148.0, 142.0)  # 585 s: just under ST0792's 10 minutes
AUDIO_SECONDS = 60.0
#: The kind of each of the 20 pieces, in manifest order.
PIECES = ["video", "docx", "pdf", "jpeg", "pptx", "video", "docx", "pdf", "jpeg", "pptx",
          "video", "docx", "pdf", "jpeg", "audio", "video", "docx", "pdf", "pptx", "docx"]
FIRST_NAMES = ["Sam", "Alex", "Jo", "Priya", "Tom", "Aisha", "Chen", "Maria", "Olu", "Kate", "Ravi", "Zoe"]
LAST_NAMES = ["Patel", "Jones", "Bloggs", "Smith", "Okafor", "Nowak", "Evans", "Khan", "Murphy", "Wright"]
DECLARATION = [
    "Declaration of authenticity",
    "We confirm that the evidence in this portfolio is valid and attributable to the apprentice, "
    "and that it is the apprentice's own work.",
    "Apprentice", "Name: {name}", "Signed: {name}", "Date: 01/09/2026",
    "Employer", "Name: Jo Bloggs, Line Manager, Northern Pictures", "Signed: Jo Bloggs", "Date: 01/09/2026",
]


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make_clip(path: Path, seconds: float, kind: str) -> None:
    sine = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=8000:duration={seconds}"]
    if kind == "audio":
        args = [*sine, "-c:a", "libmp3lame", "-b:a", "8k"]
    else:
        args = ["-f", "lavfi", "-i", f"color=c=blue:size=16x16:rate=1:duration={seconds}", *sine,
                "-c:v", "mpeg4", "-c:a", "aac", "-b:a", "8k", "-shortest"]
    subprocess.run([ffmpeg(), "-y", "-loglevel", "error", *args, str(path)], check=True)


def make_docx(path: Path, paragraphs: list[str], title: str) -> None:
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "Apprentice"
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def make_pptx(path: Path, slides: list[str]) -> None:
    from pptx import Presentation

    presentation = Presentation()
    for text in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = text
        slide.placeholders[1].text = f"{text}: what I did and why"
    presentation.save(str(path))


def make_pdf(path: Path, pages: list[list[str]]) -> None:
    """A PDF with a text layer, written as PDF objects directly."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    font = 3 + 2 * len(pages)
    body = [b"<< /Type /Catalog /Pages 2 0 R >>",
            (f"<< /Type /Pages /Kids [{' '.join(f'{3 + 2 * i} 0 R' for i in range(len(pages)))}] "
             f"/Count {len(pages)} >>").encode()]
    for index, lines in enumerate(pages):
        stream = ("BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET").encode()
        body.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * index} 0 R "
                    f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        body.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    body.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    path.write_bytes(bytes(out))


def make_jpeg(path: Path, index: int) -> None:
    from PIL import Image

    Image.new("RGB", (640, 480), (index * 37 % 255, 90, 140)).save(path, "JPEG", quality=80)


def build_pool(pool: Path, clip_scale: float) -> dict[int, Path]:
    """One file per piece position; every portfolio links the same 20 files."""
    pool.mkdir(parents=True, exist_ok=True)
    files: dict[int, Path] = {}
    videos = iter(VIDEO_SECONDS)
    for index, kind in enumerate(PIECES):
        number = index + 1
        if kind == "video":
            seconds = next(videos) * clip_scale
            path = pool / f"{number:02d} Walkthrough {number}.mp4"
            if not path.exists():
                make_clip(path, seconds, "video")
        elif kind == "audio":
            path = pool / f"{number:02d} Reflective account {number}.mp3"
            if not path.exists():
                make_clip(path, AUDIO_SECONDS * clip_scale, "audio")
        elif kind == "docx":
            path = pool / f"{number:02d} Call sheet {number}.docx"
            make_docx(path, [f"Call sheet for shoot day {number}", "Unit base: Studio 2",
                             "Crew call 07:00; breakfast on set; wrap 19:00."] * 8, f"Call sheet {number}")
        elif kind == "pptx":
            path = pool / f"{number:02d} Production meeting {number}.pptx"
            make_pptx(path, ["Production meeting", "Schedule", "Budget", "Risks", "Actions"])
        elif kind == "pdf":
            path = pool / f"{number:02d} Schedule {number}.pdf"
            make_pdf(path, [[f"Production schedule week {number}", "Monday: recce", "Tuesday: shoot"]] * 3)
        else:
            path = pool / f"{number:02d} Set photo {number}.jpg"
            make_jpeg(path, number)
        files[index] = path
    return files


def required_codes() -> list[str]:
    from portfolio_check.catalogue.loader import discover

    standard = discover().get("ST0792")
    return [k.code for k in standard.ksbs_for("production-coordinator", standard.portfolio.evidence_method)]


def link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def build_portfolio(folder: Path, number: int, pool: dict[int, Path], declaration: Path, codes: list[str],
                    corrupt: bool) -> None:
    folder.mkdir(parents=True)
    rows = [["Piece", "Title", "Files", "KSBs"]]
    for index, source in pool.items():
        target = folder / source.name
        if corrupt and index in (1, 2):
            data = source.read_bytes()
            target.write_bytes(data[: len(data) // 3] if index == 1 else b"%PDF-1.4\n" + os.urandom(2048))
        else:
            link(source, target)
        mine = codes[index::len(pool)] or codes[:1]
        rows.append([str(index + 1), f"Evidence {index + 1}", source.name, ", ".join(mine)])
    link(declaration, folder / "Declaration.docx")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (folder / "KSB mapping.csv").write_text(buffer.getvalue(), encoding="utf-8")


def zip_folder(folder: Path) -> None:
    target = folder.with_name(folder.name + ".zip")
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            media = path.suffix.lower() in (".mp4", ".mp3", ".jpg")
            archive.write(path, path.relative_to(folder.parent).as_posix(),
                          compress_type=zipfile.ZIP_STORED if media else zipfile.ZIP_DEFLATED)
    shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path, help="folder to create (must not exist)")
    parser.add_argument("--portfolios", type=int, default=200)
    parser.add_argument("--clip-scale", type=float, default=1.0, help="make every clip this many times longer")
    parser.add_argument("--zip-every", type=int, default=5, help="zip every N-th portfolio (0: none)")
    parser.add_argument("--corrupt-every", type=int, default=25, help="two corrupt files in every N-th portfolio (0: none)")
    args = parser.parse_args()
    if args.export.exists():
        parser.error(f"{args.export} already exists")
    pool_dir = args.export.with_name(args.export.name + "-pool")
    pool = build_pool(pool_dir, args.clip_scale)
    codes = required_codes()
    args.export.mkdir(parents=True)
    for number in range(1, args.portfolios + 1):
        name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"
        uln = f"{1000000000 + number * 7919:010d}"[:10]
        declaration = pool_dir / f"declaration-{number % len(FIRST_NAMES)}.docx"
        if not declaration.exists():
            who = name.rsplit(" ", 1)[0]
            make_docx(declaration, [line.format(name=who) for line in DECLARATION], "Declaration")
        folder = args.export / f"{name} {uln}"
        build_portfolio(folder, number, pool, declaration, codes,
                        corrupt=bool(args.corrupt_every) and number % args.corrupt_every == 0)
        if args.zip_every and number % args.zip_every == 0:
            zip_folder(folder)
    (args.export / "desktop.ini").write_text("[.ShellClassInfo]\n", encoding="utf-8")
    print(f"wrote {args.portfolios} portfolios to {args.export} (pool: {pool_dir})")


if __name__ == "__main__":
    main()
