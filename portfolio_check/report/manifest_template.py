"""Renders a starting KSB mapping manifest for a portfolio: one row per evidence file, ready to fill in.

``portfolio-check manifest init`` uses these functions. Every template they write must read back
through `portfolio_check.extract.manifest.read_manifest` as the same layout, so the headers here are
the reader's canonical names. The functions render only; choosing the files and codes is the caller's.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LAYOUTS = ("list", "grid")
LIST_HEADER = ("Piece", "Title", "Files", "KSBs", "Date", "Location", "Witness", "Description")
GRID_HEADER = ("Piece", "Title", "Files", "Date")

#: Portfolio sheet labels, in order, with the `details` key that prefills each.
DETAIL_LABELS: tuple[tuple[str, str], ...] = (
    ("Apprentice", "apprentice"),
    ("ULN", "uln"),
    ("Employer", "employer"),
    ("Standard", "standard"),
    ("Version", "version"),
    ("Option", "option"),
    ("Start date", "start_date"),
    ("Gateway date", "gateway_date"),
)
KSBS_NOTE = "Codes separated by commas, e.g. K1, S9, B3"
GRID_MARK = "x"
#: The column `manifest init --suggest` adds. The reader matches no column by this name, so it is
#: never read as a claim: the codes it explains are in the KSBs column (or marked in the grid).
SUGGESTED_HEADER = "Suggested (confirm or correct)"
SUGGESTED_NOTE = ("The KSBs filled in (highlighted) were suggested by portfolio-check from the file's text. "
                  "Keep those the piece shows, remove the others, add what it misses.")
#: Light yellow: a cell the provider still has to confirm.
_SUGGESTED_FILL = "FFF2CC"

#: Characters that make Excel (and LibreOffice) treat a CSV cell as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CODE_COLUMN = re.compile(r"^[KSBD][1-9][0-9]*$")
#: A leading running number: "01 ", "1. ", "3) " - but not "1.5 metre" or "2024 budget".
_LEADING_NUMBER = re.compile(r"^\d{1,3}(?:[.)]\s*|\s+)(?=\D)")
_WIDTHS = {"Piece": (7, 7), "Title": (20, 50), "Files": (20, 60), "KSBs": (18, 30), "Date": (12, 12),
           "Location": (14, 24), "Witness": (14, 24), "Description": (30, 60), SUGGESTED_HEADER: (30, 60)}
_CODE_WIDTH = 4.5


def tidy_title(path: str) -> str:
    """A readable title from a file path: ``Work/01_Site-visit report.docx`` -> ``Site visit report``."""
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    text = unicodedata.normalize("NFC", stem)  # macOS stores names decomposed
    text = re.sub(r"\s+", " ", re.sub(r"[_-]+", " ", text)).strip()
    text = _LEADING_NUMBER.sub("", text).strip()
    return text or stem.strip() or name


@dataclass(frozen=True)
class Suggested:
    """What `manifest init --suggest` fills in for one file: the codes its text reads like evidence for."""

    #: (code, score), best first; empty when nothing is suggested.
    codes: tuple[tuple[str, float], ...] = ()
    #: Why nothing is suggested (``no text to read (a photo)``), when nothing is.
    reason: str | None = None

    def note(self) -> str:
        """The Suggested column's cell: the codes and their scores, or why there are none."""
        if self.codes:
            listed = ", ".join(f"{code} {score:.2f}" for code, score in self.codes)
            return f"{listed}: suggested from the file's text; confirm or correct"
        return f"none suggested: {self.reason or 'nothing in its text reads like evidence'}; map it yourself"


def template_rows(files: Sequence[str], codes: Sequence[str], layout: str,
                  suggested: Sequence[Suggested] | None = None) -> list[list[str]]:
    """The header and one row per file, numbered from 1, with the file's tidied name as its title.

    The list layout leaves KSBs to be typed as codes; the grid layout gives each code a column to
    mark. ``codes`` is used only by the grid layout, in the order given. ``suggested`` (one per
    file) fills in each file's suggested codes, as codes or as marks, and adds the
    `SUGGESTED_HEADER` column saying they are suggestions; a grid marks only codes it has a column for.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown manifest layout '{layout}' (choose {' or '.join(LAYOUTS)})")
    extra = [SUGGESTED_HEADER] if suggested is not None else []
    if layout == "list":
        header = list(LIST_HEADER)
        header[header.index("KSBs") + 1:header.index("KSBs") + 1] = extra
    else:
        unique_codes = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
        if not unique_codes:
            # Without code columns the reader would not recognise the header row.
            raise ValueError("a grid manifest needs at least one KSB code for its columns")
        header = [*GRID_HEADER, *extra, *unique_codes]
    if suggested is not None and len(suggested) != len(files):
        raise ValueError(f"{len(suggested)} suggestions for {len(files)} files")
    rows = [header]
    for number, path in enumerate(files, start=1):
        row = [""] * len(header)
        row[0], row[1], row[2] = str(number), tidy_title(path), path
        if suggested is not None:
            found = suggested[number - 1]
            row[header.index(SUGGESTED_HEADER)] = found.note()
            if layout == "list":
                row[header.index("KSBs")] = ", ".join(code for code, _ in found.codes)
            else:
                for code, _ in found.codes:
                    if code in header:
                        row[header.index(code)] = GRID_MARK
        rows.append(row)
    return rows


def names_changed_by_reader(files: Sequence[str]) -> list[str]:
    """Paths the manifest reader would not read back as written, so the caller can warn.

    The reader splits cells at ``;``, ``|`` and new lines, trims spaces, quotes and a leading ``./``
    and turns backslashes into ``/``, so ``notes; draft.docx`` cannot be named in a manifest until
    renamed. ``files`` are portfolio-relative paths with ``/`` between folders.
    """
    from portfolio_check.extract.manifest import split_files

    return [path for path in files if split_files(path) != (path,)]


def guard_formula(text: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula (``=cmd|...``)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(path: Path, rows: list[list[str]]) -> None:
    """UTF-8 with a byte order mark and CRLF lines, so Excel opens accented names correctly."""
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerows([guard_formula(str(cell)) for cell in row] for row in rows)


def _column_width(header: str, values: Sequence[str]) -> float:
    low, high = _WIDTHS.get(header, (12, 40))
    longest = max((len(v) for v in values), default=0)
    return float(min(max(longest + 2, len(header) + 2, low), high))


def _set_text(cell: Any, text: str) -> None:
    """Store ``text`` as text: never as a formula, and without characters Excel cannot save."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula


def write_xlsx(path: Path, rows: list[list[str]], details: Mapping[str, str], guidance: Sequence[str],
               codes_help: Sequence[tuple[str, str]]) -> None:
    """An Excel manifest: the Evidence sheet to fill in, Portfolio details, a KSB lookup and guidance.

    The Evidence sheet comes first and is the only one with a Files column, so the reader cannot
    mistake the KSB lookup sheet for the mapping.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header, body = [str(h) for h in rows[0]], rows[1:]
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    workbook = Workbook()
    workbook.properties.creator = "portfolio-check"

    evidence = workbook.active
    evidence.title = "Evidence"
    for column, title in enumerate(header, start=1):
        cell = evidence.cell(row=1, column=column)
        _set_text(cell, title)
        cell.font = bold
        cell.fill = header_fill
    for row_number, row in enumerate(body, start=2):
        for column, value in enumerate(row, start=1):
            text = str(value)
            if not text:
                continue
            cell = evidence.cell(row=row_number, column=column)
            if header[column - 1] == "Piece" and text.isdigit():
                cell.value = int(text)  # a number, so Excel does not flag "number stored as text"
            else:
                _set_text(cell, text)

    code_columns = [i for i, title in enumerate(header, start=1) if _CODE_COLUMN.match(title)]
    if SUGGESTED_HEADER in header:
        # Suggested codes stand out until the provider confirms them (the fill stays until cleared).
        suggested_fill = PatternFill("solid", fgColor=_SUGGESTED_FILL)
        filled = {i for i, title in enumerate(header, start=1) if title == "KSBs"} | set(code_columns)
        for row_number, row in enumerate(body, start=2):
            for column in filled:
                if str(row[column - 1]):
                    evidence.cell(row=row_number, column=column).fill = suggested_fill
        note = Comment(SUGGESTED_NOTE, "portfolio-check")
        note.width, note.height = 260, 90
        evidence.cell(row=1, column=header.index(SUGGESTED_HEADER) + 1).comment = note
    for column, title in enumerate(header, start=1):
        letter = get_column_letter(column)
        if column in code_columns:
            evidence.column_dimensions[letter].width = _CODE_WIDTH
            evidence.cell(row=1, column=column).alignment = Alignment(textRotation=90, horizontal="center")
        else:
            values = [str(r[column - 1]) for r in body if column - 1 < len(r)]
            evidence.column_dimensions[letter].width = _column_width(title, values)
    last_row = max(len(rows), 2)
    evidence.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_row}"
    if code_columns:
        evidence.freeze_panes = "C2"  # keep piece and title in view while scrolling across codes
        evidence.row_dimensions[1].height = 8 * max(len(header[c - 1]) for c in code_columns) + 6
        marks = DataValidation(type="list", formula1=f'"{GRID_MARK}"', allow_blank=True,
                               errorStyle="warning", showErrorMessage=True,
                               errorTitle="Mark with x",
                               error=f"Put {GRID_MARK} under each KSB this piece evidences, or leave the cell empty.")
        # Cover spare rows too, so pieces added below the template get the same drop-down.
        marks.add(f"{get_column_letter(code_columns[0])}2:{get_column_letter(code_columns[-1])}{last_row + 100}")
        evidence.add_data_validation(marks)
    else:
        evidence.freeze_panes = "A2"
        if "KSBs" in header:
            note = Comment(KSBS_NOTE, "portfolio-check")
            note.width, note.height = 220, 60
            evidence.cell(row=1, column=header.index("KSBs") + 1).comment = note

    portfolio = workbook.create_sheet("Portfolio")
    for row_number, (label, key) in enumerate(DETAIL_LABELS, start=1):
        label_cell = portfolio.cell(row=row_number, column=1)
        _set_text(label_cell, label)
        label_cell.font = bold
        value = str(details.get(key) or "").strip()
        if value:
            _set_text(portfolio.cell(row=row_number, column=2), value)
    portfolio.column_dimensions["A"].width = 16
    portfolio.column_dimensions["B"].width = 40

    if codes_help:
        lookup = workbook.create_sheet("KSBs")
        # "Code" and "Statement" match none of the reader's column names, so this is never the mapping.
        for column, title in enumerate(("Code", "Statement"), start=1):
            cell = lookup.cell(row=1, column=column)
            _set_text(cell, title)
            cell.font = bold
            cell.fill = header_fill
        wrap = Alignment(wrap_text=True, vertical="top")
        for row_number, (code, statement) in enumerate(codes_help, start=2):
            _set_text(lookup.cell(row=row_number, column=1), str(code))
            cell = lookup.cell(row=row_number, column=2)
            _set_text(cell, str(statement))
            cell.alignment = wrap
        lookup.column_dimensions["A"].width = 8
        lookup.column_dimensions["B"].width = 100
        lookup.freeze_panes = "A2"

    if guidance:
        how_to = workbook.create_sheet("How to fill in")
        wrap = Alignment(wrap_text=True, vertical="top")
        for row_number, line in enumerate(guidance, start=1):
            cell = how_to.cell(row=row_number, column=1)
            _set_text(cell, str(line))
            cell.alignment = wrap
        how_to.column_dimensions["A"].width = 100

    workbook.active = 0
    workbook.save(path)


def _create_temporary(folder: Path, name: str) -> Path:
    """An empty new file beside the target, created with the user's usual permissions (not 0600)."""
    for _ in range(100):
        candidate = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"could not create a temporary file in {folder}")


def write_atomically(path: Path, writer: Callable[[Path], object], force: bool) -> None:
    """Have ``writer`` fill a temporary file beside ``path``, then move it into place.

    A failed write leaves no partial template and no temporary file. Without ``force`` an existing
    file is never replaced, even one that appears while the template is being written.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a folder, not a file", str(path))
    if path.exists() and not force:
        raise FileExistsError(17, "File exists", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _create_temporary(path.parent, path.name)
    try:
        writer(temporary)
        if force:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails if the target appeared meanwhile, unlike os.replace
            except FileExistsError:
                raise FileExistsError(17, "File exists", str(path)) from None
            except OSError:  # file systems without hard links (FAT, some network shares)
                if path.exists():
                    raise FileExistsError(17, "File exists", str(path)) from None
                os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
