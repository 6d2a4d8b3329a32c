"""The rule registry: one unit per rule, codes that belong to one rule, a README kept in step, and
the verdict, checklist and report agreeing on real portfolios where they used to disagree."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import builders
import portfolios
import pytest
from click.testing import CliRunner
from consistency import assert_invariants, assert_outputs_agree
from lxml import html as lxml_html

from portfolio_check.catalogue.loader import discover
from portfolio_check.catalogue.model import PortfolioRules
from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules import RULES, rule_for_code
from portfolio_check.checks.rules.base import Result, Rule, UndeclaredCode
from portfolio_check.cli import main
from portfolio_check.findings import Finding, Severity
from portfolio_check.pipeline import check_portfolio
from portfolio_check.report.rules_view import README_END, README_START, render_rules_markdown

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
SAMPLES = REPO / "sample_portfolios"
CATALOGUES = discover()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


# --- the registry ------------------------------------------------------------------------------------

def test_each_rule_has_an_id_title_codes_and_a_docstring_a_provider_can_read() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.title and rule.codes, rule.id
        description = rule.description()
        assert len(description.split("\n\n")) >= 2, rule.id
        assert "To fix" in description, rule.id
        assert set(rule.reads) <= set(PortfolioRules.__dataclass_fields__), rule.id


def test_every_code_belongs_to_exactly_one_rule() -> None:
    owners: dict[str, list[str]] = {}
    for rule in RULES:
        for code in rule.codes:
            owners.setdefault(code, []).append(rule.id)
    assert {code: rules for code, rules in owners.items() if len(rules) > 1} == {}
    assert rule_for_code("video-limit").id == "video-limit"


def test_the_readme_lists_the_rules_as_the_registry_does() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    assert text[start:end] + "\n" == render_rules_markdown(), \
        "README.md's rules section is stale: paste `portfolio-check rules --format markdown` over it"


def test_every_readme_code_is_raised_by_one_rule_and_asserted_by_a_test() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(README_START):text.index(README_END)]
    listed = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", section.split("#### ", 1)[1]))
    declared = {code for rule in RULES for code in rule.codes}
    assert listed >= declared
    tests = [p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")]
    unasserted = [code for code in sorted(listed & declared)
                  if not any(f'"{code}"' in t or f"'{code}'" in t for t in tests)]
    assert unasserted == []


def test_a_rule_cannot_raise_a_code_it_does_not_declare() -> None:
    class Careless(Rule):
        """Raises what it should not.

        To fix a failure: nothing.
        """

        id = "careless"
        title = "Careless"
        codes: ClassVar[Mapping[str, Severity]] = {"careless-warning": Severity.WARNING}

        def check(self, ctx: Context) -> Result:
            return Result(Figure("x"), [Finding("careless-warning", Severity.ERROR, "wrong severity")])

    ready = check_portfolio(SAMPLES / "ST0792-production-coordinator-ready", CATALOGUES)
    from portfolio_check.checks.context import Resolution, build_context

    ctx = build_context(ready.portfolio, Resolution(ready.standard, ready.option))
    with pytest.raises(UndeclaredCode):
        Careless().evaluate(ctx)


# --- the two reproductions that used to disagree ----------------------------------------------------

def _ready_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ready"
    shutil.copytree(SAMPLES / "ST0792-production-coordinator-ready", target)
    return target


def test_an_unknown_standard_in_the_details_fails_the_standard_line(tmp_path: Path) -> None:
    portfolio = _ready_copy(tmp_path)
    details = portfolio / "portfolio.yaml"
    details.write_text(re.sub(r"(?m)^standard:.*$", "standard: ST9999", details.read_text(encoding="utf-8")),
                       encoding="utf-8")
    code, text = run("check", str(portfolio), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "NOT READY for Gateway" in text
    assert re.search(r"\[FAIL\] Standard and option: ", text), text
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    standard_line = next(item for item in report["checklist"] if item["rule"] == "standard")
    assert standard_line["status"] == "fail"
    assert [(f["code"], f["rule"]) for f in report["findings"] if f["severity"] == "error"] == \
        [("standard-unknown", "standard")]
    page = lxml_html.document_fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert page.xpath("string(//section[contains(@class,'verdict')]/h2)") == "Not ready for Gateway"
    assessment = check_portfolio(portfolio, CATALOGUES)
    assert_invariants(assessment)
    assert_outputs_agree(assessment)


def test_video_within_the_tolerance_is_within_the_limit_everywhere(tmp_path: Path) -> None:
    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec(videos=(300.0, 300.03)))
    assessment = check_portfolio(portfolio, CATALOGUES)
    video = assessment.outcome("video-limit")
    assert 600.0 < video.figure.value <= 600.05, video.figure
    assert video.status is Status.PASS and video.figure.beyond == 0
    assert assessment.verdict == "ready", [f.message for f in assessment.errors]
    assert_outputs_agree(assessment)
    code, text = run("check", str(portfolio), "-o", str(tmp_path / "out"))
    assert code == 0 and "[ok  ] Video in total: 10 min of video (max 10 min)" in text
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "over the limit" not in page and "10 min of video of the 10 min allowed (0 s left)" in page


def test_over_the_limit_by_more_than_the_tolerance_fails_everywhere(tmp_path: Path) -> None:
    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec(videos=(300.0, 301.0)))
    assessment = check_portfolio(portfolio, CATALOGUES)
    video = assessment.outcome("video-limit")
    assert video.status is Status.FAIL and video.figure.beyond == pytest.approx(1.0, abs=0.05)
    assert [f.code for f in video.findings] == ["video-limit"]
    assert_outputs_agree(assessment)


# --- findings no test asserted before ---------------------------------------------------------------

def test_no_manifest_and_nothing_naming_the_standard_still_gives_a_verdict(tmp_path: Path) -> None:
    portfolio = tmp_path / "Unnamed portfolio"
    builders.docx(portfolio / "Call sheet.docx", ["Call sheet for shoot day 1"])
    builders.clip(portfolio / "Walkthrough.mp4", 30.0)
    code, text = run("check", str(portfolio), "--format", "json")
    assert code == 1
    report = json.loads(text)
    codes = {(f["code"], f["rule"]) for f in report["findings"]}
    assert {("manifest-missing", "manifest"), ("standard-unknown", "standard")} <= codes
    assert report["standard"]["reference"] is None and report["summary"]["video_seconds"] == pytest.approx(30, abs=0.1)
    statuses = {item["rule"]: item["status"] for item in report["checklist"]}
    assert statuses["standard"] == statuses["manifest"] == "fail"
    assert statuses["coverage"] == statuses["video-limit"] == "unknown"


def test_a_catalogue_that_leaves_a_rule_unknown_is_reported(tmp_path: Path) -> None:
    catalogue = (REPO / "ksb_catalogues" / "ST0792-v1.2.yaml").read_text(encoding="utf-8")
    without_limit = re.sub(r"(?m)^\s*max_video_seconds:.*\n", "", catalogue)
    assert without_limit != catalogue
    folder = tmp_path / "catalogues"
    folder.mkdir()
    (folder / "ST0792-v1.2.yaml").write_text(without_limit, encoding="utf-8")
    code, text = run("--catalogues", str(folder), "check", str(SAMPLES / "ST0792-production-coordinator-ready"),
                     "--format", "json")
    report = json.loads(text)
    assert code == 0
    unknown = [f for f in report["findings"] if f["code"] == "rule-unknown"]
    assert len(unknown) == 1 and "video time limit" in unknown[0]["message"] and unknown[0]["rule"] == "standard"
    statuses = {item["rule"]: item["status"] for item in report["checklist"]}
    assert statuses["video-limit"] == "unknown" and statuses["standard"] == "warning"


def test_a_second_manifest_is_named_and_not_used(tmp_path: Path) -> None:
    portfolio = _ready_copy(tmp_path)
    shutil.copyfile(portfolio / "KSB mapping.csv", portfolio / "old mapping.yaml")
    assessment = check_portfolio(portfolio, CATALOGUES)
    duplicates = [f for f in assessment.findings if f.code == "manifest-duplicate"]
    assert [(f.path, f.rule, f.severity) for f in duplicates] == [("old mapping.yaml", "manifest", Severity.WARNING)]
    assert assessment.verdict == "ready"


def test_a_clip_in_a_deck_that_cannot_be_measured_makes_the_limit_unverifiable(tmp_path: Path) -> None:
    whole = builders.clip(tmp_path / "whole.mp4", 20.0)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(whole.read_bytes()[:1500])
    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec())
    builders.pptx(portfolio / "Team briefing.pptx", ["Briefing"], movie=broken)
    assessment = check_portfolio(portfolio, CATALOGUES)
    unknown = [f for f in assessment.findings if f.code == "video-duration-unknown"]
    assert [(f.path, f.rule) for f in unknown] == [("Team briefing.pptx", "video-limit")]
    assert assessment.outcome("video-limit").status is Status.FAIL and assessment.verdict == "not-ready"


def test_a_legacy_word_file_is_a_warning_of_the_files_line(tmp_path: Path, corpus: Path) -> None:
    source = corpus / "wild" / "legacy_doc_ppt_counts" / "nolze-msoffcrypto-tool__plain.doc"
    if not source.is_file():
        pytest.skip(f"{source} is not in the shared corpus")
    portfolio = _ready_copy(tmp_path)
    shutil.copyfile(source, portfolio / "Old call sheet.doc")
    assessment = check_portfolio(portfolio, CATALOGUES)
    legacy = [f for f in assessment.findings if f.code == "legacy-format"]
    assert [(f.path, f.rule, f.severity) for f in legacy] == [("Old call sheet.doc", "files", Severity.WARNING)]
    assert assessment.outcome("files").status is Status.WARNING


def test_a_details_file_that_cannot_be_read_is_reported_and_the_check_goes_on(tmp_path: Path) -> None:
    portfolio = _ready_copy(tmp_path)
    (portfolio / "portfolio.yaml").write_text("apprentice: Jane Smith\n  uln: [1234\nstandard ST0792\n", encoding="utf-8")
    assessment = check_portfolio(portfolio, CATALOGUES)
    invalid = [f for f in assessment.findings if f.code == "details-invalid"]
    assert [(f.path, f.rule) for f in invalid] == [("portfolio.yaml", "details")]
    assert assessment.standard is not None and assessment.standard.reference == "ST0792"
    assert assessment.outcome("piece-count").status is Status.PASS
