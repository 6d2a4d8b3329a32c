"""Reading KSB mapping manifests: both layouts, CSV, Excel, YAML and JSON, loose headers."""

from __future__ import annotations

import io
import json

import pytest

from portfolio_check.extract.manifest import (
    details_from_pairs,
    parse_date,
    read_manifest,
    split_codes,
    split_files,
)
from portfolio_check.extract.model import ExtractionProblem


def read(data: bytes, name: str):
    return read_manifest(io.BytesIO(data), len(data), name)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_split_codes_and_files() -> None:
    assert split_codes("K1, S9; b3 k01  D10") == ("K1", "S9", "B3", "D10")
    assert split_codes("K1,K1") == ("K1",)
    assert split_codes("") == ()
    assert split_files("week1\\call sheet.docx; ./plan.pdf\nclip.mp4") == ("week1/call sheet.docx", "plan.pdf", "clip.mp4")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-14", "2026-03-14"), ("14/03/2026", "2026-03-14"), ("14 March 2026", "2026-03-14"),
    ("14.03.2026", "2026-03-14"), ("sometime", None), ("", None),
])
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_list_layout_csv_with_loose_headers() -> None:
    data = ("Piece No.,Evidence,File(s),KSBs mapped,Date,Location\n"
            "1,Call sheet,call sheet.docx,\"K1, S9; B3\",14/03/2026,p. 2\n"
            "2,Walkthrough,\"clip.mp4;notes.pdf\",k5 s1,,02:10-03:40\n"
            ",,,,,\n").encode()
    manifest = read(data, "Mapping.csv")
    assert manifest.layout == "list"
    assert [(r.piece, r.title, r.files, r.codes) for r in manifest.rows] == [
        ("1", "Call sheet", ("call sheet.docx",), ("K1", "S9", "B3")),
        ("2", "Walkthrough", ("clip.mp4", "notes.pdf"), ("K5", "S1")),
    ]
    assert manifest.rows[0].date == "2026-03-14" and manifest.rows[0].location == "p. 2"
    assert manifest.rows[0].where == "row 2"
    assert manifest.invalid == []


def test_semicolon_csv_in_cp1252_and_utf16() -> None:
    text = "Piece;Title;Files;KSBs\n1;Budget £ report – final;budget.xlsx;K6\n"
    assert read(text.encode("cp1252"), "manifest.csv").rows[0].title == "Budget £ report – final"
    assert read(text.encode("utf-16"), "manifest.csv").rows[0].codes == ("K6",)


def test_grid_layout_with_marks() -> None:
    data = ("Piece,Title,Files,K1,K2,S1,B3\n"
            "1,Call sheet,a.docx,x,,✓,\n"
            "2,Clip,b.mp4,,yes,,1\n").encode()
    manifest = read(data, "KSB mapping grid.csv")
    assert manifest.layout == "grid"
    assert [r.codes for r in manifest.rows] == [("K1", "S1"), ("K2", "B3")]


def test_row_without_files_and_missing_columns_are_invalid() -> None:
    manifest = read(b"Piece,Title,Files,KSBs\n1,Orphan,,K1\n2,Fine,a.pdf,K2\n", "manifest.csv")
    assert [r.piece for r in manifest.rows] == ["2"]
    assert manifest.invalid == ["row 2 (piece 1) names no files: add the evidence file names in the Files column"]
    missing = read(b"Piece,Title,Notes\n1,A,B\n", "manifest.csv")
    assert missing.layout == "unknown" and "missing files and KSBs" in missing.invalid[0]


def test_excel_list_with_portfolio_sheet_and_title_rows() -> None:
    data = xlsx_bytes({
        "Portfolio": [["Apprentice", "Sam Patel"], ["ULN", 9999999999], ["Employer", "Northern Pictures"],
                      ["Standard", "ST0792"], ["Option", "production-coordinator"], ["Gateway date", "2026-09-01"]],
        "Evidence": [["Portfolio of evidence — KSB mapping"], [],
                     ["Piece", "Title", "Files", "KSBs"],
                     [1, "Call sheet", "call sheet.docx", "K1, S9"],
                     [2, "Risk assessment", "risk.pdf", "K11 S15"]],
    })
    manifest = read(data, "KSB Mapping.xlsx")
    assert manifest.layout == "list"
    assert [r.codes for r in manifest.rows] == [("K1", "S9"), ("K11", "S15")]
    assert manifest.rows[0].where == "row 4"
    assert manifest.details == {"apprentice": "Sam Patel", "uln": "9999999999", "employer": "Northern Pictures",
                                "standard": "ST0792", "option": "production-coordinator",
                                "gateway_date": "2026-09-01"}


def test_excel_grid() -> None:
    data = xlsx_bytes({"Grid": [["Piece", "Title", "Files", "K1", "K2", "S1"],
                                ["P1", "Deck", "deck.pptx", "x", None, "x"],
                                ["P2", "Clip", "clip.mp4", None, "Y", None]]})
    manifest = read(data, "mapping.xlsx")
    assert manifest.layout == "grid"
    assert [(r.piece, r.codes) for r in manifest.rows] == [("P1", ("K1", "S1")), ("P2", ("K2",))]


def test_yaml_and_json_manifests() -> None:
    yaml_text = b"""
portfolio:
  apprentice: Alex Doe
  standard: ST1457
pieces:
  - piece: 1
    title: Rehearsal report
    files: [rehearsal.docx, photos/setup.jpg]
    ksbs: [D1, D3]
  - piece: 2
    title: Props list
    files: props.xlsx
    duties: D5
"""
    manifest = read(yaml_text, "manifest.yaml")
    assert manifest.details == {"apprentice": "Alex Doe", "standard": "ST1457"}
    assert [(r.files, r.codes) for r in manifest.rows] == [
        (("rehearsal.docx", "photos/setup.jpg"), ("D1", "D3")), (("props.xlsx",), ("D5",))]
    as_json = json.dumps([{"Piece": "1", "Title": "A", "Files": ["a.pdf"], "KSBs": "K1 K2"}]).encode()
    assert read(as_json, "mapping.json").rows[0].codes == ("K1", "K2")


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"not a workbook", "manifest.xlsx", "not a readable Excel workbook"),
    (b"pieces: [unclosed", "manifest.yaml", "not valid YAML"),
    (b"{", "manifest.json", "not valid JSON"),
    (b"x", "manifest.docx", "must be a .csv, .xlsx, .yaml or .json file"),
])
def test_unreadable_manifests(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ExtractionProblem) as caught:
        read(data, name)
    assert caught.value.code == "manifest-invalid" and message in caught.value.message


def test_details_keys_match_loosely() -> None:
    assert details_from_pairs([("Apprentice name", "A"), ("Unique Learner Number", 1234567890),
                               ("Start date", "2025-01-06")]) == {
        "apprentice": "A", "uln": "1234567890", "start_date": "2025-01-06"}
