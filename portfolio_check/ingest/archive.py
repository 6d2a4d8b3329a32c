"""Zip archives, treated as hostile until proven otherwise.

Nothing is ever extracted to the file system: members are listed from the central directory,
checked against `Limits`, and read later as bounded in-memory streams. A member name is only ever
a display string, so traversal (``../``) or absolute names cannot reach the disk; they are
reported and skipped all the same, as are links, encrypted members and duplicates.
"""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from portfolio_check.formatting import human_size
from portfolio_check.problems import FILE_ENCRYPTED, UNSAFE_ARCHIVE, UNSAFE_NAME_FIX, ZIP_AGAIN_FIX, Problem

#: What reading a damaged zip can raise: zipfile's own errors, and zlib's, struct's and the
#: stream's for a member whose compressed data is corrupt, unsupported (NotImplementedError) or
#: encrypted (RuntimeError).
ZIP_READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, struct.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class Limits:
    """Bounds that stop archive bombs early. Defaults are far above any real portfolio."""

    #: Total uncompressed bytes across every archive of one portfolio.
    max_total_bytes: int = 8 * 1024**3
    #: Uncompressed size of one member.
    max_member_bytes: int = 4 * 1024**3
    #: Uncompressed / compressed size, for members above `ratio_floor_bytes`.
    max_ratio: float = 150.0
    ratio_floor_bytes: int = 2 * 1024**2
    #: Members in one archive.
    max_members: int = 20_000
    #: Archives inside archives: the portfolio zip itself is level 1.
    max_depth: int = 4
    #: A nested archive is read into memory to be opened; larger ones are not opened.
    max_nested_archive_bytes: int = 1024**3


@dataclass(frozen=True)
class Member:
    """A usable archive member: its cleaned path inside the archive and its zip entry name."""

    path: str
    entry: str
    size: int
    compressed: int
    modified: str | None


@dataclass
class Listing:
    """What an archive holds, and what was refused and why."""

    members: list[Member]
    folders: set[str]
    problems: list[tuple[str, Problem]]


def decoded_name(info: zipfile.ZipInfo) -> str:
    # Without the UTF-8 flag, zipfile decodes names as cp437; many tools write UTF-8 without the
    # flag (macOS, some SharePoint exports), so prefer UTF-8 when the raw bytes are valid UTF-8.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.filename


def clean_member_path(name: str) -> str | None:
    """The member's path with ``/`` separators, or None when it is absolute or climbs out (``..``)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def is_plain_archive(stream: BinaryIO, name: str = "") -> bool:
    """A zip that is an archive of files, not an Office or OpenDocument package (also zips).

    A damaged zip counts as an archive only when it is named ``.zip``, so that listing it reports
    the damage; a damaged ``.docx`` is left to the document reader, which explains it better.
    """
    head = stream.read(4)
    stream.seek(0)
    if head != b"PK\x03\x04" and head != b"PK\x05\x06":
        return False
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist()[:20_000])
    except ZIP_READ_ERRORS:
        return name.lower().endswith(".zip")
    finally:
        stream.seek(0)
    return "[Content_Types].xml" not in names and "mimetype" not in names


def list_members(archive: zipfile.ZipFile, label: str, limits: Limits, budget: list[int]) -> Listing:
    """Check every entry of ``archive`` and return the members that are safe to read.

    ``budget`` holds the uncompressed bytes still allowed for the whole portfolio; it is spent here.
    Raises `UnsafeArchive` when the archive as a whole must not be read (a bomb).
    """
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeArchive(f"{label} holds {len(infos):,} entries, more than the {limits.max_members:,} "
                            "a portfolio archive may hold; it looks like an archive bomb")
    _refuse_overlaps(infos, label)
    declared = sum(i.file_size for i in infos)
    if declared > budget[0]:
        raise UnsafeArchive(f"{label} would unpack to {human_size(declared)}, more than the {human_size(budget[0])} "
                            "allowed for one portfolio; it looks like an archive bomb")
    members: list[Member] = []
    folders: set[str] = set()
    problems: list[tuple[str, Problem]] = []
    seen: set[str] = set()
    for info in infos:
        raw_name = decoded_name(info)
        path = clean_member_path(raw_name)
        shown = f"{label}!/{raw_name}"
        if path is None:
            problems.append((shown, Problem(UNSAFE_ARCHIVE, f"{shown} has an unsafe name (absolute, or climbing "
                                                             "out of the archive with '..'); it was not read.",
                                                             UNSAFE_NAME_FIX)))
            continue
        if not path:
            continue
        if info.is_dir():
            folders.add(path)
            continue
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            problems.append((f"{label}!/{path}", Problem(UNSAFE_ARCHIVE, f"{label}!/{path} is a link, not a file; "
                                                                          "links inside archives are not followed.",
                                                                          "Add the file itself, not a link to it.")))
            continue
        key = path.casefold()
        if key in seen:
            problems.append((f"{label}!/{path}", Problem(UNSAFE_ARCHIVE, f"{label}!/{path} appears more than once "
                                                                          "in the archive; only the first copy was read.",
                                                                          "Keep one copy and zip the files again.")))
            continue
        seen.add(key)
        if info.flag_bits & 0x1:
            problems.append((f"{label}!/{path}", Problem(FILE_ENCRYPTED, f"{label}!/{path} is password-protected "
                                                                          "inside the zip, so it cannot be opened.",
                                                                          ZIP_AGAIN_FIX)))
            continue
        if info.file_size > limits.max_member_bytes:
            raise UnsafeArchive(f"{label}!/{path} would unpack to {human_size(info.file_size)}, more than the "
                                f"{human_size(limits.max_member_bytes)} allowed for one file")
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeArchive(f"{label}!/{path} is compressed {info.file_size / max(info.compress_size, 1):,.0f} "
                                "to 1, far beyond any real document; it looks like an archive bomb")
        budget[0] -= info.file_size
        year, month, day, hour, minute, second = info.date_time
        modified = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}" if year >= 1980 else None
        members.append(Member(path=path, entry=info.filename, size=info.file_size,
                              compressed=info.compress_size, modified=modified))
        folders.update("/".join(path.split("/")[:n]) for n in range(1, path.count("/") + 1))
    return Listing(members=members, folders=folders, problems=problems)


def _refuse_overlaps(infos: list[zipfile.ZipInfo], label: str) -> None:
    # Overlapping entries (many central-directory records pointing into one compressed stream)
    # make a small file unpack to terabytes; real archives never share bytes between members.
    # A member occupies at least its 30-byte local header plus its compressed data.
    previous_end = -1
    for start, compressed in sorted((i.header_offset, i.compress_size) for i in infos):
        if start < previous_end:
            raise UnsafeArchive(f"{label} has entries that overlap each other, a trick used by archive bombs")
        previous_end = start + 30 + compressed


class UnsafeArchive(Exception):
    """The archive must not be read further."""
