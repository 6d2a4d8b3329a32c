"""Reading portfolio.yaml as providers write it: slips become messages naming the line, never tracebacks."""

from __future__ import annotations

import io

import pytest

from portfolio_check.extract.manifest import read_details, read_portfolio_details
from portfolio_check.extract.model import ExtractionProblem


def details(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_portfolio_details(io.BytesIO(data), len(data))


def problem(text: str | bytes) -> ExtractionProblem:
    with pytest.raises(ExtractionProblem) as caught:
        details(text)
    assert caught.value.code == "manifest-invalid"
    return caught.value


def test_values_are_kept_as_written() -> None:
    read = details("# Portfolio details\napprentice: Priya Chandran\nuln: 0123456789\nversion: 1.10\n"
                   "start_date: 2024-09-02\ngateway_date: 16/03/2026\nstandard: ST0792\ntraining_provider: Northgate\n")
    assert read.values == {"apprentice": "Priya Chandran", "uln": "0123456789", "version": "1.10",
                           "start_date": "2024-09-02", "gateway_date": "16/03/2026", "standard": "ST0792"}
    assert read.lines["uln"] == 3 and read.other == {"training_provider": "Northgate"} and read.notes == ()


def test_details_under_a_portfolio_key_and_the_mapping_form() -> None:
    assert details("portfolio:\n  Apprentice name: Alex Doe\n  Standard: ST1457\n").values == {
        "apprentice": "Alex Doe", "standard": "ST1457"}
    data = b"apprentice: Sam\nuln: '9999999999'\n"
    assert read_details(io.BytesIO(data), len(data)) == {"apprentice": "Sam", "uln": "9999999999"}


@pytest.mark.parametrize(("text", "line"), [
    ("apprentice: Sam Patel\n  uln: 9999999999\nstandard: ST0792\n", 2),  # an indented line
    ("apprentice: Sam Patel\nuln: 9999999999\n standard: ST0792\n", 3),
    ("apprentice: Sam Patel\n\tuln: 9999999999\n", 2),  # a tab
    ("apprentice: 'Sam Patel\nuln: 9999999999\n", 1),  # an unclosed quote
    ("apprentice Sam Patel\nuln: 9999999999\n", 2),  # a missing colon
])
def test_yaml_slips_name_the_line_and_what_to_do(text: str, line: int) -> None:
    found = problem(text)
    assert found.where is not None and found.where.startswith(f"line {line}, column")
    assert found.message.startswith("portfolio.yaml is not valid YAML at line")
    assert "save it again" in found.message and "Traceback" not in found.message


def test_lists_and_maps_where_one_value_belongs_are_notes_and_the_rest_is_used() -> None:
    read = details("apprentice: Sam Patel\nstandard: [ST0792, ST1457]\noption:\n  id: production-coordinator\n"
                   "uln: '9999999999'\n")
    assert read.values == {"apprentice": "Sam Patel", "uln": "9999999999"}
    assert [(n.kind, n.key, n.line) for n in read.notes] == [("not-text", "standard", 2), ("not-text", "option", 3)]
    assert "holds a list" in read.notes[0].message and "holds a group of keys" in read.notes[1].message


def test_repeated_and_misspelt_keys_are_notes() -> None:
    read = details("apprentice: Sam\nstandrad: ST0792\napprentice: Bob\nemployr: Harbourlight\n")
    assert read.values == {"apprentice": "Sam"}
    assert [(n.kind, n.key, n.line) for n in read.notes] == [
        ("unknown-key", "standrad", 2), ("repeated-key", "apprentice", 3), ("unknown-key", "employr", 4)]
    assert "did you mean 'standard'" in read.notes[0].message


@pytest.mark.parametrize(("text", "message"), [
    ("", "portfolio.yaml is empty"),
    ("# nothing yet\n", "portfolio.yaml is empty"),
    ("- apprentice: Sam\n", "does not hold 'key: value' lines"),
    ("just a sentence", "does not hold 'key: value' lines"),
    ("a: 1\n---\nb: 2\n", "more than one document"),
])
def test_files_that_hold_no_details(text: str, message: str) -> None:
    assert message in problem(text).message


def test_a_large_or_binary_details_file_is_a_problem_not_a_crash() -> None:
    assert "larger than 1 MB" in problem(b"a: b\n" * 300_000).message
    found = problem(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "portfolio.yaml" in found.message
