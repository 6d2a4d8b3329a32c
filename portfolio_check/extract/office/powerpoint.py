"""PowerPoint presentations (.pptx, .pptm, shows and templates): `extract_powerpoint` reads the
slides in the order the show plays them, their notes and text, the counts and core properties, with
the macros, media and linked content the presentation holds.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from portfolio_check.extract.model import Extraction
from portfolio_check.extract.office.findings import _count_images, _package_findings, _TextCollector
from portfolio_check.extract.office.package import (
    _A,
    _R,
    _damaged,
    _inside_fallback,
    _Package,
    _read_main_document,
    _read_part,
    _related_parts,
)

_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"

#: Main-part content types of presentations, shows, templates and their macro-enabled forms.
_PRESENTATION_MAIN_TYPES = frozenset((
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    "application/vnd.ms-powerpoint.template.macroenabled.main+xml",
))
_SLIDE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"
_NOTES_SLIDE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.notesslide+xml"


def extract_powerpoint(stream: BinaryIO, size: int) -> Extraction:
    """Slides, notes, text and core properties of a .pptx/.pptm, with its macros, media and linked content."""
    return _read_main_document(stream, size, "powerpoint", _PRESENTATION_MAIN_TYPES, _powerpoint_extraction)


def _powerpoint_extraction(archive: zipfile.ZipFile, package: _Package, main_part: str, root: Any) -> Extraction:
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
