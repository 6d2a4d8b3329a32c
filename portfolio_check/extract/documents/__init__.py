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

The modules: `common` (what the readers share: the text kept, the empty-file check, `quiet`, `_clean`),
`pdf` (PDFs, and their repair when the index or end is broken), `images` (pictures: size, EXIF facts,
whether they are complete, thumbnails), `exif` (date, camera and location from EXIF tags), `heif`
(HEIC and AVIF pictures, read from their boxes), `text` (plain text, RTF, HTML) and `links` (internet
shortcuts). Import from the package. A limit is looked up in the module that defines it, so a test
that changes one changes it there (``documents.pdf.SPOOL_IN_MEMORY_BYTES``), not on the package.
"""

from __future__ import annotations

from portfolio_check.extract.documents.common import quiet
from portfolio_check.extract.documents.images import extract_image, image_thumbnail
from portfolio_check.extract.documents.links import extract_link
from portfolio_check.extract.documents.pdf import SCAN_PAGE_MAX_TEXT, extract_pdf, repairable
from portfolio_check.extract.documents.text import extract_text

__all__ = [
    "SCAN_PAGE_MAX_TEXT", "extract_image", "extract_link", "extract_pdf", "extract_text", "image_thumbnail", "quiet",
    "repairable",
]
