"""The whole Gateway, not only the portfolio: the pre-Gateway requirements read from real details files
(``portfolio.yaml``, an Excel manifest's Portfolio sheet) and real certificates, through the real pipeline."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import builders
import portfolios
import pytest
import yaml
from click.testing import CliRunner

from portfolio_check.catalogue import ifate
from portfolio_check.catalogue.loader import discover, load_catalogue_file, read_document
from portfolio_check.checks.model import Assessment
from portfolio_check.checks.outcome import Outcome, Status
from portfolio_check.checks.pre_gateway import (
    add_months,
    certificates_in,
    read_declared,
    read_english_maths,
    read_yes_no,
    whole_months,
)
from portfolio_check.cli import main
from portfolio_check.errors import CatalogueError
from portfolio_check.findings import Severity
from portfolio_check.pipeline import check_portfolio

REPO = Path(__file__).resolve().parent.parent
CATALOGUES = discover()
ST0792 = REPO / "ksb_catalogues" / "ST0792-v1.2.yaml"

#: Every pre-Gateway detail answered, and met: what each test changes one thing of.
MET = {"start_date": "2024-09-02", "gateway_date": "2026-03-16", "english": "achieved", "maths": "GCSE grade 5",
       "declaration_signed": "2026-03-06", "reasonable_adjustments": "none"}


@pytest.fixture(scope="module")
def ready_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ready ST0792 portfolio without clips (built once; each test works on a copy)."""
    return portfolios.build(tmp_path_factory.mktemp("base") / "portfolio", portfolios.Spec(videos=()))


def _portfolio(base: Path, tmp_path: Path, details: dict[str, str] | None = None) -> Path:
    target = tmp_path / "Sam Patel"
    shutil.copytree(base, target)
    if details is not None:
        lines = ["apprentice: Sam Patel", "standard: ST0792", "option: production-coordinator"]
        lines += [f"{key}: {value}" for key, value in details.items()]
        (target / "portfolio.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _line(assessment: Assessment) -> Outcome:
    return next(o for o in assessment.outcomes if o.rule == "pre-gateway")


def _codes(outcome: Outcome) -> dict[str, Severity]:
    return {f.code: f.severity for f in outcome.findings}


# --- training time ------------------------------------------------------------------------------------

def test_a_gateway_six_months_after_the_start_is_the_typical_minimum_warning(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path, {**MET, "start_date": "2025-09-01", "gateway_date": "01/03/2026"})
    assessment = check_portfolio(portfolio, CATALOGUES)
    line = _line(assessment)
    assert line.status is Status.WARNING
    assert _codes(line) == {"training-short-typical": Severity.WARNING}
    finding = line.findings[0]
    assert "6 months" in finding.message and "typically train for at least 12 months" in finding.message
    assert "2026-09-01" in (finding.fix or "")  # the earliest date that meets the typical minimum
    assert finding.path == "portfolio.yaml" and finding.rule == "pre-gateway"
    assert line.figure.text.startswith("6 months of training (typically at least 12)")
    assert (line.figure.value, line.figure.low) == (6.0, 12.0)
    assert assessment.verdict == "ready"  # a typical minimum warns; it never fails the portfolio


def test_thirteen_months_passes_every_requirement_answered(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path, {**MET, "start_date": "2025-02-01", "gateway_date": "2026-03-01"})
    line = _line(check_portfolio(portfolio, CATALOGUES))
    assert (line.status, line.findings) == (Status.PASS, ())
    assert line.figure.text == ("13 months of training (typically at least 12); Level 2 English: achieved "
                                "(portfolio.yaml); Level 2 maths: GCSE grade 5 (portfolio.yaml); Gateway declaration "
                                "signed 2026-03-06; reasonable adjustments: none declared")


def test_a_day_short_of_twelve_months_is_still_short(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path, {**MET, "start_date": "2025-03-02", "gateway_date": "2026-03-01"})
    line = _line(check_portfolio(portfolio, CATALOGUES))
    assert _codes(line) == {"training-short-typical": Severity.WARNING}
    assert "11 months 27 days" in line.findings[0].message


def test_missing_dates_leave_the_line_unknown_and_are_asked_for_once(ready_base: Path, tmp_path: Path) -> None:
    from portfolio_check.checks.what_to_fix import what_to_fix

    details = {k: v for k, v in MET.items() if k not in ("start_date", "gateway_date")}
    assessment = check_portfolio(_portfolio(ready_base, tmp_path, details), CATALOGUES)
    line = _line(assessment)
    assert (line.status, line.findings, line.to_decide) == (Status.UNKNOWN, (), None)
    assert "training time not known (no start or Gateway date: see the apprentice details line" in line.figure.text
    # The details line asks for the dates, for the evidence dates and the length of training both: once.
    [to_decide] = [item for item in what_to_fix(assessment).items if item.severity is None]
    assert to_decide.code == "details" and "'start_date: 2024-09-02'" in to_decide.how
    assert "length of training" in to_decide.how


# --- English and maths --------------------------------------------------------------------------------

def test_english_and_maths_missing_is_unknown_with_what_to_add(ready_base: Path, tmp_path: Path) -> None:
    details = {k: v for k, v in MET.items() if k not in ("english", "maths")}
    portfolio = _portfolio(ready_base, tmp_path, details)
    result = CliRunner().invoke(main, ["check", str(portfolio), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.stdout)
    line = next(item for item in report["checklist"] if item["rule"] == "pre-gateway")
    assert (line["status"], line["errors"], line["warnings"]) == ("unknown", 0, 0)
    assert "Level 2 English and maths not known" in line["figure"]
    assert line["to_decide"].startswith("Add to portfolio.yaml: 'english: achieved' and 'maths: achieved' (or "
                                        "'exempt'), or put the certificates in the portfolio")
    assert not [f for f in report["findings"] if f["rule"] == "pre-gateway"]
    assert report["verdict"] == "ready"  # unknown is not a pass, nor a failure
    text = CliRunner().invoke(main, ["check", str(portfolio)], catch_exceptions=False).stdout
    assert "[?   ] Pre-Gateway requirements:" in text and "'maths: achieved'" in text
    # Nothing unknown is left for the provider to spot in the checklist alone: it is on the what-to-fix list.
    listed = " ".join(text.split("Gateway checklist")[0].split())
    assert "To decide: Pre-Gateway requirements: not decided yet (18 months 14 days of training" in listed
    assert ("Level 2 English and maths not known; Gateway declaration signed 2026-03-06; reasonable adjustments: none "
            "declared). How: Add to portfolio.yaml: 'english: achieved' and 'maths: achieved'") in listed


def test_an_answer_the_check_cannot_read_is_unknown_not_passed(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path, {**MET, "english": "maybe", "declaration_signed": "with HR"})
    line = _line(check_portfolio(portfolio, CATALOGUES))
    assert (line.status, line.findings) == (Status.UNKNOWN, ())
    assert "Level 2 English not known ('english: maybe' (in portfolio.yaml) cannot be read)" in line.figure.text
    assert "Gateway declaration not known ('declaration_signed: with HR' (in portfolio.yaml) cannot be read)" \
        in line.figure.text
    assert "Level 2 maths: GCSE grade 5 (portfolio.yaml)" in line.figure.text
    assert line.to_decide == ("Add to portfolio.yaml: 'english: achieved' (or 'exempt', or the qualification, e.g. "
                              "'GCSE grade 5'); 'declaration_signed: yes' (or the date it was signed, e.g. "
                              "'2026-03-06').")


def test_maths_not_achieved_is_an_error_saying_what_to_do(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path, {**MET, "maths": "working towards Level 2"})
    assessment = check_portfolio(portfolio, CATALOGUES)
    line = _line(assessment)
    assert _codes(line) == {"english-maths-not-met": Severity.ERROR}
    finding = line.findings[0]
    assert finding.message == ("Level 2 maths is not achieved: the details say 'maths: working towards Level 2' (in "
                               "portfolio.yaml); ST0792 requires it before Gateway.")
    assert "'maths: achieved'" in (finding.fix or "") and "'maths: exempt'" in (finding.fix or "")
    assert assessment.verdict == "not-ready"


def test_a_level_below_the_standard_s_is_not_met(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path, {**MET, "english": "Functional Skills Level 1"})
    line = _line(check_portfolio(portfolio, CATALOGUES))
    assert _codes(line) == {"english-maths-not-met": Severity.ERROR}
    assert "Functional Skills Level 1, below Level 2" in line.findings[0].message


def test_certificates_in_the_portfolio_are_recognised_by_what_they_say(ready_base: Path, tmp_path: Path) -> None:
    # No English or maths detail, and one that says "not yet": the certificates decide.
    details = {**{k: v for k, v in MET.items() if k != "english"}, "maths": "not yet"}
    portfolio = _portfolio(ready_base, tmp_path, details)
    builders.docx(portfolio / "Certificates" / "Scan 0042.docx", [
        "Pearson", "This is to certify that", "Sam Patel", "has been awarded",
        "Pearson Edexcel Functional Skills Qualification in Mathematics at Level 2",
        "Date of award: 12 June 2024", "Certificate number 7731 0042"], title="Certificate")
    builders.pdf(portfolio / "Certificates" / "results.pdf", [[
        "AQA", "Statement of results", "Candidate: Sam Patel", "GCSE (9-1) English Language grade 5",
        "GCSE (9-1) Geography grade 3", "Issued August 2022"]])
    assessment = check_portfolio(portfolio, CATALOGUES)
    line = _line(assessment)
    assert (line.status, line.findings) == (Status.PASS, ())
    assert "Level 2 English: GCSE grade 5 certificate (Certificates/results.pdf)" in line.figure.text
    # Certificates are Gateway documents, like the statement: not evidence the manifest forgot to map.
    assert {"Certificates/results.pdf", "Certificates/Scan 0042.docx"} <= set(assessment.documents)
    assert not any(f.code == "unmapped-file" for f in assessment.findings)
    assert "Level 2 maths: Functional Skills Level 2 certificate (Certificates/Scan 0042.docx)" in line.figure.text


def test_a_certificate_below_the_level_is_named_but_decides_nothing(ready_base: Path, tmp_path: Path) -> None:
    details = {k: v for k, v in MET.items() if k != "english"}
    portfolio = _portfolio(ready_base, tmp_path, details)
    builders.pdf(portfolio / "GCSE results.pdf", [[
        "Statement of results", "Candidate: Sam Patel", "GCSE English Language grade 3"]])
    line = _line(check_portfolio(portfolio, CATALOGUES))
    assert (line.status, line.findings) == (Status.UNKNOWN, ())
    assert "Level 2 English not known; GCSE results.pdf shows GCSE grade 3 only" in line.figure.text
    assert "'english: achieved' (or 'exempt')" in (line.to_decide or "")


def test_certificate_reading_is_not_fooled_by_a_cv() -> None:
    cv = ("Curriculum vitae. Sam Patel. Education: Northgate College, 9 GCSEs including English and maths "
          "(grade 6). Certificate in first aid. " + "Runner on two factual series. " * 10)
    assert certificates_in("CV.docx", cv) == []  # "Certificate in first aid" does not make it a certificate
    assert certificates_in("CV.docx", "x" * 7000 + " certificate GCSE maths grade 5") == []  # too long to be one
    [slip] = certificates_in("slip.pdf", "Statement of results\nGCSE (9-1) Mathematics 6\nGCSE English Language 3")[1:]
    assert (slip.subject, slip.qualification, slip.level) == ("maths", "GCSE grade 6", 2)


# --- the Excel Portfolio sheet: the declaration and adjustments -----------------------------------------

def test_the_manifest_portfolio_sheet_is_read_and_an_unsigned_declaration_fails(tmp_path: Path) -> None:
    details = {"Apprentice": "Sam Patel", "Standard": "ST0792", "Option": "production-coordinator",
               "Start date": "02/09/2024", "Gateway date": "16/03/2026", "English and maths": "Level 2 achieved",
               "Gateway declaration signed": "No", "Reasonable adjustments": "Extra time (25%) in the discussion"}
    spec = portfolios.Spec(videos=(), manifest_format="xlsx", details=details)
    portfolio = portfolios.build(tmp_path / "portfolio", spec)
    assessment = check_portfolio(portfolio, CATALOGUES)
    assert assessment.portfolio.detail_sources["english_maths"] == "manifest"
    line = _line(assessment)
    assert _codes(line) == {"gateway-declaration-unsigned": Severity.ERROR}
    finding = line.findings[0]
    assert finding.path == "Portfolio manifest.xlsx"
    assert "'declaration_signed: No'" in finding.message and "'declaration_signed: yes'" in (finding.fix or "")
    assert "Level 2 English: achieved (the manifest's details)" in line.figure.text
    assert "reasonable adjustments declared" in line.figure.text
    assert assessment.verdict == "not-ready"


def test_adjustments_to_be_confirmed_are_not_declared(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path, {**MET, "reasonable_adjustments": "TBC"})
    line = _line(check_portfolio(portfolio, CATALOGUES))
    assert _codes(line) == {"adjustments-undeclared": Severity.ERROR}
    assert "'reasonable_adjustments: none'" in (line.findings[0].fix or "")


def test_details_keys_are_read_as_providers_write_them(ready_base: Path, tmp_path: Path) -> None:
    portfolio = _portfolio(ready_base, tmp_path)
    (portfolio / "portfolio.yaml").write_text(
        "Apprentice: Sam Patel\nStandard: ST0792\nOption: production-coordinator\nStart date: 02/09/2024\n"
        "Gateway date: 16/03/2026\nEnglish and maths: yes\nDeclaration: signed 06/03/2026\n"
        "Special considerations: none\nDecleration signed: yes\n", encoding="utf-8")
    assessment = check_portfolio(portfolio, CATALOGUES)
    assert _line(assessment).status is Status.PASS
    slips = [f.message for f in assessment.findings if f.code == "details-invalid"]
    assert slips == ["In portfolio.yaml, line 9: 'Decleration signed' is not a detail the tool knows; did you mean "
                     "'declaration_signed'? It was ignored."]


def test_answers_are_read_loosely_but_never_guessed() -> None:
    assert [read_english_maths(t, 2).answer for t in ("achieved", "Exempt", "A level maths", "2023-06-10",
                                                       "GCSE grade 3", "no", "pending resit", "GCSE")] == \
        ["yes", "yes", "yes", "yes", "no", "no", "no", "unreadable"]
    assert [read_yes_no(t).answer for t in ("TRUE", "signed 06/03/2026", "not yet", "perhaps")] == \
        ["yes", "yes", "no", "unreadable"]
    assert [read_declared(t).note or read_declared(t).answer for t in ("N/A", "none needed", "reader", "tbc", "?")] == \
        ["none", "none", "declared", "no", "no"]
    assert whole_months(date(2025, 9, 1), date(2026, 3, 1)) == (6, 0)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


# --- other standards and catalogues -----------------------------------------------------------------------

def test_st1457_sets_no_pre_gateway_requirement_so_the_line_says_so(tmp_path: Path) -> None:
    spec = portfolios.Spec(standard="ST1457", option=None, pieces=12, videos=())
    portfolio = portfolios.build(tmp_path / "portfolio", spec)
    (portfolio / "portfolio.yaml").write_text("standard: ST1457\nstart_date: 2025-09-01\ngateway_date: 2026-03-01\n",
                                              encoding="utf-8")
    assessment = check_portfolio(portfolio, CATALOGUES)
    line = _line(assessment)
    assert (line.status, line.findings) == (Status.UNKNOWN, ())
    assert line.figure.text.startswith("none set in the ST1457 catalogue. The proposal sets no pre-Gateway "
                                       "requirements: its typical duration is given as 0 months")
    assert CATALOGUES.get("ST1457").gateway.empty
    assert assessment.verdict == "ready"


def _catalogue_with(tmp_path: Path, gateway: dict[str, object]) -> Path:
    document = read_document(ST0792)
    document["gateway"] = gateway
    folder = tmp_path / "catalogues"
    folder.mkdir(exist_ok=True)
    (folder / "ST0792-v1.2.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return folder


def test_a_catalogue_decides_which_minimums_are_hard_and_which_typical(ready_base: Path, tmp_path: Path) -> None:
    folder = _catalogue_with(tmp_path, {
        "training": {"min_months": 12, "requirement": "hard"}, "english_maths": {"level": 2, "requirement": "typical"},
        "declaration": {"requirement": "typical"}, "adjustments": {"requirement": "typical"}})
    catalogues = discover([folder])
    details = {"start_date": "2025-09-01", "gateway_date": "2026-03-01", "english_maths": "no",
               "declaration_signed": "not yet", "reasonable_adjustments": "to be confirmed"}
    assessment = check_portfolio(_portfolio(ready_base, tmp_path, details), catalogues)
    line = _line(assessment)
    assert _codes(line) == {"training-short": Severity.ERROR, "english-maths-not-met-typical": Severity.WARNING,
                            "gateway-declaration-unsigned-typical": Severity.WARNING,
                            "adjustments-undeclared-typical": Severity.WARNING}
    short = next(f for f in line.findings if f.code == "training-short")
    assert "requires at least 12 months" in short.message and "2026-09-01 or later" in (short.fix or "")
    assert assessment.verdict == "not-ready"


@pytest.mark.parametrize(("gateway", "problem"), [
    ({"training": {"min_months": 12}}, "gateway.training.requirement: expected 'typical' (not meeting it is a "
                                       "warning) or 'hard' (an error), found nothing"),
    ({"training": {"requirement": "typical"}}, "gateway.training.min_months: missing"),
    ({"english_maths": {"level": 4, "requirement": "hard"}}, "gateway.english_maths.level: expected the English and "
                                                             "maths level, 1, 2 or 3"),
    ({"declaration": {"requirement": "usually"}}, "gateway.declaration.requirement: expected 'typical'"),
    ({"declaration": True}, "gateway.declaration: expected a mapping of fields"),
    ({"english": {"requirement": "hard"}}, "gateway: unknown field 'english' (fields here: source, notes, training"),
])
def test_a_malformed_gateway_section_names_the_file_and_entry(tmp_path: Path, gateway: dict[str, object],
                                                              problem: str) -> None:
    path = _catalogue_with(tmp_path, gateway) / "ST0792-v1.2.yaml"
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_file(path)
    assert str(caught.value).startswith(f"{path}: {problem}")
    result = CliRunner().invoke(main, ["catalogues", "validate", str(path)], catch_exceptions=False)
    assert result.exit_code != 0 and problem.split(":")[0] in result.output


def test_the_bundled_st0792_catalogue_transcribes_the_pre_gateway_checks() -> None:
    gateway = CATALOGUES.get("ST0792", "1.2").gateway
    assert (gateway.training.months, gateway.training.requirement) == (12, "typical")  # type: ignore[union-attr]
    assert (gateway.english_maths.level, gateway.english_maths.requirement) == (2, "hard")  # type: ignore[union-attr]
    assert gateway.declaration is not None and gateway.declaration.requirement == "hard"
    assert gateway.adjustments is not None and gateway.adjustments.requirement == "hard"


def test_an_import_rules_file_may_carry_the_gateway_section() -> None:
    data = json.loads((REPO / "tests" / "data" / "ifate" / "standards.json").read_text(encoding="utf-8"))
    rules = {**read_document(REPO / "tests" / "data" / "ifate" / "rules-st0792.yaml"),
             "gateway": {"training": {"min_months": 12, "requirement": "typical"}}}
    [item] = ifate.convert(data, "standards.json", "ST0792", version="1.2", rules=rules, rules_source="rules.yaml")
    assert item.document["gateway"] == {"training": {"min_months": 12, "requirement": "typical"}}
    bad = {**rules, "gateway": {"training": {"min_months": 12, "requirement": "often"}}}
    with pytest.raises(CatalogueError, match=r"gateway\.training\.requirement"):
        ifate.convert(data, "standards.json", "ST0792", version="1.2", rules=bad, rules_source="rules.yaml")


def test_the_ready_sample_passes_the_pre_gateway_line() -> None:
    assessment = check_portfolio(REPO / "sample_portfolios" / "ST0792-production-coordinator-ready", CATALOGUES)
    line = _line(assessment)
    assert (line.status, line.findings) == (Status.PASS, ())
    assert "Level 2 maths: Functional Skills Level 2 (portfolio.yaml)" in line.figure.text
