"""Resolving the file names a manifest gives to the portfolio's files, as providers write them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portfolio_check.checks.matching import (
    AMBIGUOUS,
    EXACT,
    FILE_NAME,
    FOLDER,
    LINK,
    LISTED,
    NO_EXTENSION,
    NOT_FOUND,
    PATH_END,
    FileMatcher,
    Match,
    match_files,
)

PORTFOLIO = [
    "01 Pre-production/Call sheet day 3.docx",
    "01 Pre-production/RA-014 harbour and boat work.docx",
    "02 Compliance/Risk assessment.pdf",
    "02 Compliance/Risk assessment.docx",
    "03 Production/week3/clip.mp4",
    "03 Production/week3/notes.docx",
    "04 Video/clip.mp4",
    "Report, final.docx",
    "Report.pdf",
    "evidence.zip!/budget/Budget v4.xlsx",
    "Cafe\u0301 menu.docx",  # macOS keeps names decomposed
]


def one(name: str, paths: list[str] = PORTFOLIO) -> Match:
    [found] = match_files([name], paths)
    assert found.name == name
    return found


@pytest.mark.parametrize(("name", "how", "paths"), [
    ("01 Pre-production/Call sheet day 3.docx", EXACT, ("01 Pre-production/Call sheet day 3.docx",)),
    ("01 PRE-PRODUCTION\\call sheet DAY 3.DOCX", EXACT, ("01 Pre-production/Call sheet day 3.docx",)),
    ("./01 Pre-production/Call sheet day 3.docx", EXACT, ("01 Pre-production/Call sheet day 3.docx",)),
    ("evidence.zip/budget/Budget v4.xlsx", EXACT, ("evidence.zip!/budget/Budget v4.xlsx",)),
    ("Café menu.docx", EXACT, ("Cafe\u0301 menu.docx",)),
    ("Call sheet day 3.docx", FILE_NAME, ("01 Pre-production/Call sheet day 3.docx",)),
    ("week3/clip.mp4", PATH_END, ("03 Production/week3/clip.mp4",)),
    ("Call sheet day 3", NO_EXTENSION, ("01 Pre-production/Call sheet day 3.docx",)),
    ("RA-014 harbour and boat work", NO_EXTENSION, ("01 Pre-production/RA-014 harbour and boat work.docx",)),
    ("week3", FOLDER, ("03 Production/week3/clip.mp4", "03 Production/week3/notes.docx")),
    ("03 Production\\week3\\", FOLDER, ("03 Production/week3/clip.mp4", "03 Production/week3/notes.docx")),
    ("Report, final.docx", EXACT, ("Report, final.docx",)),
])
def test_each_way_a_name_finds_its_file(name: str, how: str, paths: tuple[str, ...]) -> None:
    found = one(name)
    assert (found.how, found.paths, found.found) == (how, paths, True)


@pytest.mark.parametrize("url", [
    "https://northgate.sharepoint.com/sites/Apprentices/Shared%20Documents/Sam%20Patel/01%20Pre-production/"
    "Call%20sheet%20day%203.docx?web=1",
    "https://northgate-my.sharepoint.com/personal/sam/Documents/Call%20sheet%20day%203.docx",
    "https://northgate.sharepoint.com/:w:/r/sites/Apprentices/_layouts/15/Doc.aspx?sourcedoc=%7B1234%7D"
    "&file=Call%20sheet%20day%203.docx&action=default&mobileredirect=true",
    "https://northgate.sharepoint.com/sites/Apprentices/Shared%20Documents/Forms/AllItems.aspx?id=%2Fsites%2F"
    "Apprentices%2FShared%20Documents%2FSam%2F01%20Pre-production%2FCall%20sheet%20day%203.docx",
])
def test_sharepoint_and_onedrive_links_find_the_file_they_name(url: str) -> None:
    found = one(url)
    assert found.how == LINK and found.paths == ("01 Pre-production/Call sheet day 3.docx",)


def test_a_link_to_a_file_kept_twice_is_resolved_by_its_folders() -> None:
    url = "https://x.sharepoint.com/sites/A/Shared%20Documents/Sam/04%20Video/clip.mp4?web=1"
    assert one(url).paths == ("04 Video/clip.mp4",)


def test_a_sharing_link_without_a_file_name_is_not_found() -> None:
    found = one("https://1drv.ms/w/s!AkBcD3fGhIjK")
    assert found.how == NOT_FOUND and found.paths == ()


@pytest.mark.parametrize(("name", "candidates"), [
    ("clip.mp4", ("03 Production/week3/clip.mp4", "04 Video/clip.mp4")),
    ("Risk assessment", ("02 Compliance/Risk assessment.pdf", "02 Compliance/Risk assessment.docx")),
])
def test_several_equal_fits_are_ambiguous_and_listed(name: str, candidates: tuple[str, ...]) -> None:
    found = one(name)
    assert (found.how, found.paths, found.candidates, found.found) == (AMBIGUOUS, (), candidates, False)
    assert found.suggestions == candidates


def test_nothing_found_suggests_the_closest_names() -> None:
    found = one("Callsheet day3.docx")
    assert found.how == NOT_FOUND and found.suggestions[0] == "01 Pre-production/Call sheet day 3.docx"
    assert one("completely unrelated.mov").suggestions == ()


def test_a_cell_listing_several_files_is_split_where_each_part_names_one() -> None:
    found = one("Call sheet day 3.docx, Report, final.docx; week3")
    assert found.how == LISTED and found.found
    assert [(p.name, p.how) for p in found.parts] == [("Call sheet day 3.docx", FILE_NAME),
                                                      ("Report, final.docx", EXACT), ("week3", FOLDER)]
    assert found.paths == ("01 Pre-production/Call sheet day 3.docx", "Report, final.docx",
                           "03 Production/week3/clip.mp4", "03 Production/week3/notes.docx")


def test_a_listed_name_that_is_missing_is_reported_on_its_own() -> None:
    found = one("Report.pdf, budget plan.xlsx, Report, final.docx")
    assert found.how == LISTED and not found.found
    assert [(leaf.name, leaf.how) for leaf in found.leaves()] == [
        ("Report.pdf", EXACT), ("budget plan.xlsx", NOT_FOUND), ("Report, final.docx", EXACT)]
    both_missing = one("a.docx, b.pdf")
    assert [(leaf.name, leaf.how) for leaf in both_missing.leaves()] == [("a.docx", NOT_FOUND), ("b.pdf", NOT_FOUND)]


def test_a_name_with_a_comma_that_is_missing_is_not_cut_into_guesses() -> None:
    found = one("Report, draft.docx")  # "Report" alone would find Report.pdf by its stem: not taken
    assert found.how == NOT_FOUND and found.paths == ()
    assert "Report, final.docx" in found.suggestions


def test_the_matcher_is_pure_it_opens_no_file() -> None:
    tree = ast.parse(Path(__import__("portfolio_check.checks.matching", fromlist=["x"]).__file__).read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names} | {node.module.split(".")[0] for node in ast.walk(tree)
                                            if isinstance(node, ast.ImportFrom) and node.module}
    assert "open" not in names and not {"read_text", "read_bytes", "stat", "exists", "is_file"} & attributes
    assert not {"os", "pathlib", "io", "shutil"} & imported
    assert match_files(["a.docx"], ["/nonexistent/a.docx"])[0].paths == ("/nonexistent/a.docx",)


def test_a_matcher_resolves_many_names_against_one_index() -> None:
    matcher = FileMatcher(PORTFOLIO)
    assert [m.how for m in (matcher.match("Report.pdf"), matcher.match("report"), matcher.match(""))] == [
        EXACT, NO_EXTENSION, NOT_FOUND]
    assert matcher.match("report").paths == ("Report.pdf",)
