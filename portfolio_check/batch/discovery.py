"""Finding the portfolios of an export: the sub-folders and zips at its top (one level down when the
export wraps everything in one folder), or the entries a ``--pattern`` names. Junk is recognised by
the ingest stage's own rule (`junk_entry_reason`), so an export and a portfolio skip the same files.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from portfolio_check.errors import PortfolioCheckError
from portfolio_check.ingest.archive import ZIP_READ_ERRORS, clean_member_path, decoded_name, is_plain_archive
from portfolio_check.ingest.inventory import (
    LINK_NOT_FOLLOWED,
    Ignored,
    InputError,
    junk_entry_reason,
    other_archive_format,
    own_output_reason,
)
from portfolio_check.pipeline import DETAILS_NAMES, manifest_candidates

#: Names the batch writes at the top of OUTDIR; no portfolio folder may take them.
TOP_LEVEL_OUTPUTS = ("index.html", "summary.csv", "summary.json", "findings.csv")
#: Entries an export zip may hold (its central directory is read into memory whole).
MAX_EXPORT_ENTRIES = 500_000
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_FOLDER_NAME = 100
_LOOSE_FILE = "a loose file, not a portfolio folder or zip"
_NOT_A_PORTFOLIO = "matched --pattern but is neither a folder nor a zip"


class BatchError(PortfolioCheckError):
    """The batch cannot run at all (bad export, bad shard, bad pattern, output inside the export)."""


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

    @property
    def in_export_zip(self) -> bool:
        """Whether it is read out of a zip export (rather than being a folder or zip on disk)."""
        return self.kind.startswith("export-")


@dataclass
class Discovery:
    export: str
    portfolios: list[PortfolioSource] = field(default_factory=list)
    #: Top-level entries that are not portfolios (junk, loose files).
    ignored: list[Ignored] = field(default_factory=list)
    #: Entries of a zip export refused as unsafe.
    problems: list[str] = field(default_factory=list)


def discover(export: str | os.PathLike[str], pattern: str | None = None) -> Discovery:
    """The portfolios of an export folder or zip, sorted by name, each with a unique output folder name.

    Without ``pattern``, each sub-folder or zip at the top of the export is a portfolio (one level
    down when the export wraps everything in one folder). ``pattern`` is a glob relative to the
    export (``*/*`` or ``Cohort */*.zip``; ``*`` does not cross ``/``) naming the portfolios instead.
    Raises `InputError` for an export that cannot be read, `BatchError` for a bad pattern.
    """
    root = Path(export)
    parts = _pattern_parts(pattern) if pattern else None
    if root.is_dir():
        found = _discover_folder(root, parts)
    elif root.is_file():
        with open(root, "rb") as stream:
            if not is_plain_archive(stream, root.name):
                raise InputError(f"{root} is not a folder or a zip archive")
        found = _discover_zip(root, parts)
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


def _pattern_parts(pattern: str) -> list[str]:
    parts = [p for p in pattern.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise BatchError(f"--pattern '{pattern}' must be a relative pattern inside the export, e.g. '*/*'")
    return parts


def _wraps_portfolios(file_names: list[str], has_portfolios: bool) -> bool:
    """Whether the export's single top folder wraps the portfolios rather than being one: it holds
    folders or zips, and no manifest or portfolio details of its own (loose notes do not count)."""
    own = manifest_candidates(file_names) or [n for n in file_names if n.lower() in DETAILS_NAMES]
    return has_portfolios and not own


# --- an export folder ----------------------------------------------------------------------------


def _discover_folder(root: Path, parts: list[str] | None) -> Discovery:
    found = Discovery(export=str(root))
    if parts:
        for relative in _glob_folder(root, parts):
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
    _refuse_single_portfolio(root, [e.name for e in entries if e.is_file(follow_symlinks=False)])
    for entry in entries:
        _add_disk_entry(Path(entry.path), prefix + entry.name, found, explicit=False)
    return found


def _refuse_single_portfolio(export: Path, file_names: list[str]) -> None:
    """An export whose top holds a manifest or portfolio details is one apprentice's portfolio."""
    own = manifest_candidates(file_names) or [n for n in file_names if n.lower() in DETAILS_NAMES]
    if own:
        raise BatchError(f"{export} looks like one apprentice's portfolio (it holds {own[0]}), not an export of "
                         f"several. Check it with `portfolio-check check \"{export}\"`; batch is for a folder or "
                         "zip holding one portfolio per apprentice")


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as scan:
        return sorted(scan, key=lambda e: e.name.casefold())


def _visible_entries(folder: Path, found: Discovery, shown_prefix: str) -> list[os.DirEntry[str]]:
    """The folder's entries that are not junk or links; the others are recorded as ignored."""
    try:
        entries = _sorted_entries(folder)
    except OSError as exc:
        raise InputError(f"{folder} could not be read ({exc.strerror})") from None
    visible = []
    for entry in entries:
        if entry.is_symlink():
            found.ignored.append(Ignored(shown_prefix + entry.name, LINK_NOT_FOLLOWED))
            continue
        is_folder = entry.is_dir(follow_symlinks=False)
        reason = junk_entry_reason(entry.name, folder=is_folder) or (own_output_reason(Path(entry.path))
                                                                      if is_folder else None)
        if reason:
            found.ignored.append(Ignored(shown_prefix + entry.name, reason))
        else:
            visible.append(entry)
    return visible


def _glob_folder(root: Path, parts: list[str]) -> list[str]:
    level = [""]
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        following = []
        for relative in level:
            try:
                entries = _sorted_entries(root / relative if relative else root)
            except OSError:
                continue
            for entry in entries:
                is_folder = entry.is_dir(follow_symlinks=False)
                if (entry.is_symlink() or junk_entry_reason(entry.name, folder=is_folder)
                        or not fnmatch.fnmatchcase(entry.name, part)):
                    continue
                if last or is_folder:
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


def _is_other_archive(path: Path) -> bool:
    try:
        with open(path, "rb") as stream:
            return other_archive_format(stream.read(16)) is not None
    except OSError:
        return False


def _add_disk_entry(path: Path, relative: str, found: Discovery, explicit: bool) -> None:
    if path.is_symlink():
        found.ignored.append(Ignored(relative, LINK_NOT_FOLLOWED))
    elif path.is_dir():
        found.portfolios.append(PortfolioSource(name=path.name, where=relative, kind="folder", path=str(path)))
    elif _is_zip_file(path) or _is_other_archive(path):
        # Another archive format (.7z, .rar) is a portfolio that cannot be checked: a row that says
        # so, rather than a file that silently drops out of the totals.
        found.portfolios.append(PortfolioSource(name=path.stem, where=relative, kind="zip", path=str(path)))
    else:
        found.ignored.append(Ignored(relative, _NOT_A_PORTFOLIO if explicit else _LOOSE_FILE))


# --- an export zip -------------------------------------------------------------------------------


def _discover_zip(root: Path, parts: list[str] | None) -> Discovery:
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

    def junk(path: str) -> str | None:
        return junk_entry_reason(path.rsplit("/", 1)[-1], folder=path in folders)

    if parts:
        chosen = sorted((p for p in folders | set(files) if _matches(p, parts, junk)), key=str.casefold)
    else:
        chosen = _top_portfolios(children, folders, set(files), is_zip_member, junk, found)
    chosen_folders = {p for p in chosen if p in folders}
    groups: dict[str, list[zipfile.ZipInfo]] = {p: [] for p in chosen_folders}
    for path, info in members:
        names = path.split("/")
        for depth in range(1, len(names)):
            ancestor = "/".join(names[:depth])
            if ancestor in chosen_folders:
                groups[ancestor].append(info)
    for path in chosen:
        name = path.rsplit("/", 1)[-1]
        if path in folders:
            inside, kind = groups[path], "export-folder"
        elif is_zip_member(path):
            inside, kind, name = [files[path]], "export-zip", name[:-4]
        else:
            found.ignored.append(Ignored(path, _NOT_A_PORTFOLIO))
            continue
        listed = json.dumps([(i.filename, i.file_size, i.CRC, i.date_time) for i in inside])
        stamp = hashlib.sha256(listed.encode()).hexdigest()
        found.portfolios.append(PortfolioSource(name=name, where=path, kind=kind, path=str(root),
                                                entries=tuple(i.filename for i in inside), prefix=path, stamp=stamp))
    return found


def _top_portfolios(children: Callable[[str], list[str]], folders: set[str], files: set[str],
                    is_zip_member: Callable[[str], bool], junk: Callable[[str], str | None],
                    found: Discovery) -> list[str]:
    """The folders and zips at the top of a zip export (one level down when one folder wraps them)."""
    top = [p for p in children("") if not junk(p)]
    base = ""
    if len(top) == 1 and top[0] in folders:
        inner = [p for p in children(top[0]) if not junk(p)]
        if _wraps_portfolios([p.rsplit("/", 1)[-1] for p in inner if p in files],
                             any(p in folders or is_zip_member(p) for p in inner)):
            base = top[0]
    chosen = []
    for path in children(base):
        reason = junk(path)
        if reason:
            found.ignored.append(Ignored(path, reason))
        elif path in folders or is_zip_member(path):
            chosen.append(path)
        else:
            found.ignored.append(Ignored(path, _LOOSE_FILE))
    return chosen


def _matches(path: str, parts: list[str], junk: Callable[[str], str | None]) -> bool:
    names = path.split("/")
    if len(names) != len(parts) or not all(fnmatch.fnmatchcase(n, p) for n, p in zip(names, parts, strict=True)):
        return False
    return not any(junk("/".join(names[:depth])) for depth in range(1, len(names) + 1))
