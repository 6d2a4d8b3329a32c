"""``--resume``: a fingerprint of each portfolio's inputs, and whether the row stored by an earlier
run into OUTDIR can stand for it. Fingerprints read only file system metadata and a zip's central
directory, so deciding to skip a portfolio costs far less than checking it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from portfolio_check import __version__
from portfolio_check.batch.discovery import PortfolioSource
from portfolio_check.batch.rows import PortfolioRow, StoredRow
from portfolio_check.catalogue.model import Catalogues
from portfolio_check.pipeline import CheckSettings

#: Bytes at the end of a zip hashed for its fingerprint: the central directory, which holds every
#: member's name, size and CRC, so a changed member changes it without reading the whole zip.
ZIP_TAIL_BYTES = 1024**2


def settings_key(catalogues: Catalogues, settings: CheckSettings) -> str:
    """What, besides the inputs, decides a portfolio's result: the tool, the catalogues, the flags."""
    digest = hashlib.sha256()
    digest.update(json.dumps([__version__, sorted(settings.flags.items()), settings.manifest,
                              settings.extraction.seconds_per_file]).encode())
    digest.update(repr(catalogues.standards).encode())
    return digest.hexdigest()


def fingerprint(source: PortfolioSource, key: str) -> str:
    """A digest that changes when the portfolio's inputs (or the settings ``key``) change.

    A folder: every file's path, size and modification time. A zip: its size, modification time and
    central directory. Inside a zip export: its entries' names, sizes, CRCs and times.
    Raises OSError when the portfolio cannot be read.
    """
    digest = hashlib.sha256(key.encode())
    digest.update(source.kind.encode())
    if source.kind == "folder":
        for relative, size, mtime in sorted(_folder_files(Path(source.path))):
            digest.update(f"{relative}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    elif source.kind == "zip":
        info = os.stat(source.path)
        digest.update(f"{info.st_size}\0{info.st_mtime_ns}\n".encode())
        with open(source.path, "rb") as stream:
            stream.seek(max(0, info.st_size - ZIP_TAIL_BYTES))
            digest.update(stream.read(ZIP_TAIL_BYTES))
    else:
        digest.update(source.stamp.encode())
    return digest.hexdigest()


def _folder_files(folder: Path) -> Iterator[tuple[str, int, int]]:
    for directory, folders, files in os.walk(folder):
        folders.sort()
        for name in files:
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            yield os.path.relpath(path, folder), info.st_size, info.st_mtime_ns


def reusable_row(stored: StoredRow | None, source: PortfolioSource, stamp: str, folder: Path) -> PortfolioRow | None:
    """The stored row, when it can stand for this run: the inputs are unchanged (same ``stamp``), the
    portfolio was checked (one that could not be is tried again), and its reports are all still there."""
    if stored is None or not stamp or stored.fingerprint != stamp:
        return None
    row = stored.row
    if row.failed or row.where != source.where:
        return None
    return row if all((folder / name).is_file() for name in row.reports) else None
