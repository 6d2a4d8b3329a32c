"""Internet shortcuts (Windows ``.url``, macOS ``.webloc``): the address each points to (`extract_link`)."""

from __future__ import annotations

from typing import BinaryIO

from portfolio_check.extract.documents.common import _clean, _require_content
from portfolio_check.extract.documents.text import _decode
from portfolio_check.extract.model import (
    EXTERNAL_LINK,
    FILE_UNREADABLE,
    Extraction,
    ExtractionProblem,
    Problem,
)

#: Bytes of a shortcut that are read; real ones are a few hundred.
LINK_READ_BYTES = 64 * 1024

LINK_EMPTY_MESSAGE = (
    "The shortcut does not say which web page or file it points to, so there is nothing for an "
    "assessor to open."
)
LINK_EMPTY_FIX = (
    "Add the evidence itself to the portfolio instead of a shortcut."
)


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
