"""Batch runs: every portfolio of an export (a folder or a zip, e.g. a SharePoint or OneDrive download),
each checked in its own worker process, with a summary row per portfolio.

Discovery finds the portfolios (sub-folders and zips at the top of the export, or one level down when
the export wraps everything in one folder). Scheduling runs one portfolio per batch worker, each of
which extracts with a single sandboxed reader, so the processes doing work stay about one per core
and the per-file time and memory limits still hold. A worker that crashes or overruns the portfolio
time limit is killed with its reader and replaced, and that portfolio becomes an error row.

A portfolio inside a zip export is read through the ingest stage's archive checks: its members are
listed with `list_members` (bomb limits, unsafe names refused), then streamed one by one into a private
scratch folder that holds only that portfolio while it is checked. The export is never unpacked whole,
and the user's files are only ever opened for reading.

Each portfolio's output folder holds its reports and ``batch-row.json``: the summary row and the
fingerprint of its inputs, which ``--resume`` compares and ``merge`` reads.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from portfolio_check import __version__
from portfolio_check.catalogue.loader import Catalogues
from portfolio_check.errors import PortfolioCheckError
from portfolio_check.extract.sandbox import limit_memory
from portfolio_check.ingest.archive import (
    ZIP_READ_ERRORS,
    Limits,
    UnsafeArchive,
    clean_member_path,
    decoded_name,
    is_plain_archive,
    list_members,
)
from portfolio_check.ingest.inventory import JUNK_FOLDERS, Ignored, InputError, Inventory, ingest, junk_reason
from portfolio_check.pipeline import DETAILS_NAMES, CheckSettings, check_inventory, manifest_candidates

#: The file in each portfolio's output folder that holds its summary row and input fingerprint.
ROW_FILE = "batch-row.json"
#: Names the batch writes at the top of OUTDIR; no portfolio folder may take them.
TOP_LEVEL_OUTPUTS = ("index.html", "summary.csv", "summary.json")
#: Entries an export zip may hold (its central directory is read into memory whole).
MAX_EXPORT_ENTRIES = 500_000
#: Bytes at the end of a zip hashed for its fingerprint: the central directory, which holds every
#: member's name, size and CRC, so a changed member changes it without reading the whole zip.
ZIP_TAIL_BYTES = 1024**2
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_FOLDER_NAME = 100


class BatchError(PortfolioCheckError):
    """The batch cannot run at all (bad export, bad shard, output inside the export)."""


@dataclass(frozen=True)
class PortfolioSource:
    """One portfolio of the export and how to reach it."""

    #: The name shown for it: the folder or zip name as the export has it.
    name: str
    #: Where it is, relative to the export (``Cohort 3/Sam Patel.zip``).
    where: str
    #: ``folder`` or ``zip`` on disk; ``export-folder`` or ``export-zip`` inside a zip export.
    kind: str
    #: The folder or zip on disk; for the ``export-*`` kinds, the export zip.
    path: str
    #: Inside a zip export: the zip entry names that make up the portfolio.
    entries: tuple[str, ...] = ()
    #: Inside a zip export: the portfolio's folder (or zip member) path in the export.
    prefix: str = ""
    #: Inside a zip export: a digest of its entries' names, sizes, CRCs and times.
    stamp: str = ""
    #: Its output folder's name under OUTDIR (sanitised, unique); set by `discover`.
    folder: str = ""


@dataclass
class Discovery:
    export: str
    portfolios: list[PortfolioSource] = field(default_factory=list)
    #: Top-level entries that are not portfolios (junk, loose files).
    ignored: list[Ignored] = field(default_factory=list)
    #: Entries of a zip export refused as unsafe.
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BatchSettings:
    """What the user asked of the batch: workers, limits, what to skip and which share to run."""

    check: CheckSettings = CheckSettings()
    jobs: int | None = None
    #: Seconds one portfolio may take in all before its worker is killed and it becomes an error row.
    portfolio_seconds: float = 1800.0
    #: Address-space limit of a batch worker (its sandboxed reader has its own, from ``check``).
    memory_per_worker: int | None = 3 * 1024**3
    resume: bool = False
    #: (I, N), 1-based: run portfolios I, I+N, I+2N... of the sorted list.
    shard: tuple[int, int] | None = None


@dataclass
class BatchResult:
    discovery: Discovery
    #: One summary row per portfolio of this run (this shard), sorted by portfolio name.
    rows: list[dict[str, Any]]
    #: How many rows were reused from an earlier run (``--resume``).
    reused: int = 0

    @property
    def failed(self) -> int:
        return sum(row["status"] == "error" for row in self.rows)


# --- discovery -----------------------------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` with 1 <= I <= N (1-based, as GNU parallel's job slots); raises ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"'{text}' is not I/N (for example 1/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"'{text}': I must be from 1 to N, and N at least 1 (shards are numbered from 1)")
    return index, count


def in_shard(position: int, shard: tuple[int, int] | None) -> bool:
    """Whether the portfolio at ``position`` (0-based, in sorted order) belongs to the shard."""
    return shard is None or position % shard[1] == shard[0] - 1


def discover(export: str | os.PathLike[str], pattern: str | None = None) -> Discovery:
    """The portfolios of an export folder or zip, sorted by name, each with a unique output folder name.

    Without ``pattern``, each sub-folder or zip at the top of the export is a portfolio (one level
    down when the export wraps everything in one folder). ``pattern`` is a glob relative to the
    export (``*/*`` or ``Cohort */*.zip``; ``*`` does not cross ``/``) naming the portfolios instead.
    """
    root = Path(export)
    if root.is_dir():
        found = _discover_folder(root, pattern)
    elif root.is_file():
        with open(root, "rb") as stream:
            if not is_plain_archive(stream, root.name):
                raise InputError(f"{root} is not a folder or a zip archive")
        found = _discover_zip(root, pattern)
    else:
        raise InputError(f"{root} does not exist" if not root.exists() else f"{root} is not a folder or a zip archive")
    found.portfolios.sort(key=lambda p: (p.name.casefold(), p.name, p.where))
    taken: set[str] = {name.casefold() for name in TOP_LEVEL_OUTPUTS}
    named = []
    for portfolio in found.portfolios:
        folder = unique_folder_name(portfolio.name, taken)
        taken.add(folder.casefold())
        named.append(replace(portfolio, folder=folder))
    found.portfolios = named
    return found


def safe_folder_name(name: str) -> str:
    """A portfolio's name made safe as one folder name on any system: no separators, control
    characters, characters Windows refuses, leading dots, reserved device names; at most 100 characters."""
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE_CHARACTERS.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = text[:_MAX_FOLDER_NAME].rstrip(" .")
    if not text:
        text = "portfolio"
    if _WINDOWS_RESERVED.match(text):
        text = "_" + text
    return text


def unique_folder_name(name: str, taken: set[str]) -> str:
    """`safe_folder_name`, numbered ``(2)``, ``(3)``... when it is taken (compared ignoring case)."""
    base = safe_folder_name(name)
    candidate, number = base, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{base} ({number})"
    return candidate


def _is_junk_name(name: str) -> str | None:
    return JUNK_FOLDERS.get(name.lower()) or junk_reason(name)


def _discover_folder(root: Path, pattern: str | None) -> Discovery:
    found = Discovery(export=str(root))
    if pattern:
        for relative in _glob_folder(root, pattern):
            _add_disk_entry(root / relative, relative, found, explicit=True)
        return found
    base = root
    entries = _visible_entries(root, found, "")
    if len(entries) == 1 and entries[0].is_dir(follow_symlinks=False):
        inner = _visible_entries(Path(entries[0].path), Discovery(export=""), "")
        if _wraps_portfolios([e.name for e in inner if e.is_file(follow_symlinks=False)],
                             any(e.is_dir(follow_symlinks=False) or _is_zip_file(Path(e.path)) for e in inner)):
            base = Path(entries[0].path)
            entries = _visible_entries(base, found, entries[0].name + "/")
    prefix = "" if base == root else base.name + "/"
    for entry in entries:
        _add_disk_entry(Path(entry.path), prefix + entry.name, found, explicit=False)
    return found


def _wraps_portfolios(file_names: list[str], has_portfolios: bool) -> bool:
    """Whether the export's single top folder wraps the portfolios rather than being one: it holds
    folders or zips, and no manifest or portfolio details of its own (loose notes do not count)."""
    own = manifest_candidates(file_names) or [n for n in file_names if n.lower() in DETAILS_NAMES]
    return has_portfolios and not own


def _visible_entries(folder: Path, found: Discovery, shown_prefix: str) -> list[os.DirEntry[str]]:
    """The folder's entries that are not junk or links; the others are recorded as ignored."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name.casefold())
    except OSError as exc:
        raise InputError(f"{folder} could not be read ({exc.strerror})") from None
    visible = []
    for entry in entries:
        reason = _is_junk_name(entry.name)
        if entry.is_symlink():
            found.ignored.append(Ignored(shown_prefix + entry.name, "a link to somewhere else; links are not followed"))
        elif reason:
            found.ignored.append(Ignored(shown_prefix + entry.name, reason))
        else:
            visible.append(entry)
    return visible


def _glob_folder(root: Path, pattern: str) -> list[str]:
    parts = [p for p in pattern.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise BatchError(f"--pattern '{pattern}' must be a relative pattern inside the export, e.g. '*/*'")
    level = [""]
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        following = []
        for relative in level:
            try:
                entries = sorted(os.scandir(root / relative if relative else root), key=lambda e: e.name.casefold())
            except OSError:
                continue
            for entry in entries:
                if entry.is_symlink() or _is_junk_name(entry.name) or not fnmatch.fnmatchcase(entry.name, part):
                    continue
                if last or entry.is_dir(follow_symlinks=False):
                    following.append(f"{relative}/{entry.name}" if relative else entry.name)
        level = following
    return level


def _is_zip_file(path: Path) -> bool:
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        with open(path, "rb") as stream:
            return is_plain_archive(stream, path.name)
    except OSError:
        return False


def _add_disk_entry(path: Path, relative: str, found: Discovery, explicit: bool) -> None:
    if path.is_symlink():
        found.ignored.append(Ignored(relative, "a link to somewhere else; links are not followed"))
    elif path.is_dir():
        found.portfolios.append(PortfolioSource(name=path.name, where=relative, kind="folder", path=str(path)))
    elif _is_zip_file(path):
        found.portfolios.append(PortfolioSource(name=path.stem, where=relative, kind="zip", path=str(path)))
    else:
        found.ignored.append(Ignored(relative, "matched --pattern but is neither a folder nor a zip" if explicit
                                     else "a loose file, not a portfolio folder or zip"))


def _discover_zip(root: Path, pattern: str | None) -> Discovery:
    found = Discovery(export=str(root))
    try:
        with zipfile.ZipFile(root) as archive:
            infos = archive.infolist()
    except ZIP_READ_ERRORS as exc:
        raise InputError(f"{root} is a damaged or incomplete zip archive ({exc}); download the export again") from None
    if len(infos) > MAX_EXPORT_ENTRIES:
        raise InputError(f"{root} holds {len(infos):,} entries, more than the {MAX_EXPORT_ENTRIES:,} an export "
                         "may hold; split it into several zips")
    members: list[tuple[str, zipfile.ZipInfo]] = []
    for info in infos:
        path = clean_member_path(decoded_name(info))
        if path is None:
            found.problems.append(f"{root.name}!/{decoded_name(info)} has an unsafe name (absolute, or climbing out "
                                  "of the archive with '..'); it was not read")
        elif path:
            members.append((path, info))
    folders = {"/".join(p.split("/")[:n]) for p, _ in members for n in range(1, p.count("/") + 1)}
    folders |= {p for p, info in members if info.is_dir()}
    files = {p: info for p, info in members if not info.is_dir()}

    def children(parent: str) -> list[str]:
        depth = parent.count("/") + 1 if parent else 0
        names = {p for p in folders | set(files) if p.startswith(parent + "/" if parent else "") and p.count("/") == depth}
        return sorted(names, key=str.casefold)

    def is_zip_member(path: str) -> bool:
        return path in files and path.lower().endswith(".zip")

    if pattern:
        parts = [p for p in pattern.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            raise BatchError(f"--pattern '{pattern}' must be a relative pattern inside the export, e.g. '*/*'")
        chosen = sorted((p for p in folders | set(files) if _matches(p, parts)), key=str.casefold)
    else:
        top = [p for p in children("") if not _is_junk_name(p)]
        base = ""
        if len(top) == 1 and top[0] in folders:
            inner = [p for p in children(top[0]) if not _is_junk_name(p.rsplit("/", 1)[-1])]
            if _wraps_portfolios([p.rsplit("/", 1)[-1] for p in inner if p in files],
                                 any(p in folders or is_zip_member(p) for p in inner)):
                base = top[0]
        chosen = []
        for path in children(base):
            name = path.rsplit("/", 1)[-1]
            reason = _is_junk_name(name)
            if reason:
                found.ignored.append(Ignored(path, reason))
            elif path in folders or is_zip_member(path):
                chosen.append(path)
            else:
                found.ignored.append(Ignored(path, "a loose file, not a portfolio folder or zip"))
    chosen_folders = {p for p in chosen if p in folders}
    groups: dict[str, list[zipfile.ZipInfo]] = {p: [] for p in chosen_folders}
    for path, info in members:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            ancestor = "/".join(parts[:depth])
            if ancestor in chosen_folders:
                groups[ancestor].append(info)
    for path in chosen:
        name = path.rsplit("/", 1)[-1]
        if path in folders:
            inside, kind = groups[path], "export-folder"
        elif is_zip_member(path):
            inside, kind, name = [files[path]], "export-zip", name[:-4]
        else:
            found.ignored.append(Ignored(path, "matched --pattern but is neither a folder nor a zip"))
            continue
        stamp = hashlib.sha256(json.dumps([(i.filename, i.file_size, i.CRC, i.date_time) for i in inside]).encode()).hexdigest()
        found.portfolios.append(PortfolioSource(name=name, where=path, kind=kind, path=str(root),
                                                entries=tuple(i.filename for i in inside), prefix=path, stamp=stamp))
    return found


def _matches(path: str, parts: list[str]) -> bool:
    names = path.split("/")
    return len(names) == len(parts) and all(fnmatch.fnmatchcase(n, p) for n, p in zip(names, parts)) \
        and not any(_is_junk_name(n) for n in names)


# --- fingerprints --------------------------------------------------------------------------------


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


# --- checking one portfolio ----------------------------------------------------------------------


def check_source(source: PortfolioSource, catalogues: Catalogues, settings: CheckSettings, scratch: Path):
    """Check one portfolio of the export (-> `Assessment`). Raises `PortfolioCheckError` when it cannot be checked."""
    shown = f"{Path(source.path).name}!/{source.where}" if source.kind.startswith("export-") else source.path
    with _readable(source, scratch, settings.limits) as (local, problems):
        try:
            inventory = ingest(local, settings.limits)
            if inventory.name == local.name or inventory.name == local.stem:
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
def _readable(source: PortfolioSource, scratch: Path, limits: Limits) -> Iterator[tuple[Path, list]]:
    """The portfolio as a folder or zip on disk: in place, or streamed from the export zip into scratch."""
    if not source.kind.startswith("export-"):
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


def _stream_members(source: PortfolioSource, holder: Path, limits: Limits) -> tuple[Path, list]:
    export = Path(source.path)
    try:
        with zipfile.ZipFile(export) as archive:
            infos = [archive.getinfo(entry) for entry in source.entries]
            listing = list_members(_Entries(infos), export.name, limits, [limits.max_total_bytes])  # type: ignore[arg-type]
            if source.kind == "export-zip":
                [member] = listing.members or [None]  # type: ignore[list-item]
                if member is None:
                    raise InputError(f"{export.name}!/{source.where} could not be read safely")
                target = holder / (safe_folder_name(source.name) + ".zip")
                _copy_member(archive, member.entry, member.size, member.modified, target)
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
                _copy_member(archive, member.entry, member.size, member.modified, target)
            return root, listing.problems
    except UnsafeArchive as exc:
        raise InputError(f"{export.name}!/{source.where} was not opened: {exc}") from None
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError) as exc:
        raise InputError(f"{export.name}!/{source.where} could not be read from the export ({exc}); "
                         "download the export again") from None
    except OSError as exc:
        raise InputError(f"{export.name}!/{source.where} could not be copied out to be read ({exc.strerror or exc})") from None


def _copy_member(archive: zipfile.ZipFile, entry: str, size: int, modified: str | None, target: Path) -> None:
    # The listing bounded ``size``; zipfile stops at it and checks the CRC.
    with archive.open(entry) as member, open(target, "xb") as out:
        shutil.copyfileobj(member, out, 1024 * 1024)
    if modified:
        when = datetime.fromisoformat(modified).replace(tzinfo=timezone.utc).timestamp()
        os.utime(target, (when, when))


def _process(source: PortfolioSource, stamp: str, catalogues: Catalogues, settings: BatchSettings,
             output_dir: Path, scratch: Path) -> dict[str, Any]:
    """Check one portfolio, write its reports and its row; return the row. Never raises."""
    from portfolio_check.report.batch_view import error_row, portfolio_row
    from portfolio_check.report.check_view import assessment_to_dict
    from portfolio_check.report.writer import write_reports

    folder = output_dir / source.folder
    try:
        assessment = check_source(source, catalogues, settings.check, scratch)
        written = write_reports(assessment, assessment_to_dict(assessment), folder)
        row = portfolio_row(source, assessment, [p.name for p in written])
    except PortfolioCheckError as exc:
        row = error_row(source, str(exc))
    except MemoryError:
        row = error_row(source, "checking it needed more memory than allowed; it may hold damaged or crafted files")
    except Exception as exc:  # noqa: BLE001 - one portfolio must never stop the batch
        row = error_row(source, f"the check stopped unexpectedly ({type(exc).__name__}: {exc})")
    store_row(folder, row, stamp)
    return row


def store_row(folder: Path, row: dict[str, Any], stamp: str) -> None:
    """Write the portfolio's row and input fingerprint atomically into its output folder."""
    from portfolio_check.report.writer import write_text_atomically

    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomically(folder / ROW_FILE, json.dumps({"fingerprint": stamp, "row": row}, indent=2,
                                                        ensure_ascii=False) + "\n")


def read_row(folder: Path) -> dict[str, Any] | None:
    """The stored ``{"fingerprint", "row"}`` of an output folder, or None when absent or damaged."""
    try:
        stored = json.loads((folder / ROW_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or not isinstance(stored.get("row"), dict):
        return None
    return stored


# --- scheduling ----------------------------------------------------------------------------------


#: Libraries the readers and reports import when first used. Each portfolio's sandboxed reader is a
#: fresh fork, so without this every portfolio paid about 0.45 s of imports (measured on ST0792 portfolios).
_PRELOADED = ("pypdf", "pypdf.generic",
              "av", "av.logging", "mutagen", "mutagen.mp4", "mutagen.mp3", "PIL.Image", "openpyxl", "lxml.etree",
              "yaml", "jinja2", "portfolio_check.extract.documents", "portfolio_check.extract.identify",
              "portfolio_check.extract.manifest", "portfolio_check.extract.media", "portfolio_check.extract.office",
              "portfolio_check.report.batch_view", "portfolio_check.report.check_view", "portfolio_check.report.writer")


def _preload() -> None:
    """Import the readers' libraries once, before workers fork, so no portfolio pays for the imports."""
    import importlib

    for name in _PRELOADED:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional library only costs time later
            pass


def _worker_main(connection: Any, catalogues: Catalogues, settings: BatchSettings, output_dir: Path,
                 scratch: Path) -> None:
    # Its own process group, so a timeout kills the worker together with its sandboxed reader.
    os.setpgid(0, 0)
    limit_memory(settings.memory_per_worker)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        source, stamp = task
        connection.send(_process(source, stamp, catalogues, settings, output_dir, scratch))


class _BatchWorker:
    def __init__(self, context: Any, arguments: tuple[Any, ...]) -> None:
        parent, child = context.Pipe()
        self.connection = parent
        # Not a daemon: it starts its own sandboxed reader, which daemons may not.
        self.process = context.Process(target=_worker_main, args=(child, *arguments), daemon=False)
        self.process.start()
        child.close()
        self.task: tuple[PortfolioSource, str] | None = None
        self.deadline = 0.0

    def give(self, task: tuple[PortfolioSource, str], seconds: float) -> None:
        self.task = task
        self.deadline = time.monotonic() + seconds
        self.connection.send(task)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.connection.send(None)
                self.process.join(timeout=5)
            except (OSError, ValueError):
                pass
        if self.process.is_alive() or kill:
            for signal_target in (lambda: os.killpg(self.process.pid, signal.SIGKILL), self.process.kill):
                try:
                    signal_target()
                except (ProcessLookupError, PermissionError, OSError):
                    pass
        self.process.join(timeout=5)
        self.connection.close()


def run_batch(export: str | os.PathLike[str], output_dir: str | os.PathLike[str], catalogues: Catalogues,
              settings: BatchSettings = BatchSettings(), pattern: str | None = None,
              on_done: Callable[[int, int, dict[str, Any], bool], None] | None = None) -> BatchResult:
    """Check every portfolio of the export (of the shard), writing each one's reports under ``output_dir``.

    ``on_done(done, total, row, reused)`` is called as each portfolio finishes, in completion order.
    Raises `PortfolioCheckError` when the batch cannot run at all.
    """
    output = Path(output_dir)
    source_root = Path(export).resolve()
    if source_root.is_dir() and (output.resolve() == source_root or source_root in output.resolve().parents):
        raise BatchError(f"the output folder {output} is inside the export {export}; write it somewhere else")
    discovery = discover(export, pattern)
    chosen = [p for position, p in enumerate(discovery.portfolios) if in_shard(position, settings.shard)]
    key = settings_key(catalogues, settings.check)
    output.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, Any]] = {}
    tasks: list[tuple[PortfolioSource, str]] = []
    done = 0
    for source in chosen:
        try:
            stamp = fingerprint(source, key)
        except OSError:
            stamp = ""
        stored = read_row(output / source.folder) if settings.resume else None
        if (stored and stamp and stored.get("fingerprint") == stamp and stored["row"].get("status") == "checked"
                and stored["row"].get("where") == source.where
                and all((output / source.folder / name).is_file() for name in stored["row"].get("reports", []))):
            rows[source.folder] = stored["row"]
            done += 1
            if on_done:
                on_done(done, len(chosen), stored["row"], True)
        else:
            tasks.append((source, stamp))
    reused = done
    if tasks:
        _preload()
        scratch = Path(tempfile.mkdtemp(prefix="portfolio-check-batch-"))
        try:
            for row in _schedule(tasks, catalogues, settings, output, scratch):
                rows[row["folder"]] = row
                done += 1
                if on_done:
                    on_done(done, len(chosen), row, False)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    ordered = [rows[source.folder] for source in chosen]
    return BatchResult(discovery=discovery, rows=ordered, reused=reused)


def _schedule(tasks: Sequence[tuple[PortfolioSource, str]], catalogues: Catalogues, settings: BatchSettings,
              output: Path, scratch: Path) -> Iterator[dict[str, Any]]:
    """Run the tasks in batch workers, yielding each row as it completes; a worker that dies or
    overruns the portfolio time limit is killed (with its reader) and its portfolio becomes an error row."""
    import multiprocessing
    from multiprocessing.connection import wait

    from portfolio_check.report.batch_view import error_row

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    jobs = max(1, min(settings.jobs or os.cpu_count() or 1, len(tasks)))
    arguments = (catalogues, settings, output, scratch)
    pending = list(reversed(tasks))
    workers: list[_BatchWorker] = []
    try:
        while pending or any(w.task for w in workers):
            for worker in workers:
                if worker.task is None and pending:
                    worker.give(pending.pop(), settings.portfolio_seconds)
            while len(workers) < jobs and pending:
                worker = _BatchWorker(context, arguments)
                workers.append(worker)
                worker.give(pending.pop(), settings.portfolio_seconds)
            busy = [w for w in workers if w.task is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
            now = time.monotonic()
            for worker in busy:
                assert worker.task is not None
                source, stamp = worker.task
                if worker.connection in ready or worker.connection.poll():
                    try:
                        row = worker.connection.recv()
                        worker.task = None
                        yield row
                        continue
                    except (EOFError, OSError):
                        pass
                if worker.process.is_alive() and now < worker.deadline:
                    continue
                if worker.process.is_alive():
                    why = (f"checking it took longer than {settings.portfolio_seconds:g} seconds, so it was stopped "
                           "(--portfolio-time-limit); a file in it may stall the readers")
                else:
                    why = f"the check stopped unexpectedly (exit status {worker.process.exitcode})"
                worker.stop(kill=True)
                workers.remove(worker)
                row = error_row(source, why)
                store_row(output / source.folder, row, stamp)
                yield row
    finally:
        for worker in workers:
            worker.stop(kill=worker.task is not None)


# --- merging shard outputs -----------------------------------------------------------------------


@dataclass
class Merged:
    rows: list[dict[str, Any]]
    export: str = ""
    ignored: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def row_order(row: dict[str, Any]) -> tuple[str, str, str]:
    """The order of rows in every output: by portfolio name, as `discover` sorts."""
    return row["portfolio"].casefold(), row["portfolio"], row.get("where") or ""


def merge_outputs(shard_dirs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str]) -> Merged:
    """Collect the rows the shards stored and copy their portfolio folders into ``output_dir``.

    A portfolio found in several shard folders keeps its most recently checked row.
    """
    output = Path(output_dir)
    merged = Merged(rows=[])
    chosen: dict[str, tuple[dict[str, Any], Path]] = {}
    for shard_dir in map(Path, shard_dirs):
        try:
            summary = json.loads((shard_dir / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
        if isinstance(summary, dict):
            merged.export = merged.export or str(summary.get("export") or "")
            merged.ignored += [i for i in summary.get("ignored") or [] if i not in merged.ignored]
            merged.problems += [p for p in summary.get("problems") or [] if p not in merged.problems]
        for child in sorted(shard_dir.iterdir(), key=lambda p: p.name):
            if child.is_symlink() or not child.is_dir():
                continue
            stored = read_row(child)
            if stored is None:
                continue
            row = {**stored["row"], "folder": child.name}
            earlier = chosen.get(child.name.casefold())
            if earlier is None or str(row.get("checked_at") or "") >= str(earlier[0].get("checked_at") or ""):
                chosen[child.name.casefold()] = (row, child)
    output.mkdir(parents=True, exist_ok=True)
    for row, child in chosen.values():
        target = output / child.name
        if child.resolve() != target.resolve():
            _replace_folder(child, target)
    merged.rows = sorted((row for row, _ in chosen.values()), key=row_order)
    return merged


def _replace_folder(source: Path, target: Path) -> None:
    """Copy a portfolio's output folder over ``target`` so that a reader never sees half of it."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:40]}.", dir=target.parent))
    try:
        shutil.copytree(source, staging / "copy", symlinks=True)
        if target.exists():
            retired = staging / "old"
            os.replace(target, retired)
        os.replace(staging / "copy", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
