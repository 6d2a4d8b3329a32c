"""Extractors for PDFs, pictures, plain text and internet shortcuts.

Each reads only what it needs: a PDF's text from its first pages, a picture's header and EXIF
(never its pixels), the first megabytes of a text file. The text kept here is what later checks
search for the employer's or apprentice's attribution statement.

Damage is judged as the readers an assessor uses judge it. A PDF is unreadable only when no page can
be got from it: one whose cross-reference table or end marker is broken is rebuilt from its objects
(as poppler, qpdf and pdf.js do) and read, with a ``file-damaged`` warning, or ``file-truncated``
when it ends inside its content or pages it lists are missing. A picture is cut off when it ends
before its end marker (JPEG's FF D9, PNG's IEND), judged from the end of the file; a HEIC whose
primary picture has no data or decoder configuration is unreadable, as libheif refuses it.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import math
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, BinaryIO

from portfolio_check.extract.integrity import iso_boxes
from portfolio_check.extract.model import (
    EXTERNAL_LINK,
    FILE_DAMAGED,
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_PROTECTED,
    FILE_TRUNCATED,
    FILE_UNREADABLE,
    Extraction,
    ExtractionProblem,
    Problem,
)
from portfolio_check.streams import SeekableView

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from pypdf import PageObject, PdfReader

#: Text kept from any one file.
MAX_TEXT_CHARS = 1_000_000
#: PDF pages whose text is read; later pages are counted but not read.
PDF_TEXT_PAGES = 50
#: A page tree claiming more pages than this is not walked in full (pypdf refuses it anyway).
PDF_PAGE_CLAIM_LIMIT = 100_000
#: Bounds on walking a PDF's page tree or form fields by hand, so a looping tree ends.
PDF_TREE_MAX_NODES = 10_000
PDF_TREE_MAX_DEPTH = 64
#: A page with an image and less text than this (non-space characters) is taken as a scan:
#: ImageMagick labels each image, and scanning apps stamp "Scanned by ...".
SCAN_PAGE_MAX_TEXT = 25
#: A PDF without its end marker is taken as cut off when no trailer lies this close to its end
#: (some writers leave private data after the trailer; a cut file has none of it).
PDF_TRAILER_WINDOW_BYTES = 64 * 1024
#: Objects pypdf may look through for a catalog its trailer does not name.
PDF_ROOT_SEARCH_OBJECTS = 1000
#: PDFs read from an archive are copied for random access; up to this size in memory.
SPOOL_IN_MEMORY_BYTES = 64 * 1024**2
#: Bytes of a text file that are read.
TEXT_READ_BYTES = 4 * 1024**2
#: Bytes of a shortcut that are read; real ones are a few hundred.
LINK_READ_BYTES = 64 * 1024
#: Bytes at the start of a HEIF/HEIC file searched for its image properties.
HEIF_HEADER_BYTES = 256 * 1024
HEIF_MAX_EXIF_BYTES = 1024**2
#: Pictures above this are not decoded for a thumbnail.
THUMBNAIL_MAX_PIXELS = 60_000_000

PDF_ENCRYPTED_MESSAGE = (
    "The PDF is password-protected, so an assessor cannot open it."
)
PDF_ENCRYPTED_FIX = (
    "Remove the password "
    "(print to PDF or save without security) and submit it again."
)
PDF_DAMAGED_MESSAGE = (
    "The PDF cannot be read: it is damaged or incomplete, or is not really a PDF."
)
PDF_DAMAGED_FIX = (
    "Open it and "
    "save or print it to PDF again, then submit the new file."
)
PDF_REPAIRED_MESSAGE = (
    "The PDF is damaged (its index of contents is broken or its end marker is missing), though PDF "
    "readers repair it as they open it."
)
PDF_REPAIRED_FIX = (
    "Open it and save or print it to PDF again so that every "
    "reader opens it, then submit the new file."
)
PDF_TRUNCATED_MESSAGE = (
    "The PDF is cut off: parts of it, pages among them, are missing (it was probably cut short while "
    "copying or uploading)."
)
PDF_TRUNCATED_FIX = (
    "Copy it again from the original, or save or print it to PDF again, and "
    "submit the new file."
)
PDF_PROTECTED_MESSAGE = (
    "The PDF is protected by rights management ({handler}): it opens only in a reader signed in to its "
    "owner's rights service, so an assessor cannot open it."
)
PDF_PROTECTED_FIX = (
    "Ask its owner for a copy without "
    "protection, or print it to PDF, and submit that."
)
IMAGE_CUT_OFF_MESSAGE = (
    "The picture is cut off: the file ends before the end of the picture data (it was probably cut "
    "short while copying or uploading), so part of it shows grey or not at all."
)
IMAGE_CUT_OFF_FIX = (
    "Copy it again from "
    "the original and submit it again."
)
PNG_CHECKSUM_MESSAGE = (
    "The picture is slightly damaged: some of its internal checksums are wrong (the program that "
    "last wrote it did not update them). Most viewers still show it, but some refuse it."
)
PNG_CHECKSUM_FIX = (
    "Open it and save it again as PNG or JPEG."
)
IMAGE_DAMAGED_MESSAGE = (
    "The picture cannot be read: it is damaged or incomplete, or is not really a picture."
)
IMAGE_DAMAGED_FIX = (
    "Open it "
    "and save it again as JPEG or PNG, then submit the new file."
)
LINK_EMPTY_MESSAGE = (
    "The shortcut does not say which web page or file it points to, so there is nothing for an "
    "assessor to open."
)
LINK_EMPTY_FIX = (
    "Add the evidence itself to the portfolio instead of a shortcut."
)

# EXIF tags (see the EXIF 2.32 specification).
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_DATETIME = 0x0132
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE = 0x0002
GPS_LONGITUDE = 0x0004

#: ``ftyp`` brands of HEIF pictures (HEIC from phones, AVIF).
HEIF_BRANDS = frozenset({
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1", b"avif", b"avis",
})


# --------------------------------------------------------------------------- shared helpers


def _require_content(size: int, what: str) -> None:
    if size <= 0:
        raise ExtractionProblem(
            FILE_EMPTY,
            f"The {what} is empty (0 bytes): it may not have saved or uploaded properly.",
            fix="Submit the file again.",
        )


def _random_access(stream: BinaryIO, size: int) -> BinaryIO:
    """A stream that seeks cheaply: real files as they are, others (archive members) copied.

    PDF readers jump between the end of the file and its objects; seeking backwards in a
    compressed archive member re-reads it from the start each time.
    """
    if isinstance(stream, io.BytesIO):
        return stream
    try:
        stream.fileno()
        return stream
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        pass
    if size <= SPOOL_IN_MEMORY_BYTES:
        return io.BytesIO(stream.read())
    import shutil
    import tempfile

    copy = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the reader; deleted when it is collected
    shutil.copyfileobj(stream, copy, 1024**2)
    copy.seek(0)
    return copy


@contextmanager
def quiet(logger_name: str) -> Iterator[None]:
    """Silence a library's warnings about the file it reads: they mean nothing to an assessor."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _clean(value: Any) -> str | None:
    """A metadata value as tidy text, or None when it holds nothing."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = " ".join(str(value).replace("\x00", " ").split())
    return text or None


# --------------------------------------------------------------------------- PDF


def extract_pdf(stream: BinaryIO, size: int) -> Extraction:
    """Pages, encryption, text layer, form and signature fields, document properties and text.

    Raises ``file-encrypted`` when the PDF needs a password to open, ``file-protected`` when it is
    locked by a rights-management handler, and ``file-unreadable`` when no page can be got from it.
    A PDF that readers repair as they open it (a broken cross-reference table, no end marker) is read
    and carries a ``file-damaged`` warning, or ``file-truncated`` when pages it lists are missing.
    A PDF with only an owner password (restrictions) opens and is read.
    """
    _require_content(size, "PDF")
    from pypdf.errors import DependencyError

    source = _random_access(stream, size)
    ends_properly = _ends_like_pdf(source, size)
    # Writers end a PDF with its trailer: none near the end (nor %%EOF), and the last object
    # unfinished, means the file was cut off in the middle of its content.
    cut_off = not ends_properly and _cut_inside_an_object(source, size)
    with quiet("pypdf"), _pdf_repairs() as repairs:
        try:
            try:
                extraction = _read_pdf(_reader(source))
            except (ExtractionProblem, DependencyError):
                raise
            except (Exception, MemoryError) as error:  # pypdf documents its exceptions as bugs for callers
                # Viewers rebuild a PDF whose end (startxref, trailer, %%EOF) is missing or wrong by
                # scanning its objects; pypdf does so too once the end points nowhere.
                if not _starts_like_pdf(source):
                    raise ExtractionProblem(FILE_UNREADABLE, PDF_DAMAGED_MESSAGE, fix=PDF_DAMAGED_FIX) from error
                repairs.append(f"rebuilt after: {error}")
                try:
                    extraction = _read_pdf(_reader(_repairable(source, size)))
                except (ExtractionProblem, DependencyError):
                    raise
                except (Exception, MemoryError) as again:  # pypdf documents its exceptions as bugs for callers
                    # Cut off before its trailer: a trailer naming the catalog, found in the objects.
                    trailer = _catalog_trailer(source, size) if "Root" in str(again) else None
                    if trailer is None:
                        raise
                    extraction = _read_pdf(_reader(_repairable(source, size, trailer + _WithTrailer.SUFFIX)))
        except (ExtractionProblem, DependencyError):
            # A missing dependency (cryptography, for AES) is the installation's fault, not the file's.
            raise
        except (Exception, MemoryError) as error:  # pypdf documents its exceptions as bugs for callers
            raise ExtractionProblem(FILE_UNREADABLE, PDF_DAMAGED_MESSAGE, fix=PDF_DAMAGED_FIX) from error
    damage = [message for message in repairs if _is_structural(message)]
    meta = extraction.metadata
    claimed = meta.pop("claimed_pages", None)
    if ends_properly and not damage:
        return extraction
    missing_objects = any(_MISSING_OBJECT.search(message) for message in damage)
    # Fewer pages than the page tree claims, in a file with other damage (a wrong /Count alone is a
    # writer's slip that readers ignore).
    pages_missing = (claimed or 0) > (meta.get("pages") or 0)
    if pages_missing or cut_off or (not ends_properly and missing_objects):
        extraction.problems.append(Problem(FILE_TRUNCATED, PDF_TRUNCATED_MESSAGE, fix=PDF_TRUNCATED_FIX))
    else:
        extraction.problems.append(Problem(FILE_DAMAGED, PDF_REPAIRED_MESSAGE, fix=PDF_REPAIRED_FIX))
    meta["damaged"] = True
    return extraction


def _reader(source: Any) -> PdfReader:
    """A reader that refuses rights-management security handlers before pypdf gives up on them."""
    from pypdf import PdfReader

    class _Reader(PdfReader):
        def _handle_encryption(self, password: str | bytes | None) -> None:
            from pypdf.generic import DictionaryObject

            encrypt = self.trailer.get("/Encrypt")
            encrypt = encrypt.get_object() if encrypt is not None else None
            handler = encrypt.get("/Filter") if isinstance(encrypt, DictionaryObject) else None
            if handler is not None and str(handler) != "/Standard":
                raise ExtractionProblem(FILE_PROTECTED, PDF_PROTECTED_MESSAGE.format(handler=str(handler).lstrip("/")),
                                        fix=PDF_PROTECTED_FIX)
            super()._handle_encryption(password)

    # pypdf looks through up to this many objects for a catalog the trailer does not name; each
    # costs a fraction of a millisecond, and a damaged file may claim millions.
    return _Reader(source, strict=False, root_object_recovery_limit=PDF_ROOT_SEARCH_OBJECTS)


def _ends_like_pdf(source: BinaryIO, size: int) -> bool:
    """Whether ``%%EOF`` is in the last kilobyte, where Acrobat requires it.

    Its absence means an upload or copy was cut short, or a writer did not finish the file.
    """
    source.seek(max(0, size - 1024))
    return b"%%EOF" in source.read(1024)


def _cut_inside_an_object(source: BinaryIO, size: int) -> bool:
    """Whether the file ends inside an object, with no trailer in its last `PDF_TRAILER_WINDOW_BYTES`.

    Such an object (a page's content, a picture) is lost; a file cut after its last object only lost
    the index that readers rebuild.
    """
    start = max(0, size - PDF_TRAILER_WINDOW_BYTES)
    source.seek(start)
    tail = source.read(size - start)
    if b"startxref" in tail or b"trailer" in tail:
        return False
    last_opened = _last_object_start(tail)
    return last_opened >= 0 and tail.rfind(b"endobj") < last_opened


#: What precedes "obj" at the start of an indirect object ("12 0 obj"); bounded, so that a long run
#: of digits cannot make the search slow.
_OBJECT_NUMBERS = re.compile(rb"(\d{1,10})[ \t\r\n]{1,8}(\d{1,5})[ \t\r\n]{1,8}\Z")
_CATALOG = re.compile(rb"/Type\s{0,8}/Catalog\b")


def _catalog_trailer(source: BinaryIO, size: int) -> bytes | None:
    """A trailer naming the document catalog, for a PDF cut off before its own trailer; None when
    no catalog object is found (or the file is too big to search in memory)."""
    if size > SPOOL_IN_MEMORY_BYTES:
        return None
    source.seek(0)
    data = source.read(size)
    for match in _CATALOG.finditer(data):
        window = data[max(0, match.start() - 4096):match.start()]
        start = _last_object_start(window)
        numbers = _OBJECT_NUMBERS.search(window, max(0, start - 32), start) if start >= 0 else None
        if numbers is not None:
            number, generation = int(numbers.group(1)), int(numbers.group(2))
            return b"\ntrailer\n<< /Root %d %d R /Size %d >>" % (number, generation, number + 1)
    return None


def _last_object_start(data: bytes) -> int:
    """Where the last "N G obj" starts in ``data``, or -1."""
    position = data.rfind(b"obj")
    while position >= 0:
        following = data[position + 3:position + 4]
        if not following.isalnum() and _OBJECT_NUMBERS.search(data, max(0, position - 32), position):
            return position
        position = data.rfind(b"obj", 0, position)
    return -1


def _starts_like_pdf(source: BinaryIO) -> bool:
    """Whether ``%PDF-`` is in the first kilobyte, where readers look for it."""
    source.seek(0)
    return b"%PDF-" in source.read(1024)


#: pypdf's warnings that mean the file's structure was repaired (not a font or a content stream).
_STRUCTURAL_WARNINGS = ("xref", "eof marker", "wrong pointing object", "not defined", "trailer",
                        "invalid pdf header", "rebuilt after")


#: pypdf's word for a reference to an object the file does not hold ("Object 172 0 not defined.").
_MISSING_OBJECT = re.compile(r"object \d+ \d+ not defined", re.IGNORECASE)


def _is_structural(message: str) -> bool:
    lowered = message.lower()
    return any(marker in lowered for marker in _STRUCTURAL_WARNINGS)


@contextmanager
def _pdf_repairs() -> Iterator[list[str]]:
    """The warnings pypdf logs while it reads, kept (not printed) to tell a repaired file."""
    messages: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(messages) < 1000:
                messages.append(record.getMessage()[:200])

    logger = logging.getLogger("pypdf")
    handler = _Keep(logging.WARNING)
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


class _WithTrailer(SeekableView):
    """The PDF followed by a ``startxref`` that points nowhere, so that pypdf rebuilds the
    cross-reference table from the objects themselves (as viewers do) instead of giving up
    because the end of the file is missing. Nothing is copied: reads go to the original stream."""

    SUFFIX = b"\nstartxref\n0\n%%EOF\n"

    def __init__(self, source: BinaryIO, size: int, suffix: bytes = SUFFIX) -> None:
        super().__init__(size + len(suffix))
        self._source, self._size, self._suffix = source, size, suffix

    def read_at(self, position: int, size: int) -> bytes:
        if position < self._size:
            self._source.seek(position)
            return self._source.read(min(size, self._size - position))
        start = position - self._size
        return self._suffix[start:start + size]


def repairable(source: BinaryIO, size: int) -> BinaryIO:
    """The PDF as its reader sees it when the end of the file is broken (see `_repairable`)."""
    return _repairable(source, size)


def _repairable(source: BinaryIO, size: int, suffix: bytes = _WithTrailer.SUFFIX) -> BinaryIO:
    """The PDF with a `_WithTrailer` ending, buffered (pypdf reads a byte at a time while it repairs)."""
    if size <= SPOOL_IN_MEMORY_BYTES:
        source.seek(0)
        return io.BytesIO(source.read(size) + suffix)
    return io.BufferedReader(_WithTrailer(source, size, suffix), buffer_size=64 * 1024)


def _read_pdf(reader: PdfReader) -> Extraction:
    metadata: dict[str, Any] = {"encrypted": bool(reader.is_encrypted)}
    if reader.is_encrypted:
        if not _opens_with_empty_password(reader):
            raise ExtractionProblem(FILE_ENCRYPTED, PDF_ENCRYPTED_MESSAGE, fix=PDF_ENCRYPTED_FIX)
        metadata["opens_with_empty_password"] = True

    pages = _pdf_pages(reader)
    metadata["pages"] = pages.count
    if pages.claimed is not None and pages.claimed > pages.count:
        metadata["claimed_pages"] = pages.claimed
    text, text_pages, scan_pages, has_text = _pdf_text(pages.sample)
    metadata["has_text_layer"] = has_text
    metadata["image_only"] = bool(pages.sample) and scan_pages == len(pages.sample)
    if scan_pages:
        # Pages that are only a picture: the extract runner reads them by OCR.
        metadata["scanned_pages"] = scan_pages
    metadata["text_pages_read"] = text_pages
    field_count, signatures = _pdf_form_fields(reader)
    metadata["form_fields"] = field_count
    metadata["signature_fields"] = signatures
    metadata.update(_pdf_properties(reader))
    return Extraction(metadata=metadata, text=text)


def _opens_with_empty_password(reader: PdfReader) -> bool:
    """Whether a PDF reader opens the file without asking for a password.

    ``decrypt("")`` also succeeds when only the *owner* password is empty (pypdf tries the owner
    password first), but a viewer still asks for the user password then, so that is checked too.
    """
    from pypdf import PasswordType

    result = reader.decrypt("")
    if result == PasswordType.NOT_DECRYPTED:
        return False
    if result == PasswordType.USER_PASSWORD:
        return True
    try:
        from pypdf._encryption import AlgV4, AlgV5  # no public API checks the user password alone

        encryption = reader._encryption
        if encryption is None:
            return True
        if encryption.V <= 4:
            values = encryption.values
            return bool(AlgV4.verify_user_password(
                b"", encryption.R, encryption.Length, values.O, values.U, encryption.P,
                encryption.id1_entry, encryption.EncryptMetadata,
            ))
        return bool(AlgV5.verify_user_password(encryption.R, b"", encryption.values.U, encryption.values.UE))
    except (ImportError, AttributeError):
        return True  # pypdf's internals moved: trust decrypt()


class _Pages:
    def __init__(self, count: int, sample: list[PageObject], claimed: int | None = None) -> None:
        self.count = count
        self.sample = sample
        #: What the page tree's root claims (``/Count``), when it says more than could be found.
        self.claimed = claimed


def _pdf_pages(reader: PdfReader) -> _Pages:
    """The page count and the first pages to read.

    A page tree claiming more than `PDF_PAGE_CLAIM_LIMIT` pages is not flattened (pypdf refuses
    past that anyway): its claimed count is reported and the first pages are found by hand.
    """
    from pypdf.errors import LimitReachedError

    claimed = _claimed_page_count(reader)
    if claimed is None or claimed <= PDF_PAGE_CLAIM_LIMIT:
        try:
            count = len(reader.pages)
            return _Pages(count, [reader.pages[i] for i in range(min(count, PDF_TEXT_PAGES))], claimed)
        except LimitReachedError:
            if claimed is None:
                raise
    return _Pages(claimed, _first_pages(reader, PDF_TEXT_PAGES))


def _claimed_page_count(reader: PdfReader) -> int | None:
    try:
        pages: Any = reader.root_object["/Pages"].get_object()
        count = pages.get("/Count")
        count = count.get_object() if count is not None else None
    except Exception:  # noqa: BLE001 - pypdf raises anything on a damaged page tree; the walk decides
        return None
    return int(count) if isinstance(count, int) and count >= 0 else None


def _first_pages(reader: PdfReader, limit: int) -> list[PageObject]:
    """The first ``limit`` leaf pages, walking the page tree with bounded work (it may loop)."""
    from pypdf import PageObject
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    inheritable = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
    pages: list[PageObject] = []
    # (node, attributes inherited from its ancestors, object numbers of its ancestors)
    stack: list[tuple[Any, dict[str, Any], tuple[int, ...]]] = [(reader.root_object.raw_get("/Pages"), {}, ())]
    steps = 0
    while stack and len(pages) < limit and steps < PDF_TREE_MAX_NODES:
        steps += 1
        reference, inherited, ancestors = stack.pop()
        node = reference.get_object()
        if not isinstance(node, DictionaryObject):
            continue
        kids = node.get("/Kids")
        if node.get("/Type") != "/Page" and isinstance(kids, ArrayObject):
            number = reference.idnum if isinstance(reference, IndirectObject) else -1
            if number in ancestors:
                raise ExtractionProblem(FILE_UNREADABLE, PDF_DAMAGED_MESSAGE, fix=PDF_DAMAGED_FIX)  # the page tree loops
            if len(ancestors) >= PDF_TREE_MAX_DEPTH:
                continue
            passed_on = dict(inherited)
            passed_on.update({key: node[key] for key in inheritable if key in node})
            stack.extend((kid, passed_on, (*ancestors, number)) for kid in reversed(kids[:PDF_TREE_MAX_NODES]))
            continue
        page = PageObject(reader, reference if isinstance(reference, IndirectObject) else None)
        if not isinstance(reference, IndirectObject):
            page.update(node)
        for key, value in inherited.items():
            if key not in page:
                page[NameObject(key)] = value
        pages.append(page)
    return pages


def _pdf_text(pages: list[PageObject]) -> tuple[str, int, int, bool]:
    """Text of the sampled pages, how many gave text, how many look scanned, whether any text."""
    parts: list[str] = []
    total = 0
    pages_read = 0
    scan_pages = 0
    has_text = False
    for page in pages:
        try:
            page_text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one bad page (a broken font) must not lose the others
            page_text = ""
        visible = sum(1 for char in page_text if not char.isspace())
        if visible:
            has_text = True
            pages_read += 1
        if visible < SCAN_PAGE_MAX_TEXT and _page_shows_image(page):
            scan_pages += 1
        if total < MAX_TEXT_CHARS and page_text:
            kept = page_text[: MAX_TEXT_CHARS - total]
            parts.append(kept)
            total += len(kept)
    return "\n".join(parts), pages_read, scan_pages, has_text


def _page_shows_image(page: PageObject) -> bool:
    """Whether a page draws an image: an XObject in its resources, or an inline image."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is not None and len(xobjects.get_object()) > 0:
            return True
        contents = page.get_contents()
        return contents is not None and re.search(rb"(?:^|\s)BI\s.*?\sID\s", contents.get_data(), re.S) is not None
    except Exception:  # noqa: BLE001 - a damaged page is simply not taken as a scan
        return False


def _pdf_form_fields(reader: PdfReader) -> tuple[int, list[dict[str, Any]]]:
    """The number of fillable fields, and the signature fields with whether each is signed.

    Fields form a tree (``/Kids``); a field's type may be set on a parent. The walk is bounded
    because the tree may loop.
    """
    from pypdf.generic import ArrayObject, DictionaryObject

    try:
        form = reader.root_object.get("/AcroForm")
        form = form.get_object() if form is not None else None
        fields = form.get("/Fields") if isinstance(form, DictionaryObject) else None
        fields = fields.get_object() if fields is not None else None
    except Exception:  # noqa: BLE001 - a damaged form is counted as no form
        return 0, []
    if not isinstance(fields, ArrayObject):
        return 0, []

    count = 0
    signatures: list[dict[str, Any]] = []
    # (field, its parent's full name, the field type it inherits, depth)
    stack: list[tuple[Any, str, Any, int]] = [
        (field, "", None, 0) for field in reversed(fields[:PDF_TREE_MAX_NODES])
    ]
    steps = 0
    while stack and steps < PDF_TREE_MAX_NODES:
        steps += 1
        reference, parent_name, parent_type, depth = stack.pop()
        try:
            field = reference.get_object()
            if not isinstance(field, DictionaryObject):
                continue
            partial = _clean(field.get("/T"))
            name = ".".join(part for part in (parent_name, partial) if part)
            field_type = field.get("/FT", parent_type)
            kids = field.get("/Kids")
            kids = kids.get_object() if kids is not None else None
            child_fields = [kid for kid in kids if _is_field(kid)] if isinstance(kids, ArrayObject) else []
            if child_fields and depth < PDF_TREE_MAX_DEPTH:
                stack.extend(
                    (kid, name, field_type, depth + 1) for kid in reversed(child_fields[:PDF_TREE_MAX_NODES])
                )
                continue
            count += 1
            if field_type == "/Sig":
                value = field.get("/V")
                value = value.get_object() if value is not None else None
                signatures.append({"name": name, "signed": isinstance(value, DictionaryObject)})
        except Exception:  # noqa: BLE001 - a damaged field must not lose the others
            continue
    return count, signatures


def _is_field(kid: Any) -> bool:
    """A child with a name is a field of its own; one without is only its parent's widget."""
    try:
        return "/T" in kid.get_object()
    except Exception:  # noqa: BLE001 - a damaged child is not a field
        return False


def _pdf_properties(reader: PdfReader) -> dict[str, Any]:
    keys = {"title": "/Title", "author": "/Author", "producer": "/Producer", "creator": "/Creator"}
    properties: dict[str, Any] = dict.fromkeys(["title", "author", "producer", "creator", "created", "modified"])
    try:
        info = reader.metadata
    except Exception:  # noqa: BLE001 - damaged properties are left out; the pages are what matter
        return properties
    if info is None:
        return properties
    # One damaged property (pypdf raises anything on one) must not lose the others.
    for name, key in keys.items():
        with contextlib.suppress(Exception):
            properties[name] = _clean(info[key]) if key in info else None
    for name, key in (("created", "/CreationDate"), ("modified", "/ModDate")):
        with contextlib.suppress(Exception):
            properties[name] = _pdf_date(_clean(info[key])) if key in info else None
    return properties


PDF_DATE = re.compile(
    r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?"
)


def _pdf_date(raw: str | None) -> str | None:
    """A PDF date (``D:20220403195945+02'00'``) as ISO 8601; None when it is not a date."""
    if not raw:
        return None
    match = PDF_DATE.match(raw.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zulu, sign, tz_hours, tz_minutes = match.groups()
    tz = None
    if zulu:
        tz = timezone.utc
    elif sign:
        offset = timedelta(hours=int(tz_hours), minutes=int(tz_minutes or 0))
        if offset >= timedelta(hours=24):
            return None
        tz = timezone(-offset if sign == "-" else offset)
    try:
        moment = datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None
    return moment.isoformat()


# --------------------------------------------------------------------------- images


def extract_image(stream: BinaryIO, size: int) -> Extraction:
    """Dimensions, format, when and with what camera it was taken, whether it holds a location.

    Reads the header, the EXIF and the end of the file only; the pixels are never decoded, so a
    picture claiming huge dimensions costs nothing. A JPEG or PNG that ends before its end marker
    is read and reported cut off (``file-truncated``); a PNG Pillow refuses only for a wrong
    checksum is read from its own header and reported damaged (``file-damaged``), as browsers and
    viewers show it. HEIC/HEIF (which Pillow cannot open) is read by `_read_heif`.
    """
    _require_content(size, "picture")
    head = stream.read(32)
    stream.seek(0)
    if _is_heif(head):
        return _read_heif(stream, size)

    problems: list[Problem] = []
    with quiet("PIL"):
        try:
            image = _open_header(stream)
            width, height = image.size
            metadata: dict[str, Any] = {"width": width, "height": height, "format": image.format}
            exif = _read_exif(image)
            if exif is None and image.format == "PNG":
                exif = _png_trailing_exif(stream, size)
        except (Exception, MemoryError) as error:  # Pillow's plugins raise anything on damage
            fallback = _png_with_bad_checksums(stream, size) if head.startswith(PNG_SIGNATURE) else None
            if fallback is None:
                raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX) from error
            width, height, exif = fallback
            metadata = {"width": width, "height": height, "format": "PNG"}
            problems.append(Problem(FILE_DAMAGED, PNG_CHECKSUM_MESSAGE, fix=PNG_CHECKSUM_FIX))
        metadata.update(_exif_facts(exif))
    if width <= 0 or height <= 0:
        raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX)
    metadata["megapixels"] = round(width * height / 1_000_000, 2)
    if (metadata["format"] == "JPEG" and _jpeg_cut_off(stream, size)) or (
            metadata["format"] == "PNG" and _png_cut_off(stream, size)):
        problems.append(Problem(FILE_TRUNCATED, IMAGE_CUT_OFF_MESSAGE, fix=IMAGE_CUT_OFF_FIX))
    if any(problem.code == FILE_TRUNCATED for problem in problems):
        metadata["truncated"] = True
    return Extraction(metadata=metadata, problems=problems)


# --- is the picture complete? (constant cost: the header, then a window at the end) ---------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: How much of the end of a file is searched for a picture's end marker.
IMAGE_TAIL_BYTES = 64 * 1024
#: A run of zeros at the end (a pre-allocated file that was never filled) is skipped up to this much.
IMAGE_ZERO_RUN_MAX_BYTES = 4 * 1024 * 1024
JPEG_MAX_HEADER_SEGMENTS = 10_000
PNG_MAX_HEADER_CHUNKS = 10_000
#: After a JPEG marker byte (0xFF) in entropy-coded data: stuffing, restart markers, fill bytes and
#: the segments found between the scans of a progressive JPEG. Anything else means other data.
_SCAN_DATA_FOLLOWERS = frozenset([0x00, *range(0xD0, 0xD8), 0xFF, 0xC4, 0xCC, 0xDA, 0xDB, 0xDD, 0xFE])


def _jpeg_scan_start(stream: BinaryIO, size: int) -> int:
    """Where the first scan's compressed data starts (after SOS); ``size`` when the header never ends."""
    position = 2
    for _ in range(JPEG_MAX_HEADER_SEGMENTS):
        stream.seek(position)
        marker = stream.read(4)
        if len(marker) < 2:
            return size
        if marker[0] != 0xFF:
            # Bytes between segments (a writer's wrong segment length): decoders skip to the next marker.
            position = _next_jpeg_marker(stream, position, size)
            continue
        kind = marker[1]
        if kind == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if kind in (0x01, *range(0xD0, 0xD9)):  # markers without a length
            position += 2
            continue
        if len(marker) < 4:
            return size
        length = struct.unpack(">H", marker[2:4])[0]
        position += 2 + length
        if kind == 0xDA:
            return min(position, size)
    return size


def _next_jpeg_marker(stream: BinaryIO, position: int, size: int) -> int:
    """The position of the next marker (FF followed by neither 00 nor FF) within 64 KB, else ``size``."""
    stream.seek(position)
    window = stream.read(IMAGE_TAIL_BYTES)
    for index in _positions(window[:-1], 0xFF):
        if window[index + 1] not in (0x00, 0xFF):
            return position + index
    return size


def _tail_without_zeros(stream: BinaryIO, size: int, start: int) -> bytes:
    """The last `IMAGE_TAIL_BYTES` before any run of zero bytes that ends the file, from ``start`` on."""
    end = size
    while end > start and size - end < IMAGE_ZERO_RUN_MAX_BYTES:
        window = min(IMAGE_TAIL_BYTES, end - start)
        stream.seek(end - window)
        data = stream.read(window).rstrip(b"\x00")
        if data:
            end = end - window + len(data)
            break
        end -= window
    begin = max(start, end - IMAGE_TAIL_BYTES)
    stream.seek(begin)
    return stream.read(end - begin)


def _jpeg_cut_off(stream: BinaryIO, size: int) -> bool:
    """Whether a JPEG ends inside its picture data, before the end-of-image marker (FF D9).

    Only the header and the end are read. When the end holds no marker, the bytes there are looked
    at: compressed picture data (every FF followed by 00, a restart marker or a scan's segments)
    means the picture was cut off; anything else is data a camera or an app appended after the
    picture (a motion photo's video, a maker's trailer), and is left alone.
    """
    scan = _jpeg_scan_start(stream, size)
    if scan >= size:
        return True
    tail = _tail_without_zeros(stream, size, scan)
    if b"\xff\xd9" in tail:
        return False
    markers = list(_positions(tail[:-1], 0xFF))
    if not markers:
        # Flat pictures compress to data without FF bytes; so does text appended after a picture.
        printable = sum(32 <= byte < 127 or byte in (9, 10, 13) for byte in tail)
        return printable < 0.95 * len(tail)
    return all(tail[index + 1] in _SCAN_DATA_FOLLOWERS for index in markers)


def _positions(data: bytes, value: int) -> Iterator[int]:
    index = data.find(value)
    while index >= 0:
        yield index
        index = data.find(value, index + 1)


def _png_cut_off(stream: BinaryIO, size: int) -> bool:
    """Whether a PNG lacks its closing IEND chunk near its end (it was cut off mid-picture)."""
    tail = _tail_without_zeros(stream, size, 8)
    return b"IEND" not in tail


def _png_chunks(stream: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int, bool]]:
    """(type, data offset, length, checksum right) of a PNG's chunks up to its first IDAT."""
    position = 8
    for _ in range(PNG_MAX_HEADER_CHUNKS):
        stream.seek(position)
        header = stream.read(8)
        if len(header) < 8:
            return
        length, kind = struct.unpack(">I4s", header)
        if position + 12 + length > size or not kind.isalpha():
            return
        checked = True
        if kind != b"IDAT" and length <= HEIF_MAX_EXIF_BYTES:
            data = stream.read(length)
            checked = zlib.crc32(kind + data) == struct.unpack(">I", stream.read(4))[0]
        yield kind, position + 8, length, checked
        if kind in (b"IDAT", b"IEND"):
            return
        position += 12 + length


def _png_with_bad_checksums(stream: BinaryIO, size: int) -> tuple[int, int, Any] | None:
    """(width, height, EXIF) of a PNG Pillow refused, when its only fault is a wrong checksum.

    Pillow refuses a PNG whose chunk checksums are wrong (phones write eXIf chunks so); libpng,
    browsers and Windows Photos show it. The header must still be sane and the picture data present.
    """
    chunks = list(_png_chunks(stream, size))
    if not chunks or chunks[0][0] != b"IHDR" or chunks[0][2] != 13 or chunks[-1][0] != b"IDAT":
        return None
    stream.seek(chunks[0][1])
    width, height, depth, colour = struct.unpack(">IIBB", stream.read(10))
    if not (width and height) or depth not in (1, 2, 4, 8, 16) or colour not in (0, 2, 3, 4, 6):
        return None
    if all(checked for _, _, _, checked in chunks):
        return None  # nothing wrong with the checksums: Pillow refused it for another reason
    _, offset, length, _ = chunks[-1]
    stream.seek(offset)
    try:  # the picture data must at least start as a zlib stream, or nothing can draw it
        zlib.decompressobj().decompress(stream.read(min(length, IMAGE_TAIL_BYTES)), 1024)
    except zlib.error:
        return None
    exif = None
    for kind, offset, length, _ in chunks:
        if kind == b"eXIf":
            stream.seek(offset)
            exif = _exif_from_tiff(stream.read(length))
    return width, height, exif


def _png_trailing_exif(stream: BinaryIO, size: int) -> Any:
    """EXIF from an eXIf chunk written after the picture data (Pillow finds it only by decoding)."""
    start = max(8, size - IMAGE_TAIL_BYTES)
    stream.seek(start)
    tail = stream.read(size - start)
    position = tail.rfind(b"eXIf")
    if position < 4:
        return None
    length = struct.unpack(">I", tail[position - 4:position])[0]
    payload = tail[position + 4:position + 4 + length]
    return _exif_from_tiff(payload) if len(payload) == length else None


def _exif_from_tiff(payload: bytes) -> Any:
    """A Pillow ``Exif`` from TIFF-structured EXIF bytes (with or without the "Exif\\0\\0" prefix)."""
    from PIL import Image

    if payload.startswith(b"Exif\x00\x00"):
        payload = payload[6:]
    if payload[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    exif = Image.Exif()
    try:
        exif.load(payload)
    except (SyntaxError, ValueError, struct.error, IndexError, KeyError, TypeError, OSError):
        return None
    return exif


def _open_header(stream: BinaryIO) -> PILImage.Image:
    """Open a picture by its header as ``Image.open`` does, minus the decompression-bomb check.

    That check refuses to even report the size of a picture claiming 100,000 x 100,000 pixels;
    nothing here decodes pixels, and `image_thumbnail` applies its own limit.
    """
    from PIL import Image, UnidentifiedImageError

    stream.seek(0)
    prefix = stream.read(16)
    Image.preinit()
    tried: set[str] = set()
    for load_all_plugins in (False, True):
        if load_all_plugins and not Image.init():
            break  # already loaded: every format was tried in the first pass
        for format_id in [name for name in Image.ID if name not in tried]:
            tried.add(format_id)
            factory, accept = Image.OPEN[format_id]
            verdict = accept(prefix) if accept else True
            if not verdict or isinstance(verdict, str):
                continue
            stream.seek(0)
            try:
                return factory(stream, "")
            except (SyntaxError, IndexError, TypeError, struct.error):
                continue  # not this format after all
    raise UnidentifiedImageError("cannot identify image file")


def _read_exif(image: PILImage.Image) -> Any:
    # Pillow's PNG reader decodes the whole picture to look for EXIF after the pixels: avoid that.
    if image.format == "PNG" and "exif" not in image.info and "Raw profile type exif" not in image.info:
        return None
    try:
        return image.getexif()
    except Exception:  # noqa: BLE001 - a damaged EXIF block is no EXIF; the picture is still read
        return None


def _exif_facts(exif: Any) -> dict[str, Any]:
    """``taken``, ``camera`` and ``has_gps`` from a Pillow ``Exif`` (None when there is none)."""
    facts: dict[str, Any] = {"taken": None, "camera": None, "has_gps": False}
    if not exif:
        return facts
    try:
        details = exif.get_ifd(EXIF_IFD)
    except Exception:  # noqa: BLE001 - Pillow raises anything on a malformed sub-directory
        details = {}
    facts["taken"] = (
        _exif_date(details.get(TAG_DATETIME_ORIGINAL), details.get(TAG_OFFSET_TIME_ORIGINAL))
        or _exif_date(exif.get(TAG_DATETIME))
    )
    make, model = _clean(exif.get(TAG_MAKE)), _clean(exif.get(TAG_MODEL))
    if make and model and model.lower().startswith(make.lower()):
        make = None  # "Canon" + "Canon EOS 1000D"
    facts["camera"] = " ".join(part for part in (make, model) if part) or None
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - Pillow raises anything on a malformed sub-directory
        gps = {}
    facts["has_gps"] = _gps_location(gps) is not None
    return facts


def _gps_location(gps: Any) -> tuple[float, float] | None:
    """(latitude, longitude) in degrees when the GPS block holds a real position, else None.

    Cameras and apps write GPS blocks with nothing in them, zeros (0° 0° is in the sea off West
    Africa: "no fix" in practice) or placeholders out of range; none of those is a location.
    """
    latitude, longitude = _degrees(gps.get(GPS_LATITUDE)), _degrees(gps.get(GPS_LONGITUDE))
    if latitude is None or longitude is None:
        return None
    if not (abs(latitude) <= 90 and abs(longitude) <= 180) or (latitude == 0 and longitude == 0):
        return None
    return latitude, longitude


def _degrees(value: Any) -> float | None:
    """Degrees from an EXIF (degrees, minutes, seconds) triple of rationals; None when it is not one."""
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    return sum(part / 60**index for index, part in enumerate(parts))


EXIF_DATE = re.compile(r"^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
EXIF_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _exif_date(raw: Any, offset: Any = None) -> str | None:
    """An EXIF date (``2014:09:21 15:51:22``) as ISO 8601, with its offset when recorded."""
    text = _clean(raw)
    match = EXIF_DATE.match(text) if text else None
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:  # "0000:00:00 00:00:00" from cameras whose clock was never set
        return None
    offset_match = EXIF_OFFSET.match(_clean(offset) or "")
    if offset_match:
        sign, hours, minutes = offset_match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta < timedelta(hours=24):
            moment = moment.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    return moment.isoformat()


def _is_heif(head: bytes) -> bool:
    if len(head) < 12 or head[4:8] != b"ftyp":
        return False
    box_size = min(struct.unpack(">I", head[:4])[0], len(head))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_size - 3, 4)]
    return any(brand in HEIF_BRANDS for brand in brands)


def _read_heif(stream: BinaryIO, size: int) -> Extraction:
    """Width, height and EXIF of a HEIF/HEIC picture, from its ISO-BMFF boxes.

    The primary item's ``ispe`` property (image spatial extents) gives the size; the ``Exif``
    item, located through ``iinf`` and ``iloc``, gives the EXIF, read with Pillow.
    """
    head = stream.read(HEIF_HEADER_BYTES)
    try:
        found = _parse_heif(head)
    except (ValueError, IndexError, struct.error) as error:  # boxes cut short or inconsistent
        raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX) from error
    # No size, parts of the picture placed beyond the end of the file (cut short), or a primary
    # picture a decoder cannot start on.
    if found.extents is None or any(
        method == 0 and offset + length > size for method, offset, length in found.locations.values()
    ) or any(end > size for end in found.ends.values()) or not _heif_primary_decodable(found) \
            or not _heif_first_unit_fits(stream, found):
        raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX)
    width, height = _heif_cropped(found) or found.extents
    brand = head[8:12]
    metadata: dict[str, Any] = {
        "width": width,
        "height": height,
        "format": "AVIF" if brand in (b"avif", b"avis") else "HEIF",
    }
    try:
        exif = _heif_exif(stream, size, head, found)
    except (Exception, MemoryError):  # noqa: BLE001 - EXIF is a bonus: a broken one does not spoil the size
        exif = None
    metadata.update(_exif_facts(exif))
    metadata["megapixels"] = round(width * height / 1_000_000, 2)
    return Extraction(metadata=metadata)


class _HeifFacts:
    def __init__(self) -> None:
        self.primary: int | None = None
        self.properties: list[tuple[bytes, bytes]] = []  # (type, payload), 1-based in ipma
        self.associations: dict[int, list[int]] = {}
        self.exif_items: list[int] = []
        self.locations: dict[int, tuple[int, int, int]] = {}  # item -> (method, offset, length)
        self.idat: tuple[int, int] | None = None  # (offset in file, length)
        self.extents: tuple[int, int] | None = None
        self.item_types: dict[int, bytes] = {}
        self.ends: dict[int, int] = {}  # item -> end of its last extent in the file (construction method 0)
        self.lengths: dict[int, int] = {}  # item -> bytes over all its extents
        self.references: dict[bytes, dict[int, list[int]]] = {}  # iref type -> from item -> to items


def _parse_heif(data: bytes) -> _HeifFacts:
    facts = _HeifFacts()
    for box_type, start, end in iso_boxes(data, 0, len(data)):
        if box_type == b"meta":
            _parse_heif_meta(data, start + 4, end, facts)  # meta is a full box: skip version/flags
            break
    extents = [payload for kind, payload in facts.properties if kind == b"ispe" and len(payload) >= 12]
    chosen = None
    if facts.primary is not None:
        for index in facts.associations.get(facts.primary, []):
            if 0 < index <= len(facts.properties):
                kind, payload = facts.properties[index - 1]
                if kind == b"ispe" and len(payload) >= 12:
                    chosen = payload
                    break
    if chosen is None and extents:
        chosen = max(extents, key=lambda payload: struct.unpack_from(">II", payload, 4))
    if chosen is not None:
        width, height = struct.unpack_from(">II", chosen, 4)
        if width > 0 and height > 0:
            facts.extents = (width, height)
    return facts


def _parse_heif_meta(data: bytes, start: int, end: int, facts: _HeifFacts) -> None:
    for box_type, box_start, box_end in iso_boxes(data, start, end):
        payload = data[box_start:box_end]
        if box_type == b"pitm" and len(payload) >= 6:
            facts.primary = struct.unpack_from(">H" if payload[0] == 0 else ">I", payload, 4)[0]
        elif box_type == b"iprp":
            for inner_type, inner_start, inner_end in iso_boxes(data, box_start, box_end):
                if inner_type == b"ipco":
                    facts.properties = [(kind, data[s:e]) for kind, s, e in iso_boxes(data, inner_start, inner_end)]
                elif inner_type == b"ipma":
                    _parse_ipma(data[inner_start:inner_end], facts)
        elif box_type == b"iinf":
            _parse_iinf(data, box_start, box_end, facts)
        elif box_type == b"iloc":
            _parse_iloc(payload, facts)
        elif box_type == b"idat":
            facts.idat = (box_start, box_end - box_start)
        elif box_type == b"iref":
            _parse_iref(data, box_start, box_end, facts)


def _parse_iref(data: bytes, start: int, end: int, facts: _HeifFacts) -> None:
    wide = data[start] != 0  # version 1: 32-bit item ids
    width = 4 if wide else 2
    for kind, box_start, box_end in iso_boxes(data, start + 4, end):
        position = box_start
        if position + 2 * width > box_end:
            continue
        source = int.from_bytes(data[position:position + width], "big")
        count = int.from_bytes(data[position + width:position + width + 2], "big")
        position += width + 2
        targets = [int.from_bytes(data[position + width * i:position + width * (i + 1)], "big")
                   for i in range(min(count, (box_end - position) // width))]
        facts.references.setdefault(kind, {})[source] = targets


#: Coded picture items and the decoder configuration property each needs; derived items made of tiles.
_HEIF_CODED = {b"hvc1": b"hvcC", b"av01": b"av1C", b"jpeg": None, b"unci": None, b"j2k1": b"j2kH"}
_HEIF_DERIVED = {b"grid", b"iovl", b"iden"}


def _heif_primary_decodable(facts: _HeifFacts) -> bool:
    """Whether the primary picture exists and each coded item it is made of has its data and decoder
    configuration: what libheif checks before it decodes (a missing one is "no such item" or "no
    hvcC"). The compressed data itself is not decoded."""
    if facts.primary is None or facts.primary not in facts.item_types:
        return False  # libheif refuses a file without a primary item ("No pitm box"); exiftool cannot size it
    items = [facts.primary]
    if facts.item_types[facts.primary] in _HEIF_DERIVED:
        items = facts.references.get(b"dimg", {}).get(facts.primary, [])
        if not items:
            return False
    for item in items[:PDF_TREE_MAX_NODES]:
        kind = facts.item_types.get(item)
        if kind not in _HEIF_CODED or item not in facts.locations:
            return False
        config = _HEIF_CODED[kind]
        if config is not None and not any(facts.properties[index - 1][0] == config
                                           for index in facts.associations.get(item, [])
                                           if 0 < index <= len(facts.properties)):
            return False
    return True


def _heif_first_unit_fits(stream: BinaryIO, facts: _HeifFacts) -> bool:
    """Whether the primary picture's (or first tile's) HEVC data starts with a NAL unit that fits in it.

    The data is a series of length-prefixed NAL units; a first length running past the item, or a
    header with its forbidden bit set, is a picture no decoder starts on. Other codecs are not checked.
    """
    item = facts.primary
    if item is not None and facts.item_types.get(item) in _HEIF_DERIVED:
        item = next(iter(facts.references.get(b"dimg", {}).get(item, [])), None)
    if item is None or facts.item_types.get(item) != b"hvc1" or item not in facts.locations:
        return True
    config = next((facts.properties[index - 1][1] for index in facts.associations.get(item, [])
                   if 0 < index <= len(facts.properties) and facts.properties[index - 1][0] == b"hvcC"), b"")
    method, offset, first_length = facts.locations[item]
    if len(config) < 22 or method != 0:
        return True
    prefix = (config[21] & 3) + 1
    stream.seek(offset)
    start = stream.read(prefix + 2)
    if len(start) < prefix + 2:
        return False
    unit = int.from_bytes(start[:prefix], "big")
    total = facts.lengths.get(item, first_length)
    return 0 < unit <= total - prefix and not start[prefix] & 0x80


def _heif_cropped(facts: _HeifFacts) -> tuple[int, int] | None:
    """The primary picture's size after its clean-aperture crop (``clap``), as viewers show it."""
    for index in facts.associations.get(facts.primary or -1, []):
        if not 0 < index <= len(facts.properties):
            continue
        kind, payload = facts.properties[index - 1]
        if kind == b"clap" and len(payload) >= 16:
            width_n, width_d, height_n, height_d = struct.unpack_from(">IIII", payload)
            if width_d and height_d and width_n and height_n:
                return max(1, round(width_n / width_d)), max(1, round(height_n / height_d))
    return None


def _parse_ipma(payload: bytes, facts: _HeifFacts) -> None:
    version, flags = payload[0], int.from_bytes(payload[1:4], "big")
    (count,) = struct.unpack_from(">I", payload, 4)
    position = 8
    for _ in range(min(count, PDF_TREE_MAX_NODES)):
        if version < 1:
            (item,) = struct.unpack_from(">H", payload, position)
            position += 2
        else:
            (item,) = struct.unpack_from(">I", payload, position)
            position += 4
        associations = payload[position]
        position += 1
        indices = []
        for _ in range(associations):
            if flags & 1:
                indices.append(struct.unpack_from(">H", payload, position)[0] & 0x7FFF)
                position += 2
            else:
                indices.append(payload[position] & 0x7F)
                position += 1
        facts.associations[item] = indices


def _parse_iinf(data: bytes, start: int, end: int, facts: _HeifFacts) -> None:
    version = data[start]
    entries_start = start + (6 if version == 0 else 8)
    for box_type, box_start, box_end in iso_boxes(data, entries_start, end):
        if box_type != b"infe" or box_end - box_start < 12:
            continue
        infe_version = data[box_start]
        if infe_version == 2:
            item, item_type = struct.unpack_from(">H2x4s", data, box_start + 4)
        elif infe_version == 3:
            item, item_type = struct.unpack_from(">I2x4s", data, box_start + 4)
        else:
            continue
        facts.item_types[item] = item_type
        if item_type == b"Exif":
            facts.exif_items.append(item)


def _parse_iloc(payload: bytes, facts: _HeifFacts) -> None:
    version = payload[0]
    offset_size, length_size = payload[4] >> 4, payload[4] & 0x0F
    base_offset_size, index_size = payload[5] >> 4, payload[5] & 0x0F
    position = 6
    if version < 2:
        (count,) = struct.unpack_from(">H", payload, position)
        position += 2
    else:
        (count,) = struct.unpack_from(">I", payload, position)
        position += 4

    def number(width: int) -> int:
        nonlocal position
        if position + width > len(payload):
            raise ValueError("iloc box cut short")
        value = int.from_bytes(payload[position : position + width], "big")
        position += width
        return value

    for _ in range(min(count, PDF_TREE_MAX_NODES)):
        item = number(2 if version < 2 else 4)
        method = number(2) & 0x0F if version in (1, 2) else 0
        number(2)  # data reference index
        base = number(base_offset_size)
        extents = number(2)
        first: tuple[int, int] | None = None
        for _ in range(extents):
            if version in (1, 2) and index_size:
                number(index_size)
            offset, length = number(offset_size), number(length_size)
            if first is None:
                first = (offset, length)
            if method == 0:
                facts.ends[item] = max(facts.ends.get(item, 0), base + offset + length)
            facts.lengths[item] = facts.lengths.get(item, 0) + length
        if first is not None:
            facts.locations[item] = (method, base + first[0], first[1])


def _heif_exif(stream: BinaryIO, size: int, head: bytes, facts: _HeifFacts) -> Any:
    """The EXIF of a HEIF file as a Pillow ``Exif``, or None (its absence is not a fault)."""
    from PIL import Image

    for item in facts.exif_items:
        method, offset, length = facts.locations.get(item, (None, 0, 0))
        if not 8 <= length <= HEIF_MAX_EXIF_BYTES:
            continue
        if method == 1 and facts.idat is not None:
            offset += facts.idat[0]
        elif method != 0:
            continue
        if offset + length > size:
            continue
        if offset + length <= len(head):
            payload = head[offset : offset + length]
        else:
            stream.seek(offset)
            payload = stream.read(length)
        # The item starts with the offset of the TIFF header from the end of that field.
        tiff_start = 4 + struct.unpack_from(">I", payload)[0]
        if tiff_start >= len(payload):
            continue
        exif = Image.Exif()
        try:
            with quiet("PIL"):
                exif.load(payload[tiff_start:])
        except Exception:  # noqa: BLE001 - Pillow raises anything on a malformed EXIF block; try the next item
            continue
        return exif
    return None


def image_thumbnail(stream: BinaryIO, size: int, max_side: int = 160) -> tuple[str, bytes] | None:
    """A small JPEG (or PNG, when the picture is transparent) of the picture, for the report.

    Returns ``(mime type, bytes)``, or None when the picture cannot be decoded (damaged, cut
    short, HEIC) or is over `THUMBNAIL_MAX_PIXELS`. JPEGs are decoded at reduced scale.
    """
    if size <= 0:
        return None
    from PIL import ImageOps

    try:
        with quiet("PIL"):
            image = _open_header(stream)
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > THUMBNAIL_MAX_PIXELS:
                return None
            image.thumbnail((max_side, max_side))  # uses draft() for JPEG and reduce() otherwise
            image = ImageOps.exif_transpose(image)
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            output = io.BytesIO()
            if transparent:
                image.convert("RGBA").save(output, "PNG", optimize=True)
                return "image/png", output.getvalue()
            image.convert("RGB").save(output, "JPEG", quality=80)
            return "image/jpeg", output.getvalue()
    except (Exception, MemoryError):  # noqa: BLE001 - a thumbnail is a nicety: any failure means none
        return None


# --------------------------------------------------------------------------- text


def extract_text(stream: BinaryIO, size: int) -> Extraction:
    """The text of a plain-text, CSV, RTF, HTML, JSON, XML or YAML file, and its encoding.

    Reads at most `TEXT_READ_BYTES`. The encoding is taken from a byte-order mark, else UTF-8 if
    the bytes are valid UTF-8, else Windows-1252 (what Notepad and Excel save in the UK). RTF
    control words and HTML tags are removed so the words can be searched.
    """
    _require_content(size, "text file")
    data = stream.read(TEXT_READ_BYTES)
    cut_short = size > len(data)
    encoding, decoded = _decode(data, final=not cut_short)
    markup = _markup(decoded)
    if markup == "rtf":
        text = _rtf_to_text(decoded)
    elif markup == "html":
        text = _html_to_text(decoded)
    else:
        text = decoded
    truncated = cut_short or len(text) > MAX_TEXT_CHARS
    text = text[:MAX_TEXT_CHARS]
    metadata = {
        "encoding": encoding,
        "markup": markup,
        "characters": len(text),
        "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        "truncated": truncated,
    }
    return Extraction(metadata=metadata, text=text)


BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _decode(data: bytes, final: bool = True) -> tuple[str, str]:
    """(encoding, text); ``final`` is False when the bytes were cut mid-file (maybe mid-character)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            return encoding, decoder.decode(data[len(bom):], final=final)
    try:
        return "utf-8", codecs.getincrementaldecoder("utf-8")(errors="strict").decode(data, final=final)
    except UnicodeDecodeError:
        return "cp1252", data.decode("cp1252", errors="replace")


#: An HTML page starts, after comments or an XML declaration, with its doctype or first element.
HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html\b|<head\b|<body\b)", re.I | re.S
)


def _markup(text: str) -> str | None:
    start = text[:4096]
    if start.lstrip().startswith("{\\rtf"):
        return "rtf"
    if HTML_START.match(start):
        return "html"
    return None


# Control words whose group holds no document text (fonts, styles, pictures, field codes...).
RTF_SKIPPED_DESTINATIONS = frozenset(
    "aftncn aftnsep aftnsepc annotation atnauthor atndate atnicn atnid atnparent atnref atntime "  # noqa: SIM905
    "atrfend atrfstart author background bkmkend bkmkstart blipuid buptim category colorschememapping "
    "colortbl comment company creatim datafield datastore defchp defpap do doccomm docvar dptxbxtext "
    "ebcend ebcstart factoidname falt fchars ffdeftext ffentrymcr ffexitmcr ffformat ffhelptext ffl "
    "ffname ffstattext file filetbl fldinst fldtype fname fontemb fontfile fonttbl footnote formfield "
    "ftncn ftnsep ftnsepc g generator gridtbl hl hlfr hlinkbase hlloc hlsrc hsv htmltag info keycode "
    "keywords latentstyles lchars levelnumbers leveltext lfolevel linkval list listlevel listname "
    "listoverride listoverridetable listpicture liststylename listtable listtext lsdlockedexcept "
    "macc maccPr mailmerge manager mmaddfieldname mmathPr mmconnectstr mmconnectstrdata mmdatasource "
    "mmheadersource mmodso mmodsofldmpdata mmodsofmt mmquery nesttableprops nextfile nonesttables "
    "objalias objclass objdata object objname objsect objtime oldcprops oldpprops oldsprops oldtprops "
    "oleclsid operator panose password passwordhash pgp pgptbl picprop pict pn pnseclvl pntext pntxta "
    "pntxtb printim private propname protend protstart protusertbl pxe result revtbl revtim rsidtbl "
    "rxe shp shpgrp shpinst shppict shprslt shptxt sn sp staticval stylesheet subject sv svb tc "
    "template themedata title txe ud upr userprops wgrffmtfilter windowcaption writereservation "
    "writereservhash xe xform xmlattrname xmlattrvalue xmlclose xmlname xmlnstbl xmlopen".split()
)
RTF_SPECIAL = {"par": "\n", "line": "\n", "sect": "\n\n", "page": "\n\n", "row": "\n", "tab": "\t", "cell": "\t",
               "emdash": "\u2014", "endash": "\u2013", "lquote": "\u2018", "rquote": "\u2019",
               "ldblquote": "\u201c", "rdblquote": "\u201d", "bullet": "\u2022", "emspace": " ", "enspace": " "}
#: One RTF token: control word (with argument), \'hh byte, control symbol, brace, line break, or text.
RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|\r\n|\r|\n|([^\\{}\r\n]+)", re.S
)


def _rtf_to_text(rtf: str) -> str:
    """The visible text of an RTF document: one pass over its tokens, skipping non-text groups.

    Handles ``\\'hh`` bytes (in the document's ``\\ansicpg`` code page), ``\\uN`` Unicode with its
    ``\\ucN`` fallback characters, and special characters; tables become tab-separated lines.
    """
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skipping = False
    fallback_chars = 1  # characters after \uN that stand in for readers without Unicode
    to_skip = 0
    code_page = "cp1252"
    pending_bytes = bytearray()
    group_start = False

    def flush() -> None:
        if pending_bytes:
            out.append(pending_bytes.decode(code_page, errors="replace"))
            pending_bytes.clear()

    for match in RTF_TOKEN.finditer(rtf):
        word, argument, hex_byte, symbol, brace, plain = match.groups()
        starts_group = group_start
        group_start = False
        if hex_byte is not None:
            if to_skip:
                to_skip -= 1
            elif not skipping:
                pending_bytes.append(int(hex_byte, 16))
            continue
        flush()
        if brace == "{":
            stack.append((skipping, fallback_chars))
            group_start = True
            to_skip = 0
        elif brace == "}":
            if stack:
                skipping, fallback_chars = stack.pop()
            to_skip = 0
        elif symbol is not None:
            if symbol == "*" and starts_group:
                skipping = True  # \* marks a destination readers may ignore
            elif to_skip:
                to_skip -= 1
            elif not skipping:
                out.append({"~": "\u00a0", "_": "-", "-": "", "\\": "\\", "{": "{", "}": "}"}.get(symbol, ""))
        elif word is not None:
            if word in RTF_SKIPPED_DESTINATIONS and starts_group:
                skipping = True
            elif word == "ansicpg" and argument:
                candidate = f"cp{int(argument)}"
                try:
                    codecs.lookup(candidate)
                    code_page = candidate
                except LookupError:
                    pass
            elif word == "uc" and argument:
                fallback_chars = max(0, int(argument))
            elif word == "u" and argument:
                if not skipping:
                    code = int(argument)
                    out.append(chr(code + 65536 if code < 0 else code) if -32768 <= code < 65536 else "\ufffd")
                to_skip = fallback_chars
            elif not skipping and word in RTF_SPECIAL:
                out.append(RTF_SPECIAL[word])
        elif plain is not None:
            if to_skip:
                skipped = min(to_skip, len(plain))
                plain = plain[skipped:]
                to_skip -= skipped
            if not skipping and plain:
                out.append(plain)
    flush()
    return "".join(out)


class _HtmlText(HTMLParser):
    """Collects the visible text of an HTML page: scripts and styles are dropped."""

    HIDDEN = frozenset({"script", "style", "template", "head", "title", "svg", "object", "iframe"})
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
                        "article", "header", "footer", "blockquote", "pre", "hr", "dt", "dd", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth and self.size < MAX_TEXT_CHARS:
            self.parts.append(data)
            self.size += len(data)


def _html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; keep what was read if it gives up
        pass
    text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------- shortcuts


def extract_link(stream: BinaryIO, size: int) -> Extraction:
    """The address an internet shortcut points to (Windows ``.url`` or macOS ``.webloc``).

    A shortcut is never the evidence itself, so it always carries an ``external-link`` problem;
    one without an address is ``file-unreadable``.
    """
    _require_content(size, "shortcut")
    data = stream.read(LINK_READ_BYTES)
    url = _plist_url(data) if data.startswith(b"bplist") or data.lstrip()[:1] == b"<" else _ini_url(data)
    if not url:
        raise ExtractionProblem(FILE_UNREADABLE, LINK_EMPTY_MESSAGE, fix=LINK_EMPTY_FIX)
    shown = url if len(url) <= 200 else url[:199] + "\u2026"
    problem = Problem(
        EXTERNAL_LINK,
        f"This file is a shortcut to {shown}; the evidence itself is not in the portfolio, and an "
        "assessor working offline cannot open it.",
        "Download the file it points to and add it to the portfolio.",
    )
    return Extraction(metadata={"url": url}, problems=[problem])


def _plist_url(data: bytes) -> str | None:
    """``URL`` from an XML or binary property list; plistlib refuses XML entity declarations."""
    import plistlib

    try:
        plist = plistlib.loads(data)
    except Exception:  # noqa: BLE001 - not a readable property list
        return None
    if isinstance(plist, dict):
        value = plist.get("URL")
        return _clean(value) if isinstance(value, str) else None
    return None


def _ini_url(data: bytes) -> str | None:
    """``URL=`` from the ``[InternetShortcut]`` section (or anywhere, if the section is missing)."""
    _, text = _decode(data)
    section = None
    anywhere = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        key, separator, value = line.partition("=")
        if separator and key.strip().lower() == "url" and value.strip():
            if section == "internetshortcut":
                return value.strip()
            anywhere = anywhere or value.strip()
    return anywhere
