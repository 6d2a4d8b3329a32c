"""Old binary Office files (.doc, .ppt, .xls, PowerPoint 4.0 included): `extract_legacy` gives their
title, author, dates and counts from the summary property sets saved beside the document.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO

from portfolio_check.extract.model import Extraction
from portfolio_check.extract.office.package import OLE_SIGNATURE, PROPERTY_LIMIT, _check_size

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
