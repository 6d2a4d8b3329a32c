#!/usr/bin/env python3
"""How `inspect` does on real files: agreement with independent readers, false errors, missed damage.

    python bench/wild.py [FOLDER] [--no-cost] [--jobs N]

FOLDER defaults to ../shared/corpus beside the repository. The script:

1. runs ``portfolio-check inspect FOLDER --format json`` and ``exiftool -r -json FOLDER`` (timed);
2. asks independent readers about every file it can: ffprobe and a full ffmpeg decode for audio,
   video and pictures, pdfinfo and qpdf for PDFs, exiftool for Office files, picture sizes and GPS;
   under ``wild/`` the class folders' SOURCES.md verdicts (heif-info, jpeginfo, msoffcrypto-tool,
   which this machine may not have) stand in where no reader here can tell;
3. prints, per field (kind, duration, pages, size, words, slides, GPS), how often `inspect` agrees;
   the false errors (an error on a file the readers open and play) and the missed problems (no
   error on a file they cannot open, or that plays far less than its header promises);
4. times the new integrity checks on generated 1-minute and 10-minute files (whole and cut in
   half): their cost, in time and in bytes read, does not grow with the length of the file.

Needs ffmpeg/ffprobe, pdfinfo/qpdf (poppler-utils, qpdf) and exiftool on the PATH; a check whose
tool is missing is skipped and said so. Times whichever `portfolio-check` is on the PATH.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MEDIA = {".mp4", ".m4a", ".m4b", ".mov", ".3gp", ".3g2", ".mp3", ".wav", ".flac", ".ogg", ".oga", ".opus",
         ".webm", ".mkv", ".mka", ".avi", ".wma", ".wmv", ".asf", ".aif", ".aiff", ".aac", ".amr", ".ogv", ".flv",
         ".mpeg", ".mpg"}
PICTURES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"}
HEIF = {".heic", ".heif", ".hif", ".avif"}
OFFICE = {".doc", ".docx", ".docm", ".ppt", ".pptx", ".pptm", ".xls", ".xlsx", ".xlsm", ".odt", ".ods", ".odp"}
#: ffmpeg decoding: messages that mean the picture or recording is damaged (not metadata complaints).
DECODE_DAMAGE = re.compile(r"overread|error while decoding|invalid data|premature|partial file|inflate returned|"
                           r"ended prematurely|eoi missing|corrupt|invalid frame|decode_frame\(\) failed", re.I)
#: Under wild/, what independent readers say of each class (SOURCES.md): usable or not. Media and PDFs
#: are judged by the readers this script runs; these verdicts are used where none of them can tell.
WILD_CLASS_USABLE = {
    "heic_crop_clap": True, "heic_undecodable": False, "encrypted_legacy_office": False, "encrypted_odf": False,
    "irm_protected_word_pdf": False, "junk_misnamed": False, "legacy_doc_ppt_counts": True,
    "ppt_legacy_pp4_pp95": True, "strict_ooxml_xlsx": True, "jpeg_truncated": False,
}


@dataclass
class Truth:
    """What the independent readers say of one file; None where they say nothing."""

    usable: bool | None = None
    damaged_but_readable: bool = False
    kind: str | None = None
    seconds: float | None = None
    pages: int | None = None
    size: tuple[int, int] | None = None
    words: int | None = None
    slides: int | None = None
    gps: bool | None = None
    why: list[str] = field(default_factory=list)


def tool() -> list[str]:
    found = shutil.which("portfolio-check")
    return [found] if found else [sys.executable, "-m", "portfolio_check"]


def timed(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """(result, wall seconds, CPU seconds of the command's process tree)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(command: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", "timed out")


# --- independent readers -------------------------------------------------------------------------


def media_truth(path: Path, exif: dict[str, Any] | None = None) -> Truth:
    """ffprobe for the streams and the promised length; a full decode for what really plays."""
    truth = Truth()
    # An .mp3 with junk before its frames: FFmpeg guesses another format from the junk (AMR), where
    # players told it is MP3 skip to the first frame; ask for MP3 as they do.
    forced = ["-f", "mp3"] if path.suffix.lower() == ".mp3" else []
    probe = run(["ffprobe", "-v", "warning", *forced, "-show_entries",
                 "format=duration:stream=codec_type,nb_frames:stream_disposition=attached_pic",
                 "-of", "json", str(path)])
    try:
        info = json.loads(probe.stdout or "{}")
    except ValueError:
        info = {}
    streams = info.get("streams", [])
    if probe.returncode != 0 or not streams:
        truth.usable = False
        truth.why.append("ffprobe cannot open it")
        return truth
    moving = [s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
              and s.get("nb_frames") not in ("1",)]
    sound = [s for s in streams if s.get("codec_type") == "audio"]
    truth.kind = "video" if moving else "audio" if sound else None
    declared = _number(info.get("format", {}).get("duration"))
    if "Estimating duration from bitrate" in probe.stderr:
        # ffprobe's own guess from the file size, not a length the header promises; exiftool reads
        # the header's (an ASF file's play duration), except for MP3, where it guesses too.
        declared = _number((exif or {}).get("Duration")) if path.suffix.lower() != ".mp3" else None
    decode = run(["ffmpeg", "-v", "warning", "-nostdin", *forced, "-i", str(path), "-map", "0:a:0?", "-map", "0:v:0?",
                  "-f", "null", "-", "-progress", "pipe:1"], timeout=300)
    times = [int(value) for value in re.findall(r"out_time_us=(\d+)", decode.stdout)]
    played = max(times, default=0) / 1e6
    damage = len(DECODE_DAMAGE.findall(decode.stderr))
    truth.seconds = played
    if played <= 0.01 and not damage and "nothing was encoded" in decode.stderr and declared:
        truth.seconds = None  # FFmpeg has no decoder for it (32-bit FLAC in FFmpeg 5): no verdict
        truth.why.append("ffmpeg cannot decode it")
    elif played <= 0.01 or (damage > 3 and played < 2 * (declared or played)):
        truth.usable = False
        truth.why.append(f"ffmpeg plays {played:.2f} s with {damage} decoding errors")
    elif declared and played < declared - max(0.5, 0.15 * declared):
        truth.usable = False
        truth.why.append(f"cut off: ffprobe {declared:.2f} s, ffmpeg plays {played:.2f} s")
    else:
        truth.usable = True
    return truth


def picture_truth(path: Path) -> Truth:
    decode = run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "null", "-"])
    damaged = decode.returncode != 0 or DECODE_DAMAGE.search(decode.stderr) is not None
    truth = Truth(usable=not damaged, kind="image")
    if damaged:
        truth.why.append("ffmpeg: " + " | ".join(decode.stderr.strip().splitlines()[:2]))
    return truth


def pdf_truth(path: Path) -> Truth:
    info = run(["pdfinfo", str(path)])
    truth = Truth(usable=info.returncode == 0)
    if info.returncode != 0:
        truth.why.append("pdfinfo: " + info.stderr.strip().splitlines()[-1] if info.stderr.strip() else "pdfinfo fails")
        return truth
    truth.kind = "pdf"
    pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    truth.pages = int(pages.group(1)) if pages else None
    if shutil.which("qpdf"):
        truth.damaged_but_readable = run(["qpdf", "--check", str(path)]).returncode == 3
    return truth


def exiftool_facts(folder: Path, entry: dict[str, Any], truth: Truth) -> None:
    """Sizes, Office counts and GPS from one exiftool record."""
    width, height = entry.get("ImageWidth"), entry.get("ImageHeight")
    aperture = entry.get("CleanAperture")
    if isinstance(aperture, str) and len(aperture.split()) == 4:  # HEIF: viewers show the cropped size
        width, height = (round(float(part)) for part in aperture.split()[:2])
    if isinstance(width, int) and isinstance(height, int):
        truth.size = (width, height)
    file_type = str(entry.get("FileType", ""))
    if file_type in ("DOC",) and isinstance(entry.get("Words"), int):
        truth.words = entry["Words"]
    if file_type in ("PPT",):
        slides = entry.get("Slides", entry.get("Pages"))
        truth.slides = slides if isinstance(slides, int) else None
    latitude, longitude = entry.get("GPSLatitude"), entry.get("GPSLongitude")
    if "GPSVersionID" in entry or latitude is not None:
        truth.gps = (isinstance(latitude, (int, float)) and isinstance(longitude, (int, float))
                     and abs(latitude) <= 90 and abs(longitude) <= 180 and (latitude, longitude) != (0, 0))
    if truth.kind is None:
        truth.kind = {"DOC": "word", "DOCX": "word", "ODT": "word", "PPT": "powerpoint", "PPTX": "powerpoint",
                      "ODP": "powerpoint", "XLS": "spreadsheet", "XLSX": "spreadsheet", "ODS": "spreadsheet",
                      "HEIC": "image", "HEIF": "image", "AVIF": "image"}.get(file_type)


def _zip_whole(path: Path) -> bool:
    """An Office Open XML or OpenDocument file must be a complete ZIP (Python's zipfile checks CRCs);
    an old binary Office file is not a ZIP and passes."""
    import zipfile

    if not zipfile.is_zipfile(path):
        return path.read_bytes()[:4] != b"PK\x03\x04"
    try:
        with zipfile.ZipFile(path) as package:
            return package.testzip() is None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        return False


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def truth_for(folder: Path, relative: str, exif: dict[str, dict[str, Any]]) -> Truth | None:
    path = folder / relative
    suffix = path.suffix.lower()
    parts = Path(relative).parts
    wild_class = parts[1] if len(parts) > 2 and parts[0] == "wild" else parts[0] if folder.name == "wild" else None
    entry = exif.get(str(path.resolve()))
    if suffix in MEDIA and wild_class != "junk_misnamed":
        truth = media_truth(path, entry)
    elif suffix == ".pdf" and wild_class != "junk_misnamed":
        truth = pdf_truth(path)
    elif suffix in PICTURES:
        truth = picture_truth(path)
    elif suffix in HEIF | OFFICE or wild_class in WILD_CLASS_USABLE:
        truth = Truth(usable=None)
    else:
        return None
    if entry is not None:
        exiftool_facts(folder, entry, truth)
        if truth.usable is None and suffix in HEIF:
            truth.usable = "ImageWidth" in entry and "Error" not in entry
        elif truth.usable is None and suffix in OFFICE:
            truth.usable = "Error" not in entry and _zip_whole(path)
    if wild_class in WILD_CLASS_USABLE and (truth.usable is None or suffix in HEIF | OFFICE or
                                            wild_class in ("junk_misnamed", "jpeg_truncated")):
        truth.usable = WILD_CLASS_USABLE[wild_class]
        truth.why.append(f"wild/{wild_class}: SOURCES.md")
    return truth


# --- comparing -----------------------------------------------------------------------------------


def compare(records: dict[str, dict[str, Any]], truths: dict[str, Truth]) -> dict[str, Any]:
    fields: dict[str, list[bool]] = {}
    false_errors, missed, damage_noted = [], [], []

    def agree(name: str, ok: bool) -> None:
        fields.setdefault(name, []).append(ok)

    for path, truth in truths.items():
        record = records.get(path)
        if record is None:
            continue
        errors = [p["code"] for p in record["problems"] if p["code"] in ERROR_CODES]
        if truth.usable is True and errors:
            false_errors.append((path, errors, truth.why))
        if truth.usable is False and not errors:
            missed.append((path, [p["code"] for p in record["problems"]], truth.why))
        if truth.usable is not None:
            agree("verdict", bool(errors) != truth.usable)
        if truth.damaged_but_readable and truth.usable:
            damage_noted.append("file-damaged" in {p["code"] for p in record["problems"]})
        if record["error"]:
            continue  # the fields of a file that could not be read are not compared
        if truth.kind is not None:
            agree("kind", record["kind"] == truth.kind)
        ours = record.get("duration_seconds")
        if truth.seconds is not None and record["kind"] in ("audio", "video") and truth.seconds > 0.01:
            agree("duration", isinstance(ours, (int, float)) and abs(ours - truth.seconds) <= max(0.5, 0.05 * truth.seconds))
        if truth.pages is not None:
            agree("pages", record.get("pages") == truth.pages)
        if truth.size is not None and record["kind"] == "image":
            agree("picture size", (record.get("width"), record.get("height")) == truth.size)
        if truth.words is not None:
            agree("words (.doc)", record.get("words") == truth.words)
        if truth.slides is not None:
            agree("slides (.ppt)", record.get("slides") == truth.slides)
        if truth.gps is not None and record["kind"] == "image":
            agree("GPS location", record.get("has_gps") == truth.gps)
    return {"fields": fields, "false_errors": false_errors, "missed": missed, "damage_noted": damage_noted}


ERROR_CODES = {"file-unreadable", "file-empty", "file-encrypted", "file-protected", "file-truncated", "unsafe-file",
               "unsafe-archive"}


# --- constant cost -------------------------------------------------------------------------------


class Counting(io.RawIOBase):
    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self.stream, self.bytes_read = stream, 0

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        data = self.stream.read(n)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        return self.stream.tell()


LENGTH_CLIPS = {
    "mp3": ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-c:a", "libmp3lame", "-b:a", "128k"],
    "wav": ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-c:a", "pcm_s16le"],
    "flac": ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-c:a", "flac"],
    "m4a": ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-c:a", "aac", "-b:a", "96k",
            "-movflags", "+faststart"],
    "webm": ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-f", "lavfi", "-i", "sine=frequency=440",
             "-c:v", "libvpx", "-b:v", "200k", "-c:a", "libopus"],
}


def cost_table(workdir: Path) -> list[tuple[str, str, int, float, int, bool]]:
    """(format, variant, size, median ms, bytes read, cut off found) for 1- and 10-minute files."""
    from portfolio_check.extract import media

    rows = []
    for fmt, arguments in LENGTH_CLIPS.items():
        for minutes in (1, 10):
            path = workdir / f"{minutes}min.{fmt}"
            if not path.exists():
                run(["ffmpeg", "-v", "error", "-y", *arguments, "-t", str(60 * minutes), str(path)], timeout=600)
            data = path.read_bytes()
            cut = workdir / f"{minutes}min-cut.{fmt}"
            cut.write_bytes(data[:len(data) // 2])
            for variant, target in (("whole", path), ("cut in half", cut)):
                times, read, truncated = [], 0, False
                for _ in range(5):
                    with target.open("rb") as stream:
                        counter = Counting(stream)
                        started = time.perf_counter()
                        result = media.extract(cast(BinaryIO, counter), target.stat().st_size)
                        times.append(time.perf_counter() - started)
                    read, truncated = counter.bytes_read, bool(result.metadata.get("truncated"))
                rows.append((fmt, f"{minutes} min {variant}", target.stat().st_size, 1000 * statistics.median(times),
                             read, truncated))
    return rows


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--no-cost", action="store_true", help="skip the 1-minute / 10-minute timing")
    parser.add_argument("--jobs", type=int, default=2, help="independent readers run at once (default 2)")
    parser.add_argument("--list", action="store_true", help="list every false error and missed problem")
    options = parser.parse_args()
    folder = Path(options.folder).resolve()
    if not folder.is_dir():
        print(f"{folder} is not a folder", file=sys.stderr)
        return 2
    missing = [name for name in ("ffmpeg", "ffprobe", "pdfinfo", "qpdf", "exiftool") if not shutil.which(name)]
    if missing:
        print(f"not installed, their checks are skipped: {', '.join(missing)}", file=sys.stderr)

    print(f"Corpus: {folder}  (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    inspected, inspect_wall, inspect_cpu = timed([*tool(), "inspect", str(folder), "--format", "json"])
    report = json.loads(inspected.stdout)
    records = {entry["path"]: entry for entry in report["files"]}
    exif_entries: dict[str, dict[str, Any]] = {}
    exif_wall = exif_cpu = float("nan")
    if shutil.which("exiftool"):
        exif_run, exif_wall, exif_cpu = timed(["exiftool", "-r", "-json", "-n", "-q", "-q", str(folder)])
        for entry in json.loads(exif_run.stdout or "[]"):
            exif_entries[str(Path(entry["SourceFile"]).resolve())] = entry

    # inspect names files relative to the portfolio root, which may be one folder down.
    root = folder
    while len([p for p in root.iterdir() if not p.name.startswith(".")]) == 1 and next(root.iterdir()).is_dir():
        root = next(root.iterdir())
    paths = sorted(records)
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        found = list(pool.map(lambda relative: truth_for(root, relative, exif_entries), paths))
    truths = {path: truth for path, truth in zip(paths, found, strict=True) if truth is not None}
    result = compare(records, truths)

    print(f"\n{len(records)} files inspected, {len(truths)} with an independent verdict or figure\n")
    print(f"{'field':<16}{'agree':>8}{'of':>6}{'%':>8}")
    total_ok = total = 0
    for name, checks in sorted(result["fields"].items()):
        ok = sum(checks)
        total_ok, total = total_ok + ok, total + len(checks)
        print(f"{name:<16}{ok:>8}{len(checks):>6}{100 * ok / len(checks):>7.1f}%")
    print(f"{'all fields':<16}{total_ok:>8}{total:>6}{100 * total_ok / max(total, 1):>7.1f}%")
    print(f"\nfalse errors (an error on a file the readers open and play): {len(result['false_errors'])}")
    print(f"missed problems (no error on a file they cannot open or play in full): {len(result['missed'])}")
    noted = result["damage_noted"]
    if noted:
        print(f"PDFs qpdf repairs, reported damaged (a warning): {sum(noted)} of {len(noted)}")
    if options.list or len(result["false_errors"]) + len(result["missed"]) <= 20:
        for label, rows in (("false error", result["false_errors"]), ("missed", result["missed"])):
            for path, codes, why in rows:
                print(f"  {label}: {path}  ours {codes or 'no problem'}; readers: {'; '.join(why) or 'open it'}")

    print(f"\n{'':<34}{'wall s':>8}{'CPU s':>8}")
    print(f"{'portfolio-check inspect':<34}{inspect_wall:>8.2f}{inspect_cpu:>8.2f}")
    print(f"{'exiftool -r -json':<34}{exif_wall:>8.2f}{exif_cpu:>8.2f}")
    if exif_wall == exif_wall:  # not NaN
        print(f"inspect / exiftool: {inspect_wall / exif_wall:.2f} wall, {inspect_cpu / exif_cpu:.2f} CPU")

    if not options.no_cost and shutil.which("ffmpeg"):
        print("\nIntegrity checks against length (media.extract, median of 5, bytes read from the file):")
        print(f"{'format':<8}{'file':<22}{'size':>12}{'ms':>9}{'read':>11}  cut off found")
        with tempfile.TemporaryDirectory() as workdir:
            for fmt, variant, size, ms, read, truncated in cost_table(Path(workdir)):
                print(f"{fmt:<8}{variant:<22}{size:>12,}{ms:>9.1f}{read:>11,}  {'yes' if truncated else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
