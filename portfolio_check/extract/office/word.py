"""Word documents (.docx, .docm and their templates): `extract_word` reads the text of the body (content
controls and text boxes included), headers, footers, footnotes and endnotes, the counts and core
properties, with the macros, media, linked content and online videos the document holds.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from portfolio_check.extract.model import Extraction
from portfolio_check.extract.office.findings import _count_images, _package_findings, _TextCollector
from portfolio_check.extract.office.package import (
    _MC_FALLBACK,
    _damaged,
    _inside_fallback,
    _Package,
    _read_main_document,
    _read_part,
    _related_parts,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WEB_VIDEO = "{http://schemas.microsoft.com/office/word/2012/wordprocessingDrawing}webVideoPr"
_IFRAME_SOURCE = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)

#: Main-part content types of documents, templates and their macro-enabled forms (lower case, as
#: `_Package.content_type` gives them).
_WORD_MAIN_TYPES = frozenset((
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
))
#: Word parts besides the body whose text is kept (after the body's).
_WORD_STORY_TYPES = frozenset(
    "application/vnd.openxmlformats-officedocument.wordprocessingml." + name
    for name in ("header+xml", "footer+xml", "footnotes+xml", "endnotes+xml")
)


def extract_word(stream: BinaryIO, size: int) -> Extraction:
    """Text, counts and core properties of a .docx/.docm, with its macros, media and linked content."""
    return _read_main_document(stream, size, "word", _WORD_MAIN_TYPES, _word_extraction)


def _word_extraction(archive: zipfile.ZipFile, package: _Package, main_part: str, root: Any) -> Extraction:
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
