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

How rows become pieces (`rows_to_manifest`):

- Rows that give the same piece number (``3``, ``03``, ``Piece 3`` and ``P3`` are the same) are one
  piece: their files, codes, descriptions and locations are merged, and its ``where`` names every
  row (``rows 7-9``). When two of those rows give different titles, both non-blank, the piece is
  still kept as one, and a ``piece-number-reused`` note names both rows so the checks can warn.
- A row whose piece cell is blank continues the piece of the row above when that piece has a
  number of its own, or when the cell is covered by a merged cell starting above (Excel, Word).
  If such a row gives a title of its own, different from the piece's, and is not under a merge,
  it is still read as a continuation (a forgotten number would otherwise make a piece up), and a
  ``continuation-titled`` note says so. Without any piece numbers (a blank Piece column, or none),
  every row is a piece of its own, numbered by position.
- A row that holds nothing but a piece number (a numbered template row left empty) is skipped.

A manifest that cannot be read at all raises `ExtractionProblem` (``manifest-invalid``) whose
message says where (sheet and row, line and column) and what to do; rows that cannot be used are
listed in `Manifest.invalid`; what the checks may want to warn about is in `Manifest.notes`.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO

from portfolio_check.dates import parse_date
from portfolio_check.extract.model import FILE_ENCRYPTED, ExtractionProblem

__all__ = [  # parse_date is kept importable from here for the callers that still do
    "MANIFEST_INVALID", "MANIFEST_SUFFIXES", "CodeReading", "DetailsNote", "Manifest", "ManifestChoice",
    "ManifestNote", "ManifestRow", "PortfolioDetails", "SetAside", "choose_manifest", "decode_text",
    "describe_rows", "details_from_pairs", "is_manifest_name", "normalise_header", "parse_date", "read_codes",
    "read_details", "read_manifest", "read_portfolio_details", "rows_to_manifest", "split_codes", "split_files",
]

MANIFEST_INVALID = "manifest-invalid"
#: Pieces read at most; a manifest is one row per piece, so this is generous.
MAX_ROWS = 5000
#: Table rows (or YAML/JSON items) read at most, pieces over several rows included; readers hand on
#: this many and the rows a header may be preceded by, so a longer table is known to be cut.
MAX_TABLE_ROWS = MAX_ROWS * 4
_READ_ROWS = MAX_TABLE_ROWS + 16
MAX_BYTES = 20 * 1024**2
#: Columns read per row: a grid of every KSB of a standard needs about 80.
MAX_COLUMNS = 300
#: Cells a sheet may span before it is read (calamine holds a sheet as one dense grid, so a cell
#: typed at XFD1048576 would make it ask for 17 billion; it aborts rather than raising).
MAX_SHEET_CELLS = 5_000_000
#: The widest range read as a run of codes (``K1-K50``); wider ones are typing slips.
MAX_RANGE_SPAN = 50
#: References a YAML document may make to the same node in all: anchors and aliases can make a
#: small file describe a huge tree (a "billion laughs"), and a manifest has no use for them.
MAX_YAML_NODES = 200_000
DETAILS_MAX_BYTES = 1024**2

#: Suffixes of files that may be manifests, best first for ties (see `choose_manifest`).
MANIFEST_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".yaml", ".yml", ".json", ".docx")

#: Note kinds (`ManifestNote.kind`).
NOTE_PIECE_NUMBER_REUSED = "piece-number-reused"
NOTE_CONTINUATION_TITLED = "continuation-titled"
NOTE_KSB_UNREADABLE = "ksb-unreadable"
NOTE_DATE_UNREADABLE = "date-unreadable"
NOTE_SHEET_IGNORED = "sheet-ignored"

_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "piece": ("piece", "pieceno", "piecenumber", "pieceid", "pieceref", "no", "number", "ref", "reference", "id",
              "evidenceno", "evidencenumber", "evidenceid", "evidenceref", ""),
    "title": ("title", "evidence", "evidencetitle", "piecetitle", "name", "evidencename", "descriptionofevidence"),
    "files": ("files", "file", "filename", "filenames", "path", "paths", "filepath", "filepaths", "document",
              "documents", "evidencefile", "evidencefiles", "link", "links", "location_url"),
    "ksbs": ("ksbs", "ksb", "ksbcodes", "codes", "mappedksbs", "ksbsmapped", "ksbsevidenced", "mapping",
             "duties", "duty", "ksbsduties", "criteria"),
    "date": ("date", "evidencedate", "dated", "datecompleted", "when"),
    "description": ("description", "details", "summary", "notes", "comments"),
    "witness": ("witness", "witnessedby", "witnessname", "witnessstatement"),
    "location": ("location", "where", "pages", "page", "slides", "timestamp", "timestamps", "locationinfile"),
}
_CODE_HEADER = re.compile(r"^\s*([KSBD])\s*0*([1-9][0-9]*)\s*$", re.IGNORECASE)
_MARKS = {"x", "✓", "✔", "✔️", "☑", "yes", "y", "1", "true", "ü", "tick", "✅", "●", "•", "×", "*"}
#: What a grid cell holds when a piece does not evidence the code: nothing to warn about.
_NON_MARKS = {"", "no", "n", "0", "false", "-", "–", "—", "n/a", "na"}
DETAIL_KEYS: dict[str, tuple[str, ...]] = {
    "apprentice": ("apprentice", "apprenticename", "learner", "learnername", "name", "candidate"),
    "uln": ("uln", "uniquelearnernumber", "learnernumber"),
    "employer": ("employer", "employername", "company", "organisation", "organization"),
    "standard": ("standard", "standardreference", "reference", "standardref", "stnumber"),
    "version": ("version", "standardversion"),
    "option": ("option", "pathway", "route", "specialism"),
    "start_date": ("startdate", "start", "programmestart", "apprenticeshipstart"),
    "gateway_date": ("gatewaydate", "gateway", "plannedgateway", "plannedgatewaydate"),
    # Pre-Gateway requirements besides the portfolio: read by the pre-gateway rule, as providers label them.
    "english": ("english", "englishlevel2", "level2english", "englishl2", "englishqualification", "englishachieved",
                "englishstatus", "gcseenglish", "functionalskillsenglish", "englishfunctionalskills"),
    "maths": ("maths", "math", "mathematics", "mathslevel2", "level2maths", "mathsl2", "mathsqualification",
              "mathsachieved", "mathsstatus", "gcsemaths", "functionalskillsmaths", "mathsfunctionalskills"),
    "english_maths": ("englishmaths", "englishandmaths", "mathsandenglish", "englishandmathematics",
                      "englishmathslevel2", "englishandmathslevel2", "level2englishandmaths", "level2englishmaths",
                      "level2mathsandenglish", "englishandmathsachieved", "functionalskills"),
    "declaration_signed": ("declarationsigned", "declaration", "gatewaydeclaration", "gatewaydeclarationsigned",
                           "signeddeclaration", "declarationdate", "datedeclarationsigned"),
    "reasonable_adjustments": ("reasonableadjustments", "reasonableadjustment", "adjustments", "accessarrangements",
                               "reasonableadjustmentsandspecialconsiderations",
                               "reasonableadjustmentsspecialconsiderations"),
    "special_considerations": ("specialconsiderations", "specialconsideration"),
}


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class ManifestNote:
    """Something in the manifest the checks may warn about; the manifest is still used.

    ``kind`` is one of:

    - ``piece-number-reused``: two rows give the same piece number with different titles. They
      were kept as one piece; ``rows`` names the first row of the piece and the row that differs,
      ``text`` the second title.
    - ``continuation-titled``: a row without a piece number, with a title of its own, was read as
      part of the piece above (``rows``: that piece's first row and this row; ``text``: its title).
    - ``ksb-unreadable``: ``text`` in a KSB (or duty) cell, or a grid cell, is not a code or a mark;
      it was ignored (for a range across letters such as ``K19-S3``, its two ends were read).
    - ``date-unreadable``: the date ``text`` could not be read as a date (``12/31/2025``,
      ``Mar-25``, ``2025-13-45``); the piece keeps the text.
    - ``sheet-ignored``: another sheet of the workbook (``text``) also looks like a manifest; only
      the first was read.
    """

    kind: str
    #: Where, for messages: ``row 7``, ``pieces[2] (line 9)``, ``sheet 'Old'``.
    where: str
    #: What is wrong, in plain words for a provider, naming the place and the text.
    message: str
    #: The piece concerned, when there is one.
    piece: str | None = None
    #: The text quoted: the unreadable token or date, the second title, the other sheet's name.
    text: str | None = None
    #: Every place concerned (``("row 7", "row 12")`` for a reused number).
    rows: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManifestRow:
    """One piece of evidence as the manifest states it, over one row or several."""

    #: Where it is in the manifest, for messages: ``row 7``, ``rows 7-9``, ``table 1, row 3``, ``pieces[3]``.
    where: str
    piece: str
    title: str
    #: File names as the manifest gives them, cells split into names (see `split_files`).
    files: tuple[str, ...]
    codes: tuple[str, ...]
    #: The date: ISO when it reads as one, else the text as written (see ``date_iso``/``date_text``).
    date: str | None = None
    description: str | None = None
    witness: str | None = None
    location: str | None = None
    #: The places it was read from, one per row: ``("row 7", "row 8")``.
    rows: tuple[str, ...] = ()
    #: The Files cells as written, one per row that has one (for messages and for the matcher).
    file_cells: tuple[str, ...] = ()
    #: The first date given, as written, and its ISO form when it reads as a date.
    date_text: str | None = None
    date_iso: str | None = None


@dataclass
class Manifest:
    """A manifest's pieces, its layout, details it carries, and why rows could not be used."""

    layout: str
    rows: list[ManifestRow] = field(default_factory=list)
    #: Portfolio details (apprentice, uln, employer, standard, option, dates) found in the manifest.
    details: dict[str, str] = field(default_factory=dict)
    #: Person-readable reasons a row or the layout is unusable (``manifest-invalid``).
    invalid: list[str] = field(default_factory=list)
    #: What the checks may warn about (see `ManifestNote`).
    notes: list[ManifestNote] = field(default_factory=list)
    #: What it was read as: ``xlsx``, ``xls``, ``ods``, ``csv``, ``docx``, ``yaml``, ``json``...
    format: str = ""
    #: The sheet (or Word table) the pieces came from, for messages.
    sheet: str | None = None


@dataclass(frozen=True)
class CodeReading:
    """The codes in one KSB cell, in order without repeats, and the text that is not a code."""

    codes: tuple[str, ...]
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetAside:
    """A manifest candidate not used, and why (``a copy ("(1)" in its name)``)."""

    path: str
    reason: str


@dataclass(frozen=True)
class ManifestChoice:
    """Which of the files that look like manifests to read."""

    #: The preferred manifest, or None when no file looks like one.
    chosen: str | None
    #: Candidates marked as copies, older versions or drafts, or weaker than a spreadsheet (a Word
    #: document beside a spreadsheet manifest): not read, and not evidence either.
    set_aside: tuple[SetAside, ...] = ()
    #: Other candidates as good as ``chosen`` (unmarked). The caller compares their content with the
    #: chosen one's: identical files are harmless copies; different ones make it ``manifest-ambiguous``.
    rivals: tuple[str, ...] = ()
    #: Every candidate, best first.
    ranked: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """True when rivals remain: the caller must compare contents before trusting ``chosen``."""
        return bool(self.rivals)


@dataclass(frozen=True)
class DetailsNote:
    """Something in ``portfolio.yaml`` the checks may warn about; the rest of the file is used.

    ``kind``: ``not-text`` (a list or mapping where one value is expected; the key is ignored),
    ``unknown-key`` (a key the tool does not know that looks like a slip for one it does, named in
    the message), ``repeated-key`` (given twice; the first is used).
    """

    kind: str
    key: str
    line: int | None
    message: str


@dataclass(frozen=True)
class PortfolioDetails:
    """What ``portfolio.yaml`` says: the details the tool uses, the rest kept as written, and notes."""

    #: ``apprentice``, ``uln``, ``employer``, ``standard``, ``version``, ``option``, ``start_date``, ``gateway_date``,
    #: and the pre-Gateway details ``english``, ``maths``, ``english_maths``, ``declaration_signed``,
    #: ``reasonable_adjustments``, ``special_considerations``.
    values: dict[str, str] = field(default_factory=dict)
    #: The line each value is on.
    lines: dict[str, int] = field(default_factory=dict)
    #: Keys the tool does not use (``training_provider``), as written, with their text.
    other: dict[str, str] = field(default_factory=dict)
    notes: tuple[DetailsNote, ...] = ()


# --------------------------------------------------------------------------------------------------
# Cells


def normalise_header(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def split_files(cell: Any) -> tuple[str, ...]:
    """File names in one cell, backslashes turned into ``/``, without ``./``.

    New lines, ``;`` and ``|`` always separate names. Commas separate them only when every part
    looks like a file name with an extension (or a link), since names may hold commas
    (``Report, final.docx``); a cell that is still a list is split by the matcher, which knows the
    portfolio's files (`portfolio_check.checks.matching`).
    """
    found: list[str] = []
    for part in re.split(r"[;\n\r|]+", str(cell or "")):
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) > 1 and all(_FILE_NAME.search(_unquote(p)) or _URL.match(_unquote(p)) for p in pieces):
            found += pieces
        else:
            found.append(part)
    cleaned = (_clean_name(p) for p in found)
    return tuple(p for p in cleaned if p)


def _unquote(text: str) -> str:
    return text.strip().strip('"').strip("'").strip("“”‘’").strip()


def _clean_name(text: str) -> str:
    name = _unquote(text)
    if _URL.match(name):
        return name
    return re.sub(r"^(\./)+", "", name.replace("\\", "/"))


_SPACED_CODE = re.compile(r"(?<![\w])([KSBD])\s+(0*[1-9][0-9]{0,2})(?![\w.])", re.IGNORECASE)
_CODE_WORD = re.compile(r"([KSBD])0*([1-9][0-9]{0,2})", re.IGNORECASE)
_DASHES = "-‐‑‒–—―−~"
_RANGE = re.compile(
    r"(?<![\w])(?P<l1>[KSBD])0*(?P<n1>[1-9][0-9]{0,2})\s*(?:[" + _DASHES + r"]|\bto\b|\bthrough\b|\bthru\b)\s*"
    r"(?:(?P<l2>[KSBD]))?0*(?P<n2>[1-9][0-9]{0,2})(?![\w.])", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;|/\n\r()\[\]{}\"“”‘’+&]+")
_CONNECTORS = {"and", "or", "plus", "also", "ksb", "ksbs", "duty", "duties", "codes", "code", "incl",
               "including", "inc"}
_NOTHING = {"n/a", "na", "none", "-", "–", "—", "nil", "no"}


def read_codes(cell: Any) -> CodeReading:
    """KSB or duty codes in one cell (see `_read_codes`)."""
    return _read_codes(str(cell or "").strip())


@functools.lru_cache(maxsize=4096)  # manifests repeat the same cells row after row
def _read_codes(text: str) -> CodeReading:
    """KSB or duty codes in one cell, upper-cased, in order, without repeats, and what is not a code.

    Codes are separated by anything (``K1, S9; b3 k01  D10``). Ranges within one letter are
    expanded, whatever the dash (``K19-K21``, ``K19–21``, ``K19 to K21``); a range across letters
    (``K19-S3``), running backwards or over `MAX_RANGE_SPAN` codes is not guessed at: its ends are
    read and the range is listed as unreadable. Other words (``etc``, ``K1.1``, ``TBC``) are
    unreadable; a cell saying there is nothing (``n/a``, ``none``) is empty and quiet.
    """
    if not text or text.casefold() in _NOTHING:
        return CodeReading(())
    text = re.sub(r"(?<![\w/])n/a(?![\w/])", " ", _SPACED_CODE.sub(r"\1\2", text), flags=re.IGNORECASE)
    found: list[tuple[int, str]] = []
    unreadable: list[tuple[int, str]] = []

    def on_range(match: re.Match[str]) -> str:
        first, last = int(match["n1"]), int(match["n2"])
        letter, other = match["l1"].upper(), (match["l2"] or match["l1"]).upper()
        if other == letter and first <= last and last - first < MAX_RANGE_SPAN:
            found.extend((match.start(), f"{letter}{n}") for n in range(first, last + 1))
        else:
            found.extend(((match.start(), f"{letter}{first}"), (match.start(), f"{other}{last}")))
            unreadable.append((match.start(), re.sub(r"\s+", " ", match.group(0))))
        return "\x00" * len(match.group(0))  # keeps the positions of what follows

    text = _RANGE.sub(on_range, text)
    for chunk in re.finditer(r"[^\x00]+", text):
        run: list[str] = []
        start = chunk.start()
        for part in _split_keeping_positions(chunk.group(0), chunk.start()):
            position, word = part
            if word is None:  # a separator: ends a run of unreadable words
                _flush(run, start, unreadable)
                run = []
                continue
            bare = word.strip(".:*" + _DASHES)
            code = _CODE_WORD.fullmatch(bare)
            if code:
                _flush(run, start, unreadable)
                run = []
                found.append((position, f"{code.group(1).upper()}{int(code.group(2))}"))
            elif not bare or bare.casefold() in _CONNECTORS:
                _flush(run, start, unreadable)
                run = []
            else:
                if not run:
                    start = position
                run.append(word)
        _flush(run, start, unreadable)
    codes = tuple(dict.fromkeys(code for _, code in sorted(found, key=lambda item: item[0])))
    words = tuple(dict.fromkeys(word[:60] for _, word in sorted(unreadable)))
    return CodeReading(codes, words)


def _split_keeping_positions(text: str, offset: int) -> Iterator[tuple[int, str | None]]:
    """Words (runs of non-separator, non-space characters) with their positions; None for a separator."""
    for match in re.finditer(r"(?P<sep>" + _SEPARATORS.pattern + r")|(?P<word>[^\s,;|/\n\r()\[\]{}\"“”‘’+&]+)", text):
        if match.group("sep"):
            yield offset + match.start(), None
        else:
            yield offset + match.start(), match.group("word")


def _flush(run: list[str], start: int, unreadable: list[tuple[int, str]]) -> None:
    if run:
        unreadable.append((start, " ".join(run)))


def split_codes(cell: Any) -> tuple[str, ...]:
    """KSB or duty codes in one cell (``K1, S9; b3``, ranges expanded); see `read_codes`."""
    return read_codes(cell).codes


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (time, timedelta)):
        return str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _match_columns(headers: Sequence[Any]) -> tuple[dict[str, int], dict[str, int]]:
    """Named columns (field -> index) and code columns (code -> index) of a header row."""
    named: dict[str, int] = {}
    codes: dict[str, int] = {}
    for index, header in enumerate(headers):
        match = _CODE_HEADER.match(_cell_text(header))
        if match:
            codes.setdefault(f"{match.group(1).upper()}{match.group(2)}", index)
            continue
        key = normalise_header(_cell_text(header))
        for name, synonyms in _HEADER_SYNONYMS.items():
            if key and key in synonyms and name not in named:
                named[name] = index
                break
    if "piece" not in named and named:
        # An unlabelled numbering column: the blank header just before the first named column.
        before = min(named.values()) - 1
        if before >= 0 and before not in codes.values() and not _cell_text(headers[before]):
            named["piece"] = before
    return named, codes


def _find_header(rows: Sequence[Sequence[Any]]) -> int | None:
    """The first row (of the first 15) that names the files column and a KSB column or code columns."""
    for index, row in enumerate(rows[:15]):
        named, codes = _match_columns(row)
        if "files" in named and ("ksbs" in named or codes):
            return index
    return None


def describe_rows(numbers: Sequence[int], word: str = "row") -> str:
    """``row 7``, ``rows 7-9``, ``rows 7-8 and 12``: row numbers for a person, runs joined."""
    ordered = sorted(dict.fromkeys(numbers))
    if len(ordered) == 1:
        return f"{word} {ordered[0]}"
    runs: list[list[int]] = []
    for number in ordered:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{word}s {joined}"


# --------------------------------------------------------------------------------------------------
# Rows to pieces


@dataclass
class _Line:
    """One row of a table (or one item of a YAML/JSON list), as read, before rows become pieces."""

    number: int
    where: str
    piece: str
    title: str
    files: tuple[str, ...]
    file_cell: str
    codes: tuple[str, ...]
    #: Text of the KSB cell that is not a code (list layout).
    unreadable: tuple[str, ...]
    date: str
    description: str
    witness: str
    location: str
    #: The piece cell is covered by a merged cell that starts above.
    merged_piece: bool = False
    #: (code, text) of grid cells that hold something other than a mark (grid layout).
    odd_marks: tuple[tuple[str, str], ...] = ()


@dataclass
class _Piece:
    key: object
    lines: list[_Line] = field(default_factory=list)
    numbered: bool = True


def _piece_key(text: str) -> str:
    """``3``, ``03``, ``3.0``, ``Piece 3``, ``P3``, ``#3`` -> ``3``; other ids compare ignoring case and spaces."""
    bare = re.sub(r"\s+", " ", text.strip().casefold())
    match = re.fullmatch(r"(?:piece|evidence|p|no\.?|#)?\s*0*(\d+)(?:\.0+)?", bare)
    return match.group(1) if match else bare


def _same_title(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a.casefold()) == re.sub(r"\W+", "", b.casefold())


def _group_lines(lines: Sequence[_Line], continuation: bool, manifest: Manifest) -> list[_Piece]:
    """Rows to pieces (see the module docstring for the rule)."""
    pieces: dict[object, _Piece] = {}
    previous: _Piece | None = None
    for line in lines:
        if line.piece:
            key: object = _piece_key(line.piece)
            piece = pieces.get(key)
            if piece is None:
                piece = pieces[key] = _Piece(key)
            else:
                title = next((other.title for other in piece.lines if other.title), "")
                if title and line.title and not _same_title(title, line.title):
                    first = piece.lines[0]
                    manifest.notes.append(ManifestNote(
                        NOTE_PIECE_NUMBER_REUSED, line.where,
                        f"{first.where} and {line.where} both give piece number {line.piece}, with different titles "
                        f"('{_short(title)}' and '{_short(line.title)}'); they were read as one piece. If they are "
                        "different pieces, give each its own number.",
                        piece=first.piece, text=line.title, rows=(first.where, line.where)))
        elif continuation and previous is not None and (previous.numbered or line.merged_piece):
            piece = previous
            title = next((other.title for other in piece.lines if other.title), "")
            if line.title and not line.merged_piece and not _same_title(title, line.title):
                manifest.notes.append(ManifestNote(
                    NOTE_CONTINUATION_TITLED, line.where,
                    f"{line.where} has no piece number but a title of its own ('{_short(line.title)}'); it was read as "
                    f"part of piece {piece.lines[0].piece} ({piece.lines[0].where}). If it is a separate piece, "
                    "give it its own number.",
                    piece=piece.lines[0].piece, text=line.title, rows=(piece.lines[0].where, line.where)))
        else:
            key = ("row", line.number)
            piece = pieces[key] = _Piece(key, numbered=False)
        piece.lines.append(line)
        previous = piece
    return list(pieces.values())


def _short(text: str, limit: int = 60) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _build_pieces(lines: list[_Line], continuation: bool, manifest: Manifest, place: str,
                  files_hint: str) -> None:
    """Group the lines into pieces and append them (or why they are unusable) to the manifest."""
    for index, group in enumerate(_group_lines(lines, continuation, manifest)):
        first = group.lines[0]
        piece_id = first.piece if group.numbered else str(index + 1)
        numbers = [line.number for line in group.lines]
        where = _where_of(group.lines, place)
        files = tuple(dict.fromkeys(name for line in group.lines for name in line.files))
        dates = [line for line in group.lines if line.date]
        manifest.notes += _line_notes(group.lines, piece_id)
        if not files:
            verb = "names" if len(numbers) == 1 else "name"
            manifest.invalid.append(f"{where} (piece {piece_id}) {verb} no files: {files_hint}")
            continue
        date_text = dates[0].date if dates else None
        date_iso = parse_date(date_text) if date_text else None
        manifest.rows.append(ManifestRow(
            where=where, piece=piece_id, title=next((line.title for line in group.lines if line.title), piece_id),
            files=files, codes=tuple(dict.fromkeys(code for line in group.lines for code in line.codes)),
            date=date_iso or date_text, description=_joined(line.description for line in group.lines),
            witness=_joined(line.witness for line in group.lines),
            location=_joined(line.location for line in group.lines),
            rows=tuple(line.where for line in group.lines),
            file_cells=tuple(line.file_cell for line in group.lines if line.file_cell),
            date_text=date_text, date_iso=date_iso))
        if len(manifest.rows) >= MAX_ROWS:
            manifest.invalid.append(f"the manifest has more than {MAX_ROWS:,} pieces; only the first {MAX_ROWS:,} were read")
            break


def _line_notes(lines: Sequence[_Line], piece: str) -> list[ManifestNote]:
    """Notes about the cells of a piece's rows: text in a KSB cell or a grid cell that is not a code or
    a mark, and dates that cannot be read."""
    notes: list[ManifestNote] = []
    for line in lines:
        for token in line.unreadable:
            notes.append(ManifestNote(
                NOTE_KSB_UNREADABLE, line.where,
                f"{line.where}: '{token}' in the KSB cell is not a KSB or duty code and was ignored. Write codes "
                "such as K1, S9, B3 or ranges such as K19-K21.", piece=piece, text=token))
        for code, value in line.odd_marks:
            notes.append(ManifestNote(
                NOTE_KSB_UNREADABLE, line.where,
                f"{line.where}: the {code} column holds '{_short(value)}', which is not a mark; it was read as not "
                f"evidencing {code}. Mark the codes a piece evidences with x (or ✓, yes, 1) and leave the others "
                "blank.", piece=piece, text=value))
        if line.date and parse_date(line.date) is None:
            notes.append(ManifestNote(
                NOTE_DATE_UNREADABLE, line.where,
                f"{line.where}: the date '{_short(line.date)}' could not be read. Write it day first, such as "
                "14/03/2026 or 14 March 2026.", piece=piece, text=line.date))
    return notes


def _where_of(lines: Sequence[_Line], place: str) -> str:
    if len(lines) == 1:
        return lines[0].where
    if place == "pieces":
        return " and ".join(line.where for line in lines) if len(lines) == 2 else \
            ", ".join(line.where for line in lines[:-1]) + " and " + lines[-1].where
    described = describe_rows([line.number for line in lines])
    return f"{place}, {described}" if place else described


def _joined(values: Iterable[str]) -> str | None:
    found = list(dict.fromkeys(v for v in values if v))
    return "; ".join(found) if found else None


def rows_to_manifest(rows: Sequence[Sequence[Any]], row_offset: int = 1,
                     covered: frozenset[tuple[int, int]] | set[tuple[int, int]] = frozenset(),
                     place: str = "", manifest_format: str = "") -> Manifest:
    """Build a manifest from a table whose first row is numbered ``row_offset``.

    ``covered`` holds (table row index, column index) of cells covered by a merged cell that starts
    in a row above; ``place`` prefixes row references (``table 2`` in a Word document).
    """
    prefix = f"{place}, " if place else ""
    subject = place or "the manifest"
    header_index = _find_header(rows)
    if header_index is None:
        named, codes = _match_columns(rows[0] if rows else [])
        missing = [n for n in ("files",) if n not in named]
        if "ksbs" not in named and not codes:
            missing.append("KSBs (or one column per KSB code)")
        manifest = Manifest(layout="unknown", format=manifest_format, sheet=place or None)
        manifest.invalid.append(
            f"{subject} has no header row with the required columns: missing " + " and ".join(missing)
            + ". Expected Piece, Title, Files and KSBs (list layout) or Piece, Title, Files and one column per KSB (grid)")
        return manifest
    named, codes = _match_columns(rows[header_index])
    layout = "list" if "ksbs" in named else "grid"
    manifest = Manifest(layout=layout, format=manifest_format, sheet=place or None)
    lines: list[_Line] = []
    piece_column = named.get("piece")
    body = rows[header_index + 1: header_index + 1 + MAX_TABLE_ROWS]
    for index, row in enumerate(body, start=header_index + 1):
        cells = [_cell_text(v) for v in row[:MAX_COLUMNS]]
        if not any(cells):
            continue

        def get(name: str, cells: list[str] = cells) -> str:
            column = named.get(name)
            return cells[column] if column is not None and column < len(cells) else ""

        number = index + row_offset
        where = f"{prefix}row {number}"
        odd: list[tuple[str, str]] = []
        if layout == "list":
            reading = read_codes(get("ksbs"))
            row_codes, unreadable = reading.codes, reading.unreadable
        else:
            marked: list[str] = []
            for code, column in codes.items():
                value = cells[column].strip() if column < len(cells) else ""
                if value.lower() in _MARKS:
                    marked.append(code)
                elif value.lower() not in _NON_MARKS:
                    odd.append((code, value))
            row_codes, unreadable = tuple(marked), ()
        content = [c for i, c in enumerate(cells) if i != piece_column and c]
        if not content:
            continue  # a numbered template row left empty
        file_cell = get("files")
        lines.append(_Line(
            number=number, where=where, piece=get("piece"), title=get("title"), files=split_files(file_cell),
            file_cell=file_cell, codes=row_codes, unreadable=unreadable, date=get("date"),
            description=get("description"), witness=get("witness"), location=get("location"),
            merged_piece=piece_column is not None and (index, piece_column) in covered, odd_marks=tuple(odd)))
    _build_pieces(lines, piece_column is not None, manifest, place,
                  "add the evidence file names in the Files column")
    if len(rows) > header_index + 1 + MAX_TABLE_ROWS:
        manifest.invalid.append(f"the manifest has more than {MAX_TABLE_ROWS:,} rows; only the first {MAX_TABLE_ROWS:,} "
                                "were read")
    return manifest


def details_from_pairs(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Portfolio details from key/value pairs, keys matched loosely; the first value of a key wins."""
    details: dict[str, str] = {}
    for key, value in pairs:
        name = _detail_name(key)
        text = _cell_text(value)
        if name and text and name not in details:
            details[name] = text
    return details


def _detail_name(key: Any) -> str | None:
    normalised = normalise_header(_cell_text(key))
    return next((name for name, synonyms in DETAIL_KEYS.items() if normalised in synonyms), None)


# --------------------------------------------------------------------------------------------------
# Text formats: CSV, YAML, JSON


def decode_text(data: bytes) -> str:
    """Text of a CSV or YAML file: BOM first, then UTF-8, then Windows-1252 (Excel's 'CSV' on Windows)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes | str, manifest_format: str = "csv") -> Manifest:
    """A CSV (or tab-separated) manifest: the delimiter is sniffed; rows are numbered as Excel shows them."""
    text = data if isinstance(data, str) else decode_text(data)
    text = text.replace("\x00", "")  # a NUL stops the csv module; it is never part of a name or code
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= _READ_ROWS:
                break
    except csv.Error as exc:
        raise ExtractionProblem(
            MANIFEST_INVALID, f"row {len(rows) + 1} could not be read as a table row ({exc}). Open the file in Excel, "
            "check that row and save it again as CSV.", where=f"row {len(rows) + 1}") from None
    return rows_to_manifest(rows, manifest_format=manifest_format)


def read_structured(data: Any, lines: Sequence[int | None] | None = None, manifest_format: str = "") -> Manifest:
    """A YAML or JSON manifest: a list of pieces, or ``{portfolio: {...}, pieces: [...]}``.

    ``pieces`` may also map piece numbers to pieces. ``lines`` gives each piece's line, when known.
    """
    details: dict[str, str] = {}
    pieces = data
    if isinstance(data, dict):
        portfolio = data.get("portfolio")
        details = details_from_pairs(portfolio.items()) if isinstance(portfolio, dict) else {}
        pieces = data.get("pieces", data.get("evidence"))
    if isinstance(pieces, dict) and all(isinstance(v, dict) for v in pieces.values()):
        pieces = [{"piece": key, **value} for key, value in pieces.items()]
        lines = None
    if not isinstance(pieces, list):
        manifest = Manifest(layout="unknown", details=details, format=manifest_format)
        manifest.invalid.append("the manifest has no list of pieces (expected a 'pieces' list of "
                                "{piece, title, files, ksbs})")
        return manifest
    manifest = Manifest(layout="list", details=details, format=manifest_format)
    found: list[_Line] = []
    if len(pieces) > MAX_TABLE_ROWS:
        manifest.invalid.append(f"the manifest lists more than {MAX_TABLE_ROWS:,} pieces; only the first "
                                f"{MAX_TABLE_ROWS:,} were read")
    for index, item in enumerate(pieces[:MAX_TABLE_ROWS]):
        line_number = lines[index] if lines and index < len(lines) else None
        where = f"pieces[{index}]" + (f" (line {line_number})" if line_number else "")
        if not isinstance(item, dict):
            manifest.invalid.append(f"{where} is not a mapping with piece, title, files and ksbs")
            continue
        fields = {normalise_header(k): v for k, v in item.items()}

        def pick(name: str, fields: dict[str, Any] = fields) -> Any:
            return next((fields[s] for s in _HEADER_SYNONYMS[name] if s in fields), None)

        files_value = pick("files")
        listed = files_value if isinstance(files_value, list) else [files_value]
        files = tuple(f for v in listed if not isinstance(v, (dict, list)) for f in split_files(_cell_text(v)))
        codes_value = pick("ksbs")
        if isinstance(codes_value, list):
            codes_value = ", ".join(_cell_text(v) for v in codes_value if not isinstance(v, (dict, list)))
        reading = read_codes(_cell_text(codes_value) if not isinstance(codes_value, dict) else "")
        found.append(_Line(
            number=index, where=where, piece=_cell_text(pick("piece")), title=_cell_text(pick("title")), files=files,
            file_cell="\n".join(_cell_text(v) for v in listed if v is not None and not isinstance(v, (dict, list))),
            codes=reading.codes, unreadable=reading.unreadable, date=_cell_text(pick("date")),
            description=_cell_text(pick("description")), witness=_cell_text(pick("witness")),
            location=_cell_text(pick("location"))))
    _build_pieces(found, False, manifest, "pieces", "add the evidence file names under 'files'")
    return manifest


def _yaml_tree(text: str, what: str) -> Any:
    """The YAML document as a node tree, or `ExtractionProblem` naming the line and column and what to do."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.compose(text, Loader=loader_class)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and exc.context_mark is not None and mark.line >= len(text.splitlines()):
            mark = exc.context_mark  # at the end of the file, where the unclosed part opened says more
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        where = f"line {line}, column {column}" if line else None
        shown = ""
        if line:
            lines = text.splitlines()
            if line - 1 < len(lines) and lines[line - 1].strip():
                shown = f" Line {line} reads: '{lines[line - 1].rstrip()[:80]}'."
        raise ExtractionProblem(
            MANIFEST_INVALID,
            f"{what} is not valid YAML{' at ' + where if where else ''}: {_yaml_problem(exc)}.{shown} "
            "Correct it (each line 'key: value', list items starting '- ', the same number of spaces before "
            "keys at the same level, no tabs) and save it again.", where=where) from None
    except yaml.YAMLError as exc:
        raise ExtractionProblem(MANIFEST_INVALID, f"{what} is not valid YAML: {_short(str(exc), 200)}") from None


def _yaml_problem(exc: Any) -> str:
    """PyYAML's problem in plain words."""
    problem = f"{exc.problem or ''} {exc.context or ''}"
    plain = (
        ("found character '\\t'", "a tab is used where YAML needs spaces"),
        ("mapping values are not allowed", ("a colon appears where it cannot: a value holding ': ' must be put in "
                                            "quotes, or this line is indented more than the lines around it")),
        ("could not find expected ':'", "a line has no colon after its key"),
        ("did not find expected key", "the indentation does not line up with the lines above"),
        ("expected <block end>", "the indentation does not line up with the lines above"),
        ("did not find expected '-'", "the indentation of a list does not line up with the items above"),
        ("found unexpected end of stream", "a quote or bracket is opened and never closed"),
        ("expected a single document", "the file holds more than one document (a second '---' line)"),
        ("found undefined alias", "a '*' starts a value without quotes"),
        ("found character '@'", "a value starts with '@' or '`', which must be put in quotes"),
        ("found character '`'", "a value starts with '@' or '`', which must be put in quotes"),
        ("while parsing a flow", "a bracket ('[' or '{') is not closed, or a comma is missing inside it"),
        ("while scanning a quoted scalar", "a quote is opened and never closed"),
    )
    for needle, words in plain:
        if needle in problem:
            return words
    return _short((exc.problem or str(exc)).strip(), 160)


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ExtractionProblem(MANIFEST_INVALID, "the YAML repeats the same parts through anchors and "
                                                      "aliases ('&' and '*') too often to be read. Write the values out.")


def _node_value(node: Any, budget: _Budget) -> Any:
    """Plain data from a YAML node, scalars as written (``01``, ``1.10`` and dates stay text)."""
    import yaml

    budget.spend()
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == "tag:yaml.org,2002:null" else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return [_node_value(item, budget) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        found: dict[str, Any] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value not in found:
                found[str(key.value)] = _node_value(value, budget)
        return found
    return None


def read_yaml(text: str) -> Manifest:
    import yaml

    root = _yaml_tree(text, "the manifest")
    if root is None:
        raise ExtractionProblem(MANIFEST_INVALID, "the manifest is empty: it should list the pieces "
                                                  "(piece, title, files, ksbs)")
    data = _node_value(root, _Budget(MAX_YAML_NODES))
    pieces_node = root
    if isinstance(root, yaml.MappingNode):
        pieces_node = next((value for key, value in root.value if isinstance(key, yaml.ScalarNode)
                            and key.value in ("pieces", "evidence")), None)
    lines = ([item.start_mark.line + 1 for item in pieces_node.value]
             if isinstance(pieces_node, yaml.SequenceNode) else None)
    return read_structured(data, lines, "yaml")


_JSON_PROBLEMS = (
    ("Expecting ',' delimiter", "a comma is missing between two items"),
    ("Expecting property name enclosed in double quotes", ("a name is not in double quotes, or a comma is left "
                                                           "after the last item")),
    ("Expecting value", "a value is missing (or a comma is left after the last item)"),
    ("Expecting ':' delimiter", "a colon is missing after a name"),
    ("Unterminated string", "a quote is opened and never closed"),
    ("Extra data", "there is more after the end of the JSON"),
    ("Invalid control character", "a line break or tab is inside a quoted value"),
    ("Invalid \\escape", "a backslash is not doubled (write \\\\ in file paths)"),
)


def read_json(text: str) -> Manifest:
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        plain = next((words for needle, words in _JSON_PROBLEMS if exc.msg.startswith(needle)), exc.msg)
        where = f"line {exc.lineno}, column {exc.colno}"
        lines = text.splitlines()
        shown = (f" Line {exc.lineno} reads: '{_short(lines[exc.lineno - 1].strip(), 80)}'."
                 if exc.lineno - 1 < len(lines) and lines[exc.lineno - 1].strip() else "")
        raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is not valid JSON at {where}: {plain}.{shown} "
                                                  "Correct it and save it again.", where=where) from None
    except RecursionError:
        raise ExtractionProblem(MANIFEST_INVALID, "the manifest nests brackets too deeply to be a list of pieces") from None
    return read_structured(data, None, "json")


# --------------------------------------------------------------------------------------------------
# Workbooks: .xlsx, .xlsm, .xls, .ods (python-calamine)


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


# --------------------------------------------------------------------------------------------------
# Word: a manifest kept as a table in a .docx


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
    """Parse XML without resolving entities, loading a DTD or touching the network (as office.py does)."""
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


# --------------------------------------------------------------------------------------------------
# Choosing the reader


#: What reading a damaged zip raises: a bad CRC, a truncated or mis-sized stream, a local header whose
#: offset points before the start of the file (OSError from seek), a member with an empty name
#: (IndexError from ZipInfo.is_dir), a name the directory lists but cannot find (KeyError).
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError,
               IndexError, KeyError)


def _damaged(noun: str, application: str) -> ExtractionProblem:
    return ExtractionProblem(MANIFEST_INVALID, f"the {noun} is damaged: parts of it cannot be unpacked (a download or "
                                               f"copy that did not finish?). Copy it again, or open it in {application} "
                                               "and save it again.")


def _check_package(stream: BinaryIO, size: int, noun: str) -> None:
    """Office's package checks, with their messages told as the manifest's."""
    from portfolio_check.extract import office

    application = "Word" if noun.startswith("Word") else "Excel"
    try:
        office.check_package_safety(stream, size)
    except _ZIP_DAMAGE:
        raise _damaged(noun, application) from None
    except ExtractionProblem as problem:
        if problem.code == FILE_ENCRYPTED:
            raise _password_protected(noun, application) from None
        message = problem.message.replace("This Office file", f"This {noun}")
        raise ExtractionProblem(MANIFEST_INVALID, message[:1].lower() + message[1:]) from None


def _password_protected(noun: str, application: str) -> ExtractionProblem:
    return ExtractionProblem(MANIFEST_INVALID, f"the {noun} is password-protected, so it cannot be read. Open it in "
                                               f"{application}, remove the password (File > Info > Protect) and save "
                                               "it again.")


_READABLE = ".xlsx, .xls, .ods or .csv (or a table in a Word .docx, or .yaml or .json)"


def read_manifest(stream: BinaryIO, size: int, name: str) -> Manifest:
    """Read a manifest, choosing the reader by the file's content (its name breaks ties for text).

    Raises `ExtractionProblem` (``manifest-invalid``) with a message for a person when the file
    cannot be read as a manifest at all; never any other exception for what the file holds.
    """
    from portfolio_check.extract.identify import identify, with_article

    if size > MAX_BYTES:
        raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is {size / 1024**2:.0f} MB, far larger than a "
                                                  "mapping of pieces to KSBs; check you chose the right file")
    if size == 0:
        raise ExtractionProblem(MANIFEST_INVALID, "the manifest is empty (0 bytes). Save it again from the program "
                                                  "it was made in.")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    identity = identify(stream, size, name)
    stream.seek(0)
    found = identity.format
    if identity.encrypted or found == "office-encrypted":
        word = suffix in ("docx", "doc") or identity.kind == "word"
        raise _password_protected("Word document" if word else "workbook", "Word" if word else "Excel")
    if found in _WORKBOOK_FORMATS:
        return read_workbook(stream, size, found)
    if found == "xlsb":
        raise ExtractionProblem(MANIFEST_INVALID, "the manifest is a binary Excel workbook (.xlsb), which the tool does "
                                                  "not read. Open it in Excel and save it as .xlsx.")
    if found in ("docx", "docm"):
        return read_word_table(stream, size)
    if identity.kind == "text" and found not in ("rtf", "html", "url"):
        text = decode_text(stream.read(MAX_BYTES))
        if suffix == "json" or (found == "json" and suffix not in ("csv", "tsv", "yaml", "yml")):
            return read_json(text)
        if suffix in ("yaml", "yml") or (found == "yaml" and suffix not in ("csv", "tsv")):
            return read_yaml(text)
        manifest = read_csv(text, "csv" if suffix in ("csv", "tsv") else "txt")
        if manifest.layout == "unknown" and suffix in ("xlsx", "xlsm", "xls", "ods", "xlsb", "docx"):
            raise ExtractionProblem(
                MANIFEST_INVALID, f"the file is not a {'Word document' if suffix == 'docx' else 'workbook'}: it holds "
                f"plain text, though its name ends in .{suffix}. Save the mapping again from the program it was "
                f"made in, as {_READABLE}.")
        if manifest.layout == "unknown" and suffix not in ("csv", "tsv"):
            raise ExtractionProblem(
                MANIFEST_INVALID, "the file is plain text, not a table the tool can read: a text manifest needs a "
                "header row (Piece, Title, Files, KSBs) and columns separated by commas or tabs. Save the "
                f"mapping as {_READABLE}.")
        return manifest
    if suffix in ("xlsx", "xlsm", "xls", "ods", "xlsb") and found in ("zip", "unknown", "ooxml", "ole", "odf"):
        raise ExtractionProblem(
            MANIFEST_INVALID, "the file is not a workbook that can be opened: it is damaged or cut short (a "
            "download or copy that did not finish). Copy it again, or open it in Excel and save it again as .xlsx.")
    if suffix == "docx" and found in ("zip", "unknown", "ooxml", "ole"):
        raise ExtractionProblem(MANIFEST_INVALID, "the file is not a Word document that can be opened: it is damaged "
                                                  "or cut short. Copy it again, or open it in Word and save it again.")
    if found in ("doc", "odt", "rtf"):
        raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is {with_article(identity.description)}; only the "
                                                  "current Word format is read. Open it in Word and save it as .docx, "
                                                  "or keep the table in a spreadsheet (.xlsx).")
    described = "a file the tool does not recognise" if found == "unknown" else with_article(identity.description)
    raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is {described}, not a table of pieces. Save the "
                                              f"mapping as {_READABLE}.")


# --------------------------------------------------------------------------------------------------
# Choosing among copies


#: Marks of a copy or an older version in a file name (the stem, lower case), with the reason given.
_COPY_MARKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s*\(\d+\)$"), "a copy (a number in brackets at the end of its name)"),
    (re.compile(r"[\s_-]+copy(?:\s*\(?\d+\)?)?$"), "a copy ('Copy' in its name)"),
    (re.compile(r"^copy\s+(?:\(\d+\)\s+)?of\s+"), "a copy ('Copy of' in its name)"),
    (re.compile(r"(?:^|[\s_.-])(?:old|older|previous|superseded|archived?)(?:$|[\s_.-])"),
     "an older version ('old' in its name)"),
    (re.compile(r"^old[_-]"), "an older version ('old' in its name)"),
    (re.compile(r"(?:^|[\s_.-])(?:backup|bak)(?:$|[\s_.-])"), "a backup"),
    (re.compile(r"(?:^|[\s_.-])draft(?:$|[\s_.-])"), "a draft"),
)
_FOLDER_MARKS = re.compile(r"^(?:old|older|previous|superseded|archived?|backups?|drafts?|copies)\b")
_VERSION = re.compile(r"(?:^|[\s_(.-])(?:v|ver|version)\s*\.?\s*(\d+(?:\.\d+)*)(?=$|[\s_).-])")
_FINAL = re.compile(r"(?:^|[\s_(.-])final(?:$|[\s_).-])")


def _stem(path: str) -> tuple[str, str]:
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return (name[:dot], name[dot:].lower()) if dot > 0 else (name, "")


def is_manifest_name(path: str) -> bool:
    """A file whose name says it is a manifest: 'manifest' or 'mapping' in it, and a manifest suffix."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(MANIFEST_SUFFIXES) and ("manifest" in name or "mapping" in name) and not name.startswith("~$")


def choose_manifest(paths: Iterable[str]) -> ManifestChoice:
    """Rank the files that look like manifests and set aside copies and older versions.

    Candidates: names holding 'manifest' or 'mapping' with a suffix of `MANIFEST_SUFFIXES`. Set
    aside: names marked as copies (``(1)``, ``- Copy``, ``Copy of``), older versions (``OLD``,
    ``old_``, a lower ``v1`` beside a higher ``v2`` of the same name, a file in an ``Old`` folder),
    backups and drafts; a file marked ``final`` beats unmarked ones. Word documents are candidates only
    when no other kind is (a 'mapping guidance.docx' beside a spreadsheet is not a manifest). If
    everything is marked, the best marked one is used. Best first: the root before sub-folders and
    zips, 'manifest' before 'mapping', then by suffix (`MANIFEST_SUFFIXES` order), then by path.
    """
    candidates = sorted(dict.fromkeys(p for p in paths if is_manifest_name(p)), key=_rank)
    if not candidates:
        return ManifestChoice(None)
    set_aside: dict[str, str] = {}
    for path in candidates:
        stem, _ = _stem(path)
        lowered = stem.lower().strip()
        reason = next((why for pattern, why in _COPY_MARKS if pattern.search(lowered)), None)
        folders = path.lower().replace("!/", "/").split("/")[:-1]
        if reason is None and any(_FOLDER_MARKS.match(folder.strip()) for folder in folders):
            reason = "kept in a folder for old copies"
        if reason:
            set_aside[path] = reason
    pool = [p for p in candidates if p not in set_aside]
    # Versions of the same name: only the highest is current.
    by_base: dict[str, list[tuple[tuple[int, ...], str]]] = {}
    for path in pool:
        stem = _stem(path)[0]
        match = _VERSION.search(stem.lower())
        if match:
            base = (stem.lower()[: match.start()] + stem.lower()[match.end():]).strip(" _-.()")
            version = tuple(int(part) for part in match.group(1).split(".")[:4])
            folder = path.rsplit("/", 1)[0] if "/" in path else ""
            by_base.setdefault(f"{folder}/{base}", []).append((version, path))
    for versions in by_base.values():
        if len(versions) > 1:
            highest = max(versions)
            for version, path in versions:
                if version < highest[0]:
                    set_aside[path] = (f"an older version (v{'.'.join(map(str, version))}; "
                                       f"v{'.'.join(map(str, highest[0]))} is kept)")
    pool = [p for p in pool if p not in set_aside]
    finals = [p for p in pool if _FINAL.search(_stem(p)[0].lower())]
    if finals and len(finals) < len(pool):
        for path in pool:
            if path not in finals:
                set_aside[path] = "not the one marked final"
        pool = finals
    strong = [p for p in pool if not p.lower().endswith(".docx")]
    if strong and len(strong) < len(pool):
        for path in pool:
            if path not in strong:
                set_aside[path] = "a Word document beside a spreadsheet or data manifest"
        pool = strong
    if not pool:  # everything is marked: use the best of them
        chosen = candidates[0]
        del set_aside[chosen]
        rivals: list[str] = []
    else:
        chosen, rivals = pool[0], pool[1:]
    return ManifestChoice(chosen=chosen, set_aside=tuple(SetAside(p, set_aside[p]) for p in candidates if p in set_aside),
                          rivals=tuple(rivals), ranked=tuple(candidates))


def _rank(path: str) -> tuple[bool, int, bool, int, str]:
    name = path.rsplit("/", 1)[-1].lower()
    suffix = next(i for i, s in enumerate(MANIFEST_SUFFIXES) if name.endswith(s))
    return ("!/" in path, path.count("/"), "manifest" not in name, suffix, path)


# --------------------------------------------------------------------------------------------------
# Portfolio details: portfolio.yaml


def read_portfolio_details(stream: BinaryIO, size: int, name: str = "portfolio.yaml") -> PortfolioDetails:
    """Portfolio details from ``portfolio.yaml``: ``key: value`` lines, at the top level or under ``portfolio``.

    Values are kept as written (``uln: 0123456789`` keeps its leading zero, ``version: 1.10`` stays
    1.10). A YAML error raises `ExtractionProblem` naming the line and column and what to do; a list
    or mapping where one value belongs, a repeated key, and an unknown key that looks like a slip
    for a known one are `DetailsNote`s, and the rest of the file is used.
    """
    import yaml

    if size > DETAILS_MAX_BYTES:
        raise ExtractionProblem(MANIFEST_INVALID, f"{name} is larger than 1 MB; it should hold a few details")
    text = decode_text(stream.read(size))
    root = _yaml_tree(text, name)
    if isinstance(root, yaml.MappingNode):
        inner = next((value for key, value in root.value if isinstance(key, yaml.ScalarNode)
                      and normalise_header(key.value) in ("portfolio", "portfoliodetails", "details")
                      and isinstance(value, yaml.MappingNode)), None)
        root = inner or root
    if not isinstance(root, yaml.MappingNode):
        what = "is empty" if root is None or (isinstance(root, yaml.ScalarNode) and not str(root.value).strip()) \
            else "does not hold 'key: value' lines"
        raise ExtractionProblem(MANIFEST_INVALID, f"{name} {what}. Write one detail a line, such as 'apprentice: "
                                                  "Sam Patel', 'uln: 1234567890', 'standard: ST0792'.")
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    other: dict[str, str] = {}
    notes: list[DetailsNote] = []
    known = [synonym for synonyms in DETAIL_KEYS.values() for synonym in synonyms]
    for key_node, value_node in root.value[:500]:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        detail = _detail_name(key)
        if detail is None:
            if isinstance(value_node, yaml.ScalarNode):
                other.setdefault(key, str(value_node.value))
            close = difflib.get_close_matches(normalise_header(key), known, n=1, cutoff=0.75)
            if close:
                meant = _detail_name(close[0]) or close[0]
                notes.append(DetailsNote("unknown-key", key, line, f"line {line}: '{key}' is not a detail the tool "
                                         f"knows; did you mean '{meant}'? It was ignored."))
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            shape = "a list" if isinstance(value_node, yaml.SequenceNode) else "a group of keys"
            notes.append(DetailsNote("not-text", key, line, f"line {line}: '{key}' holds {shape}, where one value is "
                                     f"expected; it was ignored. Write it on one line, such as '{key}: ...'."))
            continue
        value = "" if value_node.tag == "tag:yaml.org,2002:null" else str(value_node.value).strip()
        if not value:
            continue
        if detail in values:
            notes.append(DetailsNote("repeated-key", key, line, f"line {line}: '{key}' gives the {detail.replace('_', ' ')} "
                                     f"again (first on line {lines[detail]}); the first was used."))
            continue
        values[detail], lines[detail] = value, line
    return PortfolioDetails(values=values, lines=lines, other=other, notes=tuple(notes))


def read_details(stream: BinaryIO, size: int) -> dict[str, str]:
    """Portfolio details from ``portfolio.yaml`` as a mapping (see `read_portfolio_details`)."""
    return dict(read_portfolio_details(stream, size).values)
