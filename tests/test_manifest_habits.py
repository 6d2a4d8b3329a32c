"""Ordinary manifest habits, checked end to end on real portfolios: one piece over several rows or
merged cells, KSB ranges, copies of the manifest, lists of files, links, and dates as people type them."""

from __future__ import annotations

import csv
from pathlib import Path

import portfolios
import pytest
from consistency import assert_invariants

from portfolio_check.catalogue.loader import discover
from portfolio_check.checks.outcome import Status
from portfolio_check.pipeline import CheckSettings, check_portfolio

CATALOGUES = discover()


def _rows(root: Path) -> list[list[str]]:
    with open(root / "KSB mapping.csv", newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(rows)


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    return portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec(
        details={"apprentice": "Sam Patel", "uln": "1234567899"}))


def check(root: Path, **flags: str):
    return check_portfolio(root, CATALOGUES, CheckSettings(flags=flags))


def codes(assessment) -> set[str]:
    return {f.code for f in assessment.findings}


def test_a_piece_over_several_excel_rows_with_a_merged_number_is_one_piece(ready: Path) -> None:
    from openpyxl import Workbook

    rows = _rows(ready)
    header, body = rows[0], rows[1:]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in body:
        piece, title, files, ksbs = row
        codes_of = ksbs.split(", ")
        # Each piece on two rows: the second holds half its codes, its number cell merged into the first.
        sheet.append([piece, title, files, ", ".join(codes_of[: len(codes_of) // 2 or 1])])
        sheet.append([None, None, None, ", ".join(codes_of[len(codes_of) // 2 or 1:])])
        sheet.merge_cells(start_row=sheet.max_row - 1, start_column=1, end_row=sheet.max_row, end_column=1)
    (ready / "KSB mapping.csv").unlink()
    workbook.save(ready / "KSB mapping.xlsx")
    assessment = check(ready)
    assert assessment.piece_count == 18 and assessment.verdict == "ready", sorted(codes(assessment))
    assert assessment.pieces[0].where.startswith("rows ")
    assert_invariants(assessment)


def test_a_repeated_piece_number_on_continuation_rows_is_one_piece(ready: Path) -> None:
    rows = _rows(ready)
    piece, title, files, ksbs = rows[1]
    first, *rest = ksbs.split(", ")
    rows[1] = [piece, title, files, first]
    rows.insert(2, [piece, title, "", ", ".join(rest) or first])
    _write(ready / "KSB mapping.csv", rows)
    assessment = check(ready)
    assert assessment.piece_count == 18 and "piece-without-ksb" not in codes(assessment)
    assert set(assessment.pieces[0].codes) == set(ksbs.split(", "))


def test_two_different_pieces_with_one_number_are_named(ready: Path) -> None:
    rows = _rows(ready)
    rows[2][0] = rows[1][0]
    _write(ready / "KSB mapping.csv", rows)
    warned = [f for f in check(ready).findings if f.code == "manifest-piece-number"]
    assert len(warned) == 1 and "row 2" in warned[0].message and "row 3" in warned[0].message


def test_a_ksb_range_covers_every_code_in_it(ready: Path) -> None:
    rows = _rows(ready)
    for row in rows[1:]:
        row[3] = ", ".join(code for code in row[3].split(", ") if code not in ("K19", "K20", "K21"))
    rows[1][3] += ", K19-K21"
    rows[2][3] += ", pending review"
    _write(ready / "KSB mapping.csv", rows)
    assessment = check(ready)
    assert "K20" in assessment.coverage.covered and "ksb-not-covered" not in codes(assessment)
    unreadable = [f for f in assessment.findings if f.code == "manifest-ksb-unreadable"]
    assert len(unreadable) == 1 and "pending review" in unreadable[0].message


def test_a_marked_copy_of_the_manifest_is_set_aside(ready: Path) -> None:
    rows = _rows(ready)
    copy = [row[:] for row in rows]
    copy[1][3] = "K1"
    _write(ready / "KSB mapping (1).csv", copy)
    assessment = check(ready)
    assert assessment.portfolio.manifest_path == "KSB mapping.csv" and assessment.verdict == "ready"
    duplicate = [f for f in assessment.findings if f.code == "manifest-duplicate"]
    assert [f.path for f in duplicate] == ["KSB mapping (1).csv"] and "copy" in duplicate[0].message


def test_two_unmarked_manifests_that_differ_stop_the_guess(ready: Path) -> None:
    rows = _rows(ready)
    rows[1][3] = "K1"
    _write(ready / "Evidence mapping.csv", rows)
    assessment = check(ready)
    assert assessment.verdict == "not-ready"
    ambiguous = [f for f in assessment.findings if f.code == "manifest-ambiguous"]
    assert len(ambiguous) == 1 and "KSB mapping.csv" in ambiguous[0].message
    assert "Evidence mapping.csv" in ambiguous[0].message
    assert "unmapped-file" not in codes(assessment) and assessment.outcome("coverage").status is Status.UNKNOWN


def test_a_cell_listing_files_a_link_and_a_name_without_extension_find_their_files(ready: Path) -> None:
    rows = _rows(ready)
    second, third = rows[2][2], rows[3][2]
    rows[1][2] = f"{rows[1][2]}, {second}"
    rows[2][2] = ("https://northern.sharepoint.com/sites/Apprentices/Shared%20Documents/Sam/"
                  + second.replace(" ", "%20") + "?web=1")
    rows[3][2] = third.rsplit(".", 1)[0]
    _write(ready / "KSB mapping.csv", rows)
    assessment = check(ready)
    assert "manifest-missing-file" not in codes(assessment), [f.message for f in assessment.errors]
    assert second in assessment.pieces[0].files and assessment.pieces[1].files == (second,)
    assert assessment.pieces[2].files == (third,)


def test_a_misspelt_file_name_says_what_it_may_mean(ready: Path) -> None:
    rows = _rows(ready)
    rows[1][2] = rows[1][2].replace("Walkthrough", "Walkthru")
    _write(ready / "KSB mapping.csv", rows)
    missing = [f for f in check(ready).findings if f.code == "manifest-missing-file"]
    assert len(missing) == 1 and "Did you mean" in missing[0].message and "Walkthrough" in missing[0].message


def test_dates_the_check_cannot_read_are_quoted_and_outside_dates_share_one_finding(ready: Path) -> None:
    rows = _rows(ready)
    rows[0].append("Date")
    for row in rows[1:]:
        row.append("2019-05-01")
    rows[1][-1] = "12/31/2025"
    rows[2][-1] = "Mar-25"
    _write(ready / "KSB mapping.csv", rows)
    assessment = check(ready, start_date="2024-09-01", gateway_date="2026-03-01")
    unreadable = [f for f in assessment.findings if f.code == "evidence-date-unreadable"]
    assert len(unreadable) == 1 and "'12/31/2025'" in unreadable[0].message and "'Mar-25'" in unreadable[0].message
    outside = [f for f in assessment.findings if f.code == "evidence-date"]
    assert len(outside) == 1 and outside[0].message.startswith("16 pieces are dated outside")


@pytest.mark.parametrize(("start", "gateway", "says"), [
    ("2025-13-45", "2026-03-01", "'2025-13-45'"),
    ("2026-03-01", "2025-09-01", "before the start date"),
])
def test_impossible_or_reversed_programme_dates_are_an_error(ready: Path, start: str, gateway: str, says: str) -> None:
    (ready / "portfolio.yaml").write_text(f"start_date: {start}\ngateway_date: {gateway}\n", encoding="utf-8")
    assessment = check(ready)
    errors = [f for f in assessment.findings if f.code == "programme-dates"]
    assert len(errors) == 1 and says in errors[0].message and assessment.verdict == "not-ready"
    assert assessment.outcome("details").status is Status.FAIL
