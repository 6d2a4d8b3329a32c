"""Extract every file of an inventory: identify it by content, pick its extractor, bound the work.

One `FileRecord` per file comes back, whatever the file holds: a problem it had is recorded on
the record (``file-unreadable``, ``file-encrypted``...), never raised. Each file is read in a
sandboxed worker (see `sandbox`), so a hostile file costs at most its time budget.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, cast

from portfolio_check.extract.model import (
    EXTENSION_MISMATCH,
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_PROTECTED,
    FILE_UNREADABLE,
    LEGACY_FORMAT,
    SCAN_NOT_READ,
    UNSUPPORTED_FORMAT,
    VIDEO_LOOK_INCOMPLETE,
    EmbeddedMedia,
    Extraction,
    ExtractionProblem,
    FileRecord,
    Problem,
)
from portfolio_check.extract.sandbox import Budget, IsolatedRunner, Overrun
from portfolio_check.ingest.inventory import IngestedFile, Inventory, open_source

if TYPE_CHECKING:
    from portfolio_check.extract.identify import Identity
    from portfolio_check.extract.ocr import OcrResult

Extractor = Callable[[BinaryIO, int], Extraction]

#: Embedded media parts above this size are streamed from the package rather than copied to memory.
EMBEDDED_IN_MEMORY_BYTES = 64 * 1024**2
#: Thumbnails are a nicety: a picture other than a JPEG (which decodes at 1/8 scale) over this many
#: pixels is skipped rather than decoded whole, and a thumbnail over this many bytes is dropped.
THUMBNAIL_MAX_DECODED_PIXELS = 12_000_000
THUMBNAIL_MAX_BYTES = 24 * 1024
#: Share of the per-file time limit that reading scans or looking at a clip may use, counted from
#: the start of the file: the rest is left for everything else, so a slow page costs its text, not the record.
VISION_SHARE_OF_BUDGET = 0.8
#: Less time than this left: the scan is not read (and says so) rather than started and cut off.
VISION_MIN_SECONDS = 1.0


def _extractor_for(kind: str, file_format: str) -> Extractor | None:
    """The extractor for a format; imports only that format's module (start-up cost matters)."""
    if kind == "word" and file_format in ("docx", "docm"):
        from portfolio_check.extract import office
        return office.extract_word
    if kind == "powerpoint" and file_format in ("pptx", "pptm"):
        from portfolio_check.extract import office
        return office.extract_powerpoint
    if kind == "spreadsheet" and file_format in ("xlsx", "xlsm"):
        from portfolio_check.extract import office
        return office.extract_spreadsheet
    if file_format in ("doc", "ppt", "xls"):
        from portfolio_check.extract import office
        return office.extract_legacy
    if kind in ("video", "audio"):
        from portfolio_check.extract import media
        return media.extract
    if kind == "pdf":
        from portfolio_check.extract import documents
        return documents.extract_pdf
    if kind == "image":
        from portfolio_check.extract import documents
        return documents.extract_image
    if kind == "text":
        from portfolio_check.extract import documents
        return documents.extract_text
    if kind == "link":
        from portfolio_check.extract import documents
        return documents.extract_link
    return None


#: Files up to this size get their whole SHA-256; larger ones (videos, mostly) a sampled digest, so
#: reading a file costs no more for a longer recording.
WHOLE_DIGEST_BYTES = 8 * 1024 * 1024
#: A sampled digest reads this many evenly spaced blocks, the first and the last included.
SAMPLED_BLOCKS = 16
SAMPLED_BLOCK_BYTES = 64 * 1024
#: Marks a sampled digest, so nobody takes it for the SHA-256 of the whole file.
SAMPLED_PREFIX = "sampled-sha256:"


def content_digest(stream: BinaryIO, size: int) -> str:
    """The file's SHA-256 in hex; for a file over `WHOLE_DIGEST_BYTES`, ``sampled-sha256:`` and the
    SHA-256 of its size and `SAMPLED_BLOCKS` blocks spread over it (1 MB read, whatever its length).

    Two copies of one file always get the same digest, which is what the duplicate checks need; two
    large files that differ only between the sampled blocks would too, which for recordings (whose
    headers and indexes change with any edit) does not happen in practice.
    """
    digest = hashlib.sha256()
    if size <= WHOLE_DIGEST_BYTES:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
        stream.seek(0)
        return digest.hexdigest()
    digest.update(str(size).encode())
    last = size - SAMPLED_BLOCK_BYTES
    for index in range(SAMPLED_BLOCKS):
        stream.seek(last * index // (SAMPLED_BLOCKS - 1))
        digest.update(stream.read(SAMPLED_BLOCK_BYTES))
    stream.seek(0)
    return SAMPLED_PREFIX + digest.hexdigest()


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def extract_file(item: IngestedFile, thumbnails: bool = False, vision: bool = True,
                 seconds: float = 30.0) -> FileRecord:
    """Identify and extract one file. Never raises for anything the file holds.

    With ``thumbnails``, a picture or an Office file's saved preview also becomes a small data URI
    (and a video's contact sheet, when ``vision``). With ``vision``, scanned pages are read by OCR
    and video files are looked at for faces (see `_look_closer`), within ``seconds``, the file's
    time limit.
    """
    # Reader libraries warn about what they make of a damaged file ("Corrupt EXIF data"); printed on
    # the user's terminal it means nothing. What matters is in the record's problems.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _extract_file(item, thumbnails, vision, seconds)


def _extract_file(item: IngestedFile, thumbnails: bool, vision: bool, seconds: float) -> FileRecord:
    from portfolio_check.extract.identify import as_audio, identify, mismatch_problem, with_article

    started = time.monotonic()
    record = FileRecord(path=item.path, size=item.size, sha256=None, kind="other", format="unknown",
                        description="unknown", modified=item.modified)
    try:
        with open_source(item.locator) as stream:
            record.sha256 = content_digest(stream, item.size)
            if item.size == 0:
                record.format, record.description = "empty", "empty file"
                _fail(record, FILE_EMPTY, f"{item.path} is empty (0 bytes).", "Replace it with the real file.")
                return record
            identity = identify(stream, item.size, _name(item.path))
            stream.seek(0)
            record.kind, record.format, record.description = identity.kind, identity.format, identity.description
            if identity.format == "zero-filled":
                _fail(record, FILE_EMPTY, f"{item.path} holds only zero bytes: it is a placeholder left by a copy or "
                                          "sync that never finished, not the file itself.",
                      "Copy the real file into the portfolio again.")
                return record
            if _not_what_its_name_says(record, identity):
                return record
            mismatch = mismatch_problem(_name(item.path), identity)
            if mismatch:
                record.problems.append(Problem(EXTENSION_MISMATCH, *mismatch))
            if identity.rights_managed:
                _fail(record, FILE_PROTECTED, f"{item.path} is protected by rights management (IRM): it opens only "
                                              "for people its owner named, signed in to their organisation, so an "
                                              "assessor cannot open it.",
                      "Ask the owner to set its access to unrestricted, save it and add it again.")
                return record
            if identity.encrypted:
                _fail(record, FILE_ENCRYPTED, f"{item.path} is password-protected, so an assessor cannot open it.",
                      "Remove the password and add it again.")
                return record
            if identity.legacy:
                record.problems.append(Problem(
                    LEGACY_FORMAT, f"{item.path} is {with_article(identity.description)}, an old format.",
                    "Open it and save it in the current format (.docx, .pptx, .xlsx)."))
            # Macros are reported by the Office reader, from the package it opens (one detector).
            extractor = _extractor_for(identity.kind, identity.format)
            if extractor is None:
                if not identity.legacy:
                    description = with_article(identity.description)
                    record.problems.append(Problem(UNSUPPORTED_FORMAT, _unsupported_message(item.path, description),
                                                   UNSUPPORTED_FIX))
                return record
            try:
                extraction = extractor(stream, item.size)
            except ExtractionProblem as problem:
                _fail(record, problem.code, _with_path(item.path, problem.message), problem.fix)
                return record
            if extraction.kind == "audio":
                heard = as_audio(identity)
                record.kind, record.format, record.description = heard.kind, heard.format, heard.description
            record.metadata = dict(extraction.metadata)
            record.text = extraction.text
            known = {p.code for p in record.problems}
            record.problems += [Problem(p.code, _with_path(item.path, p.message), p.fix)
                                for p in extraction.problems if p.code not in known]
            if thumbnails:
                record.thumbnail = _thumbnail(stream, item.size, record)
            if extraction.embedded_media:
                record.embedded_media = _probe_embedded(stream, extraction)
            _note_named_as_video(record)
            if vision:
                deadline = started + seconds * VISION_SHARE_OF_BUDGET
                _look_closer(stream, record, thumbnails, deadline)
    except MemoryError:
        _fail(record, FILE_UNREADABLE, f"{item.path} could not be read: it needs more memory than allowed. "
                                       "It may be damaged or crafted.", SAVE_AGAIN_FIX)
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        _fail(record, FILE_UNREADABLE, f"{item.path} could not be read ({exc}).",
              "Copy it into the portfolio again.")
    except Exception as exc:  # noqa: BLE001 - format libraries raise anything on damaged input
        _fail(record, FILE_UNREADABLE, f"{item.path} could not be read; it may be damaged "
                                       f"({type(exc).__name__}).", SAVE_AGAIN_FIX)
    return record


#: Kinds whose files only their own applications open: named as one of these, a file that holds
#: text or nothing recognisable cannot be opened at all (a text editor is not what anyone will try).
_OPENED_BY_KIND = {"pdf": "a PDF reader", "video": "a media player", "audio": "a media player",
                   "image": "a picture viewer"}


def _not_what_its_name_says(record: FileRecord, identity: Identity) -> bool:
    """Fail a file named as a PDF, a recording or a picture that holds text or nothing recognisable.

    Such a file is an error for evidence, not only an extension warning: the application its name
    calls for refuses it. Returns True when the record was failed.
    """
    from portfolio_check.extract.identify import promised_kind, with_article

    promised = promised_kind(_name(record.path))
    if promised not in _OPENED_BY_KIND or identity.kind not in ("text", "other") or identity.format == "empty":
        return False
    if identity.kind == "other" and identity.format != "unknown":
        return False  # a real format (an archive, an e-book...): the extension warning says enough
    holds = "nothing any application recognises" if identity.format == "unknown" else with_article(identity.description)
    noun = {"pdf": "PDF", "video": "video", "audio": "recording", "image": "picture"}[promised]
    _fail(record, FILE_UNREADABLE, f"{record.path} is named as {with_article(noun)} but holds {holds}, so "
                                   f"{_OPENED_BY_KIND[promised]} cannot open it.", f"Replace it with the real {noun}.")
    return True


def _note_named_as_video(record: FileRecord) -> None:
    """Mark a file named as a video that holds only sound or a picture: the clip rules say so."""
    from portfolio_check.extract.identify import promised_kind

    if record.kind in ("audio", "image") and promised_kind(_name(record.path)) == "video":
        record.metadata["named_as"] = "video"


def _look_closer(stream: BinaryIO, record: FileRecord, thumbnails: bool, deadline: float) -> None:
    """Read scanned pages by OCR and look at a video's frames, where the record needs it.

    Only files that need it pay: a PDF with image-only pages, a picture that looks like a page
    of text, a video file. OpenCV and Tesseract are imported by the first such file.
    """
    if record.error is not None:
        return
    try:
        if record.kind == "video":
            _look_at_clip(stream, record, thumbnails, deadline)
        elif record.kind == "pdf" and record.metadata.get("scanned_pages"):
            _read_scan(stream, record, deadline, pdf=True)
        elif record.kind == "image" and _looks_like_document(stream):
            _read_scan(stream, record, deadline, pdf=False)
    except (Exception, MemoryError) as exc:  # noqa: BLE001 - the file was read; only the closer look failed
        code = VIDEO_LOOK_INCOMPLETE if record.kind == "video" else SCAN_NOT_READ
        record.problems.append(Problem(code, f"{record.path}: it could not be looked at more closely "
                                             f"({type(exc).__name__}).", "Check it by hand."))
    finally:
        stream.seek(0)


def _looks_like_document(stream: BinaryIO) -> bool:
    from portfolio_check.extract.ocr import looks_like_document

    stream.seek(0)
    return looks_like_document(stream)


def _read_scan(stream: BinaryIO, record: FileRecord, deadline: float, pdf: bool) -> None:
    """The scan's text by OCR becomes the record's text; what was not read is a ``scan-not-read`` problem."""
    from portfolio_check.extract import ocr

    what = "its scanned pages were" if pdf else "the picture of a document was"
    available, why = ocr.ocr_available()
    if not available:
        reason, install = ocr.unavailable_parts(why)
        record.problems.append(Problem(SCAN_NOT_READ, f"{record.path}: {what} not read for text: {reason}",
                                       f"Read it by hand; to have scans read, install the OCR engine. {install}"
                                       if install else SCAN_FIX))
        return
    remaining = min(ocr.DEFAULT_SECONDS, deadline - time.monotonic())
    if remaining < VISION_MIN_SECONDS:
        record.problems.append(Problem(SCAN_NOT_READ, f"{record.path}: {what} not read for text: no time was "
                                                      "left within the file's time limit.", SCAN_FIX))
        return
    stream.seek(0)
    try:
        result = ocr.ocr_pdf(stream, seconds=remaining) if pdf else ocr.ocr_image(stream, seconds=remaining)
    except ExtractionProblem as problem:
        repaired = _ocr_repaired_pdf(stream, record, remaining) if pdf and problem.code == FILE_UNREADABLE else None
        if repaired is None:
            record.problems.append(Problem(SCAN_NOT_READ, f"{record.path}: {what} not read for text: "
                                                          f"{problem.message}", problem.fix or SCAN_FIX))
            return
        result = repaired
    for unread in result.problems:
        record.problems.append(Problem(SCAN_NOT_READ, f"{record.path}: not all of it was read for text: "
                                                      f"{unread.message}", unread.fix or SCAN_FIX))
    if not result.pages:
        return
    record.metadata.update({"text_source": "ocr", "ocr_engine": result.engine, "ocr_confidence": result.confidence,
                            "ocr_pages": result.pages})
    if result.pages_skipped:
        record.metadata["ocr_pages_skipped"] = result.pages_skipped
    if result.text.strip():
        # A PDF may have typed pages before its scanned signature page: both texts count.
        record.text = f"{record.text}\n{result.text}" if record.text and record.text.strip() else result.text


def _ocr_repaired_pdf(stream: BinaryIO, record: FileRecord, seconds: float) -> OcrResult | None:
    """OCR of a PDF whose broken index the PDF reader rebuilt to read it (a ``file-damaged`` warning)."""
    from portfolio_check.extract import ocr
    from portfolio_check.extract.documents import repairable

    try:
        return ocr.ocr_pdf(repairable(stream, record.size), seconds=seconds)
    except ExtractionProblem:
        return None


def _look_at_clip(stream: BinaryIO, record: FileRecord, thumbnails: bool, deadline: float) -> None:
    """Sampled frames of a video file, looked at for faces; the contact sheet only for the HTML report."""
    from portfolio_check.extract import faces

    remaining = min(faces.DEFAULT_SECONDS, deadline - time.monotonic())
    if remaining < VISION_MIN_SECONDS:
        record.problems.append(Problem(VIDEO_LOOK_INCOMPLETE, f"{record.path}: its pictures were not looked at: no "
                                                              "time was left within the file's time limit.", LOOK_FIX))
        return
    duration = record.metadata.get("duration_seconds")
    try:
        found = faces.faces_in_clip(stream, contact_sheet=thumbnails, seconds=remaining,
                                    duration_seconds=duration if isinstance(duration, (int, float)) else None)
    except ExtractionProblem as problem:
        record.problems.append(Problem(VIDEO_LOOK_INCOMPLETE, _with_path(record.path, problem.message),
                                       problem.fix or LOOK_FIX))
        return
    record.faces = found
    record.problems += [Problem(VIDEO_LOOK_INCOMPLETE, f"{record.path}: not all of its pictures were looked at: "
                                                       f"{unseen.message}", unseen.fix or LOOK_FIX)
                        for unseen in found.problems]


def _thumbnail(stream: BinaryIO, size: int, record: FileRecord) -> str | None:
    """A preview at most 160 px across as a data URI, only where it is cheap: pictures and the
    preview Office saves in its packages. Never a PDF page or a video frame (both need decoding)."""
    from portfolio_check.extract import documents

    try:
        stream.seek(0)
        if record.kind == "image":
            pixels = (record.metadata.get("width") or 0) * (record.metadata.get("height") or 0)
            if record.format != "jpeg" and pixels > THUMBNAIL_MAX_DECODED_PIXELS:
                return None
            found = documents.image_thumbnail(stream, size)
        elif record.kind in ("word", "powerpoint", "spreadsheet"):
            from portfolio_check.extract import office

            saved = office.office_thumbnail(stream, size)
            # Office previews are often 256 px or more; WMF/EMF previews cannot be drawn here. A blank
            # preview (one colour, as some programs save) is no preview: the report draws an icon.
            found = documents.image_thumbnail(io.BytesIO(saved[1]), len(saved[1])) if saved else None
            if found is not None and _blank(found[1]):
                return None
        else:
            return None
    except Exception:  # noqa: BLE001 - a preview must never cost the file its record
        return None
    finally:
        stream.seek(0)
    if found is None or len(found[1]) > THUMBNAIL_MAX_BYTES:
        return None
    mime, data = found
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _blank(picture: bytes) -> bool:
    """A small picture of one colour (every channel within a few levels): nothing to recognise a file by."""
    from PIL import Image

    with Image.open(io.BytesIO(picture)) as image:
        extrema = image.convert("RGB").getextrema()
    return all(high - low <= BLANK_PREVIEW_LEVELS for low, high in extrema)


def _with_path(path: str, message: str) -> str:
    """Extractors do not know the file's name: start their message with it."""
    return message if path in message else f"{path}: {message}"


def _unsupported_message(path: str, description: str) -> str:
    return (f"{path} is {description}, which the tool cannot look inside and an assessor may not be "
            "able to open.")


#: How to fix the problems this module words itself (each kept apart from the message saying what is wrong).
UNSUPPORTED_FIX = ("Save it as a typical evidence format (Word, PowerPoint, PDF, video, audio or a photo), or "
                   "remove it if it is not evidence.")
#: Channel levels (of 255) a preview may vary by and still be blank (JPEG noise on a white page).
BLANK_PREVIEW_LEVELS = 12
SAVE_AGAIN_FIX = "Open it on your own computer, save it again and replace it in the portfolio."
SCAN_FIX = "Read the scan by hand, or scan it again with its text clear and straight."
LOOK_FIX = "Watch the clip by hand to check the apprentice is in view and identifiable."


def _fail(record: FileRecord, code: str, message: str, fix: str | None = None) -> None:
    record.error = code
    record.problems.append(Problem(code, message, fix))


def _probe_embedded(package: BinaryIO, extraction: Extraction) -> list[EmbeddedMedia]:
    """Duration and kind of each audio/video part inside a Word or PowerPoint package."""
    from portfolio_check.extract import media
    from portfolio_check.extract.identify import as_audio, identify

    found: list[EmbeddedMedia] = []
    package.seek(0)
    with zipfile.ZipFile(package) as archive:
        for part in extraction.embedded_media:
            kind = fmt = None
            try:
                with archive.open(part.part) as member:
                    in_memory = part.size <= EMBEDDED_IN_MEMORY_BYTES
                    stream = cast(BinaryIO, io.BytesIO(member.read()) if in_memory else member)
                    identity = identify(stream, part.size, part.part.rsplit("/", 1)[-1])
                    stream.seek(0)
                    kind, fmt = identity.kind, identity.format
                    probed = media.extract(stream, part.size)
                    if probed.kind == "audio":
                        identity = as_audio(identity)
                        kind, fmt = identity.kind, identity.format
                    facts = probed.metadata
                    found.append(EmbeddedMedia(
                        part.part, part.size, kind, fmt, facts.get("duration_seconds"), facts.get("width"),
                        facts.get("height"), facts.get("has_audio"), facts.get("has_video")))
            except ExtractionProblem as problem:
                found.append(EmbeddedMedia(part.part, part.size, kind, fmt, error=problem.code))
            except Exception as exc:  # noqa: BLE001 - a damaged part must not lose the document's record
                error = f"{FILE_UNREADABLE} ({type(exc).__name__})"
                found.append(EmbeddedMedia(part.part, part.size, kind, fmt, error=error))
    return found


@dataclass(frozen=True)
class DocumentTask:
    """Read a portfolio document (the manifest, or ``portfolio.yaml``) rather than extract evidence."""

    role: str  # "manifest" or "details"
    item: IngestedFile


def read_document(task: DocumentTask) -> object:
    """A `Manifest`, a details mapping, or the `ExtractionProblem` that stopped it. Never raises."""
    from portfolio_check.extract import manifest

    try:
        with open_source(task.item.locator) as stream:
            if task.role == "details":
                return manifest.read_portfolio_details(stream, task.item.size)
            return manifest.read_manifest(stream, task.item.size, _name(task.item.path))
    except ExtractionProblem as problem:
        return problem
    except MemoryError:
        return ExtractionProblem(manifest.MANIFEST_INVALID, "it needs more memory than allowed to read")
    except Exception as exc:  # noqa: BLE001 - a damaged document must not stop the check
        return ExtractionProblem(manifest.MANIFEST_INVALID, f"it could not be read ({type(exc).__name__}: {exc})")


#: Kinds read with the same libraries, so the sandbox keeps them on the same workers (see sandbox.py).
_READER_GROUPS = {"video": "media", "audio": "media", "word": "office", "powerpoint": "office"}


def _reader_group(task: IngestedFile | DocumentTask) -> str:
    """Which reader a task will most likely need, from its name: contents are only looked at later."""
    from portfolio_check.extract.identify import promised_kind

    kind = promised_kind((task.item if isinstance(task, DocumentTask) else task).path) or "other"
    return _READER_GROUPS.get(kind, kind)


def _run_task(task: IngestedFile | DocumentTask, thumbnails: bool = False, vision: bool = True,
              seconds: float = 30.0) -> object:
    if isinstance(task, DocumentTask):
        return read_document(task)
    return extract_file(task, thumbnails, vision, seconds)


@dataclass(frozen=True)
class ExtractionSettings:
    """How hard extraction may work: worker processes and the budget of one file."""

    jobs: int | None = None
    seconds_per_file: float = 30.0
    memory_per_worker: int | None = 2 * 1024**3
    #: Make small previews for the HTML report (pictures, Office files' saved previews, clips' contact sheets).
    thumbnails: bool = False
    #: Read scanned pages by OCR and look at video files for faces. Off only to measure what it costs.
    vision: bool = True


def extract_inventory(inventory: Inventory, settings: ExtractionSettings = ExtractionSettings()) -> list[FileRecord]:
    """A `FileRecord` for every file of the inventory, in inventory order."""
    records, _ = extract_with_documents(inventory, [], settings)
    return records


def extract_with_documents(inventory: Inventory, documents: list[DocumentTask],
                           settings: ExtractionSettings = ExtractionSettings()) -> tuple[list[FileRecord], list[object]]:
    """Extract every file and read the portfolio documents in one pool of sandboxed workers.

    Returns the records (inventory order) and, per document task, a `Manifest`, a details mapping
    or an `ExtractionProblem`.
    """
    tasks: list[IngestedFile | DocumentTask] = [*inventory.files, *documents]
    if not tasks:
        return [], []
    jobs = settings.jobs or min(os.cpu_count() or 1, 4)
    runner: IsolatedRunner[IngestedFile | DocumentTask, object] = IsolatedRunner(
        functools.partial(_run_task, thumbnails=settings.thumbnails, vision=settings.vision,
                          seconds=settings.seconds_per_file), jobs=min(jobs, len(tasks)),
        budget=Budget(seconds=settings.seconds_per_file, memory_bytes=settings.memory_per_worker))
    results = runner.map(tasks, group=_reader_group)
    records: list[FileRecord] = []
    for item, result in zip(inventory.files, results[:len(inventory.files)], strict=True):
        records.append(_overrun_record(item, result, settings) if isinstance(result, Overrun) else result)  # type: ignore[arg-type]
    read: list[object] = []
    for result in results[len(inventory.files):]:
        if isinstance(result, Overrun):
            from portfolio_check.extract.manifest import MANIFEST_INVALID

            why = {"time": "reading it took too long", "memory": "reading it needed more memory than allowed"}.get(
                result.reason, f"it made the reader stop ({result.detail})")
            result = ExtractionProblem(MANIFEST_INVALID, f"{why}: it is damaged or not really the format its name says. "
                                                         "Open it in Excel and save it again as .xlsx")
        read.append(result)
    return records, read


def _overrun_record(item: IngestedFile, overrun: Overrun, settings: ExtractionSettings) -> FileRecord:
    record = FileRecord(path=item.path, size=item.size, sha256=None, kind="other", format="unknown",
                        description="unknown", modified=item.modified)
    if overrun.reason == "time":
        why = (f"reading it took longer than {settings.seconds_per_file:g} seconds, so it was stopped; it may be "
               "damaged or crafted to stall software")
    elif overrun.reason == "memory":
        why = "reading it needed more memory than allowed; it may be damaged or crafted"
    else:
        why = f"the reader stopped unexpectedly ({overrun.detail})"
    _fail(record, FILE_UNREADABLE, f"{item.path} could not be read: {why}.", SAVE_AGAIN_FIX)
    return record
