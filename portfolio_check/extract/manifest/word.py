"""Word manifests: the first table of a .docx with a manifest header (lxml, no entities or network)."""

from __future__ import annotations

import zipfile
from typing import Any, BinaryIO

from portfolio_check.extract.manifest.model import _READ_ROWS, MANIFEST_INVALID, MAX_COLUMNS, Manifest
from portfolio_check.extract.manifest.office_checks import _ZIP_DAMAGE, _check_package, _damaged
from portfolio_check.extract.manifest.rows import _find_header, details_from_pairs, rows_to_manifest
from portfolio_check.extract.model import ExtractionProblem

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_word_table(stream: BinaryIO, size: int) -> Manifest:
    """The first table of a Word document whose header names the files and KSB columns.

    The package is checked as every Office file is (`office.check_package_safety`) before its main part
    is parsed, with entities, DTDs and the network off. Vertically merged cells (``w:vMerge``) are
    covered cells; horizontally merged ones (``w:gridSpan``) fill their columns so columns line up. A
    two-column table of labels and values (Apprentice | Sam Patel) gives portfolio details.
    """
    _check_package(stream, size, "Word document")
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            root = _parse_xml(archive.read(_word_main_part(archive)))
    except _ZIP_DAMAGE:
        raise _damaged("Word document", "Word") from None
    except _xml_errors() as exc:
        raise ExtractionProblem(MANIFEST_INVALID, "the Word document is damaged: its text could not be read "
                                                  f"({type(exc).__name__}). Open it in Word and save it again.") from None
    tables = list(root.iter(f"{_W}tbl"))[:200]
    details: dict[str, str] = {}
    for number, table in enumerate(tables, start=1):
        rows, covered = _word_table_rows(table)
        if not rows:
            continue
        if _find_header(rows) is not None:
            manifest = rows_to_manifest(rows, covered=covered, place=f"table {number}", manifest_format="docx")
            manifest.details.update({k: v for k, v in details.items() if k not in manifest.details})
            return manifest
        if not details and all(len(r) == 2 for r in rows):
            details = details_from_pairs((r[0], r[1]) for r in rows)
    if not tables:
        raise ExtractionProblem(MANIFEST_INVALID, "the Word document holds no table. Keep the manifest as a table "
                                                  "with the columns Piece, Title, Files and KSBs, or save it as .xlsx.")
    manifest = Manifest(layout="unknown", format="docx", details=details)
    manifest.invalid.append(f"none of the {len(tables)} tables of the Word document has a header row with the "
                            "required columns. Expected Piece, Title, Files and KSBs (list layout) or Piece, Title, "
                            "Files and one column per KSB (grid)")
    return manifest


def _xml_errors() -> tuple[type[BaseException], ...]:
    from lxml import etree

    return (etree.LxmlError,)


def _word_main_part(archive: zipfile.ZipFile) -> str:
    names = {info.filename for info in archive.infolist()}
    if "_rels/.rels" in names:
        rels = _parse_xml(archive.read("_rels/.rels"))
        for rel in rels:
            if str(rel.get("Type", "")).endswith("/officeDocument") and rel.get("TargetMode") != "External":
                target = str(rel.get("Target", "")).lstrip("/")
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise ExtractionProblem(MANIFEST_INVALID, "the file is not a complete Word document: its main part is missing. "
                                              "Open it in Word and save it again.")


def _parse_xml(data: bytes) -> Any:
    """Parse XML without resolving entities, loading a DTD or touching the network (as office/package.py does)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(data, parser)


def _word_table_rows(table: Any) -> tuple[list[list[str]], set[tuple[int, int]]]:
    rows: list[list[str]] = []
    covered: set[tuple[int, int]] = set()
    for tr in table.findall(f"{_W}tr")[:_READ_ROWS]:
        cells: list[str] = []
        for tc in tr.findall(f"{_W}tc"):
            properties = tc.find(f"{_W}tcPr")
            span = 1
            continued = False
            if properties is not None:
                grid_span = properties.find(f"{_W}gridSpan")
                if grid_span is not None:
                    try:
                        span = max(1, min(int(grid_span.get(f"{_W}val", "1")), 64))
                    except ValueError:
                        span = 1
                merge = properties.find(f"{_W}vMerge")
                continued = merge is not None and merge.get(f"{_W}val", "continue") != "restart"
            if continued:
                covered.add((len(rows), len(cells)))
            cells.append("" if continued else _word_cell_text(tc))
            cells.extend([""] * (span - 1))
            if len(cells) >= MAX_COLUMNS:
                break
        rows.append(cells)
    return rows, covered


def _word_cell_text(cell: Any) -> str:
    paragraphs = []
    for paragraph in cell.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
            parts.append(node.text or "" if node.tag == f"{_W}t" else (" " if node.tag == f"{_W}tab" else "\n"))
        paragraphs.append("".join(parts).strip())
    return "\n".join(p for p in paragraphs if p)
