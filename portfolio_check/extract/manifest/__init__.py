"""Reads a KSB mapping manifest and ``portfolio.yaml`` into plain data; judges nothing.

Providers keep manifests in two layouts:

- list: one row per piece with ``Piece``, ``Title``, ``Files``, ``KSBs`` (and optional ``Date``,
  ``Description``, ``Witness``, ``Location``);
- grid: ``Piece``, ``Title``, ``Files``, then one column per KSB code with a mark in it;

in Excel (.xlsx, .xlsm, old .xls), OpenDocument (.ods), CSV or a tab-separated .txt, a table
in a Word document (.docx), or YAML/JSON (a list of pieces). The reader is chosen by the file's
content, not its name, so a workbook saved with a .csv name is still read as a workbook.

Header names are matched loosely (case, spaces and punctuation ignored; common synonyms such as
``Evidence`` for ``Title``). An Excel sheet named ``Portfolio`` holds key/value portfolio details.
Whether codes exist in the standard, files exist in the portfolio and so on is for the checks.

How rows become pieces is told in `rows` (`rows_to_manifest`).

A manifest that cannot be read at all raises `ExtractionProblem` (``manifest-invalid``) whose
message says where (sheet and row, line and column) and what to do; rows that cannot be used are
listed in `Manifest.invalid`; what the checks may want to warn about is in `Manifest.notes`.

The modules: `model` (the data read, limits, note kinds), `rows` (cells, codes, headers and rows to
pieces), `text_formats` (CSV, YAML, JSON), `workbooks` (Excel, OpenDocument), `word` (Word tables),
`office_checks` (what those two share), `reading` (`read_manifest`, choosing among the readers),
`choosing` (which file is the manifest) and `details` (``portfolio.yaml``). Import from the package.
"""

from __future__ import annotations

from portfolio_check.dates import parse_date
from portfolio_check.extract.manifest.choosing import choose_manifest, is_manifest_name
from portfolio_check.extract.manifest.details import read_details, read_portfolio_details
from portfolio_check.extract.manifest.model import (
    MANIFEST_INVALID,
    MANIFEST_SUFFIXES,
    MAX_ROWS,
    MAX_TABLE_ROWS,
    CodeReading,
    DetailsNote,
    Manifest,
    ManifestChoice,
    ManifestNote,
    ManifestRow,
    PortfolioDetails,
    SetAside,
)
from portfolio_check.extract.manifest.reading import read_manifest
from portfolio_check.extract.manifest.rows import (
    describe_rows,
    details_from_pairs,
    normalise_header,
    read_codes,
    rows_to_manifest,
    split_codes,
    split_files,
)
from portfolio_check.extract.manifest.text_formats import decode_text

__all__ = [  # parse_date is kept importable from here for the callers that still do
    "MANIFEST_INVALID", "MANIFEST_SUFFIXES", "MAX_ROWS", "MAX_TABLE_ROWS", "CodeReading", "DetailsNote", "Manifest",
    "ManifestChoice", "ManifestNote", "ManifestRow", "PortfolioDetails", "SetAside", "choose_manifest", "decode_text",
    "describe_rows", "details_from_pairs", "is_manifest_name", "normalise_header", "parse_date", "read_codes",
    "read_details", "read_manifest", "read_portfolio_details", "rows_to_manifest", "split_codes", "split_files",
]
