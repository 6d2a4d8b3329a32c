"""PDFs: pages, text, form and signature fields and document properties (`extract_pdf`), and the
repair of a PDF whose cross-reference table or end is broken, rebuilt from its objects as viewers
rebuild it (`repairable`)."""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, BinaryIO

from portfolio_check.extract.documents.common import MAX_TEXT_CHARS, _clean, _require_content, quiet
from portfolio_check.extract.model import (
    FILE_DAMAGED,
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
    from pypdf import PageObject, PdfReader

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
