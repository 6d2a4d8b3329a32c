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

The modules: `package` (the limits, opening and checking a package, its content types,
relationships and core properties, reading a part), `findings` (what every package says: macros,
media, links, pictures; the text collector), `word`, `powerpoint`, `spreadsheet` (Excel, Strict
workbooks included), `legacy` (old binary files) and `thumbnail` (the saved preview). Import from
the package; tests that change a limit patch it in the module that reads it.
"""

from __future__ import annotations

from portfolio_check.extract.office.legacy import extract_legacy
from portfolio_check.extract.office.package import MAX_MEMBERS, OLE_SIGNATURE, check_package_safety
from portfolio_check.extract.office.powerpoint import extract_powerpoint
from portfolio_check.extract.office.spreadsheet import extract_spreadsheet
from portfolio_check.extract.office.thumbnail import office_thumbnail
from portfolio_check.extract.office.word import extract_word

__all__ = [
    "MAX_MEMBERS", "OLE_SIGNATURE", "check_package_safety", "extract_legacy", "extract_powerpoint",
    "extract_spreadsheet", "extract_word", "office_thumbnail",
]
