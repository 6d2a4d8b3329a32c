"""Cells, KSB codes and headers of a manifest table, and how its rows become pieces.

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
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from portfolio_check.dates import parse_date
from portfolio_check.extract.manifest.model import (
    MAX_COLUMNS,
    MAX_RANGE_SPAN,
    MAX_ROWS,
    MAX_TABLE_ROWS,
    NOTE_CONTINUATION_TITLED,
    NOTE_DATE_UNREADABLE,
    NOTE_KSB_UNREADABLE,
    NOTE_PIECE_NUMBER_REUSED,
    CodeReading,
    Manifest,
    ManifestNote,
    ManifestRow,
)

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
