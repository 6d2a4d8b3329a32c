"""Reads a KSB mapping manifest (CSV, Excel, YAML or JSON) into plain rows; judges nothing.

Providers keep manifests in two layouts, both in CSV and Excel:

- list: one row per piece with ``Piece``, ``Title``, ``Files``, ``KSBs`` (and optional ``Date``,
  ``Description``, ``Witness``, ``Location``);
- grid: ``Piece``, ``Title``, ``Files``, then one column per KSB code with a mark in it.

Header names are matched loosely (case, spaces and punctuation ignored; common synonyms such as
``Evidence`` for ``Title``). An Excel sheet named ``Portfolio`` holds key/value portfolio details.
Whether codes exist in the standard, files exist in the portfolio and so on is for the checks.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from portfolio_check.extract.model import ExtractionProblem

MANIFEST_INVALID = "manifest-invalid"
#: Rows read at most; a manifest is one row per piece, so this is generous.
MAX_ROWS = 5000
MAX_BYTES = 20 * 1024**2

_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "piece": ("piece", "pieceno", "piecenumber", "pieceid", "pieceref", "no", "number", "ref", "reference", "id",
              "evidenceno", "evidencenumber", "evidenceid", "evidenceref", ""),
    "title": ("title", "evidence", "evidencetitle", "piecetitle", "name", "evidencename", "descriptionofevidence"),
    "files": ("files", "file", "filename", "filenames", "path", "paths", "filepath", "filepaths", "document",
              "documents", "evidencefile", "evidencefiles"),
    "ksbs": ("ksbs", "ksb", "ksbcodes", "codes", "mappedksbs", "ksbsmapped", "ksbsevidenced", "mapping",
             "duties", "duty", "ksbsduties", "criteria"),
    "date": ("date", "evidencedate", "dated", "datecompleted", "when"),
    "description": ("description", "details", "summary", "notes", "comments"),
    "witness": ("witness", "witnessedby", "witnessname", "witnessstatement"),
    "location": ("location", "where", "pages", "page", "slides", "timestamp", "timestamps", "locationinfile"),
}
_CODE_HEADER = re.compile(r"^\s*([KSBD])\s*0*([1-9][0-9]*)\s*$", re.IGNORECASE)
_CODE_TOKEN = re.compile(r"\b([KSBD])\s?0*([1-9][0-9]{0,2})\b", re.IGNORECASE)
_MARKS = {"x", "✓", "✔", "yes", "y", "1", "true", "ü", "tick", "✅", "●", "•"}
DETAIL_KEYS: dict[str, tuple[str, ...]] = {
    "apprentice": ("apprentice", "apprenticename", "learner", "learnername", "name", "candidate"),
    "uln": ("uln", "uniquelearnernumber", "learnernumber"),
    "employer": ("employer", "employername", "company", "organisation", "organization"),
    "standard": ("standard", "standardreference", "reference", "standardref", "stnumber"),
    "version": ("version", "standardversion"),
    "option": ("option", "pathway", "route", "specialism"),
    "start_date": ("startdate", "start", "programmestart", "apprenticeshipstart"),
    "gateway_date": ("gatewaydate", "gateway", "plannedgateway", "plannedgatewaydate"),
}


@dataclass(frozen=True)
class ManifestRow:
    """One piece of evidence as the manifest states it."""

    #: Where it is in the manifest, for messages: ``row 7`` (spreadsheet numbering) or ``pieces[3]``.
    where: str
    piece: str
    title: str
    files: tuple[str, ...]
    codes: tuple[str, ...]
    date: str | None = None
    description: str | None = None
    witness: str | None = None
    location: str | None = None


@dataclass
class Manifest:
    """A manifest's rows, its layout, details it carries, and why rows could not be used."""

    layout: str
    rows: list[ManifestRow] = field(default_factory=list)
    #: Portfolio details (apprentice, uln, employer, standard, option, dates) found in the manifest.
    details: dict[str, str] = field(default_factory=dict)
    #: Person-readable reasons a row or the layout is unusable (``manifest-invalid``).
    invalid: list[str] = field(default_factory=list)


def normalise_header(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def split_files(cell: Any) -> tuple[str, ...]:
    """File paths in one cell: separated by ``;`` or new lines, backslashes turned into ``/``."""
    parts = re.split(r"[;\n\r|]+", str(cell or ""))
    cleaned = (re.sub(r"^(\./)+", "", p.strip().strip('"').strip("'").strip().replace("\\", "/")) for p in parts)
    return tuple(p for p in cleaned if p)


def split_codes(cell: Any) -> tuple[str, ...]:
    """KSB or duty codes in one cell (``K1, S9; b3``), upper-cased, in order, without repeats."""
    found = [f"{letter.upper()}{number}" for letter, number in _CODE_TOKEN.findall(str(cell or ""))]
    return tuple(dict.fromkeys(found))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(text: str | None) -> str | None:
    """An ISO date from the forms providers type (2026-03-14, 14/03/2026, 14 March 2026), else None."""
    if not text:
        return None
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
                    "%B %Y", "%b %Y", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _match_columns(headers: Sequence[Any]) -> tuple[dict[str, int], dict[str, int]]:
    """Named columns (field -> index) and code columns (code -> index) of a header row."""
    named: dict[str, int] = {}
    codes: dict[str, int] = {}
    for index, header in enumerate(headers):
        match = _CODE_HEADER.match(str(header or ""))
        if match:
            codes.setdefault(f"{match.group(1).upper()}{match.group(2)}", index)
            continue
        key = normalise_header(header)
        for name, synonyms in _HEADER_SYNONYMS.items():
            if key in synonyms and name not in named and (key or name == "piece"):
                named[name] = index
                break
    return named, codes


def _find_header(rows: list[list[Any]]) -> int | None:
    """The first row (of the first 15) that names the files column and a KSB column or code columns."""
    for index, row in enumerate(rows[:15]):
        named, codes = _match_columns(row)
        if "files" in named and ("ksbs" in named or codes):
            return index
    return None


def rows_to_manifest(rows: list[list[Any]], row_offset: int = 1) -> Manifest:
    """Build a manifest from a table (first row at spreadsheet row ``row_offset``)."""
    header_index = _find_header(rows)
    if header_index is None:
        named, codes = _match_columns(rows[0] if rows else [])
        missing = [n for n in ("files",) if n not in named]
        if "ksbs" not in named and not codes:
            missing.append("KSBs (or one column per KSB code)")
        manifest = Manifest(layout="unknown")
        manifest.invalid.append(
            "the manifest has no header row with the required columns: missing " + " and ".join(missing) +
            ". Expected Piece, Title, Files and KSBs (list layout) or Piece, Title, Files and one column per KSB (grid).")
        return manifest
    named, codes = _match_columns(rows[header_index])
    layout = "list" if "ksbs" in named else "grid"
    manifest = Manifest(layout=layout)
    for index, row in enumerate(rows[header_index + 1:], start=header_index + 1 + row_offset):
        cells = [_cell_text(v) for v in row]
        if not any(cells):
            continue

        def get(name: str) -> str:
            column = named.get(name)
            return cells[column] if column is not None and column < len(cells) else ""

        if layout == "list":
            row_codes = split_codes(get("ksbs"))
        else:
            row_codes = tuple(code for code, column in codes.items()
                              if column < len(cells) and cells[column].strip().lower() in _MARKS)
        files = split_files(get("files"))
        piece = get("piece") or str(len(manifest.rows) + 1)
        where = f"row {index}"
        if not files:
            manifest.invalid.append(f"{where} (piece {piece}) names no files: add the evidence file names in the Files column")
            continue
        raw_date = get("date")
        manifest.rows.append(ManifestRow(
            where=where, piece=piece, title=get("title") or piece, files=files, codes=row_codes,
            date=parse_date(raw_date) or (raw_date or None), description=get("description") or None,
            witness=get("witness") or None, location=get("location") or None,
        ))
        if len(manifest.rows) >= MAX_ROWS:
            manifest.invalid.append(f"the manifest has more than {MAX_ROWS:,} pieces; only the first {MAX_ROWS:,} were read")
            break
    return manifest


def details_from_pairs(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Portfolio details from key/value pairs, keys matched loosely."""
    details: dict[str, str] = {}
    for key, value in pairs:
        text = _cell_text(value)
        normalised = normalise_header(key)
        for name, synonyms in DETAIL_KEYS.items():
            if normalised in synonyms and text and name not in details:
                details[name] = text
                break
    return details


def decode_text(data: bytes) -> str:
    """Text of a CSV or YAML file: BOM first, then UTF-8, then Windows-1252 (Excel's 'CSV' on Windows)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes) -> Manifest:
    text = decode_text(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for row in csv.reader(io.StringIO(text), dialect):
        rows.append(row)
        if len(rows) > MAX_ROWS + 20:
            break
    return rows_to_manifest(rows)


def read_xlsx(stream: BinaryIO) -> Manifest:
    from openpyxl import load_workbook  # only Excel manifests need it

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for files that are not workbooks
        raise ExtractionProblem(MANIFEST_INVALID, "the manifest is not a readable Excel workbook "
                                                  f"({type(exc).__name__}); open it in Excel and save it again as .xlsx") from None
    try:
        details: dict[str, str] = {}
        manifest: Manifest | None = None
        for sheet in workbook.worksheets:
            rows = [list(r) for _, r in zip(range(MAX_ROWS + 20), sheet.iter_rows(values_only=True))]
            if normalise_header(sheet.title) in ("portfolio", "portfoliodetails", "details", "apprentice"):
                details = details_from_pairs((r[0], r[1]) for r in rows if len(r) >= 2)
                continue
            if manifest is None and _find_header(rows) is not None:
                manifest = rows_to_manifest(rows)
        if manifest is None:
            first = workbook.worksheets[0]
            manifest = rows_to_manifest([list(r) for _, r in zip(range(20), first.iter_rows(values_only=True))])
        manifest.details.update(details)
        return manifest
    finally:
        workbook.close()


def read_structured(data: Any) -> Manifest:
    """A YAML or JSON manifest: a list of pieces, or ``{portfolio: {...}, pieces: [...]}``."""
    details: dict[str, str] = {}
    pieces = data
    if isinstance(data, dict):
        details = details_from_pairs((k, v) for k, v in (data.get("portfolio") or {}).items()) \
            if isinstance(data.get("portfolio"), dict) else {}
        pieces = data.get("pieces", data.get("evidence"))
    if not isinstance(pieces, list):
        manifest = Manifest(layout="unknown", details=details)
        manifest.invalid.append("the manifest has no list of pieces (expected a 'pieces' list of "
                                "{piece, title, files, ksbs})")
        return manifest
    manifest = Manifest(layout="list", details=details)
    for index, item in enumerate(pieces[:MAX_ROWS]):
        where = f"pieces[{index}]"
        if not isinstance(item, dict):
            manifest.invalid.append(f"{where} is not a mapping with piece, title, files and ksbs")
            continue
        fields = {normalise_header(k): v for k, v in item.items()}

        def pick(name: str) -> Any:
            return next((fields[s] for s in _HEADER_SYNONYMS[name] if s in fields), None)

        files_value = pick("files")
        files = tuple(f for v in files_value for f in split_files(v)) if isinstance(files_value, list) \
            else split_files(files_value)
        codes_value = pick("ksbs")
        codes = split_codes(" ".join(map(str, codes_value)) if isinstance(codes_value, list) else codes_value)
        piece = _cell_text(pick("piece")) or str(index + 1)
        if not files:
            manifest.invalid.append(f"{where} (piece {piece}) names no files: add the evidence file names under 'files'")
            continue
        raw_date = _cell_text(pick("date"))
        manifest.rows.append(ManifestRow(
            where=where, piece=piece, title=_cell_text(pick("title")) or piece, files=files, codes=codes,
            date=parse_date(raw_date) or (raw_date or None), description=_cell_text(pick("description")) or None,
            witness=_cell_text(pick("witness")) or None, location=_cell_text(pick("location")) or None,
        ))
    return manifest


def read_manifest(stream: BinaryIO, size: int, name: str) -> Manifest:
    """Read a manifest by its name's extension. Raises `ExtractionProblem` (``manifest-invalid``)."""
    if size > MAX_BYTES:
        raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is {size / 1024**2:.0f} MB, far larger than a "
                                                  "mapping of pieces to KSBs; check you chose the right file")
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix in ("xlsx", "xlsm"):
        return read_xlsx(stream)
    data = stream.read(MAX_BYTES)
    if suffix == "csv":
        return read_csv(data)
    if suffix in ("yaml", "yml", "json"):
        text = decode_text(data)
        try:
            if suffix == "json":
                import json
                parsed = json.loads(text)
            else:
                import yaml
                parsed = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        except Exception as exc:  # noqa: BLE001 - any parser error means the same to the user
            raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is not valid {suffix.upper()}: "
                                                      f"{str(exc).splitlines()[0][:200]}") from None
        return read_structured(parsed)
    raise ExtractionProblem(MANIFEST_INVALID, "a manifest must be a .csv, .xlsx, .yaml or .json file")


def read_details(stream: BinaryIO, size: int) -> dict[str, str]:
    """Portfolio details from ``portfolio.yaml``: keys at the top level or under ``portfolio``."""
    if size > 1024**2:
        raise ExtractionProblem(MANIFEST_INVALID, "portfolio.yaml is larger than 1 MB; it should hold a few details")
    import yaml

    try:
        data = yaml.load(decode_text(stream.read(size)), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except Exception as exc:  # noqa: BLE001 - any parser error means the same to the user
        raise ExtractionProblem(MANIFEST_INVALID, f"portfolio.yaml is not valid YAML: {str(exc).splitlines()[0][:200]}") from None
    if isinstance(data, dict) and isinstance(data.get("portfolio"), dict):
        data = data["portfolio"]
    if not isinstance(data, dict):
        raise ExtractionProblem(MANIFEST_INVALID, "portfolio.yaml should hold 'key: value' lines "
                                                  "(apprentice, uln, employer, standard, option, ...)")
    return details_from_pairs(data.items())
