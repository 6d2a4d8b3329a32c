"""What a person must check by hand: the catalogue's manual checks, made one per clip, scan or statement.

The tool cannot decide whether the person in a clip is the apprentice, whether a signature is
genuine or whether a scan is legible; the catalogue lists such checks (``manual_checks``) and
this module lists them for one portfolio, with what the tool saw that may help. They are not
rules: they never change the verdict.
"""

from __future__ import annotations

from portfolio_check.checks import attribution as attribution_rules
from portfolio_check.checks.context import Context
from portfolio_check.checks.model import Clip, ManualCheck
from portfolio_check.extract.model import SCAN_NOT_READ, FileRecord
from portfolio_check.formatting import plural


def manual_checks(ctx: Context) -> tuple[ManualCheck, ...]:
    """The standard's manual checks for this portfolio, in catalogue order; none without a standard.

    An item ``per`` clip, scan or statement is listed once for each (and not at all when the
    portfolio has none); any other item once for the portfolio.
    """
    standard = ctx.standard
    if standard is None:
        return ()
    subjects: dict[str, list[tuple[str, str | None]]] = {
        "clip": [(clip.path, _clip_note(clip, ctx)) for clip in ctx.clips if clip.kind == "video"],
        "scan": [(record.path, _scan_note(record)) for record in ctx.records.values() if is_scan(record)],
        "statement": [(path, None) for path in sorted(attribution_rules.statement_paths(ctx.attribution))],
    }
    found: list[ManualCheck] = []
    for item in standard.manual_checks:
        if item.per == "portfolio":
            found.append(ManualCheck(item.id, item.item, None, item.why))
            continue
        found += [ManualCheck(item.id, item.item, subject, item.why, note) for subject, note in subjects[item.per]]
    return tuple(found)


def is_scan(record: FileRecord) -> bool:
    """A scanned page or a picture of a document: read by OCR, or a scan that could not be read."""
    metadata = record.metadata or {}
    if record.error is not None:
        return False
    return (metadata.get("text_source") == "ocr" or any(p.code == SCAN_NOT_READ for p in record.problems)
            or (record.kind == "pdf" and bool(metadata.get("image_only") or metadata.get("scanned_pages"))))


def _scan_note(record: FileRecord) -> str:
    metadata = record.metadata or {}
    if metadata.get("text_source") != "ocr":
        return "Its text was not read by the tool."
    pages = metadata.get("ocr_pages")
    confidence = metadata.get("ocr_confidence")
    read = plural(pages, "page") if isinstance(pages, int) else "its pages"
    sure = f", with {confidence:.0f}% mean word confidence" if isinstance(confidence, (int, float)) else ""
    return f"The tool read {read} by OCR ({metadata.get('ocr_engine') or 'OCR'}){sure}."


def _clip_note(clip: Clip, ctx: Context) -> str:
    record = ctx.records.get(clip.path) if clip.embedded_in is None else None
    looked = record.faces if record is not None else None
    if looked is None or looked.frames_sampled == 0:
        return "The tool did not look at its pictures: watch it."
    if not looked.face_seen:
        return f"No face was seen in {plural(looked.frames_sampled, 'sampled frame')}."
    return (f"A face was seen in {looked.frames_with_face} of {plural(looked.frames_sampled, 'sampled frame')}, "
            f"the largest {looked.largest_face:.0%} of the picture's height.")
