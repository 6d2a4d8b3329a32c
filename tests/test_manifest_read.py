"""Reading KSB mapping manifests: both layouts, CSV, Excel (.xlsx, .xls), .ods, Word tables, YAML and JSON, loose
headers, and the habits of providers who write them (pieces over several rows, ranges, copies)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from portfolio_check.extract.manifest import (
    CodeReading,
    choose_manifest,
    details_from_pairs,
    parse_date,
    read_codes,
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
    data = (b"Piece No.,Evidence,File(s),KSBs mapped,Date,Location\n"
            b"1,Call sheet,call sheet.docx,\"K1, S9; B3\",14/03/2026,p. 2\n"
            b"2,Walkthrough,\"clip.mp4;notes.pdf\",k5 s1,,02:10-03:40\n"
            b",,,,,\n")
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
    (b"not a workbook", "manifest.xlsx", "the file is not a workbook: it holds plain text"),
    (b"pieces: [unclosed", "manifest.yaml", "not valid YAML at line 1"),
    (b"{", "manifest.json", "not valid JSON at line 1, column 2"),
    (b"x", "manifest.docx", "the file is not a Word document: it holds plain text"),
    (b"", "manifest.csv", "the manifest is empty (0 bytes)"),
])
def test_unreadable_manifests(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ExtractionProblem) as caught:
        read(data, name)
    assert caught.value.code == "manifest-invalid" and message in caught.value.message


def test_details_keys_match_loosely() -> None:
    assert details_from_pairs([("Apprentice name", "A"), ("Unique Learner Number", 1234567890),
                               ("Start date", "2025-01-06")]) == {
        "apprentice": "A", "uln": "1234567890", "start_date": "2025-01-06"}


# ------------------------------------------------------------------------------------------------
# Issue 14: manifests as providers make them

FIXTURES = Path(__file__).resolve().parent / "data" / "manifests"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def xlsx_with(rows: list[list[object]], merges: tuple[str, ...] = (), title: str = "Evidence",
              extra: dict[str, list[list[object]]] | None = None, hidden: tuple[str, ...] = ()) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for name, more in (extra or {}).items():
        other = workbook.create_sheet(name)
        for row in more:
            other.append(row)
        if name in hidden:
            other.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problem_of(data: bytes, name: str) -> ExtractionProblem:
    with pytest.raises(ExtractionProblem) as caught:
        read(data, name)
    assert caught.value.code == "manifest-invalid"
    return caught.value


def pieces(manifest) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    return [(r.where, r.piece, r.files, r.codes) for r in manifest.rows]


def test_repeated_piece_numbers_are_one_piece_with_files_and_codes_merged() -> None:
    data = (b"Piece,Title,Files,KSBs\n"
            b"1,Call sheet,call sheet.docx,K1\n"
            b"1,Call sheet,call sheet notes.pdf,S9\n"
            b"01,,photo.jpg,B3\n"
            b"2,Risk assessment,risk.pdf,K11\n")
    manifest = read(data, "KSB mapping.csv")
    assert pieces(manifest) == [
        ("rows 2-4", "1", ("call sheet.docx", "call sheet notes.pdf", "photo.jpg"), ("K1", "S9", "B3")),
        ("row 5", "2", ("risk.pdf",), ("K11",)),
    ]
    assert manifest.rows[0].rows == ("row 2", "row 3", "row 4")
    assert manifest.notes == []


def test_blank_piece_cells_continue_the_piece_above() -> None:
    data = (b"Piece,Title,Files,KSBs\n"
            b"1,Call sheet,call sheet.docx,K1\n"
            b",,notes.pdf,S9\n"
            b",,,B3\n"
            b"2,Risk,risk.pdf,K11\n"
            b"3,Budget,budget.xlsx,K6\n"
            b",,budget notes.docx,S4\n")
    manifest = read(data, "mapping.csv")
    assert pieces(manifest) == [
        ("rows 2-4", "1", ("call sheet.docx", "notes.pdf"), ("K1", "S9", "B3")),
        ("row 5", "2", ("risk.pdf",), ("K11",)),
        ("rows 6-7", "3", ("budget.xlsx", "budget notes.docx"), ("K6", "S4")),
    ]


def test_merged_piece_cells_in_excel_are_one_piece_whose_rows_are_named() -> None:
    rows: list[list[object]] = [["Piece", "Title", "Files", "KSBs"]]
    for number in range(1, 19):
        rows.append([number, f"Piece {number}", f"piece {number}.docx", f"K{number}"])
    rows[7:7] = [[None, None, "piece 6 photos.jpg", "S1"], [None, None, "piece 6 clip.mp4", "S2"]]
    data = xlsx_with(rows, merges=("A7:A9", "B7:B9"))
    manifest = read(data, "KSB mapping.xlsx")
    assert len(manifest.rows) == 18
    six = next(r for r in manifest.rows if r.piece == "6")
    assert six.where == "rows 7-9" and six.title == "Piece 6"
    assert six.files == ("piece 6.docx", "piece 6 photos.jpg", "piece 6 clip.mp4") and six.codes == ("K6", "S1", "S2")
    seven = next(r for r in manifest.rows if r.piece == "7")
    assert seven.where == "row 10" and seven.files == ("piece 7.docx",)
    assert manifest.notes == [] and manifest.invalid == []


def test_a_merged_piece_cell_with_titles_per_row_is_still_one_piece_without_a_note() -> None:
    data = xlsx_with([["Piece", "Title", "Files", "KSBs"], [1, "Call sheet", "a.docx", "K1"],
                      [None, "Call sheet, revised", "b.docx", "K2"], [2, "Risk", "r.pdf", "K3"]], merges=("A2:A3",))
    manifest = read(data, "mapping.xlsx")
    assert pieces(manifest) == [("rows 2-3", "1", ("a.docx", "b.docx"), ("K1", "K2")), ("row 4", "2", ("r.pdf",), ("K3",))]
    assert manifest.notes == []


def test_a_blank_piece_number_with_its_own_title_is_read_as_a_continuation_with_a_note() -> None:
    manifest = read(b"Piece,Title,Files,KSBs\n1,Call sheet,a.docx,K1\n,Props list,props.xlsx,K2\n", "mapping.csv")
    assert pieces(manifest) == [("rows 2-3", "1", ("a.docx", "props.xlsx"), ("K1", "K2"))]
    [note] = manifest.notes
    assert note.kind == "continuation-titled" and note.rows == ("row 2", "row 3") and note.text == "Props list"
    assert "row 3 has no piece number" in note.message and "part of piece 1 (row 2)" in note.message


def test_two_different_pieces_given_the_same_number_are_kept_as_one_with_a_note_naming_both_rows() -> None:
    data = b"Piece,Title,Files,KSBs\n1,Call sheet,a.docx,K1\n2,Risk assessment,r.pdf,K2\n2,Budget,b.xlsx,K3\n"
    manifest = read(data, "mapping.csv")
    assert pieces(manifest) == [("row 2", "1", ("a.docx",), ("K1",)),
                                ("rows 3-4", "2", ("r.pdf", "b.xlsx"), ("K2", "K3"))]
    [note] = manifest.notes
    assert note.kind == "piece-number-reused" and note.piece == "2" and note.rows == ("row 3", "row 4")
    assert "row 3 and row 4 both give piece number 2" in note.message and "'Budget'" in note.message


def test_without_piece_numbers_every_row_is_a_piece() -> None:
    manifest = read(b"Piece,Title,Files,KSBs\n,A,a.docx,K1\n,B,b.docx,K2\n", "mapping.csv")
    assert pieces(manifest) == [("row 2", "1", ("a.docx",), ("K1",)), ("row 3", "2", ("b.docx",), ("K2",))]
    no_column = read(b"Title,Files,KSBs\nA,a.docx,K1\nB,b.docx,K2\n", "mapping.csv")
    assert [r.piece for r in no_column.rows] == ["1", "2"]


def test_numbered_template_rows_left_empty_are_skipped_and_a_piece_without_files_is_invalid() -> None:
    manifest = read(b"Piece,Title,Files,KSBs\n1,A,a.docx,K1\n2,B,,K2\n,,,S1\n3\n4\n", "mapping.csv")
    assert [r.piece for r in manifest.rows] == ["1"]
    assert manifest.invalid == ["rows 3-4 (piece 2) name no files: add the evidence file names in the Files column"]


@pytest.mark.parametrize(("cell", "codes"), [
    ("K19-K21", ("K19", "K20", "K21")),
    ("K19–K21", ("K19", "K20", "K21")),
    ("K19 — K21", ("K19", "K20", "K21")),
    ("K19 to K21", ("K19", "K20", "K21")),
    ("K19-21", ("K19", "K20", "K21")),
    ("k19 to 21, S1", ("K19", "K20", "K21", "S1")),
    ("D1-D3", ("D1", "D2", "D3")),
    ("S2, K1-K2; B3", ("S2", "K1", "K2", "B3")),
    ("K 7 and S 03", ("K7", "S3")),
])
def test_ksb_ranges_expand_within_one_letter(cell: str, codes: tuple[str, ...]) -> None:
    assert read_codes(cell) == CodeReading(codes, ())


@pytest.mark.parametrize(("cell", "codes", "unreadable"), [
    ("K1, K2 etc", ("K1", "K2"), ("etc",)),
    ("K1.1, S2", ("S2",), ("K1.1",)),
    ("K1S9", (), ("K1S9",)),
    ("TBC", (), ("TBC",)),
    ("K19-S3", ("K19", "S3"), ("K19-S3",)),
    ("K21-K19", ("K21", "K19"), ("K21-K19",)),
    ("K1-K99", ("K1", "K99"), ("K1-K99",)),
    ("K1 (see evidence log)", ("K1",), ("see evidence log",)),
    ("n/a", (), ()),
    ("K1, n/a", ("K1",), ()),
])
def test_tokens_that_are_not_codes_are_kept_for_a_warning(cell: str, codes: tuple[str, ...],
                                                          unreadable: tuple[str, ...]) -> None:
    assert read_codes(cell) == CodeReading(codes, unreadable)


def test_unreadable_ksb_tokens_become_notes_quoting_them_with_the_row() -> None:
    manifest = read(b"Piece,Title,Files,KSBs\n1,A,a.docx,\"K1, K2 etc\"\n2,B,b.docx,K19-21\n", "mapping.csv")
    assert [r.codes for r in manifest.rows] == [("K1", "K2"), ("K19", "K20", "K21")]
    [note] = manifest.notes
    assert (note.kind, note.where, note.piece, note.text) == ("ksb-unreadable", "row 2", "1", "etc")
    assert "'etc'" in note.message


def test_a_grid_cell_that_is_not_a_mark_is_a_note() -> None:
    manifest = read(b"Piece,Title,Files,K1,K2,S1\n1,Deck,deck.pptx,x,partly,no\n", "mapping.csv")
    assert manifest.rows[0].codes == ("K1",)
    [note] = manifest.notes
    assert note.kind == "ksb-unreadable" and note.text == "partly" and "the K2 column holds 'partly'" in note.message


@pytest.mark.parametrize(("cell", "files"), [
    ("a.docx, b.pdf", ("a.docx", "b.pdf")),
    ("a.docx;b.pdf", ("a.docx", "b.pdf")),
    ("a.docx\nb.pdf", ("a.docx", "b.pdf")),
    ("Report, final.docx", ("Report, final.docx",)),
    ("Report, final.docx, clip.mp4", ("Report, final.docx, clip.mp4",)),
    ('"week 3\\call sheet.docx"', ("week 3/call sheet.docx",)),
    ("https://x.sharepoint.com/a/b.docx?web=1, c.pdf", ("https://x.sharepoint.com/a/b.docx?web=1", "c.pdf")),
])
def test_file_cells_split_only_where_each_part_names_a_file(cell: str, files: tuple[str, ...]) -> None:
    assert split_files(cell) == files


def test_the_raw_files_cell_is_kept() -> None:
    manifest = read(b'Piece,Title,Files,KSBs\n1,A,"Report, final.docx, clip.mp4",K1\n1,,b.pdf,K2\n', "mapping.csv")
    assert manifest.rows[0].file_cells == ("Report, final.docx, clip.mp4", "b.pdf")


def test_dates_keep_the_text_and_the_iso_form_and_unreadable_ones_are_notes() -> None:
    data = (b"Piece,Title,Files,KSBs,Date\n1,A,a.docx,K1,14/03/2026\n2,B,b.docx,K2,12/31/2025\n"
            b"3,C,c.docx,K3,Mar-25\n4,D,d.docx,K4,2025-13-45\n5,E,e.docx,K5,\n")
    manifest = read(data, "mapping.csv")
    assert [(r.date_text, r.date_iso, r.date) for r in manifest.rows] == [
        ("14/03/2026", "2026-03-14", "2026-03-14"), ("12/31/2025", None, "12/31/2025"), ("Mar-25", None, "Mar-25"),
        ("2025-13-45", None, "2025-13-45"), (None, None, None)]
    assert [(n.kind, n.where, n.text) for n in manifest.notes] == [
        ("date-unreadable", "row 3", "12/31/2025"), ("date-unreadable", "row 4", "Mar-25"),
        ("date-unreadable", "row 5", "2025-13-45")]


def test_excel_dates_are_read_as_dates() -> None:
    from datetime import date, datetime

    data = xlsx_with([["Piece", "Title", "Files", "KSBs", "Date"], [1, "A", "a.docx", "K1", date(2026, 3, 14)],
                      [2, "B", "b.docx", "K2", datetime(2026, 3, 15, 9, 30)]])
    assert [(r.date_text, r.date_iso) for r in read(data, "mapping.xlsx").rows] == [
        ("2026-03-14", "2026-03-14"), ("2026-03-15T09:30", "2026-03-15")]


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_written_by_an_office_suite_are_read_with_merged_rows(suffix: str) -> None:
    data = (FIXTURES / f"merged manifest.{suffix}").read_bytes()
    manifest = read(data, f"merged manifest.{suffix}")
    assert manifest.format == suffix and manifest.sheet == "Evidence"
    assert pieces(manifest) == [
        ("rows 4-6", "1", ("call sheet.docx", "call sheet notes.pdf"), ("K1", "K2", "K3", "K4", "S9", "B3")),
        ("row 7", "2", ("risk.pdf",), ("K11", "K12", "K13")),
        ("row 8", "3", ("clip.mp4",), ("S1",)),
    ]
    assert [(r.date_text, r.date_iso) for r in manifest.rows] == [
        ("2026-03-14", "2026-03-14"), ("12/31/2025", None), ("14/03/2026", "2026-03-14")]
    assert manifest.details == {"apprentice": "Sam Patel", "uln": "9999999999", "standard": "ST0792"}


def test_a_workbook_is_read_by_its_content_whatever_its_name() -> None:
    data = (FIXTURES / "merged manifest.xls").read_bytes()
    assert len(read(data, "KSB mapping.csv").rows) == 3
    assert len(read(xlsx_with([["Piece", "Title", "Files", "KSBs"], [1, "A", "a.docx", "K1"]]), "mapping.xls").rows) == 1


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_truncated_workbook_says_it_is_not_a_workbook(suffix: str) -> None:
    whole = (xlsx_with([["Piece", "Title", "Files", "KSBs"], [1, "A", "a.docx", "K1"]]) if suffix == "xlsx"
             else (FIXTURES / f"merged manifest.{suffix}").read_bytes())
    problem = problem_of(whole[: len(whole) // 2], f"KSB mapping.{suffix}")
    assert "not" in problem.message and "workbook" in problem.message
    assert "Traceback" not in problem.message


def test_a_workbook_with_a_cell_far_beyond_the_table_is_refused_before_it_is_loaded() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Piece", "Title", "Files", "KSBs"])
    workbook.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    problem = problem_of(buffer.getvalue(), "mapping.xlsx")
    assert "row 1,048,576, column 16,384" in problem.message and "Ctrl+End" in problem.message


def test_a_password_protected_workbook_says_so() -> None:
    candidates = sorted((CORPUS / "wild" / "encrypted_legacy_office").glob("*.xls")) if CORPUS.is_dir() else []
    if not candidates:
        pytest.skip("the shared corpus of encrypted Office files is not beside the repository")
    for path in candidates:
        problem = problem_of(path.read_bytes(), "KSB mapping.xls")
        assert "password-protected" in problem.message, path.name


def test_an_old_copy_in_a_hidden_sheet_and_a_second_manifest_sheet() -> None:
    header = ["Piece", "Title", "Files", "KSBs"]
    data = xlsx_with([header, [1, "Current", "a.docx", "K1"]], title="Evidence",
                     extra={"Old mapping": [header, [1, "Old", "old.docx", "K9"]],
                            "Evidence (2)": [header, [1, "Copy", "copy.docx", "K2"]]}, hidden=("Old mapping",))
    manifest = read(data, "mapping.xlsx")
    assert manifest.sheet == "Evidence" and manifest.rows[0].files == ("a.docx",)
    assert [(n.kind, n.text) for n in manifest.notes] == [("sheet-ignored", "Evidence (2)"),
                                                          ("sheet-ignored", "Old mapping")]


def test_a_word_table_is_a_manifest_with_merged_cells(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("Portfolio of evidence")
    details = document.add_table(rows=2, cols=2)
    for row, (label, value) in enumerate((("Apprentice", "Sam Patel"), ("Standard", "ST0792"))):
        details.cell(row, 0).text, details.cell(row, 1).text = label, value
    table = document.add_table(rows=5, cols=4)
    content = [["Piece", "Title", "Files", "KSBs"], ["1", "Call sheet", "call sheet.docx", "K1-K3"],
               ["", "", "notes.pdf", "S9"], ["2", "Risk", "risk.pdf\nrisk photos.jpg", "K11"],
               ["3", "Clip", "clip.mp4", "B3"]]
    for r, row in enumerate(content):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))
    table.cell(1, 1).merge(table.cell(2, 1))
    path = tmp_path / "KSB mapping.docx"
    document.save(str(path))
    manifest = read(path.read_bytes(), path.name)
    assert manifest.format == "docx" and manifest.details == {"apprentice": "Sam Patel", "standard": "ST0792"}
    assert pieces(manifest) == [
        ("table 2, rows 2-3", "1", ("call sheet.docx", "notes.pdf"), ("K1", "K2", "K3", "S9")),
        ("table 2, row 4", "2", ("risk.pdf", "risk photos.jpg"), ("K11",)),
        ("table 2, row 5", "3", ("clip.mp4",), ("B3",)),
    ]


def test_a_word_document_without_a_manifest_table(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("Mapping guidance: list each piece and its KSBs.")
    path = tmp_path / "mapping.docx"
    document.save(str(path))
    assert "holds no table" in problem_of(path.read_bytes(), path.name).message


@pytest.mark.parametrize(("data", "name", "expected"), [
    (b"Piece\tTitle\tFiles\tKSBs\n1\tA\ta.pdf\tK1-K2\n", "mapping.txt", ("row 2", "1", ("a.pdf",), ("K1", "K2"))),
    (b'[{"piece": 1, "title": "A", "files": "a.pdf", "ksbs": "K1"}]', "mapping.txt",
     ("pieces[0]", "1", ("a.pdf",), ("K1",))),
])
def test_a_txt_manifest_is_read_when_it_is_a_table_or_data(data: bytes, name: str, expected: tuple) -> None:
    assert pieces(read(data, name)) == [expected]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"Our mapping: piece one covers K1 and K2.\nPiece two covers S1.\n", "KSB mapping.txt", "plain text, not a table"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "KSB mapping.pdf", "the manifest is a PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "mapping.png", "not a table of pieces"),
])
def test_what_is_not_a_manifest_says_what_it_is(data: bytes, name: str, message: str) -> None:
    problem = problem_of(data, name)
    assert message in problem.message and ".xlsx, .xls, .ods or .csv" in problem.message


def test_json_syntax_errors_name_the_line_and_column() -> None:
    data = b'{"pieces": [\n  {"piece": 1, "title": "A", "files": "a.pdf", "ksbs": "K1"}\n  {"piece": 2}\n]}'
    problem = problem_of(data, "manifest.json")
    assert problem.where == "line 3, column 3"
    assert "a comma is missing between two items" in problem.message and "Line 3 reads:" in problem.message


def test_yaml_indentation_slips_name_the_line() -> None:
    data = b"pieces:\n  - piece: 1\n    title: Call sheet\n   files: a.pdf\n    ksbs: K1\n"
    problem = problem_of(data, "manifest.yaml")
    assert problem.where is not None and problem.where.startswith("line 4")
    assert "Line 4 reads: '   files: a.pdf'" in problem.message


def test_yaml_manifests_keep_values_as_written_and_name_lines() -> None:
    data = b"pieces:\n  - piece: 01\n    title: A\n    files: a.pdf\n    ksbs: K1-K3\n    date: 2026-03-14\n" \
           b"  - piece: 1\n    files: [b.pdf]\n    ksbs: [S1]\n"
    manifest = read(data, "manifest.yaml")
    assert pieces(manifest) == [("pieces[0] (line 2) and pieces[1] (line 7)", "01", ("a.pdf", "b.pdf"),
                                 ("K1", "K2", "K3", "S1"))]
    assert manifest.rows[0].date_iso == "2026-03-14"


def test_yaml_aliases_cannot_blow_up() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
                                                      for p, c in zip("abcdefgh", "bcdefghi", strict=True)] + ["pieces: *i"]
    problem = problem_of("\n".join(lines).encode(), "manifest.yaml")
    assert "anchors and aliases" in problem.message


def test_choose_manifest_sets_aside_copies_and_old_versions() -> None:
    choice = choose_manifest(["KSB mapping (1).csv", "KSB mapping - Copy.csv", "Copy of KSB mapping.csv",
                              "KSB mapping OLD.csv", "old_KSB mapping.csv", "KSB mapping backup.csv", "KSB mapping.csv",
                              "Old versions/KSB mapping.csv", "01 Evidence/call sheet.docx"])
    assert choice.chosen == "KSB mapping.csv" and not choice.ambiguous
    reasons = {aside.path: aside.reason for aside in choice.set_aside}
    assert set(reasons) == {"KSB mapping (1).csv", "KSB mapping - Copy.csv", "Copy of KSB mapping.csv",
                            "KSB mapping OLD.csv", "old_KSB mapping.csv", "KSB mapping backup.csv",
                            "Old versions/KSB mapping.csv"}
    assert "copy" in reasons["KSB mapping (1).csv"] and "older" in reasons["KSB mapping OLD.csv"]


def test_choose_manifest_keeps_the_highest_version_and_final_and_reports_rivals() -> None:
    versions = choose_manifest(["mapping v1.xlsx", "mapping v2.xlsx", "mapping v10.xlsx"])
    assert versions.chosen == "mapping v10.xlsx"
    assert [a.path for a in versions.set_aside] == ["mapping v1.xlsx", "mapping v2.xlsx"]
    final = choose_manifest(["KSB mapping.csv", "KSB mapping final.csv"])
    assert final.chosen == "KSB mapping final.csv" and not final.ambiguous
    rivals = choose_manifest(["KSB mapping.xlsx", "manifest.csv", "Sam/KSB mapping.csv"])
    assert rivals.chosen == "manifest.csv" and rivals.rivals == ("KSB mapping.xlsx", "Sam/KSB mapping.csv")
    assert rivals.ambiguous
    only_copies = choose_manifest(["KSB mapping (1).csv", "KSB mapping (2).csv"])
    assert only_copies.chosen == "KSB mapping (1).csv" and not only_copies.ambiguous
    word = choose_manifest(["KSB mapping.xlsx", "KSB mapping guidance.docx"])
    assert word.chosen == "KSB mapping.xlsx" and word.set_aside[0].path == "KSB mapping guidance.docx"
    assert choose_manifest(["mapping.docx"]).chosen == "mapping.docx"
    assert choose_manifest(["call sheet.docx", "~$KSB mapping.xlsx"]).chosen is None


def test_a_very_long_manifest_is_read_up_to_its_bounds_and_says_so() -> None:
    from portfolio_check.extract.manifest import MAX_ROWS, MAX_TABLE_ROWS

    many = b"Piece,Title,Files,KSBs\n" + b"".join(b"%d,Row,a.docx,K1\n" % n for n in range(1, 100_001))
    manifest = read(many, "mapping.csv")
    assert len(manifest.rows) == MAX_ROWS
    assert any(f"more than {MAX_ROWS:,} pieces" in reason for reason in manifest.invalid)
    one_piece = b"Piece,Title,Files,KSBs\n" + b"".join(b"1,Row,f%d.docx,K1\n" % n for n in range(MAX_TABLE_ROWS + 50))
    long_piece = read(one_piece, "mapping.csv")
    assert len(long_piece.rows) == 1 and len(long_piece.rows[0].files) == MAX_TABLE_ROWS
    assert any(f"more than {MAX_TABLE_ROWS:,} rows" in reason for reason in long_piece.invalid)


def test_pieces_numbered_in_different_ways_are_the_same_piece() -> None:
    manifest = read(b"Piece,Title,Files,KSBs\nPiece 3,A,a.docx,K1\n3,,b.docx,K2\nP3,,c.docx,K3\n03,,d.docx,K4\n",
                    "mapping.csv")
    assert pieces(manifest) == [("rows 2-5", "Piece 3", ("a.docx", "b.docx", "c.docx", "d.docx"),
                                 ("K1", "K2", "K3", "K4"))]


def _compound_file_parts(data: bytes) -> tuple[int, int, int]:
    """(offset of the Workbook stream's directory entry, its first sector, offset of the allocation table
    its chain is in: the mini-stream's for a stream under the cut-off size, else the main one)."""
    directory = (int.from_bytes(data[48:52], "little") + 1) * 512
    for offset in range(directory, directory + 512, 128):
        if data[offset:offset + 16] == "Workbook".encode("utf-16-le"):
            small = int.from_bytes(data[offset + 120:offset + 124], "little") < int.from_bytes(data[56:60], "little")
            table = int.from_bytes(data[60:64] if small else data[76:80], "little")
            return offset, int.from_bytes(data[offset + 116:offset + 120], "little"), (table + 1) * 512
    raise AssertionError("no Workbook stream")


@pytest.mark.parametrize("damage", ["looping chain", "huge stream", "chain out of the file"])
def test_a_damaged_xls_is_refused_before_the_reader_runs_away(damage: str) -> None:
    """Found by fuzzing: calamine follows an .xls's internal chains as written, so a 20 KB file could make
    it allocate gigabytes until the sandbox stopped it."""
    data = bytearray((FIXTURES / "merged manifest.xls").read_bytes())
    entry, start, table = _compound_file_parts(bytes(data))
    if damage == "looping chain":
        data[table + 4 * start:table + 4 * start + 4] = start.to_bytes(4, "little")
    elif damage == "huge stream":
        data[entry + 120:entry + 124] = (0x7FFFFFF0).to_bytes(4, "little")
    else:
        data[table + 4 * start:table + 4 * start + 4] = (10_000_000).to_bytes(4, "little")
    problem = problem_of(bytes(data), "KSB mapping.xls")
    assert "the workbook is damaged" in problem.message


@pytest.mark.parametrize("seed", [8, 13, 14, 39])
def test_a_panic_inside_the_spreadsheet_reader_prints_nothing(seed: int, capfd: pytest.CaptureFixture[str]) -> None:
    """These mutations made calamine panic (a Rust panic prints to the terminal before Python sees it)."""
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from fuzz.targets import mutate_bytes

    data = mutate_bytes((FIXTURES / "merged manifest.xls").read_bytes(), random.Random(seed), [])
    try:
        read(data, "KSB mapping.xls")
    except ExtractionProblem as problem:
        assert problem.code == "manifest-invalid"
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_binary_excel_workbook_is_named_and_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/'
                         'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')
        package.writestr("xl/workbook.bin", b"\x83\x01\x00")
    problem = problem_of(buffer.getvalue(), "KSB mapping.xlsb")
    assert "binary Excel workbook (.xlsb)" in problem.message and "save it as .xlsx" in problem.message


def test_a_workbook_with_a_nameless_part_is_damaged_not_a_crash() -> None:
    """Found by fuzzing: a zip member with an empty name made zipfile raise IndexError."""
    original = zipfile.ZipFile(io.BytesIO(xlsx_with([["Piece", "Title", "Files", "KSBs"], [1, "A", "a.docx", "K1"]])))
    buffer = io.BytesIO()
    with original, zipfile.ZipFile(buffer, "w") as package:
        for info in original.infolist():
            package.writestr(info.filename, original.read(info))
        package.writestr(zipfile.ZipInfo(""), b"<x/>")
    assert "the workbook is damaged" in problem_of(buffer.getvalue(), "KSB mapping.xlsx").message


def test_a_sheet_whose_cells_carry_no_references_is_bounded_too() -> None:
    """Cells may be written without r="B7" (each follows the one before): the widest row counts then."""
    original = zipfile.ZipFile(io.BytesIO(xlsx_with([["Piece", "Title", "Files", "KSBs"], [1, "A", "a.docx", "K1"]])))
    wide_row = "<row>" + "<c t=\"inlineStr\"><is><t>x</t></is></c>" * 20_000 + "</row>"
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats'
             '.org/spreadsheetml/2006/main"><sheetData>' + wide_row + "<row/>" * 400 + "</sheetData></worksheet>")
    buffer = io.BytesIO()
    with original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in original.infolist():
            package.writestr(info.filename, sheet if info.filename == "xl/worksheets/sheet1.xml" else original.read(info))
    problem = problem_of(buffer.getvalue(), "KSB mapping.xlsx")
    assert "column 20,000" in problem.message
