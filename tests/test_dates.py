"""One reading of the dates people type, shared by the manifest, the details and the statement."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portfolio_check.dates import DateText, find_date, parse_date, read_date


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-14", "2026-03-14"), ("14/03/2026", "2026-03-14"), ("14/03/26", "2026-03-14"),
    ("14.03.2026", "2026-03-14"), ("14-03-2026", "2026-03-14"), ("14 March 2026", "2026-03-14"),
    ("14th March 2026", "2026-03-14"), ("1st Sept 2025", "2025-09-01"), ("March 14, 2026", "2026-03-14"),
    ("2026/03/14", "2026-03-14"), ("2026-03-14T09:30", "2026-03-14"), ("w/c 09/03/2026", "2026-03-09"),
    ("March 2026", "2026-03-01"), ("Mar-2026", "2026-03-01"), ("03/2026", "2026-03-01"),
])
def test_dates_providers_write(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "12/31/2025",  # month first: American
    "Mar-25",  # March 2025, or 25 March?
    "2025-13-45", "31/02/2026", "00/01/2026",  # impossible
    "sometime in spring", "", "   ", "TBC", "2026",
])
def test_what_is_not_read_as_a_date(text: str) -> None:
    assert parse_date(text) is None


def test_find_date_looks_inside_text_and_skips_impossible_dates() -> None:
    assert find_date("Signed 31/02/2026, corrected 28/02/2026") == date(2026, 2, 28)
    assert find_date("no date here") is None


def test_read_date_keeps_the_text_and_the_iso_form() -> None:
    assert read_date("12/31/2025") == DateText("12/31/2025", None)
    assert not read_date("12/31/2025").readable  # type: ignore[union-attr]
    assert read_date(" 14/03/2026 ") == DateText("14/03/2026", "2026-03-14")
    assert read_date(date(2026, 3, 14)) == DateText("2026-03-14", "2026-03-14")
    assert read_date(datetime(2026, 3, 14, 9, 30)) == DateText("2026-03-14", "2026-03-14")
    assert read_date(None) is None and read_date("") is None


def test_the_manifest_reads_dates_through_this_module() -> None:
    from portfolio_check.extract import manifest

    assert manifest.parse_date is parse_date
