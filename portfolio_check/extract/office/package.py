"""Opening and checking an Office package, and reading its parts: what every reader here shares.

An Office file is a ZIP of XML parts and media (an "OPC package"). `check_package_safety`, and each
reader before it reads anything, refuses packages that would cost too much (zip bombs, huge parts,
thousands of members), odd member names and XML parts with entity declarations, and tells a
password-protected or pre-2007 (OLE) file as such. `_inspect_archive` then gives what the listing,
``[Content_Types].xml``, the ``.rels`` parts and ``docProps/core.xml`` say about the package
(`_Package`), and `_main_part` finds its main part. The helpers at the end parse a part without
resolving entities and turn the errors a damaged package causes into ``file-unreadable``.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, TypeVar
from urllib.parse import unquote

from portfolio_check.extract.model import (
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_UNREADABLE,
    UNSAFE_FILE,
    Extraction,
    ExtractionProblem,
)
from portfolio_check.formatting import human_size

#: Package limits: the libraries hold every part in memory at once.
MAX_TOTAL_UNCOMPRESSED = 1024**3
MAX_XML_PART = 64 * 1024**2
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE = 1024**2
MAX_MEMBERS = 10_000
#: A package bigger than this cannot unpack to less than MAX_TOTAL_UNCOMPRESSED (stored data grows a little).
MAX_PACKAGE_BYTES = MAX_TOTAL_UNCOMPRESSED + 64 * 1024**2
#: How much of an XML part the entity pre-scan reads; the prolog of a real Office part is ~60 bytes.
PROLOG_SCAN_BYTES = 4096
PROLOG_SCAN_MAX_BYTES = 64 * 1024
PROPERTY_LIMIT = 500
#: A stream without a real file behind it is copied to a temporary file, kept in memory up to this size.
SPOOL_IN_MEMORY_BYTES = 32 * 1024**2
OLE_HEAD_BYTES = 64 * 1024

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_ENCRYPTION_NAMES = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))

XML_EXTENSIONS = frozenset(("xml", "rels", "vml"))

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CORE_FIELDS = {
    "title": "{http://purl.org/dc/elements/1.1/}title",
    "author": "{http://purl.org/dc/elements/1.1/}creator",
    "last_modified_by": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy",
    "created": "{http://purl.org/dc/terms/}created",
    "modified": "{http://purl.org/dc/terms/}modified",
}
_DATE_FIELDS = frozenset(("created", "modified"))
_ENCODINGS_READ_ALIKE = re.compile(
    r"(utf-?8|(us-)?ascii|iso-?8859-\d+|latin-?1|(windows|cp)-?125\d|utf-?16(le|be)?|utf-?32(le|be)?"
    r"|ucs-?2|shift_jis|euc-jp|gb2312|gbk|big5)$",
    re.IGNORECASE,
)
_XML_ENCODING = re.compile(r"""encoding\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True)
class _Kind:
    noun: str  # "Word document"
    extension: str  # what to save it as
    application: str
    main_part: str | None  # where the main part usually is


_KINDS = {
    "word": _Kind("Word document", ".docx", "Word", "word/document.xml"),
    "powerpoint": _Kind("PowerPoint presentation", ".pptx", "PowerPoint", "ppt/presentation.xml"),
    "spreadsheet": _Kind("Excel workbook", ".xlsx", "Excel", "xl/workbook.xml"),
    "package": _Kind("Office file", ".docx, .pptx or .xlsx", "Office", None),
}


@dataclass(frozen=True)
class _Relationship:
    source: str  # member name of the part owning the relationship; "" for the package itself
    id: str
    type: str  # last segment of the type URI, lower case: "officedocument", "hyperlink", "video"
    target: str  # member name of an internal target; an external target as written
    external: bool


@dataclass
class _Package:
    """What the ZIP listing, ``[Content_Types].xml`` and the ``.rels`` parts say about a package."""

    members: dict[str, zipfile.ZipInfo]
    has_content_types: bool = False
    defaults: dict[str, str] = field(default_factory=dict)  # extension -> content type
    overrides: dict[str, str] = field(default_factory=dict)  # lower-case member name -> content type
    relationships: list[_Relationship] = field(default_factory=list)
    #: (part, relationship id) of linked pictures that keep an embedded copy too, so show offline.
    backed_links: set[tuple[str, str]] = field(default_factory=set)
    core: dict[str, str] = field(default_factory=dict)

    def content_type(self, name: str) -> str:
        """The part's content type, lower case (MIME types are case-insensitive); "" when none."""
        found = self.overrides.get(name.lower())
        return found if found is not None else self.defaults.get(_extension(name), "")

    def related(self, source: str, rel_type: str) -> list[_Relationship]:
        return [r for r in self.relationships if r.source == source and r.type == rel_type]


# --------------------------------------------------------------------------------------------------
# Public functions


def check_package_safety(stream: BinaryIO, size: int) -> None:
    """Raise ``unsafe-file`` for a package too costly or too odd to hand to the Office libraries.

    Refused: over 1 GB unpacked, an XML part over 64 MB, a member over 1 MB compressed more than
    200 times, over 10,000 members, a member name that is absolute or climbs out with ``..``, and XML
    parts with a DOCTYPE (entity declarations). A file that is not a ZIP raises ``file-unreadable``
    (or ``file-encrypted`` for a password-protected Office file), an empty one ``file-empty``.
    """
    with _random_access(stream, size, "package") as source, _open_zip(source, "package") as archive:
        _check_archive(archive, "package")


# --------------------------------------------------------------------------------------------------
# Opening and checking the package


@contextmanager
def _random_access(stream: BinaryIO, size: int, kind: str) -> Iterator[BinaryIO]:
    """The stream itself when it seeks cheaply, else a spooled copy (see the package docstring)."""
    _check_size(size, kind)
    stream.seek(0)
    if _seeks_cheaply(stream):
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as copy:
        shutil.copyfileobj(stream, copy, 1024 * 1024)
        copy.seek(0)
        yield copy  # type: ignore[misc]


def _seeks_cheaply(stream: BinaryIO) -> bool:
    if isinstance(stream, (io.BytesIO, tempfile.SpooledTemporaryFile)):
        return True
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


def _check_size(size: int, kind: str) -> None:
    about = _KINDS[kind]
    if size == 0:
        raise ExtractionProblem(FILE_EMPTY, f"This {about.noun} is empty (0 bytes).",
                                fix=f"Save it again from {about.application} and add the saved copy.")
    if size > MAX_PACKAGE_BYTES:
        raise _too_big(kind, size)


def _too_big(kind: str, unpacked: int) -> ExtractionProblem:
    about = _KINDS[kind]
    return ExtractionProblem(
        UNSAFE_FILE,
        f"This {about.noun} unpacks to {human_size(unpacked)}, more than the {human_size(MAX_TOTAL_UNCOMPRESSED)} the tool "
        "opens.",
        fix="If it holds long videos, take them out and add them to the portfolio as files of their own.",
    )


@contextmanager
def _open_zip(source: BinaryIO, kind: str) -> Iterator[zipfile.ZipFile]:
    about = _KINDS[kind]
    source.seek(0)
    head = source.read(len(OLE_SIGNATURE))
    source.seek(0)
    if not head:
        _check_size(0, kind)
    if head == OLE_SIGNATURE:
        _reject_ole(source, kind)
    declared = _declared_member_count(source)
    if declared is not None and declared > MAX_MEMBERS:
        raise _crowded(kind, declared)  # before zipfile builds an object for each of them
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:  # garbled "version needed"
        raise ExtractionProblem(
            FILE_UNREADABLE,
            f"This {about.noun} is damaged or truncated: it is not a complete {about.extension} package.",
            fix=f"Copy it again from where it was saved, or open it in {about.application} and save it again.",
        ) from exc
    with archive:
        yield archive


def _declared_member_count(source: BinaryIO) -> int | None:
    """The member count in the ZIP's end record (Zip64 too), read without parsing the directory."""
    source.seek(0, io.SEEK_END)
    end = source.tell()
    source.seek(max(0, end - (22 + 0xFFFF)))  # the end record and the longest comment
    tail = source.read()
    source.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    if count == 0xFFFF and at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        source.seek(int.from_bytes(tail[at - 12:at - 4], "little"))
        record = source.read(56)
        source.seek(0)
        if record[:4] == b"PK\x06\x06":
            count = int.from_bytes(record[32:40], "little")
    return count


def _crowded(kind: str, count: int) -> ExtractionProblem:
    about = _KINDS[kind]
    return ExtractionProblem(
        UNSAFE_FILE,
        f"This {about.noun} holds {count:,} internal parts; real {about.application} files hold a few "
        "hundred at most, so it may be crafted to overwhelm software and was not opened.",
        fix=f"If it is genuine, open it in {about.application}, save it again and add the saved copy; "
            "otherwise remove it.",
    )


def _reject_ole(source: BinaryIO, kind: str) -> None:
    """An OLE compound file: a password-protected Office file, or the pre-2007 format."""
    about = _KINDS[kind]
    head = source.read(OLE_HEAD_BYTES)
    encrypted = any(name in head for name in OLE_ENCRYPTION_NAMES)
    if not encrypted and len(head) >= 512:
        # the directory's first sector, wherever it is (usually within the head)
        sector_shift = int.from_bytes(head[30:32], "little")
        first_directory_sector = int.from_bytes(head[48:52], "little")
        if 9 <= sector_shift <= 12 and first_directory_sector < 0xFFFFFFFA:
            source.seek((first_directory_sector + 1) << sector_shift)
            sector = source.read(1 << sector_shift)
            encrypted = any(name in sector for name in OLE_ENCRYPTION_NAMES)
    source.seek(0)
    if encrypted:
        raise ExtractionProblem(
            FILE_ENCRYPTED,
            f"This {about.noun} is password-protected, so an assessor cannot open it.",
            fix=f"Open it in {about.application}, remove the password (File > Info > Protect, Encrypt with "
                "Password, clear the password), save it and add it again.",
        )
    raise ExtractionProblem(
        FILE_UNREADABLE,
        f"This is an old-format Office file (97-2003), not a {about.noun} in the current format.",
        fix=f"Open it in {about.application} and save it as {about.extension}.",
    )


def _check_archive(archive: zipfile.ZipFile, kind: str, scan_every_part: bool = True) -> _Package:
    """The safety checks of `check_package_safety`; returns the package's listing and content types.

    Without ``scan_every_part`` the XML prologs are checked only as parts are read (`_read_xml`):
    for the Word and PowerPoint readers, which parse a few parts and leave the rest unopened.
    """
    about = _KINDS[kind]
    entries = archive.infolist()
    if len(entries) > MAX_MEMBERS:
        raise _crowded(kind, len(entries))
    total = 0
    for info in entries:
        if _is_unsafe_name(info.filename):
            raise ExtractionProblem(
                UNSAFE_FILE,
                f"This {about.noun} holds a part whose name points outside the package ({info.filename!r}); "
                f"{about.application} never writes such names, so it may be crafted to attack software "
                "and was not opened.",
            )
        if info.flag_bits & 0x1:
            raise ExtractionProblem(
                FILE_UNREADABLE,
                f"Parts of this {about.noun} are locked with ZIP encryption, which {about.application} never "
                "uses.",
                fix=f"Open the original in {about.application}, save it again and add that copy.",
            )
        if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ExtractionProblem(
                UNSAFE_FILE,
                f"This {about.noun} holds a part ({info.filename}) that unpacks from {human_size(info.compress_size)} "
                f"to {human_size(info.file_size)}, far more than real content compresses; it may be a 'zip bomb' "
                "crafted to overwhelm software, so it was not opened.",
            )
        total += info.file_size
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _too_big(kind, total)

    infos = [info for info in entries if not info.is_dir()]
    package = _Package(members={info.filename: info for info in infos})
    try:
        content_types = next((i for i in infos if i.filename.lower() == "[content_types].xml"), None)
        if content_types is not None:
            _read_content_types(_read_xml(archive, content_types, kind), package)
        for info in infos:
            if info is content_types:
                continue
            if scan_every_part:
                _scan_xml_member(archive, info, package, kind)
            elif info.file_size > MAX_XML_PART and _named_xml(info.filename, package):
                raise _huge_xml(kind, info)
    except _xml_errors() + _ZIP_READ_ERRORS as exc:
        raise _damaged(kind) from exc
    return package


#: What reading a damaged member raises (a bad CRC, a truncated or mis-sized stream).
_ZIP_READ_ERRORS = (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error)


def _named_xml(name: str, package: _Package) -> bool:
    return _extension(name) in XML_EXTENSIONS or package.content_type(name).endswith("xml")


def _is_unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


def _scan_xml_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, package: _Package, kind: str) -> None:
    """Refuse an XML part that is too big or starts with a DOCTYPE (see the package docstring)."""
    name = info.filename
    content_type = package.content_type(name)
    if content_type == "image/svg+xml" or _extension(name) == "svg":
        return
    if _named_xml(name, package) and info.file_size > MAX_XML_PART:
        raise _huge_xml(kind, info)
    verdict = _xml_prolog(_read_head(archive, info, PROLOG_SCAN_BYTES), info.file_size <= PROLOG_SCAN_BYTES)
    if verdict == "not-xml":
        return
    if info.file_size > MAX_XML_PART:
        raise _huge_xml(kind, info)
    if verdict == "unfinished":
        verdict = _xml_prolog(_read_head(archive, info, PROLOG_SCAN_MAX_BYTES), info.file_size <= PROLOG_SCAN_MAX_BYTES)
    _refuse_odd_prolog(verdict, name, kind)


def _read_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str) -> Any:
    """Parse one part, after the prolog check `_scan_xml_member` makes (free here: the bytes are read)."""
    if info.file_size > MAX_XML_PART:
        raise _huge_xml(kind, info)
    data = archive.read(info)
    verdict = _xml_prolog(data[:PROLOG_SCAN_MAX_BYTES], len(data) <= PROLOG_SCAN_MAX_BYTES)
    _refuse_odd_prolog(verdict, info.filename, kind)
    return _parse_xml(data)


def _refuse_odd_prolog(verdict: str, name: str, kind: str) -> None:
    about = _KINDS[kind]
    why = {
        "doctype": "contains XML entity declarations",
        "encoding": "stores XML in an unusual text encoding",
        "unfinished": "starts an XML part with a long preamble",
    }.get(verdict)
    if why:
        raise ExtractionProblem(
            UNSAFE_FILE,
            f"This {about.noun} {why} (in {name}), which {about.application} never writes; it may be crafted "
            "to attack software, so it was not opened.",
            fix=f"If it is genuine, open it in {about.application} and save it again; otherwise remove it.",
        )


def _huge_xml(kind: str, info: zipfile.ZipInfo) -> ExtractionProblem:
    about = _KINDS[kind]
    return ExtractionProblem(
        UNSAFE_FILE,
        f"This {about.noun} holds an XML part ({info.filename}) of {human_size(info.file_size)}, more than the "
        f"{human_size(MAX_XML_PART)} the tool opens; it may be damaged or crafted to overwhelm software.",
    )


def _read_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, count: int) -> bytes:
    with archive.open(info) as member:
        return member.read(count)


def _xml_prolog(head: bytes, complete: bool) -> str:
    """What comes before the root element: "ok", "doctype", "encoding", "unfinished" or "not-xml"."""
    encoding, start = _sniff_xml_encoding(head)
    if encoding is None:
        return "encoding"
    text = head[start:].decode(encoding, errors="replace")
    position, end = 0, len(text)
    while True:
        while position < end and text[position] in " \t\r\n":
            position += 1
        if position >= end or (not complete and end - position < 4):
            return "ok" if complete else "unfinished"
        if text[position] != "<":
            return "not-xml" if position == 0 else "ok"  # the parser will refuse what follows
        if text.startswith("<?", position):
            close = text.find("?>", position)
            if close < 0:
                return "ok" if complete else "unfinished"
            declared = _XML_ENCODING.search(text, position, close) if text.startswith("<?xml", position) else None
            if declared and not _ENCODINGS_READ_ALIKE.match(declared.group(1).strip()):
                return "encoding"
            position = close + 2
        elif text.startswith("<!--", position):
            close = text.find("-->", position + 4)
            if close < 0:
                return "ok" if complete else "unfinished"
            position = close + 3
        elif text.startswith("<!", position):
            return "doctype"
        else:
            return "ok"


def _sniff_xml_encoding(head: bytes) -> tuple[str | None, int]:
    """The encoding an XML parser would assume from the first bytes, and the BOM's length."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: same first bytes
        return "utf-32", 0
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if head.startswith(b"<\0\0\0"):
        return "utf-32-le", 0
    if head.startswith(b"\0\0\0<"):
        return "utf-32-be", 0
    if head.startswith(b"<\0"):
        return "utf-16-le", 0
    if head.startswith(b"\0<"):
        return "utf-16-be", 0
    if head.startswith(b"\x4c\x6f\xa7\x94"):  # "<?xm" in EBCDIC
        return None, 0
    return "utf-8", 0


def _inspect_package(source: BinaryIO, kind: str) -> _Package:
    with _open_zip(source, kind) as archive:
        return _inspect_archive(archive, kind)


def _inspect_archive(archive: zipfile.ZipFile, kind: str, scan_every_part: bool = True) -> _Package:
    """Safety checks, then the package's content types, relationships and core properties."""
    about = _KINDS[kind]
    package = _check_archive(archive, kind, scan_every_part)
    if not package.has_content_types:
        raise ExtractionProblem(
            FILE_UNREADABLE,
            f"This file is not a complete {about.noun}: its list of parts ([Content_Types].xml) is missing.",
            fix=f"Open it in {about.application} and save it again, or make it again from the original.",
        )
    try:
        for name, info in package.members.items():
            source_part = _rels_source(name)
            if source_part is not None:
                package.relationships += _read_relationships(_read_xml(archive, info, kind), source_part)
    except _xml_errors() + _ZIP_READ_ERRORS as exc:
        raise _damaged(kind) from exc
    package.backed_links = _links_with_embedded_copy(archive, package, kind)
    package.core = _core_properties(archive, package, kind)
    return package


def _main_part(package: _Package, kind: str) -> str:
    """The main part's member name; a package of another kind or without it is unreadable."""
    about = _KINDS[kind]
    pointers = [r for r in package.related("", "officedocument") if not r.external]
    name = pointers[0].target if pointers else about.main_part or ""
    if name not in package.members:
        raise ExtractionProblem(
            FILE_UNREADABLE,
            f"This file is not a complete {about.noun}: its main part {name} is missing.",
            fix=f"Open it in {about.application} and save it again, or make it again from the original.",
        )
    found = _kind_of_main_part(package.content_type(name))
    if found is not None and found != kind:
        other = _KINDS[found]
        raise ExtractionProblem(
            FILE_UNREADABLE,
            f"This file is {_with_article(other.noun)}, not {_with_article(about.noun)}, so {about.application} "
            "cannot open it.",
            fix=f"Rename it to end in {other.extension}.",
        )
    return name


def _kind_of_main_part(content_type: str) -> str | None:
    if "wordprocessingml" in content_type or "ms-word" in content_type:
        return "word"
    if "presentationml" in content_type or "ms-powerpoint" in content_type:
        return "powerpoint"
    if "spreadsheetml" in content_type or "ms-excel" in content_type:
        return "spreadsheet"
    return None


def _read_content_types(root: Any, package: _Package) -> None:
    package.has_content_types = True
    for entry in root:
        tag = _local_name(entry)
        content_type = (entry.get("ContentType") or "").strip().lower()
        if tag == "Default" and entry.get("Extension"):
            package.defaults[entry.get("Extension").lower()] = content_type
        elif tag == "Override" and entry.get("PartName"):
            package.overrides[unquote(entry.get("PartName")).lstrip("/").lower()] = content_type


def _rels_source(name: str) -> str | None:
    """``word/_rels/document.xml.rels`` -> ``word/document.xml``; ``_rels/.rels`` -> ""; else None."""
    folder, _, file_name = name.rpartition("/")
    if not file_name.endswith(".rels") or posixpath.basename(folder) != "_rels":
        return None
    return posixpath.join(posixpath.dirname(folder), file_name[: -len(".rels")])


def _read_relationships(root: Any, source: str) -> list[_Relationship]:
    found = []
    for entry in root:
        if _local_name(entry) != "Relationship":
            continue
        rel_type = (entry.get("Type") or "").rstrip("/").rsplit("/", 1)[-1].lower()
        target = (entry.get("Target") or "").strip()
        external = (entry.get("TargetMode") or "").lower() == "external"
        found.append(_Relationship(source, entry.get("Id") or "", rel_type,
                                   target if external else _resolve(source, target), external))
    return found


def _links_with_embedded_copy(archive: zipfile.ZipFile, package: _Package, kind: str) -> set[tuple[str, str]]:
    """Linked pictures saved with the document too (``<a:blip r:embed=.. r:link=..>``): they show offline."""
    found = set()
    for source in {r.source for r in package.relationships if r.external and r.type == "image"}:
        info = package.members.get(source)
        if info is None:
            continue
        try:
            root = _read_xml(archive, info, kind)
        except _xml_errors() + _ZIP_READ_ERRORS:
            continue  # the reader of that part will say whether the package is readable
        for blip in root.iter(_A + "blip"):
            if blip.get(_R + "embed") and blip.get(_R + "link"):
                found.add((source, blip.get(_R + "link")))
    return found


def _resolve(source: str, target: str) -> str:
    """The member name an internal relationship target points at."""
    target = unquote(target.split("#", 1)[0])
    path = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
    path = posixpath.normpath(path) if path else path
    return "" if path == "." else path


def _core_properties(archive: zipfile.ZipFile, package: _Package, kind: str) -> dict[str, str]:
    """Title, author and dates from ``docProps/core.xml``; left out when absent or unreadable."""
    pointers = [r for r in package.related("", "core-properties") if not r.external]
    name = pointers[0].target if pointers else "docProps/core.xml"
    info = package.members.get(name)
    if info is None:
        return {}
    try:
        root = _read_xml(archive, info, kind)
    except _xml_errors() + _ZIP_READ_ERRORS:
        return {}  # damaged properties are left out; the rest of the package may still be read
    found = {}
    for key, tag in _CORE_FIELDS.items():
        element = root.find(tag)
        value = " ".join((element.text or "").split())[:PROPERTY_LIMIT] if element is not None else ""
        if value and key in _DATE_FIELDS:
            value = _iso_date(value)
        if value:
            found[key] = value
    return found


def _iso_date(value: str) -> str:
    try:
        # Python 3.10 reads no "Z"; Office always writes one
        return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value).isoformat()
    except ValueError:
        return ""


# --------------------------------------------------------------------------------------------------
# Helpers


_T = TypeVar("_T")


def _read_main_document(stream: BinaryIO, size: int, kind: str, main_types: frozenset[str],
                        extraction: Callable[[zipfile.ZipFile, _Package, str, Any], Extraction]) -> Extraction:
    """Open and check a Word or PowerPoint package, parse its main part and hand it to ``extraction``
    (the archive, the package, the main part's name and its parsed root). A main part of none of
    ``main_types`` is damage; the library's own errors are reported as the file's (`_with_library`)."""
    with _random_access(stream, size, kind) as source, _open_zip(source, kind) as archive:
        package = _inspect_archive(archive, kind, scan_every_part=False)
        main_part = _main_part(package, kind)

        def read() -> Extraction:
            if package.content_type(main_part) not in main_types:
                raise _damaged(kind)
            return extraction(archive, package, main_part, _read_part(archive, package, main_part, kind))

        return _with_library(kind, read)


def _with_library(kind: str, work: Callable[[], _T]) -> _T:
    """Run a reader (ours over lxml, or openpyxl), turning the errors a damaged package causes into
    ``file-unreadable``."""
    try:
        return work()
    except ExtractionProblem:
        raise
    except _library_errors() as exc:
        raise _damaged(kind) from exc


def _library_errors() -> tuple[type[BaseException], ...]:
    import xml.etree.ElementTree as ElementTree

    from lxml import etree

    # AttributeError and TypeError: openpyxl's readers assume the schema, so well-formed XML of the
    # wrong shape fails that way (ours check the root element first). OSError: openpyxl raises
    # IOError when no part has a workbook's content type.
    errors: list[type[BaseException]] = [
        KeyError, ValueError, IndexError, AttributeError, TypeError, OSError, EOFError, NotImplementedError,
        zipfile.BadZipFile, zlib.error, etree.LxmlError, ElementTree.ParseError,
    ]
    try:
        from openpyxl.utils.exceptions import InvalidFileException
        errors.append(InvalidFileException)
    except ImportError:
        pass
    return tuple(errors)


def _damaged(kind: str) -> ExtractionProblem:
    about = _KINDS[kind]
    return ExtractionProblem(
        FILE_UNREADABLE,
        f"This {about.noun} could not be read: parts of it are damaged or not in the form "
        f"{about.application} writes.",
        fix=f"Open it in {about.application} and save it again, or make it again from the original.",
    )


def _xml_errors() -> tuple[type[BaseException], ...]:
    from lxml import etree

    return (etree.LxmlError, ValueError)


def _parse_xml(data: bytes) -> Any:
    """Parse XML without resolving entities, loading a DTD or touching the network."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(data, parser)


def _read_part(archive: zipfile.ZipFile, package: _Package, name: str, kind: str) -> Any:
    """A part's XML root. Only the parts a reader needs are read, each checked as it is (`_read_xml`)."""
    return _read_xml(archive, package.members[name], kind)


def _related_parts(package: _Package, source: str, content_types: Iterable[str]) -> list[str]:
    """Parts ``source`` points at with internal relationships, in relationship order, of the given
    content types; targets missing from the package are left out."""
    wanted = frozenset(content_types)
    found: dict[str, None] = {}
    for relationship in package.relationships:
        if (relationship.source == source and not relationship.external and relationship.target in package.members
                and package.content_type(relationship.target) in wanted):
            found.setdefault(relationship.target)
    return list(found)


def _inside_fallback(element: Any) -> bool:
    return next(element.iterancestors(_MC_FALLBACK), None) is not None


def _local_name(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _with_article(noun: str) -> str:
    return ("an " if noun[0] in "AEIOU" else "a ") + noun
