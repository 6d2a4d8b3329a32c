"""Excel workbooks (.xlsx, .xlsm): `extract_spreadsheet` reads sheet names, row and column counts and
cell text through openpyxl, and Strict Office Open XML workbooks, whose namespaces openpyxl does not
know, directly (`_strict_spreadsheet`).
"""

from __future__ import annotations

import sys
import zipfile
from typing import Any, BinaryIO

from portfolio_check.extract.model import Extraction
from portfolio_check.extract.office.findings import _package_findings, _TextCollector
from portfolio_check.extract.office.package import (
    _inspect_package,
    _main_part,
    _open_zip,
    _Package,
    _random_access,
    _read_part,
    _with_library,
)

#: Spreadsheet scan caps, over all sheets: rows visited and cells visited. Blank rows between rows
#: cost little but count, so a crafted row number cannot make the walk endless; Excel has 1,048,576 rows.
SPREADSHEET_ROW_LIMIT = 1_100_000
SPREADSHEET_CELL_LIMIT = 2_000_000


def extract_spreadsheet(stream: BinaryIO, size: int) -> Extraction:
    """Sheet names, row and column counts and the cell text of an .xlsx/.xlsm (values as last saved)."""
    import warnings

    with _random_access(stream, size, "spreadsheet") as source:
        package = _inspect_package(source, "spreadsheet")
        main_part = _main_part(package, "spreadsheet")
        source.seek(0)
        with warnings.catch_warnings():
            # openpyxl warns about each feature it does not read (data validation, slicers...)
            warnings.simplefilter("ignore")
            workbook = _with_library("spreadsheet", lambda: _open_workbook(source))
            try:
                extraction = _with_library("spreadsheet", lambda: _spreadsheet_extraction(workbook, package, main_part))
            finally:
                workbook.close()
        if not extraction.metadata["sheets"]:
            # openpyxl knows only the Transitional namespaces and finds no sheet in a Strict workbook.
            with _open_zip(source, "spreadsheet") as archive:
                strict = _with_library("spreadsheet", lambda: _strict_spreadsheet(archive, package, main_part))
            if strict is not None:
                return strict
        return extraction


def _open_workbook(source: BinaryIO) -> Any:
    return _import_openpyxl().load_workbook(source, read_only=True, data_only=True, keep_links=False)


def _import_openpyxl() -> Any:
    """openpyxl, imported without numpy.

    openpyxl imports numpy whenever it is installed (opencv-python-headless brings it), only to
    recognise numpy number types in cells it writes. Reading never needs them, and numpy would add
    about 0.17 s to every reader process that opens a spreadsheet (measured on `check`).
    """
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        import openpyxl

        return openpyxl
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail inside openpyxl
    try:
        import openpyxl
    finally:
        del sys.modules["numpy"]
    return openpyxl


def _spreadsheet_extraction(workbook: Any, package: _Package, main_part: str) -> Extraction:
    text = _TextCollector()
    rows = max_columns = rows_visited = cells_visited = 0
    capped = False
    for sheet in workbook.worksheets:
        if capped:
            break
        # read-only sheets pad every row to the size the file declares, which may be wrong or huge
        sheet.reset_dimensions()
        text.add(f"--- sheet {sheet.title} ---")
        for values in sheet.iter_rows(values_only=True):
            rows_visited += 1
            cells_visited += len(values)
            if rows_visited > SPREADSHEET_ROW_LIMIT or cells_visited > SPREADSHEET_CELL_LIMIT:
                capped = True
                break
            used = [index for index, value in enumerate(values) if value is not None and value != ""]
            if used:
                rows += 1
                max_columns = max(max_columns, used[-1] + 1)
                text.add("\t".join("" if value is None else str(value) for value in values[: used[-1] + 1]))
    metadata, problems, media = _package_findings(package, "spreadsheet", main_part)
    metadata.update(
        sheets=list(workbook.sheetnames),
        rows=rows,
        max_columns=max_columns,
        rows_capped=capped,
        text_truncated=text.truncated,
    )
    return Extraction(metadata=metadata, text=text.value(), problems=problems, embedded_media=media)


_STRICT_SPREADSHEET = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def _strict_spreadsheet(archive: zipfile.ZipFile, package: _Package, main_part: str) -> Extraction | None:
    """Sheets, row counts and cell text of a Strict Office Open XML workbook (ISO/IEC 29500 Strict).

    Excel writes these when "Strict Open XML Spreadsheet" is chosen; they differ from ordinary
    workbooks only in their namespaces, which openpyxl does not know. None when the workbook is not Strict.
    """
    root = _read_part(archive, package, main_part, "spreadsheet")
    if root.tag != f"{{{_STRICT_SPREADSHEET}}}workbook":
        return None
    targets = {r.id: r.target for r in package.relationships if r.source == main_part and not r.external}
    shared = _strict_shared_strings(archive, package, main_part)
    text = _TextCollector()
    names: list[str] = []
    rows = max_columns = visited = 0
    for sheet in root.iter(f"{{{_STRICT_SPREADSHEET}}}sheet"):
        name = sheet.get("name") or ""
        names.append(name)
        target = targets.get(sheet.get(f"{{{_STRICT_RELATIONSHIPS}}}id") or "")
        if target not in package.members or visited > SPREADSHEET_ROW_LIMIT:
            continue
        text.add(f"--- sheet {name} ---")
        for row in _read_part(archive, package, target, "spreadsheet").iter(f"{{{_STRICT_SPREADSHEET}}}row"):
            visited += 1
            if visited > SPREADSHEET_ROW_LIMIT:
                break
            values = [_strict_cell_text(cell, shared) for cell in row.iterchildren(f"{{{_STRICT_SPREADSHEET}}}c")]
            used = [index for index, value in enumerate(values) if value]
            if used:
                rows += 1
                max_columns = max(max_columns, used[-1] + 1)
                text.add("\t".join(values[: used[-1] + 1]))
    metadata, problems, media = _package_findings(package, "spreadsheet", main_part)
    metadata.update(sheets=names, rows=rows, max_columns=max_columns, rows_capped=visited > SPREADSHEET_ROW_LIMIT,
                    text_truncated=text.truncated, strict=True)
    return Extraction(metadata=metadata, text=text.value(), problems=problems, embedded_media=media)


def _strict_shared_strings(archive: zipfile.ZipFile, package: _Package, main_part: str) -> list[str]:
    parts = [r.target for r in package.relationships
             if r.source == main_part and r.type == "sharedstrings" and r.target in package.members]
    if not parts:
        return []
    root = _read_part(archive, package, parts[0], "spreadsheet")
    return ["".join(item.itertext()) for item in root.iterchildren(f"{{{_STRICT_SPREADSHEET}}}si")]


def _strict_cell_text(cell: Any, shared: list[str]) -> str:
    value = cell.findtext(f"{{{_STRICT_SPREADSHEET}}}v")
    if cell.get("t") == "s" and value is not None and value.strip().isdigit():
        index = int(value)
        return shared[index] if index < len(shared) else ""
    if cell.get("t") == "inlineStr":
        inline = cell.find(f"{{{_STRICT_SPREADSHEET}}}is")
        return "".join(inline.itertext()) if inline is not None else ""
    return value or ""
