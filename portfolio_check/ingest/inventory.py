"""Ingest: turn a portfolio folder or zip into an inventory of files, without reading any document.

Paths in the inventory are relative to the portfolio root and use ``/``; a file inside an archive
is named through it (``evidence.zip!/week3/callsheet.docx``). Junk that operating systems and
Office leave behind is listed as ignored. The user's input is only ever opened for reading.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from portfolio_check.errors import PortfolioCheckError
from portfolio_check.ingest.archive import ZIP_READ_ERRORS, Limits, Listing, UnsafeArchive, is_plain_archive, list_members
from portfolio_check.problems import (
    FILE_ENCRYPTED,
    FILE_UNREADABLE,
    UNSAFE_ARCHIVE,
    UNSAFE_ARCHIVE_FIX,
    UNZIP_FIX,
    ZIP_AGAIN_FIX,
    Problem,
)
from portfolio_check.streams import SeekableView

JUNK_NAMES = {".ds_store": "macOS folder settings", "thumbs.db": "Windows thumbnail cache",
              "desktop.ini": "Windows folder settings", "ehthumbs.db": "Windows thumbnail cache",
              ".spotlight-v100": "macOS search index", ".trashes": "macOS trash", "icon\r": "macOS folder icon"}
JUNK_FOLDERS = {"__macosx": "macOS archive metadata", ".git": "version control data",
                "$recycle.bin": "Windows recycle bin", ".trashes": "macOS trash"}
#: Why a symbolic link is listed as ignored rather than read.
LINK_NOT_FOLLOWED = "a link to somewhere else; links are not followed"
#: Members read into memory for fast random access below this size; larger ones are streamed.
IN_MEMORY_MEMBER_BYTES = 64 * 1024**2


class InputError(PortfolioCheckError):
    """The path given is not a portfolio the tool can read (missing, not a folder or zip, damaged zip)."""


@dataclass(frozen=True)
class Locator:
    """How to reach a file's bytes again: a path on disk, then zip entry names inside it, outermost first."""

    root: str
    chain: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestedFile:
    path: str
    size: int
    locator: Locator
    #: Last-modified time as ISO 8601 (file system or zip entry), when known.
    modified: str | None = None


@dataclass(frozen=True)
class Ignored:
    path: str
    reason: str


@dataclass
class Inventory:
    """Every file of one portfolio, plus what was ignored and what could not be read safely."""

    name: str
    source: str
    files: list[IngestedFile] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    #: Nested archives that were opened (their display paths).
    archives: list[str] = field(default_factory=list)
    #: (path, problem) for archives or members that were refused or unreadable.
    problems: list[tuple[str, Problem]] = field(default_factory=list)


def junk_reason(name: str) -> str | None:
    """Why a file name is junk (not evidence), or None."""
    lower = name.lower()
    if lower in JUNK_NAMES:
        return JUNK_NAMES[lower]
    if name.startswith("~$"):
        return "Office lock file (left while a document is open)"
    if name.startswith("._"):
        return "macOS resource fork"
    if lower.endswith(".tmp") or (lower.startswith("~wr") and lower.endswith(".tmp")):
        return "temporary file"
    return None


def junk_entry_reason(name: str, folder: bool) -> str | None:
    """Why a folder's or archive's entry is junk (not evidence), or None: a folder by `JUNK_FOLDERS`,
    a file by `junk_reason`. Batch discovery applies the same rule to the entries of an export."""
    return JUNK_FOLDERS.get(name.lower()) if folder else junk_reason(name)


#: The first bytes of a ``report.json`` this tool wrote.
_OWN_REPORT_HEAD = b'"tool": {"name": "portfolio-check"'
OWN_OUTPUT = "portfolio-check's own report from an earlier run"


def own_output_reason(folder: Path) -> str | None:
    """Why a folder is this tool's own output (``check -o``) rather than evidence, or None.

    A report written into the portfolio (``check . -o gateway-report``) must not be read as
    evidence on the next run. Only the first bytes of its ``report.json`` are read.
    """
    report = folder / "report.json"
    try:
        if not report.is_file() or report.is_symlink():
            return None
        with _open_disk(report) as stream:
            head = stream.read(200)
    except OSError:
        return None
    return OWN_OUTPUT if _OWN_REPORT_HEAD in head.replace(b"\n", b"").replace(b"  ", b"") else None


def ingest(path: str | os.PathLike[str], limits: Limits = Limits()) -> Inventory:
    """Inventory a portfolio folder or zip. Raises `InputError` when ``path`` is neither."""
    root = Path(path)
    if not root.exists():
        raise InputError(f"{root} does not exist")
    budget = [limits.max_total_bytes]
    if root.is_dir():
        inventory = Inventory(name=root.resolve().name, source=str(root))
        folder = _single_top_folder(root, inventory)
        _walk_folder(folder, "", inventory, limits, budget)
        return inventory
    if root.is_file():
        with _open_disk(root) as stream:
            if not is_plain_archive(stream, root.name):
                raise InputError(_not_a_portfolio(root, stream))
            inventory = Inventory(name=root.stem, source=str(root))
            try:
                with zipfile.ZipFile(stream) as archive:
                    listing = list_members(archive, root.name, limits, budget)
                    if _wholly_encrypted(listing):
                        # One finding for the archive, not one per member: the fix is the same for all.
                        inventory.problems.append((root.name, Problem(
                            FILE_ENCRYPTED, f"{root.name} is password-protected, so none of its files can be read.",
                            ZIP_AGAIN_FIX)))
                        return inventory
                    top = _common_top_folder(listing)
                    if top:
                        inventory.name = top
                    _add_archive(archive, listing, Locator(str(root)), "", top, inventory, limits, budget, depth=1)
            except UnsafeArchive as exc:
                # The portfolio itself is refused (a bomb, too many members): a finding, like an unsafe
                # archive inside a portfolio, so the verdict and reports are still written.
                inventory.problems.append((root.name, Problem(UNSAFE_ARCHIVE, f"{exc}. It was not opened.",
                                                              UNSAFE_ARCHIVE_FIX)))
            except ZIP_READ_ERRORS as exc:
                raise InputError(f"{root} is a damaged or incomplete zip archive ({exc}); "
                                 "download or zip the portfolio again") from None
        return inventory
    raise InputError(f"{root} is not a folder or a zip archive")


#: Archive formats people send instead of a zip, by their first bytes: (signature, name).
_OTHER_ARCHIVES = ((b"7z\xbc\xaf\x27\x1c", "a 7-Zip (.7z) archive"), (b"Rar!\x1a\x07", "a RAR archive"),
                   (b"\x1f\x8b", "a gzip archive"), (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ\x00", "an xz archive"))


def other_archive_format(head: bytes) -> str | None:
    """``a 7-Zip (.7z) archive`` when ``head`` (a file's first bytes) starts an archive that is not a zip."""
    return next((what for signature, what in _OTHER_ARCHIVES if head.startswith(signature)), None)


def _not_a_portfolio(root: Path, stream: BinaryIO) -> str:
    """Why a file given as the portfolio cannot be read, naming an archive format people send instead of zip."""
    stream.seek(0)
    what = other_archive_format(stream.read(16))
    if what:
        return (f"{root} is {what}, which portfolio-check does not open. Extract it and check the folder, "
                "or make a .zip of the portfolio (in Windows: right-click the folder, Send to, Compressed folder)")
    return f"{root} is not a folder or a zip archive"


def _wholly_encrypted(listing: Listing) -> bool:
    """Every member the archive holds is password-protected (a zip made with a password)."""
    encrypted = [path for path, problem in listing.problems if problem.code == FILE_ENCRYPTED]
    return bool(encrypted) and not [m for m in listing.members if not _is_junk_path(m.path)]


@contextmanager
def _open_disk(path: Path) -> Iterator[BinaryIO]:
    # O_NOATIME keeps even the access time of the user's files unchanged where the system allows.
    flags = os.O_RDONLY | getattr(os, "O_NOATIME", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        fd = os.open(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as stream:
        yield stream


def _single_top_folder(root: Path, inventory: Inventory) -> Path:
    """Exports often wrap a portfolio in one folder: treat that folder as the root."""
    entries = [e for e in os.scandir(root) if junk_reason(e.name) is None and e.name.lower() not in JUNK_FOLDERS]
    if len(entries) == 1 and entries[0].is_dir(follow_symlinks=False):
        inventory.name = entries[0].name
        return Path(entries[0].path)
    return root


def _common_top_folder(listing: Listing) -> str:
    paths = [m.path for m in listing.members if not _is_junk_path(m.path)]
    tops = {p.split("/", 1)[0] for p in paths}
    if len(tops) == 1 and all("/" in p for p in paths):
        return tops.pop()
    return ""


def _is_junk_path(path: str) -> bool:
    parts = path.split("/")
    return (any(junk_entry_reason(p, folder=True) for p in parts[:-1])
            or junk_entry_reason(parts[-1], folder=False) is not None)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _walk_folder(folder: Path, prefix: str, inventory: Inventory, limits: Limits, budget: list[int]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name.casefold())
    except OSError as exc:
        inventory.problems.append((prefix or ".", Problem(FILE_UNREADABLE,
                                                          f"the folder {prefix or '.'} could not be read ({exc.strerror}).",
                                                          "Check that you may open the folder, or copy its files "
                                                          "into a folder you can open.")))
        return
    if not entries and prefix:
        inventory.ignored.append(Ignored(prefix + "/", "empty folder"))
    for entry in entries:
        shown = _join(prefix, entry.name)
        if entry.is_symlink():
            inventory.ignored.append(Ignored(shown, LINK_NOT_FOLLOWED))
            continue
        if entry.is_dir(follow_symlinks=False):
            reason = junk_entry_reason(entry.name, folder=True) or own_output_reason(Path(entry.path))
            if reason:
                inventory.ignored.append(Ignored(shown + "/", reason))
            else:
                _walk_folder(Path(entry.path), shown, inventory, limits, budget)
            continue
        info = entry.stat(follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):
            inventory.ignored.append(Ignored(shown, "not a regular file"))
            continue
        reason = junk_reason(entry.name)
        if reason:
            inventory.ignored.append(Ignored(shown, reason))
            continue
        modified = datetime.fromtimestamp(info.st_mtime, timezone.utc).isoformat(timespec="seconds")
        found = IngestedFile(shown, info.st_size, Locator(entry.path), modified)
        if _looks_like_archive(found.locator, entry.name, info.st_size):
            _open_nested(found, inventory, limits, budget, depth=1)
        else:
            inventory.files.append(found)


def _looks_like_archive(locator: Locator, name: str, size: int) -> bool:
    if size < 22:
        return False
    try:
        with open_source(locator) as stream:
            return is_plain_archive(stream, name)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return False


def _open_nested(found: IngestedFile, inventory: Inventory, limits: Limits, budget: list[int], depth: int) -> None:
    """Open an archive found inside the portfolio and add its members; refuse bombs and deep nesting."""
    locator, shown, size = found.locator, found.path, found.size
    if depth >= limits.max_depth:
        inventory.problems.append((shown, Problem(UNSAFE_ARCHIVE, f"{shown} is an archive nested {depth} levels deep; "
                                                                  "archives this deep are not opened.", UNZIP_FIX)))
        return
    if locator.chain and size > limits.max_nested_archive_bytes:
        inventory.problems.append((shown, Problem(UNSAFE_ARCHIVE, f"{shown} is too large to open inside another archive.",
                                                  UNZIP_FIX)))
        return
    try:
        with open_source(locator) as stream, zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names or "mimetype" in names:
                inventory.files.append(found)  # an Office or OpenDocument file, not an archive
                return
            listing = list_members(archive, shown, limits, budget)
            inventory.archives.append(shown)
            _add_archive(archive, listing, locator, shown + "!", "", inventory, limits, budget, depth + 1)
    except UnsafeArchive as exc:
        inventory.problems.append((shown, Problem(UNSAFE_ARCHIVE, f"{exc}. It was not opened.", UNSAFE_ARCHIVE_FIX)))
    except ZIP_READ_ERRORS as exc:
        inventory.problems.append((shown, Problem(FILE_UNREADABLE, f"{shown} is a damaged or incomplete zip archive "
                                                                   f"({exc}).", "Zip those files again.")))


def _add_archive(archive: zipfile.ZipFile, listing: Listing, locator: Locator, prefix: str, strip: str,
                 inventory: Inventory, limits: Limits, budget: list[int], depth: int) -> None:
    inventory.problems.extend(listing.problems)
    used_folders: set[str] = set()
    for member in listing.members:
        inner = member.path[len(strip) + 1:] if strip else member.path
        shown = f"{prefix}/{inner}" if prefix else inner
        parts = inner.split("/")
        used_folders.update("/".join(parts[:n]) for n in range(1, len(parts)))
        junk_folder = next((p for p in parts[:-1] if p.lower() in JUNK_FOLDERS), None)
        if junk_folder:
            ignored_path = f"{prefix}/{junk_folder}/" if prefix else f"{junk_folder}/"
            if not any(i.path == ignored_path for i in inventory.ignored):
                inventory.ignored.append(Ignored(ignored_path, JUNK_FOLDERS[junk_folder.lower()]))
            continue
        reason = junk_reason(parts[-1])
        if reason:
            inventory.ignored.append(Ignored(shown, reason))
            continue
        member_locator = Locator(locator.root, locator.chain + (member.entry,))
        found = IngestedFile(shown, member.size, member_locator, member.modified)
        if _member_is_archive(archive, member.entry, member.size):
            _open_nested(found, inventory, limits, budget, depth)
        else:
            inventory.files.append(found)
    for folder in sorted(listing.folders):
        inner = folder[len(strip) + 1:] if strip else folder
        if inner and inner not in used_folders and not any(p.lower() in JUNK_FOLDERS for p in inner.split("/")):
            inventory.ignored.append(Ignored((f"{prefix}/{inner}" if prefix else inner) + "/", "empty folder"))


_PACKAGE_FIRST_NAMES = (b"[Content_Types].xml", b"mimetype", b"_rels/", b"docProps/", b"word/", b"ppt/", b"xl/")


def _member_is_archive(archive: zipfile.ZipFile, entry: str, size: int) -> bool:
    """A zip member that is itself a zip of files. Office packages (also zips) usually name a
    package part first; any that slip through are recognised when listed (see `_open_nested`)."""
    if size < 22:
        return False
    try:
        with archive.open(entry) as member:
            head = member.read(30 + 64)
    except ZIP_READ_ERRORS:
        return False
    if head[:4] != b"PK\x03\x04" or len(head) < 30:
        return False
    name_length = int.from_bytes(head[26:28], "little")
    return not head[30:30 + name_length].startswith(_PACKAGE_FIRST_NAMES)


class _StoredMember(SeekableView):
    """A window on the bytes of an uncompressed zip member: seeks are free, unlike a `zipfile`
    member's, which reads everything up to the position it seeks to."""

    def __init__(self, source: BinaryIO, start: int, size: int) -> None:
        super().__init__(size)
        self._source, self._start = source, start

    def read_at(self, position: int, size: int) -> bytes:
        self._source.seek(self._start + position)
        return self._source.read(size)


def stored_member(source: BinaryIO, info: zipfile.ZipInfo) -> BinaryIO | None:
    """A seekable stream over ``info``'s bytes in ``source`` (the archive's own stream) when the member
    is stored uncompressed and unencrypted and lies whole inside the archive; None otherwise (read it
    through `zipfile`). Its CRC is not checked: the point is never to read the whole member."""
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1 or info.compress_size != info.file_size:
        return None
    try:
        source.seek(info.header_offset)
        header = source.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            return None
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        start = info.header_offset + 30 + name_length + extra_length
        if start + info.file_size > source.seek(0, io.SEEK_END):
            return None  # a truncated archive: let zipfile say so
    except (OSError, ValueError):  # a crafted offset before the start: let zipfile say what is wrong
        return None
    return io.BufferedReader(_StoredMember(source, start, info.file_size), buffer_size=64 * 1024)


@contextmanager
def open_source(locator: Locator) -> Iterator[BinaryIO]:
    """Open a file of the inventory for reading: a seekable binary stream, closed on exit.

    Members of archives are read into memory when small, and streamed when large; nested
    archives along the way are read into memory (their size was bounded when listed). A large
    member stored without compression (as zip tools often store video) is read in place, so seeking
    in it costs nothing: its duration and digest cost no more for a longer recording, as on disk.
    """
    with _open_disk(Path(locator.root)) as disk:
        if not locator.chain:
            yield disk
            return
        stream: BinaryIO = disk
        archives: list[zipfile.ZipFile] = []
        try:
            for depth, entry in enumerate(locator.chain):
                archive = zipfile.ZipFile(stream)
                archives.append(archive)
                info = archive.getinfo(entry)
                last = depth == len(locator.chain) - 1
                if last and info.file_size > IN_MEMORY_MEMBER_BYTES:
                    stream = stored_member(stream, info) or archive.open(info)  # type: ignore[assignment]
                else:
                    with archive.open(info) as member:
                        stream = io.BytesIO(member.read(info.file_size + 1)[: info.file_size])
            yield stream
        finally:
            for archive in reversed(archives):
                archive.close()
