"""Text manifests: CSV (or tab-separated), YAML and JSON, and the YAML reading `details` shares."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from portfolio_check.extract.manifest.model import (
    _READ_ROWS,
    MANIFEST_INVALID,
    MAX_TABLE_ROWS,
    MAX_YAML_NODES,
    Manifest,
)
from portfolio_check.extract.manifest.rows import (
    _HEADER_SYNONYMS,
    _build_pieces,
    _cell_text,
    _Line,
    _short,
    details_from_pairs,
    normalise_header,
    read_codes,
    rows_to_manifest,
    split_files,
)
from portfolio_check.extract.model import ExtractionProblem


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
