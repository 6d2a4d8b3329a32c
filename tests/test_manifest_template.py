"""Manifest templates (``manifest init``): rows, Excel and CSV rendering, and reading them back."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest

from portfolio_check.extract.manifest import Manifest, read_manifest
from portfolio_check.report.manifest_template import (
    KSBS_NOTE,
    LIST_HEADER,
    guard_formula,
    names_changed_by_reader,
    template_rows,
    tidy_title,
    write_atomically,
    write_csv,
    write_xlsx,
)

EVIDENCE = [
    "01_Project_brief.docx",
    "02-Call-sheet day 1.xlsx",
    "03 Risk assessment.pdf",
    "Pre-production/Budget tracker v2.xlsx",
    "Pre-production/Location recce – Leeds.pptx",
    "Pre-production/Réunion équipe notes.docx",
    "Production/Shoot day/Behind the scenes.mp4",
    "Production/Shoot day/Witness statement (J Smith).pdf",
    "Production/Crew list.csv",
    "Production/=HYPERLINK budget.xlsx",
    "Production/+44 contacts.txt",
    "Production/@mentions export.txt",
    "Post/Edit decision list.edl",
    "Post/Rough cut feedback.m4a",
    "Post/Delivery spec, final.pdf",
    "Reflective log.docx",
    "1.5 metre rig photo.jpg",
    "2024 budget summary.pdf",
    "Café interview.mov",
    "-draft-schedule.docx",
]
TITLES = {
    "01_Project_brief.docx": "Project brief",
    "02-Call-sheet day 1.xlsx": "Call sheet day 1",
    "03 Risk assessment.pdf": "Risk assessment",
    "Pre-production/Budget tracker v2.xlsx": "Budget tracker v2",
    "Pre-production/Location recce – Leeds.pptx": "Location recce – Leeds",
    "Pre-production/Réunion équipe notes.docx": "Réunion équipe notes",
    "Production/=HYPERLINK budget.xlsx": "=HYPERLINK budget",
    "Post/Delivery spec, final.pdf": "Delivery spec, final",
    "1.5 metre rig photo.jpg": "1.5 metre rig photo",
    "2024 budget summary.pdf": "2024 budget summary",
    "-draft-schedule.docx": "draft schedule",
}
DETAILS = {"apprentice": "Zoë Example", "uln": "1234567890", "employer": "Example Films Ltd",
           "standard": "ST0792", "version": "1.0", "option": "production-coordinator",
           "start_date": "2024-09-02", "gateway_date": "2026-03-14"}
GUIDANCE = ["How to fill in this manifest", "One row per piece of evidence.", "=1+1 is not a formula here"]


@pytest.fixture(scope="module")
def ksbs():
    from portfolio_check.catalogue.loader import discover

    standard = discover().get("ST0792")
    return standard.ksbs_for("production-coordinator", "professional-discussion")


@pytest.fixture(scope="module")
def codes(ksbs) -> list[str]:
    return [k.code for k in ksbs]


def read_back(path: Path) -> Manifest:
    data = path.read_bytes()
    return read_manifest(io.BytesIO(data), len(data), path.name)


def write(path: Path, rows, ksbs=(), details=DETAILS) -> Path:
    if path.suffix == ".csv":
        write_csv(path, rows)
    else:
        write_xlsx(path, rows, details, GUIDANCE, [(k.code, k.text) for k in ksbs])
    return path


@pytest.mark.parametrize("path, title", [
    *TITLES.items(),
    ("Folder\\Sub\\07_final-cut.mp4", "final cut"),
    ("1) Intro.docx", "Intro"),
    ("01.docx", "01"),
    (".hidden", ".hidden"),
    ("archive.tar.gz", "archive.tar"),
    ("Cafe\u0301.docx", "Café"),  # decomposed, as macOS stores it
])
def test_tidy_title(path: str, title: str) -> None:
    assert tidy_title(path) == title


def test_list_rows(codes: list[str]) -> None:
    rows = template_rows(EVIDENCE, codes, "list")
    assert rows[0] == ["Piece", "Title", "Files", "KSBs", "Date", "Location", "Witness", "Description"]
    assert len(rows) == len(EVIDENCE) + 1
    for number, (row, path) in enumerate(zip(rows[1:], EVIDENCE, strict=True), start=1):
        assert row[0] == str(number)
        assert row[1] == tidy_title(path)
        assert row[2] == path
        assert row[3:] == [""] * 5
    by_file = {row[2]: row[1] for row in rows[1:]}
    assert {path: by_file[path] for path in TITLES} == TITLES


def test_grid_rows(codes: list[str]) -> None:
    rows = template_rows(EVIDENCE, [*codes, codes[0].lower()], "grid")
    assert rows[0] == ["Piece", "Title", "Files", "Date", *codes]  # order kept, repeats dropped
    assert len(rows) == len(EVIDENCE) + 1
    assert all(len(row) == len(rows[0]) and row[3:] == [""] * (len(codes) + 1) for row in rows[1:])
    assert [row[2] for row in rows[1:]] == EVIDENCE


def test_rows_refuse_bad_layouts(codes: list[str]) -> None:
    with pytest.raises(ValueError, match="layout"):
        template_rows(EVIDENCE, codes, "table")
    with pytest.raises(ValueError, match="at least one"):
        template_rows(EVIDENCE, [], "grid")
    assert template_rows([], codes, "list") == [list(LIST_HEADER)]


def test_csv_bom_crlf_and_formula_guard(tmp_path: Path, codes: list[str]) -> None:
    path = write(tmp_path / "manifest.csv", template_rows(EVIDENCE, codes, "list"))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfPiece,Title,Files,KSBs,")
    assert data.count(b"\r\n") == len(EVIDENCE) + 1 and b"\n" not in data.replace(b"\r\n", b"")
    cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    assert "'Production/=HYPERLINK budget.xlsx" not in cells  # the path starts with P: no guard needed
    assert "Production/=HYPERLINK budget.xlsx" in cells
    assert "'=HYPERLINK budget" in cells and "'-draft-schedule.docx" in cells
    assert "Réunion équipe notes" in cells and b'"Post/Delivery spec, final.pdf"' in data
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    for text, guarded in [("=1+1", "'=1+1"), ("+44", "'+44"), ("-x", "'-x"), ("@SUM", "'@SUM"),
                          ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", "")]:
        assert guard_formula(text) == guarded


@pytest.mark.parametrize("layout", ["list", "grid"])
def test_csv_reads_back(tmp_path: Path, codes: list[str], layout: str) -> None:
    path = write(tmp_path / "manifest.csv", template_rows(EVIDENCE, codes, layout))
    manifest = read_back(path)
    assert manifest.layout == layout and manifest.invalid == []
    assert [row.files for row in manifest.rows] == [(path,) for path in EVIDENCE]
    assert [row.piece for row in manifest.rows] == [str(n) for n in range(1, len(EVIDENCE) + 1)]
    assert all(row.codes == () for row in manifest.rows)
    assert manifest.rows[0].title == "Project brief"


def test_csv_grid_mark_maps_piece_to_code(tmp_path: Path, codes: list[str]) -> None:
    path = write(tmp_path / "manifest.csv", template_rows(EVIDENCE, codes, "grid"))
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    rows[3][rows[0].index("S9")] = "x"
    rows[3][rows[0].index("B4")] = "x"
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows(rows)
    manifest = read_back(path)
    assert {row.piece: row.codes for row in manifest.rows if row.codes} == {"3": ("S9", "B4")}


def test_xlsx_list_sheets_and_formatting(tmp_path: Path, codes: list[str], ksbs) -> None:
    from openpyxl import load_workbook

    rows = template_rows(EVIDENCE, codes, "list")
    path = write(tmp_path / "manifest.xlsx", rows, ksbs)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Evidence", "Portfolio", "KSBs", "How to fill in"]
    sheet = workbook["Evidence"]
    assert [c.value for c in sheet[1]] == list(LIST_HEADER)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{len(EVIDENCE) + 1}"
    assert sheet.max_row == len(EVIDENCE) + 1
    assert sheet["D1"].comment is not None and sheet["D1"].comment.text == KSBS_NOTE
    assert sheet["A2"].value == 1 and sheet["B2"].value == "Project brief"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDH"}
    assert widths["A"] < widths["D"] < widths["C"] <= 60 and widths["H"] >= 30
    # A name beginning with "=" stays text: no formula element anywhere in the sheet.
    formula_row = EVIDENCE.index("Production/=HYPERLINK budget.xlsx") + 2
    assert sheet.cell(formula_row, 2).value == "=HYPERLINK budget"
    assert sheet.cell(formula_row, 2).data_type == "s"
    with zipfile.ZipFile(path) as package:
        assert b"<f>" not in package.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in package.read("xl/worksheets/sheet4.xml")
    portfolio = {r[0]: r[1] for r in workbook["Portfolio"].iter_rows(values_only=True)}
    assert portfolio == {"Apprentice": "Zoë Example", "ULN": "1234567890", "Employer": "Example Films Ltd",
                         "Standard": "ST0792", "Version": "1.0", "Option": "production-coordinator",
                         "Start date": "2024-09-02", "Gateway date": "2026-03-14"}
    lookup = list(workbook["KSBs"].iter_rows(values_only=True))
    assert lookup[0] == ("Code", "Statement") and len(lookup) == len(ksbs) + 1
    assert lookup[1] == (ksbs[0].code, ksbs[0].text)
    assert [r[0] for r in workbook["How to fill in"].iter_rows(values_only=True)] == GUIDANCE


def test_xlsx_grid_formatting(tmp_path: Path, codes: list[str], ksbs) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = write(tmp_path / "manifest.xlsx", template_rows(EVIDENCE, codes, "grid"), ksbs)
    sheet = load_workbook(path)["Evidence"]
    first, last = get_column_letter(5), get_column_letter(4 + len(codes))
    assert [c.value for c in sheet[1]] == ["Piece", "Title", "Files", "Date", *codes]
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{last}{len(EVIDENCE) + 1}"
    for column in range(5, 5 + len(codes)):
        letter = get_column_letter(column)
        assert sheet.column_dimensions[letter].width <= 5
        assert sheet.cell(1, column).alignment.textRotation == 90
    assert sheet["E1"].comment is None
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].type == "list" and validations[0].formula1 == '"x"'
    covered = str(validations[0].sqref)
    assert covered.startswith(f"{first}2:{last}") and int(covered.rsplit(last, 1)[1]) > len(EVIDENCE) + 1


@pytest.mark.parametrize("layout", ["list", "grid"])
def test_xlsx_reads_back_with_details(tmp_path: Path, codes: list[str], ksbs, layout: str) -> None:
    path = write(tmp_path / "manifest.xlsx", template_rows(EVIDENCE, codes, layout), ksbs)
    manifest = read_back(path)
    assert manifest.layout == layout and manifest.invalid == []
    assert [row.files for row in manifest.rows] == [(path,) for path in EVIDENCE]
    assert [row.piece for row in manifest.rows] == [str(n) for n in range(1, len(EVIDENCE) + 1)]
    assert manifest.details == DETAILS


def test_xlsx_partial_details_prefill_only_what_is_given(tmp_path: Path, codes: list[str]) -> None:
    path = write(tmp_path / "manifest.xlsx", template_rows(EVIDENCE[:2], codes, "list"),
                 details={"standard": "ST0792", "option": "", "unknown": "ignored"})
    assert read_back(path).details == {"standard": "ST0792"}


def test_xlsx_grid_mark_maps_piece_to_code(tmp_path: Path, codes: list[str], ksbs) -> None:
    from openpyxl import load_workbook

    path = write(tmp_path / "manifest.xlsx", template_rows(EVIDENCE, codes, "grid"), ksbs)
    workbook = load_workbook(path)
    sheet = workbook["Evidence"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=6, column=header.index("K12") + 1, value="x")
    sheet.cell(row=7, column=header.index("S1") + 1, value="X")
    workbook.save(path)
    manifest = read_back(path)
    assert {row.piece: row.codes for row in manifest.rows if row.codes} == {"5": ("K12",), "6": ("S1",)}


def test_xlsx_list_codes_typed_in_are_read(tmp_path: Path, codes: list[str]) -> None:
    from openpyxl import load_workbook

    path = write(tmp_path / "manifest.xlsx", template_rows(EVIDENCE, codes, "list"))
    workbook = load_workbook(path)
    workbook["Evidence"]["D2"] = "K1, S9, B3"
    workbook.save(path)
    assert read_back(path).rows[0].codes == ("K1", "S9", "B3")


def test_ksb_lookup_sheet_is_never_taken_for_the_mapping(tmp_path: Path, codes: list[str], ksbs) -> None:
    from openpyxl import load_workbook

    path = write(tmp_path / "manifest.xlsx", template_rows(EVIDENCE, codes, "grid"), ksbs)
    workbook = load_workbook(path)
    workbook.remove(workbook["Evidence"])
    workbook.save(path)
    manifest = read_back(path)
    assert manifest.layout == "unknown" and manifest.rows == []
    assert manifest.details["standard"] == "ST0792"


def test_names_changed_by_reader() -> None:
    names = ["notes; draft.docx", " padded.docx", "a|b.txt", "back\\slash.txt", *EVIDENCE, ".hidden.pdf"]
    assert names_changed_by_reader(names) == names[:4]


def test_write_atomically_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "manifest.csv"
    target.write_text("keep me")
    calls: list[Path] = []
    with pytest.raises(FileExistsError) as raised:
        write_atomically(target, calls.append, force=False)
    assert raised.value.filename == str(target) and str(target) in str(raised.value)
    assert target.read_text() == "keep me" and calls == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.csv"]


def test_write_atomically_overwrites_with_force_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "manifest.csv"
    target.write_text("old")
    seen: list[Path] = []

    def writer(path: Path) -> None:
        seen.append(path)
        assert path.parent == tmp_path and path != target
        path.write_text("new")

    write_atomically(target, writer, force=True)
    assert target.read_text() == "new" and not seen[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.csv"]


def test_write_atomically_new_file_gets_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "manifest.xlsx"
    write_atomically(target, lambda p: p.write_bytes(b"data"), force=False)
    umask = os.umask(0)
    os.umask(umask)
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in target.parent.iterdir()) == ["manifest.xlsx"]


@pytest.mark.parametrize("existing, force", [(None, False), (None, True), ("old", True)])
def test_failed_writer_leaves_target_alone_and_no_temporary(tmp_path: Path, existing, force: bool) -> None:
    target = tmp_path / "manifest.xlsx"
    if existing is not None:
        target.write_text(existing)

    def writer(path: Path) -> None:
        path.write_text("half-written")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(target, writer, force=force)
    assert (target.read_text() if target.exists() else None) == existing
    assert sorted(p.name for p in tmp_path.iterdir()) == ([target.name] if existing else [])


def test_file_appearing_during_write_is_not_replaced_without_force(tmp_path: Path) -> None:
    target = tmp_path / "manifest.csv"

    def writer(path: Path) -> None:
        path.write_text("template")
        target.write_text("someone else's")

    with pytest.raises(FileExistsError):
        write_atomically(target, writer, force=False)
    assert target.read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.csv"]


def test_write_atomically_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_atomically(tmp_path, lambda p: p.write_text("x"), force=True)
