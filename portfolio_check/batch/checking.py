"""Checking one portfolio of an export, in a batch worker: make it readable, run the pipeline, write
its reports and its row.

A portfolio inside a zip export is read through the ingest stage's archive checks: its members are
listed with `list_members` (bomb limits, unsafe names refused), then streamed one by one into a private
scratch folder that holds only that portfolio while it is checked. The export is never unpacked whole,
and the user's files are only ever opened for reading.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from portfolio_check.batch.discovery import PortfolioSource, safe_folder_name
from portfolio_check.batch.rows import PortfolioRow, error_row, portfolio_row, store_row
from portfolio_check.catalogue.model import Catalogues
from portfolio_check.checks.model import Assessment
from portfolio_check.errors import PortfolioCheckError
from portfolio_check.extract.model import Problem
from portfolio_check.ingest.archive import Limits, UnsafeArchive, list_members
from portfolio_check.ingest.inventory import InputError, ingest
from portfolio_check.pipeline import CheckSettings, check_inventory
from portfolio_check.report.check_view import assessment_to_dict
from portfolio_check.report.writer import write_reports

#: Why a portfolio whose check ran out of memory has no verdict.
OUT_OF_MEMORY = "checking it needed more memory than allowed; it may hold damaged or crafted files"


@dataclass(frozen=True)
class PortfolioTask:
    """What a batch worker is given: one portfolio, and the fingerprint its row is stored with."""

    source: PortfolioSource
    #: The fingerprint of its inputs for ``--resume``; empty when they could not be read.
    fingerprint: str


@dataclass(frozen=True)
class PortfolioChecker:
    """What every batch worker runs on its tasks, with what all of them share."""

    catalogues: Catalogues
    settings: CheckSettings
    #: OUTDIR: each portfolio's reports and row go into its folder there.
    output_dir: Path
    #: Where portfolios of a zip export are streamed to be read.
    scratch: Path

    def __call__(self, task: PortfolioTask) -> PortfolioRow:
        """Check one portfolio, write its reports and its row; return the row. A portfolio that cannot
        be checked becomes a row saying why: this never raises for anything the portfolio holds."""
        source = task.source
        folder = self.output_dir / source.folder
        try:
            assessment = check_source(source, self.catalogues, self.settings, self.scratch)
            written = write_reports(assessment, assessment_to_dict(assessment), folder)
            row = portfolio_row(source, assessment, [p.name for p in written])
        except PortfolioCheckError as exc:
            row = error_row(source, str(exc))
        except MemoryError:
            row = error_row(source, OUT_OF_MEMORY)
        except Exception as exc:  # noqa: BLE001 - one portfolio must never stop the batch
            row = error_row(source, f"the check stopped unexpectedly ({type(exc).__name__}: {exc})")
        store_row(folder, row, task.fingerprint)
        return row


def check_source(source: PortfolioSource, catalogues: Catalogues, settings: CheckSettings,
                 scratch: Path) -> Assessment:
    """Check one portfolio of the export. Raises `PortfolioCheckError` when it cannot be checked."""
    shown = f"{Path(source.path).name}!/{source.where}" if source.in_export_zip else source.path
    with _readable(source, scratch, settings.limits) as (local, problems):
        try:
            inventory = ingest(local, settings.limits)
            if inventory.name in (local.name, local.stem):
                inventory.name = source.name
            inventory.source = shown
            inventory.problems[:0] = problems
            return check_inventory(inventory, catalogues, settings)
        except PortfolioCheckError as exc:
            if str(local) == source.path:
                raise
            # Name the portfolio as the export does, not by the scratch copy.
            raise InputError(str(exc).replace(str(local), shown)) from None


@contextmanager
def _readable(source: PortfolioSource, scratch: Path,
              limits: Limits) -> Iterator[tuple[Path, list[tuple[str, Problem]]]]:
    """The portfolio as a folder or zip on disk: in place, or streamed from the export zip into scratch."""
    if not source.in_export_zip:
        yield Path(source.path), []
        return
    scratch.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(prefix="portfolio-", dir=scratch))
    try:
        yield _stream_members(source, holder, limits)
    finally:
        shutil.rmtree(holder, ignore_errors=True)


class _Entries:
    """The part of a `zipfile.ZipFile` that `list_members` reads, for a subset of the export's entries."""

    def __init__(self, infos: list[zipfile.ZipInfo]) -> None:
        self._infos = infos

    def infolist(self) -> list[zipfile.ZipInfo]:
        return self._infos


def _stream_members(source: PortfolioSource, holder: Path, limits: Limits) -> tuple[Path, list[tuple[str, Problem]]]:
    export = Path(source.path)
    try:
        with zipfile.ZipFile(export) as archive:
            infos = [archive.getinfo(entry) for entry in source.entries]
            listing = list_members(_Entries(infos), export.name, limits, [limits.max_total_bytes])  # type: ignore[arg-type]
            if source.kind == "export-zip":
                if len(listing.members) != 1:
                    raise InputError(f"{export.name}!/{source.where} could not be read safely")
                member = listing.members[0]
                target = holder / (safe_folder_name(source.name) + ".zip")
                _copy_member(archive, member.entry, member.modified, target)
                return target, []
            root = holder / safe_folder_name(source.name)
            root.mkdir()
            strip = len(source.prefix) + 1
            for folder in sorted(listing.folders):
                if folder.startswith(source.prefix + "/"):
                    (root / folder[strip:]).mkdir(parents=True, exist_ok=True)
            for member in listing.members:
                target = root / member.path[strip:]
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy_member(archive, member.entry, member.modified, target)
            return root, listing.problems
    except UnsafeArchive as exc:
        raise InputError(f"{export.name}!/{source.where} was not opened: {exc}") from None
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError) as exc:
        raise InputError(f"{export.name}!/{source.where} could not be read from the export ({exc}); "
                         "download the export again") from None
    except OSError as exc:
        raise InputError(f"{export.name}!/{source.where} could not be copied out to be read "
                         f"({exc.strerror or exc})") from None


def _copy_member(archive: zipfile.ZipFile, entry: str, modified: str | None, target: Path) -> None:
    # The listing bounded the member's size; zipfile stops at it and checks the CRC.
    with archive.open(entry) as member, open(target, "xb") as out:
        shutil.copyfileobj(member, out, 1024 * 1024)
    if modified:
        when = datetime.fromisoformat(modified).replace(tzinfo=timezone.utc).timestamp()
        os.utime(target, (when, when))
