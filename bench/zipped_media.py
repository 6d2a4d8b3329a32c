#!/usr/bin/env python3
"""What a long recording inside a zip costs to read: before and after reading stored members in place.

    python bench/zipped_media.py [--sizes 100,1000] [--runs 3] [--workdir DIR]

For each size (MB), builds a real clip followed by that much padding (an MP4 ``free`` box of random
bytes, so nothing compresses it away), then times `extract_file` (identify, content digest, duration
probe; no face look) on it, fastest of ``--runs``:

- on disk, in a folder;
- as a *stored* (uncompressed) zip member read in place (this version);
- as the same stored member read through `zipfile` (before: a seek reads everything up to its target);
- as a *deflated* zip member (compressed data can only be read from its start, in either version).

The bytes read from disk are counted too. The machine's load average is printed.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from portfolio_check.extract.runner import extract_file
from portfolio_check.ingest import inventory

FOLDER = "Sam Patel 1234567899"


class CountingFile(io.FileIO):
    read_bytes = 0

    def readinto(self, buffer):  # type: ignore[no-untyped-def]
        count = super().readinto(buffer)
        CountingFile.read_bytes += count or 0
        return count


@contextmanager
def counting_disk(path: Path) -> Iterator[io.BufferedReader]:
    with io.BufferedReader(CountingFile(path)) as stream:
        yield stream


def clip(path: Path) -> bytes:
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=5",
                    "-f", "lavfi", "-i", "sine=duration=5", "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(path)],
                   check=True)
    return path.read_bytes()


def write_recording(path: Path, head: bytes, padding: int) -> None:
    rng = random.Random(0)
    with path.open("wb") as out:
        out.write(head)
        out.write(struct.pack(">I4s", 8 + padding, b"free"))
        left = padding
        while left:
            block = min(left, 16 * 1024**2)
            out.write(rng.randbytes(block))
            left -= block


def timed(root: Path, runs: int, in_place: bool) -> tuple[float, int, float | None]:
    [item] = inventory.ingest(root).files
    original = inventory.stored_member
    if not in_place:
        inventory.stored_member = lambda source, info: None  # type: ignore[assignment]
    try:
        best, read, duration = float("inf"), 0, None
        for _ in range(runs):
            CountingFile.read_bytes = 0
            started = time.perf_counter()
            record = extract_file(item, vision=False)
            best = min(best, time.perf_counter() - started)
            read = CountingFile.read_bytes
            duration = record.metadata.get("duration_seconds")
    finally:
        inventory.stored_member = original  # type: ignore[assignment]
    return best, read, duration


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="padding sizes in MB, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zipped-media-", dir=args.workdir))
    inventory._open_disk = counting_disk  # type: ignore[assignment]
    print(f"load average {os.getloadavg()[0]:.2f}; fastest of {args.runs}; extract_file without the face look")
    print(f"{'recording':>10s}  {'where':42s} {'time':>10s} {'read from disk':>15s}  duration")
    try:
        head = clip(work / "clip.mp4")
        for megabytes in (int(s) for s in args.sizes.split(",")):
            base = work / f"{megabytes}"
            folder = base / FOLDER
            folder.mkdir(parents=True)
            recording = folder / "walkthrough.mp4"
            write_recording(recording, head, megabytes * 1024**2)
            stored, deflated = base / "stored.zip", base / "deflated.zip"
            with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
                archive.write(recording, f"{FOLDER}/walkthrough.mp4")
            with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
                archive.write(recording, f"{FOLDER}/walkthrough.mp4")
            size = recording.stat().st_size
            for label, root, in_place in (("in a folder", folder, True),
                                          ("stored in a zip, read in place (now)", stored, True),
                                          ("stored in a zip, through zipfile (before)", stored, False),
                                          ("deflated in a zip", deflated, True)):
                seconds, read, duration = timed(root, args.runs, in_place)
                print(f"{size / 1024**2:8.0f} MB  {label:42s} {seconds * 1000:8.1f} ms "
                      f"{read / 1024**2:12.1f} MB  {duration}")
            shutil.rmtree(base)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
