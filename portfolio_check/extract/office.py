"""Reads Word, PowerPoint and Excel packages (Office Open XML): text, counts, core properties, media.

Old binary files (.doc, .ppt, .xls, PowerPoint 4.0 included) give their title, author, dates and
counts from their summary property sets (`extract_legacy`); Strict Office Open XML workbooks, whose
namespaces openpyxl does not know, are read here (`_strict_spreadsheet`).

An Office file is a ZIP of XML parts and media (an "OPC package"). Every extractor first checks the
ZIP's directory and refuses packages that would cost too much (zip bombs, huge parts, thousands of
members). XML parts that carry entity declarations, which Office never writes, are refused too:
openpyxl parses every part, so for Excel (and `check_package_safety`) the start of every XML part is
scanned first; the Word and PowerPoint readers parse only a few parts and check each as they read it,
so the parts they never open cost nothing.

Design decisions:

- Word and PowerPoint parts are parsed here with lxml, reading only the parts a check uses (the
  main part, headers, footers, notes, slides, core properties). python-docx and python-pptx parse
  every part of a package when they open it (about 20 ms per file) and cost about 0.27 s each to
  import, which over a batch of hundreds of portfolios was most of the run. They remain the tools
  that write the test fixtures and samples. Excel goes through openpyxl, which reads cell values
  better than hand-written code would.
- Core properties (title, author, dates) are read from ``docProps/core.xml``; when the part is
  missing they are absent, not invented (python-docx and python-pptx would report title
  "PowerPoint Presentation", last modified by "python-pptx", modified "now").
- Word text comes from the body XML including content controls and text boxes, which cover sheets
  and templates use a lot. The Fallback branch of ``mc:AlternateContent`` repeats the text of its
  Choice branch and is skipped (PowerPoint too).
- Main parts are recognised by content type, so macro-enabled files (.docm, .pptm), templates and
  shows (.ppsx) are read the same way as ordinary documents.
- Audio and video parts are found from the ZIP listing (content type or extension) so the runner can
  probe each one. Linked rather than embedded content comes from relationships with
  ``TargetMode="External"``, and Word's "online video" from its ``wp15:webVideoPr`` element.
- A stream without a real file behind it (a member of an uploaded ZIP) is copied once to a spooled
  temporary file: the libraries read members in any order, and seeking backwards in a compressed
  member means decompressing it again from the start.
- XML entities: parts are parsed with ``resolve_entities=False`` (lxml; openpyxl's stdlib parser
  has expat's amplification limit) and libxml2 refuses entity amplification on its own; the tests
  check both with the pre-scan switched off. The pre-scan still refuses any ``<!DOCTYPE`` so that a
  crafted file is reported as such. SVG pictures are not scanned: no library parses them, and SVG
  files from drawing programs legitimately carry a DOCTYPE.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import shutil
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, TypeVar
from urllib.parse import unquote, urlsplit

from portfolio_check.extract.model import (
    EXTERNAL_LINK,
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_UNREADABLE,
    MACRO_ENABLED,
    UNSAFE_FILE,
    EmbeddedPart,
    Extraction,
    ExtractionProblem,
    Problem,
)
from portfolio_check.formatting import human_size

#: Text handed on per file, in characters.
TEXT_LIMIT = 1_000_000
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
THUMBNAIL_LIMIT = 1024**2
EXTERNAL_LINKS_LIMIT = 50
EXTERNAL_LINK_PROBLEMS_LIMIT = 10
PROPERTY_LIMIT = 500
#: Spreadsheet scan caps, over all sheets: rows visited and cells visited. Blank rows between rows
#: cost little but count, so a crafted row number cannot make the walk endless; Excel has 1,048,576 rows.
SPREADSHEET_ROW_LIMIT = 1_100_000
SPREADSHEET_CELL_LIMIT = 2_000_000
#: A stream without a real file behind it is copied to a temporary file, kept in memory up to this size.
SPOOL_IN_MEMORY_BYTES = 32 * 1024**2
OLE_HEAD_BYTES = 64 * 1024

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_ENCRYPTION_NAMES = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))

MEDIA_EXTENSIONS = frozenset((
    "mp4", "m4v", "mov", "qt", "wmv", "avi", "mpg", "mpeg", "mpe", "mkv", "webm", "asf", "flv", "f4v", "3gp", "3g2",
    "ogv", "ts", "m2ts", "mts", "vob", "mp3", "m4a", "m4b", "aac", "wav", "wave", "wma", "ogg", "oga", "opus", "flac",
    "aif", "aiff", "aifc", "amr",
))
XML_EXTENSIONS = frozenset(("xml", "rels", "vml"))

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WEB_VIDEO = "{http://schemas.microsoft.com/office/word/2012/wordprocessingDrawing}webVideoPr"
_CORE_FIELDS = {
    "title": "{http://purl.org/dc/elements/1.1/}title",
    "author": "{http://purl.org/dc/elements/1.1/}creator",
    "last_modified_by": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy",
    "created": "{http://purl.org/dc/terms/}created",
    "modified": "{http://purl.org/dc/terms/}modified",
}
_DATE_FIELDS = frozenset(("created", "modified"))

#: Main-part content types of documents, templates and their macro-enabled forms (lower case, as
#: `_Package.content_type` gives them).
_WORD_MAIN_TYPES = frozenset((
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
))
#: Main-part content types of presentations, shows, templates and their macro-enabled forms.
_PRESENTATION_MAIN_TYPES = frozenset((
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    "application/vnd.ms-powerpoint.template.macroenabled.main+xml",
))
#: Word parts besides the body whose text is kept (after the body's).
_WORD_STORY_TYPES = frozenset(
    "application/vnd.openxmlformats-officedocument.wordprocessingml." + name
    for name in ("header+xml", "footer+xml", "footnotes+xml", "endnotes+xml")
)
_SLIDE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"
_NOTES_SLIDE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.notesslide+xml"
_VBA_PROJECT_TYPE = "application/vnd.ms-office.vbaproject"

#: External relationships whose target is content the reader needs (not a plain hyperlink),
#: by the last segment of the relationship type, with how a message calls it.
_LINKED_CONTENT = {
    "video": "a video",
    "audio": "an audio recording",
    "media": "a video or audio file",
    "online-video": "an online video",
    "image": "a picture",
    "oleobject": "an object",
    "package": "an object",
    "subdocument": "a sub-document",
}
_LINKED_MEDIA = frozenset(("video", "audio", "media", "online-video"))
_ENCODINGS_READ_ALIKE = re.compile(
    r"(utf-?8|(us-)?ascii|iso-?8859-\d+|latin-?1|(windows|cp)-?125\d|utf-?16(le|be)?|utf-?32(le|be)?"
    r"|ucs-?2|shift_jis|euc-jp|gb2312|gbk|big5)$",
    re.IGNORECASE,
)
_XML_ENCODING = re.compile(r"""encoding\s*=\s*["']([^"']*)["']""")
_IFRAME_SOURCE = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


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


def extract_word(stream: BinaryIO, size: int) -> Extraction:
    """Text, counts and core properties of a .docx/.docm, with its macros, media and linked content."""
    with _random_access(stream, size, "word") as source, _open_zip(source, "word") as archive:
        package = _inspect_archive(archive, "word", scan_every_part=False)
        main_part = _main_part(package, "word")
        return _with_library("word", lambda: _word_extraction(archive, package, main_part))


def extract_powerpoint(stream: BinaryIO, size: int) -> Extraction:
    """Slides, notes, text and core properties of a .pptx/.pptm, with its macros, media and linked content."""
    with _random_access(stream, size, "powerpoint") as source, _open_zip(source, "powerpoint") as archive:
        package = _inspect_archive(archive, "powerpoint", scan_every_part=False)
        main_part = _main_part(package, "powerpoint")
        return _with_library("powerpoint", lambda: _powerpoint_extraction(archive, package, main_part))


def extract_spreadsheet(stream: BinaryIO, size: int) -> Extraction:
    """Sheet names, row and column counts and the cell text of an .xlsx/.xlsm (values as last saved)."""
    import warnings

    with _random_access(stream, size, "spreadsheet") as source:
        package = _inspect_package(source, "spreadsheet")
        main_part = _main_part(package, "spreadsheet")
        source.seek(0)
        with warnings.catch_warnings():
            # openpyxl warns about each feature it does not read (data validation, slicers...)
            warnings.simplefilter("ignore")
            workbook = _with_library("spreadsheet", lambda: _open_workbook(source))
            try:
                extraction = _with_library("spreadsheet", lambda: _spreadsheet_extraction(workbook, package, main_part))
            finally:
                workbook.close()
        if not extraction.metadata["sheets"]:
            # openpyxl knows only the Transitional namespaces and finds no sheet in a Strict workbook.
            with _open_zip(source, "spreadsheet") as archive:
                strict = _with_library("spreadsheet", lambda: _strict_spreadsheet(archive, package, main_part))
            if strict is not None:
                return strict
        return extraction


def office_thumbnail(stream: BinaryIO, size: int) -> tuple[str, bytes] | None:
    """The preview picture Office saves in some packages (``docProps/thumbnail.jpeg``), as (MIME type, bytes).

    None when there is none, it is over 1 MB or in an unknown format, or the file is not a readable
    package: a thumbnail is a nicety, and the extractors report what is wrong with the file.
    """
    if size <= 0 or size > MAX_PACKAGE_BYTES:
        return None
    try:
        stream.seek(0)
        if stream.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
            return None
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            return _thumbnail(archive)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, KeyError, zlib.error):
        return None


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
    """The stream itself when it seeks cheaply, else a spooled copy (see the module docstring)."""
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
    """Refuse an XML part that is too big or starts with a DOCTYPE (see the module docstring)."""
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
# What every package says: macros, media, links, images


def _package_findings(package: _Package, kind: str, main_part: str | None,
                      online_videos: Iterable[str] = ()) -> tuple[dict[str, Any], list[Problem], list[EmbeddedPart]]:
    """Metadata, problems and media parts that come from the listing and relationships alone."""
    problems = []
    macro = _macro_problem(package, kind, main_part)
    if macro:
        problems.append(macro)
    links, link_problems = _external_links(package, kind, online_videos)
    problems += link_problems
    media = _embedded_media(package)
    metadata: dict[str, Any] = dict(package.core)
    metadata.update(
        embedded_media_count=len(media),
        embedded_objects=sum(1 for name in package.members if "/embeddings/" in name.lower()),
        external_links=links,
    )
    return metadata, problems, media


def _macro_problem(package: _Package, kind: str, main_part: str | None) -> Problem | None:
    about = _KINDS[kind]
    has_macros = any(name.lower().endswith("vbaproject.bin") for name in package.members)
    has_macros = has_macros or _VBA_PROJECT_TYPE in package.overrides.values()
    has_macros = has_macros or (main_part is not None and "macroenabled" in package.content_type(main_part))
    if not has_macros:
        return None
    return Problem(
        MACRO_ENABLED,
        f"This {about.noun} contains macros (program code), so assessors may not be able to open it safely: "
        "many organisations block such files.",
        f"Save it as {about.extension} without macros and add that copy.",
    )


def _embedded_media(package: _Package) -> list[EmbeddedPart]:
    found = []
    for name, info in package.members.items():
        if name.lower().startswith("docprops/"):
            continue
        content_type = package.content_type(name)
        if content_type.startswith(("audio/", "video/")) or _extension(name) in MEDIA_EXTENSIONS:
            found.append(EmbeddedPart(name, info.file_size))
    return found


def _external_links(package: _Package, kind: str, online_videos: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Hyperlinks and linked content (up to 50 targets), and a problem for each linked content target."""
    links: dict[str, None] = {}  # an ordered set
    linked: dict[str, str] = {}  # target -> what it is
    candidates = [(r.type, r.target, (r.source, r.id) in package.backed_links)
                  for r in package.relationships if r.external]
    candidates += [("online-video", url, False) for url in online_videos]
    for rel_type, target, backed in candidates:
        if not target or target.startswith("#") or target.lower().startswith("mailto:"):
            continue
        if rel_type != "hyperlink" and rel_type not in _LINKED_CONTENT:
            continue  # e.g. the template a document was made from
        links.setdefault(target)
        if rel_type in _LINKED_CONTENT and not backed and linked.get(target) in (None, "media"):
            linked[target] = rel_type  # "video" or "audio" says more than PowerPoint's companion "media"
    about = _KINDS[kind]
    problems = []
    for target, rel_type in list(linked.items())[:EXTERNAL_LINK_PROBLEMS_LIMIT]:
        thing = _LINKED_CONTENT[rel_type]
        shown = target if len(target) <= 200 else target[:197] + "..."
        if rel_type in _LINKED_MEDIA:
            remedy = "Embed the video or recording, or add it to the portfolio as a file."
        else:
            remedy = (f"Insert it into the {about.noun.split()[-1]} itself rather than linking to it, "
                      "or add it to the portfolio as a file.")
        problems.append(Problem(
            EXTERNAL_LINK,
            f"This {about.noun} links to {thing} {_where(target)} ({shown}) instead of embedding it; "
            "an assessor offline cannot see it.",
            remedy,
        ))
    return list(links)[:EXTERNAL_LINKS_LIMIT], problems


def _where(target: str) -> str:
    lowered = target.lower()
    try:
        host = (urlsplit(lowered).hostname or "") if "://" in lowered else ""
    except ValueError:
        host = ""
    if host.endswith("-my.sharepoint.com") or host.endswith(("onedrive.live.com", "1drv.ms", "d.docs.live.net")):
        return "on OneDrive"
    if host.endswith("sharepoint.com"):
        return "on SharePoint"
    if host.endswith(("youtube.com", "youtu.be", "youtube-nocookie.com")):
        return "on YouTube"
    if host.endswith(("vimeo.com", "stream.microsoft.com", "microsoftstream.com")):
        return "on a video website"
    if lowered.startswith(("http://", "https://", "ftp://")):
        return "on a website"
    if lowered.startswith("file:") or target.startswith("\\\\") or re.match(r"[a-z]:[\\/]", lowered):
        return "on a computer or network drive"
    return "in a separate file"


def _count_images(package: _Package, sources: set[str]) -> int:
    """Distinct picture parts used by the given parts (not the thumbnail, masters or layouts)."""
    return len({r.target for r in package.relationships
                if r.source in sources and not r.external and r.target in package.members
                and package.content_type(r.target).startswith("image/")})


# --------------------------------------------------------------------------------------------------
# Word


def _word_extraction(archive: zipfile.ZipFile, package: _Package, main_part: str) -> Extraction:
    if package.content_type(main_part) not in _WORD_MAIN_TYPES:
        raise _damaged("word")
    root = _read_part(archive, package, main_part, "word")
    body = root.find(_W + "body") if root.tag == _W + "document" else None
    if body is None:
        raise _damaged("word")
    text = _TextCollector()
    paragraphs = words = 0
    for paragraph in _word_paragraphs(body):
        if paragraph.strip():
            paragraphs += 1
            words += len(paragraph.split())
            text.add(paragraph)
    seen: set[str] = set()
    for story in _related_parts(package, main_part, _WORD_STORY_TYPES):
        for paragraph in _word_paragraphs(_read_part(archive, package, story, "word")):
            if paragraph.strip() and paragraph not in seen:  # headers repeat per section
                seen.add(paragraph)
                text.add(paragraph)
    online_videos = [match.group(1) for video in body.iter(_WEB_VIDEO)
                     for match in [_IFRAME_SOURCE.search(video.get("embeddedHtml") or "")] if match]
    metadata, problems, media = _package_findings(package, "word", main_part, online_videos)
    story_parts = {main_part} | {name for name in package.members if package.content_type(name) in _WORD_STORY_TYPES}
    metadata.update(
        words=words,
        paragraphs=paragraphs,
        tables=sum(1 for _ in body.iter(_W + "tbl")),
        images=_count_images(package, story_parts),
        text_truncated=text.truncated,
    )
    return Extraction(metadata=metadata, text=text.value(), problems=problems, embedded_media=media)


def _word_paragraphs(root: Any) -> Iterator[str]:
    """The text of every paragraph under `root`, text boxes and content controls included."""
    for paragraph in root.iter(_W + "p"):
        if not _inside_fallback(paragraph):
            yield _word_paragraph_text(paragraph)


def _word_paragraph_text(paragraph: Any) -> str:
    pieces = []
    pending = list(reversed(paragraph))
    while pending:
        node = pending.pop()
        tag = node.tag
        if tag == _W + "t":
            pieces.append(node.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            pieces.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            pieces.append("\n")
        elif tag == _W + "noBreakHyphen":
            pieces.append("-")
        elif tag in (_W + "p", _MC_FALLBACK):
            continue  # a text box's paragraphs come on their own; Fallback repeats Choice
        pending.extend(reversed(node))
    return "".join(pieces)


# --------------------------------------------------------------------------------------------------
# PowerPoint


def _powerpoint_extraction(archive: zipfile.ZipFile, package: _Package, main_part: str) -> Extraction:
    if package.content_type(main_part) not in _PRESENTATION_MAIN_TYPES:
        raise _damaged("powerpoint")
    root = _read_part(archive, package, main_part, "powerpoint")
    if root.tag != _P + "presentation":
        raise _damaged("powerpoint")
    targets = {r.id: r.target for r in package.relationships if r.source == main_part and not r.external}
    text = _TextCollector()
    slides = hidden = with_notes = 0
    # Slides in the order the show plays them (the slide list), not by part name.
    for number, slide_id in enumerate(root.iterfind(f"{_P}sldIdLst/{_P}sldId"), start=1):
        slide_part = targets[slide_id.get(_R + "id")]
        if package.content_type(slide_part) != _SLIDE_TYPE:
            raise _damaged("powerpoint")
        slide = _read_part(archive, package, slide_part, "powerpoint")
        slides += 1
        if slide.get("show") in ("0", "false"):
            hidden += 1
        text.add(f"--- slide {number} ---")
        for paragraph in _drawing_paragraphs(slide):
            if paragraph.strip():
                text.add(paragraph)
        notes_part = next(iter(_related_parts(package, slide_part, {_NOTES_SLIDE_TYPE})), None)
        notes = _notes_text(_read_part(archive, package, notes_part, "powerpoint")) if notes_part else ""
        if notes:
            with_notes += 1
            text.add(f"--- slide {number} notes ---")
            text.add(notes)
    metadata, problems, media = _package_findings(package, "powerpoint", main_part)
    slide_parts = {name for name in package.members if package.content_type(name) == _SLIDE_TYPE}
    metadata.update(
        slides=slides,
        hidden_slides=hidden,
        slides_with_notes=with_notes,
        images=_count_images(package, slide_parts),
        text_truncated=text.truncated,
    )
    return Extraction(metadata=metadata, text=text.value(), problems=problems, embedded_media=media)


def _notes_text(notes_slide: Any) -> str:
    """The text of a notes slide's notes placeholder (its first body placeholder), one line per paragraph."""
    tree = notes_slide.find(f"{_P}cSld/{_P}spTree")
    for shape in tree.iterfind(_P + "sp") if tree is not None else ():
        placeholder = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
        if placeholder is None or placeholder.get("type", "obj") != "body":
            continue
        body = shape.find(_P + "txBody")
        paragraphs = body.iterchildren(_A + "p") if body is not None else ()
        return "\n".join(_notes_paragraph_text(paragraph) for paragraph in paragraphs).strip()
    return ""


def _notes_paragraph_text(paragraph: Any) -> str:
    pieces = []
    for child in paragraph.iterchildren(_A + "r", _A + "br", _A + "fld"):
        pieces.append("\n" if child.tag == _A + "br" else child.findtext(_A + "t") or "")
    return "".join(pieces)


def _drawing_paragraphs(root: Any) -> Iterator[str]:
    """The text of every DrawingML paragraph (text frames, tables, groups) under `root`."""
    for paragraph in root.iter(_A + "p"):
        if not _inside_fallback(paragraph):
            yield "".join("\n" if node.tag == _A + "br" else node.text or ""
                          for node in paragraph.iter(_A + "t", _A + "br"))


# --------------------------------------------------------------------------------------------------
# Excel


def _open_workbook(source: BinaryIO) -> Any:
    return _import_openpyxl().load_workbook(source, read_only=True, data_only=True, keep_links=False)


def _import_openpyxl() -> Any:
    """openpyxl, imported without numpy.

    openpyxl imports numpy whenever it is installed (opencv-python-headless brings it), only to
    recognise numpy number types in cells it writes. Reading never needs them, and numpy would add
    about 0.17 s to every reader process that opens a spreadsheet (measured on `check`).
    """
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        import openpyxl

        return openpyxl
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail inside openpyxl
    try:
        import openpyxl
    finally:
        del sys.modules["numpy"]
    return openpyxl


def _spreadsheet_extraction(workbook: Any, package: _Package, main_part: str) -> Extraction:
    text = _TextCollector()
    rows = max_columns = rows_visited = cells_visited = 0
    capped = False
    for sheet in workbook.worksheets:
        if capped:
            break
        # read-only sheets pad every row to the size the file declares, which may be wrong or huge
        sheet.reset_dimensions()
        text.add(f"--- sheet {sheet.title} ---")
        for values in sheet.iter_rows(values_only=True):
            rows_visited += 1
            cells_visited += len(values)
            if rows_visited > SPREADSHEET_ROW_LIMIT or cells_visited > SPREADSHEET_CELL_LIMIT:
                capped = True
                break
            used = [index for index, value in enumerate(values) if value is not None and value != ""]
            if used:
                rows += 1
                max_columns = max(max_columns, used[-1] + 1)
                text.add("\t".join("" if value is None else str(value) for value in values[: used[-1] + 1]))
    metadata, problems, media = _package_findings(package, "spreadsheet", main_part)
    metadata.update(
        sheets=list(workbook.sheetnames),
        rows=rows,
        max_columns=max_columns,
        rows_capped=capped,
        text_truncated=text.truncated,
    )
    return Extraction(metadata=metadata, text=text.value(), problems=problems, embedded_media=media)


_STRICT_SPREADSHEET = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def _strict_spreadsheet(archive: zipfile.ZipFile, package: _Package, main_part: str) -> Extraction | None:
    """Sheets, row counts and cell text of a Strict Office Open XML workbook (ISO/IEC 29500 Strict).

    Excel writes these when "Strict Open XML Spreadsheet" is chosen; they differ from ordinary
    workbooks only in their namespaces, which openpyxl does not know. None when the workbook is not Strict.
    """
    root = _read_part(archive, package, main_part, "spreadsheet")
    if root.tag != f"{{{_STRICT_SPREADSHEET}}}workbook":
        return None
    targets = {r.id: r.target for r in package.relationships if r.source == main_part and not r.external}
    shared = _strict_shared_strings(archive, package, main_part)
    text = _TextCollector()
    names: list[str] = []
    rows = max_columns = visited = 0
    for sheet in root.iter(f"{{{_STRICT_SPREADSHEET}}}sheet"):
        name = sheet.get("name") or ""
        names.append(name)
        target = targets.get(sheet.get(f"{{{_STRICT_RELATIONSHIPS}}}id") or "")
        if target not in package.members or visited > SPREADSHEET_ROW_LIMIT:
            continue
        text.add(f"--- sheet {name} ---")
        for row in _read_part(archive, package, target, "spreadsheet").iter(f"{{{_STRICT_SPREADSHEET}}}row"):
            visited += 1
            if visited > SPREADSHEET_ROW_LIMIT:
                break
            values = [_strict_cell_text(cell, shared) for cell in row.iterchildren(f"{{{_STRICT_SPREADSHEET}}}c")]
            used = [index for index, value in enumerate(values) if value]
            if used:
                rows += 1
                max_columns = max(max_columns, used[-1] + 1)
                text.add("\t".join(values[: used[-1] + 1]))
    metadata, problems, media = _package_findings(package, "spreadsheet", main_part)
    metadata.update(sheets=names, rows=rows, max_columns=max_columns, rows_capped=visited > SPREADSHEET_ROW_LIMIT,
                    text_truncated=text.truncated, strict=True)
    return Extraction(metadata=metadata, text=text.value(), problems=problems, embedded_media=media)


def _strict_shared_strings(archive: zipfile.ZipFile, package: _Package, main_part: str) -> list[str]:
    parts = [r.target for r in package.relationships
             if r.source == main_part and r.type == "sharedstrings" and r.target in package.members]
    if not parts:
        return []
    root = _read_part(archive, package, parts[0], "spreadsheet")
    return ["".join(item.itertext()) for item in root.iterchildren(f"{{{_STRICT_SPREADSHEET}}}si")]


def _strict_cell_text(cell: Any, shared: list[str]) -> str:
    value = cell.findtext(f"{{{_STRICT_SPREADSHEET}}}v")
    if cell.get("t") == "s" and value is not None and value.strip().isdigit():
        index = int(value)
        return shared[index] if index < len(shared) else ""
    if cell.get("t") == "inlineStr":
        inline = cell.find(f"{{{_STRICT_SPREADSHEET}}}is")
        return "".join(inline.itertext()) if inline is not None else ""
    return value or ""


# --------------------------------------------------------------------------------------------------
# Old binary Office files (.doc, .ppt, .xls)

#: Property set streams and the property ids read from them ([MS-OLEPS]; the FMTIDs of the two sets).
_SUMMARY_STREAM = "\x05SummaryInformation"
_DOCUMENT_SUMMARY_STREAM = "\x05DocumentSummaryInformation"
_PROPERTY_SET_MAX_BYTES = 256 * 1024
_SUMMARY_FIELDS = {2: "title", 4: "author", 8: "last_modified_by", 12: "created", 13: "modified", 14: "pages",
                   15: "words", 18: "application"}
_DOCUMENT_SUMMARY_FIELDS = {7: "slides", 8: "notes", 9: "hidden_slides", 10: "multimedia_clips"}
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def extract_legacy(stream: BinaryIO, size: int) -> Extraction:
    """Title, author, dates and counts (pages, words, slides) of an old Word, PowerPoint or Excel file.

    Read from the summary property sets every Office version since 95 saves beside the document, the
    figures exiftool and Windows show: what Office counted when the file was last saved. The
    documents themselves are not parsed. Word 1 and 2 files (before compound files) keep no such
    sets and give an empty result; so does a damaged directory (the file stays readable: Office and
    LibreOffice repair more than this reader needs to).
    """
    from portfolio_check.extract.identify import CompoundFile, root_children

    _check_size(size, "package")
    stream.seek(0)
    head = stream.read(512)
    if not head.startswith(OLE_SIGNATURE):
        return Extraction()
    try:
        document = CompoundFile(stream, head)
        root = root_children(document.directory())
        summary = _property_set(document.read_stream(root[_SUMMARY_STREAM], _PROPERTY_SET_MAX_BYTES)) \
            if _SUMMARY_STREAM in root else {}
        details = _property_set(document.read_stream(root[_DOCUMENT_SUMMARY_STREAM], _PROPERTY_SET_MAX_BYTES)) \
            if _DOCUMENT_SUMMARY_STREAM in root else {}
    except (ValueError, EOFError, struct.error, IndexError, OverflowError):
        return Extraction()
    metadata: dict[str, Any] = {}
    for fields, values in ((_SUMMARY_FIELDS, summary), (_DOCUMENT_SUMMARY_FIELDS, details)):
        for pid, key in fields.items():
            value = values.get(pid)
            if isinstance(value, str):
                value = " ".join(value.replace("\x00", " ").split())[:PROPERTY_LIMIT] or None
            if value is not None:
                metadata[key] = value
    if "PowerPoint Document" in root or "PP40" in root:
        # PowerPoint 4.0 keeps no document summary: its page count is the slide count.
        if "slides" not in metadata and isinstance(metadata.get("pages"), int):
            metadata["slides"] = metadata["pages"]
        metadata.pop("pages", None)
    elif "WordDocument" not in root:
        metadata.pop("pages", None)
        metadata.pop("words", None)
    return Extraction(metadata=metadata)


def _property_set(data: bytes) -> dict[int, Any]:
    """The first property set of a property set stream: property id -> int, text or ISO date."""
    if len(data) < 48 or data[:2] != b"\xfe\xff":
        return {}
    base = struct.unpack_from("<I", data, 44)[0]
    if base + 8 > len(data):
        return {}
    count = min(struct.unpack_from("<I", data, base + 4)[0], 1000)
    raw: dict[int, tuple[int, int]] = {}
    for index in range(count):
        entry = base + 8 + 8 * index
        if entry + 8 > len(data):
            break
        pid, offset = struct.unpack_from("<II", data, entry)
        position = base + offset
        if position + 4 <= len(data):
            raw[pid] = (struct.unpack_from("<H", data, position)[0], position + 4)
    code_page = 1252
    if 1 in raw and raw[1][0] == 2:
        code_page = struct.unpack_from("<H", data, raw[1][1])[0] or 1252
    values: dict[int, Any] = {}
    for pid, (kind, position) in raw.items():
        if kind in (2, 3, 0x13) and position + 4 <= len(data):  # VT_I2, VT_I4, VT_UI4
            values[pid] = struct.unpack_from("<h" if kind == 2 else "<i" if kind == 3 else "<I", data, position)[0]
        elif kind == 30 and position + 4 <= len(data):  # VT_LPSTR in the set's code page
            length = struct.unpack_from("<I", data, position)[0]
            values[pid] = _decode_code_page(data[position + 4:position + 4 + min(length, 4096)], code_page)
        elif kind == 31 and position + 4 <= len(data):  # VT_LPWSTR, length in characters
            length = struct.unpack_from("<I", data, position)[0]
            values[pid] = data[position + 4:position + 4 + 2 * min(length, 4096)].decode("utf-16-le", "replace")
        elif kind == 64 and position + 8 <= len(data) and pid in (12, 13):  # VT_FILETIME
            ticks = struct.unpack_from("<Q", data, position)[0]
            if 0 < ticks < 2**63:
                moment = _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
                values[pid] = moment.replace(microsecond=0).isoformat()
    return values


def _decode_code_page(raw: bytes, code_page: int) -> str:
    text = raw.split(b"\x00", 1)[0]
    encoding = "utf-8" if code_page == 65001 else "utf-16-le" if code_page == 1200 else f"cp{code_page}"
    try:
        return text.decode(encoding, "replace")
    except LookupError:
        return text.decode("cp1252", "replace")


# --------------------------------------------------------------------------------------------------
# Thumbnail


def _thumbnail(archive: zipfile.ZipFile) -> tuple[str, bytes] | None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        return None
    members = {info.filename: info for info in infos}
    name = None
    package_rels = members.get("_rels/.rels")
    if package_rels is not None and package_rels.file_size <= THUMBNAIL_LIMIT:
        try:
            relationships = _read_relationships(_parse_xml(archive.read(package_rels)), "")
        except _xml_errors():
            relationships = []
        name = next((r.target for r in relationships if r.type == "thumbnail" and not r.external), None)
    if name not in members:
        name = next((n for n in sorted(members) if n.lower().startswith("docprops/thumbnail.")), None)
    if name is None or members[name].file_size > THUMBNAIL_LIMIT:
        return None
    with archive.open(members[name]) as member:
        data = member.read(THUMBNAIL_LIMIT + 1)
    mime = _image_type(data)
    return (mime, data) if mime and len(data) <= THUMBNAIL_LIMIT else None


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data.startswith(b"\x01\x00\x00\x00") and data[40:44] == b" EMF":
        return "image/x-emf"
    if data.startswith((b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00")):
        return "image/x-wmf"
    return None


# --------------------------------------------------------------------------------------------------
# Helpers


class _TextCollector:
    """Lines of text up to TEXT_LIMIT characters; what does not fit is dropped."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.length = 0
        self.truncated = False

    def add(self, line: str) -> None:
        room = TEXT_LIMIT - self.length
        if self.truncated or room <= 0:
            self.truncated = True
            return
        if len(line) > room:
            line = line[:room]
            self.truncated = True
        self.lines.append(line)
        self.length += len(line) + 1

    def value(self) -> str:
        return "\n".join(self.lines)[:TEXT_LIMIT]


_T = TypeVar("_T")


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
