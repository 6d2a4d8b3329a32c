"""Workbook manifests (.xlsx, .xlsm, .xls, .ods, read with python-calamine), and the checks of their
size, extent and internal chains made before calamine is given them."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from portfolio_check.extract.manifest.model import (
    _READ_ROWS,
    MANIFEST_INVALID,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_SHEET_CELLS,
    NOTE_SHEET_IGNORED,
    Manifest,
    ManifestNote,
)
from portfolio_check.extract.manifest.office_checks import _ZIP_DAMAGE, _check_package, _damaged, _password_protected
from portfolio_check.extract.manifest.rows import _find_header, details_from_pairs, normalise_header, rows_to_manifest
from portfolio_check.extract.model import ExtractionProblem

#: Binary .xlsb is left out: its sheets are not XML, so `_check_extent` cannot bound them first.
_WORKBOOK_FORMATS = ("xlsx", "xlsm", "xls", "ods")
#: What must never be swallowed while calling calamine, whose panics arrive as BaseException.
_STOPS = (KeyboardInterrupt, SystemExit, GeneratorExit)
_DETAILS_SHEETS = ("portfolio", "portfoliodetails", "details", "apprentice", "apprenticedetails")


def read_workbook(stream: BinaryIO, size: int, workbook_format: str) -> Manifest:
    """A manifest from an Excel or OpenDocument workbook: the first sheet with a manifest header.

    Zip-based workbooks are checked first as any Office file is (`office.check_package_safety`: bombs,
    huge parts, entity declarations), then for cells far beyond the table (`MAX_SHEET_CELLS`).
    Merged cells are known for Excel files; in .ods a merged piece cell reads blank, which is a
    continuation anyway.
    """
    if workbook_format in ("xlsx", "xlsm", "ods"):
        _check_package(stream, size, "workbook")
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                _check_extent(archive, workbook_format)
        except _ZIP_DAMAGE:
            raise _damaged("workbook", "Excel") from None
    else:
        stream.seek(0)
        _check_compound_file(stream.read(MAX_BYTES))
    stream.seek(0)
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        with _quiet_stderr():
            workbook = CalamineWorkbook.from_filelike(stream)
    except PasswordError:
        raise _password_protected("workbook", "Excel") from None
    except _STOPS:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's errors, and a Rust panic (a BaseException)
        raise ExtractionProblem(
            MANIFEST_INVALID, f"the file is not a readable workbook: it is damaged or not really "
            f"{'an OpenDocument' if workbook_format == 'ods' else 'an Excel'} file ({type(exc).__name__}). "
            "Open it in Excel (or LibreOffice) and save it again as .xlsx.") from None
    with workbook:
        return _read_sheets(workbook, workbook_format)


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send what is written to the process's stderr (file descriptor 2) nowhere while calamine runs.

    A panic inside calamine reaches Python as an exception, which is turned into a message, but Rust
    first prints it, with a backtrace when RUST_BACKTRACE is set, straight to file descriptor 2: the
    user's terminal. Readers run in single-threaded sandbox workers, so nothing else is silenced.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _read_sheets(workbook: Any, workbook_format: str) -> Manifest:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    sheets = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    # Visible sheets first: an older copy of the mapping is often kept in a hidden sheet.
    sheets.sort(key=lambda m: m.visible != SheetVisibleEnum.Visible)
    details: dict[str, str] = {}
    manifest: Manifest | None = None
    ignored: list[str] = []
    first_rows: list[list[Any]] | None = None
    first_name = ""
    for meta in sheets:
        rows, covered = _sheet_rows(workbook, meta.name)
        if normalise_header(meta.name) in _DETAILS_SHEETS:
            details = details or details_from_pairs((r[0], r[1]) for r in rows if len(r) >= 2)
            continue
        if first_rows is None:
            first_rows, first_name = rows, meta.name
        if _find_header(rows) is None:
            continue
        if manifest is None:
            manifest = rows_to_manifest(rows, covered=covered, manifest_format=workbook_format)
            manifest.sheet = meta.name
        else:
            ignored.append(meta.name)
    if manifest is None:
        manifest = rows_to_manifest((first_rows or [])[:20], manifest_format=workbook_format)
        manifest.sheet = first_name or None
        if manifest.invalid and first_name:
            manifest.invalid[-1] = f"no sheet has a header row with the required columns (sheet '{first_name}' " \
                                   f"was looked at): " + manifest.invalid[-1].split(": ", 1)[-1]
    for name in ignored:
        manifest.notes.append(ManifestNote(
            NOTE_SHEET_IGNORED, f"sheet '{name}'",
            f"the sheet '{name}' also looks like a manifest; only the sheet '{manifest.sheet}' was read. Delete the "
            "sheet that is not current, or move it to another file.", text=name))
    manifest.details.update({k: v for k, v in details.items() if k not in manifest.details})
    return manifest


def _sheet_rows(workbook: Any, name: str) -> tuple[list[list[Any]], set[tuple[int, int]]]:
    """A sheet's first rows from cell A1 (so indexes are sheet rows), and the cells merges cover."""
    try:
        with _quiet_stderr():
            sheet = workbook.get_sheet_by_name(name)
            rows = [list(row[:MAX_COLUMNS]) for row in sheet.to_python(skip_empty_area=False, nrows=_READ_ROWS)]
            merges = sheet.merged_cell_ranges or []
    except _STOPS:
        raise
    except BaseException as exc:  # noqa: BLE001 - a damaged sheet (or a Rust panic in calamine): say which
        raise ExtractionProblem(MANIFEST_INVALID, f"the sheet '{name}' could not be read: it is damaged "
                                                  f"({type(exc).__name__}). Open the workbook and save it again.",
                                where=f"sheet '{name}'") from None
    covered: set[tuple[int, int]] = set()
    for (top, left), (bottom, right) in merges[:10_000]:
        for row in range(top + 1, min(bottom, len(rows) - 1) + 1):
            for column in range(left, min(right, MAX_COLUMNS - 1) + 1):
                covered.add((row, column))
    return rows, covered


_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE


def _check_compound_file(data: bytes) -> None:
    """Refuse an old-format (OLE) workbook whose internal chains loop, leave the file or promise more
    than it holds. calamine follows them as written: a damaged .xls of 20 KB made it allocate gigabytes
    and run until stopped (found by fuzzing). Every chain is walked here first, bounded by the file.
    """
    damaged = _damaged("workbook", "Excel")
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise damaged
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        raise damaged
    sector_size = 1 << shift
    sectors = (len(data) - 1) // sector_size  # sector 0 starts after the first sector-sized block

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise damaged
        start = (number + 1) << shift
        return data[start:start + sector_size]

    def words(block: bytes) -> list[int]:
        return [int.from_bytes(block[i:i + 4], "little") for i in range(0, len(block) - 3, 4)]

    fat_sectors = [n for n in words(data[76:512]) if n != _FREE]
    difat, seen = int.from_bytes(data[68:72], "little"), set[int]()
    while difat not in (_FREE, _END_OF_CHAIN):
        if difat in seen or len(seen) > sectors:
            raise damaged
        seen.add(difat)
        entries = words(sector(difat))
        fat_sectors += [n for n in entries[:-1] if n != _FREE]
        difat = entries[-1]
    if len(fat_sectors) > sectors:
        raise damaged
    fat = [entry for number in fat_sectors for entry in words(sector(number))]

    def chain(start: int, table: list[int], limit: int) -> int:
        """The length of the chain from ``start``; damaged when it loops, leaves the table or runs long."""
        length, seen_here = 0, set()
        while start != _END_OF_CHAIN:
            if start >= len(table) or start in seen_here or length >= limit:
                raise damaged
            seen_here.add(start)
            start, length = table[start], length + 1
        return length

    directory_sectors = chain(int.from_bytes(data[48:52], "little"), fat, sectors)
    directory = b"".join(sector(n) for n in _chain_members(int.from_bytes(data[48:52], "little"), fat))
    cutoff = int.from_bytes(data[56:60], "little") or 4096
    mini_start = int.from_bytes(data[60:64], "little")
    minifat = ([entry for n in _chain_members(mini_start, fat) for entry in words(sector(n))]
               if mini_start != _END_OF_CHAIN else [])
    root_size = 0
    for offset in range(0, min(len(directory), directory_sectors * sector_size), 128):
        entry = directory[offset:offset + 128]
        kind = entry[66] if len(entry) == 128 else 0
        if kind not in (1, 2, 5):
            continue
        start = int.from_bytes(entry[116:120], "little")
        size = int.from_bytes(entry[120:124], "little") if shift == 9 else int.from_bytes(entry[120:128], "little")
        if kind == 5:
            root_size = size
        if size == 0 or kind == 1:
            continue
        if kind == 2 and size < cutoff:
            if size > root_size or chain(start, minifat, len(minifat) + 1) * 64 < size:
                raise damaged
        elif size > len(data) or chain(start, fat, sectors + 1) * sector_size < size:
            raise damaged


def _chain_members(start: int, table: list[int]) -> Iterator[int]:
    """The sectors of a chain already checked not to loop or leave the table."""
    while start != _END_OF_CHAIN and start < len(table):
        yield start
        start = table[start]


_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
#: The ``r`` reference of a row (``r="7"``) or a cell (``r="B7"``), inside either tag.
_REFERENCE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:row|c)\s[^>]*?\br\s*=\s*[\"']([A-Za-z]{0,3})(\d{1,7})[\"']")
_ODS_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_REPEAT = re.compile(rb"number-(rows|columns)-repeated\s*=\s*[\"'](\d{1,9})[\"']")


def _check_extent(archive: zipfile.ZipFile, workbook_format: str) -> None:
    """Refuse a sheet whose cells span more than `MAX_SHEET_CELLS` (see the constant), before calamine."""
    for info in archive.infolist():
        if not info.filename.lower().endswith(".xml") or info.is_dir():
            continue
        if workbook_format == "ods":
            rows, columns = _ods_extent(archive, info)
        else:
            rows, columns = _xlsx_extent(archive, info)
        if rows * columns > MAX_SHEET_CELLS:
            raise ExtractionProblem(
                MANIFEST_INVALID,
                f"a sheet of the workbook has cells as far as row {rows:,}, column {columns:,}, far beyond a "
                "manifest's table, so it was not read. Delete the rows below and the columns to the right of the "
                "table (Ctrl+End shows the last cell Excel keeps) and save it again.")


def _xml_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in pieces that end after a '>' (so no tag is cut), read a MB at a time."""
    carry = b""
    with archive.open(info) as member:
        while True:
            block = member.read(1024 * 1024)
            if not block:
                break
            data = carry + block
            end = data.rfind(b">") + 1
            carry = data[end:][-65536:]
            yield data[:end]
    if carry:
        yield carry


def _xlsx_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Rows and columns a worksheet part reaches: its row and cell references, and for cells written
    without one (they follow the cell before) the widest row. Any XML part is scanned: only sheets
    hold ``<row>`` and ``<c>`` elements, and a crafted file may hide a sheet under any name."""
    rows = last_row = last_column = tags = referenced = 0
    for chunk in _xml_chunks(archive, info):
        rows += len(_ROW_TAG.findall(chunk))
        tags += len(_CELL_TAG.findall(chunk))
        for letters, number in _REFERENCE.findall(chunk):
            last_row = max(last_row, int(number))
            if letters:
                referenced += 1
                last_column = max(last_column, _column_number(letters))
    widest = _widest_row(archive, info) if tags > referenced else 0
    return max(rows, last_row), max(widest, last_column)


def _widest_row(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    widest = in_row = 0
    for chunk in _xml_chunks(archive, info):
        for match in _SHEET_TAG.finditer(chunk):
            if match.group(1) == b"row":
                widest, in_row = max(widest, in_row), 0
            else:
                in_row += 1
    return max(widest, in_row)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _ods_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The largest sheet's rows and columns up to its last cell with content. Empty repeated cells
    (LibreOffice writes a million of them at the end of every sheet) do not count, as calamine does
    not keep them."""
    largest = (0, 0)
    position = last_row = widest = 0
    row_repeat, column, row_has_content = 1, 0, False
    for chunk in _xml_chunks(archive, info):
        for match in _ODS_TAG.finditer(chunk):
            closing, name, attributes, empty = match.groups()
            if name == b"table":
                if not closing:  # a new sheet: positions start again
                    largest = max(largest, (last_row, widest), key=lambda extent: extent[0] * extent[1])
                    position = last_row = widest = 0
                continue
            repeat = _REPEAT.search(attributes)
            count = min(int(repeat.group(2)), 1 << 24) if repeat else 1
            if name == b"table-row":
                if closing or empty:
                    if row_has_content:
                        last_row = position + row_repeat
                    position += row_repeat
                    row_repeat, column, row_has_content = 1, 0, False
                    continue
                row_repeat, column, row_has_content = count, 0, False
                continue
            if closing:
                continue
            column += count
            if not empty or b"value-type" in attributes:
                row_has_content = True
                widest = max(widest, column)
    return max(largest, (last_row, widest), key=lambda extent: extent[0] * extent[1])
