"""The what-to-fix list, and the finding fields it is built from: who acts on each code, a fix on
every finding apart from its message, and KSBs only another assessment method assesses."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from portfolio_check.catalogue.loader import discover
from portfolio_check.checks.actors import ACTOR_BY_CODE, ACTORS, APPRENTICE, EMPLOYER, PROVIDER
from portfolio_check.checks.files import FIX, SEVERITY, file_findings
from portfolio_check.checks.model import Assessment
from portfolio_check.checks.rules import RULES
from portfolio_check.checks.what_to_fix import what_to_fix, with_statements
from portfolio_check.extract.runner import extract_file
from portfolio_check.findings import Finding, Severity
from portfolio_check.ingest.inventory import ingest
from portfolio_check.pipeline import CheckSettings, check_portfolio
from portfolio_check.report.check_view import NOTHING_TO_FIX, render_check_text, what_to_fix_lines
from portfolio_check.report.html_view import report_view

SAMPLES = Path(__file__).resolve().parent.parent / "sample_portfolios"
GOLDEN = Path(__file__).resolve().parent / "data" / "what_to_fix"
CATALOGUES = discover()
#: Every sample portfolio the generator writes (the export holds five).
SAMPLE_NAMES = ("ST0792-production-coordinator-ready", "ST0792-post-production-ready.zip", "ST0792-not-ready",
                "ST1457-assistant-stage-manager", *(f"sharepoint-export/{p.name}" for p in
                                                   sorted((SAMPLES / "sharepoint-export").iterdir())
                                                   if p.is_dir() or p.suffix == ".zip"))
#: A sentence of a message that tells the reader what to do: the fix, which belongs in ``fix``.
_FIX_SENTENCE = re.compile(
    r"(?:^|[.;:!?]\s+)(?:Open|Save|Export|Remove|Copy|Submit|Ask|Replace|Rename|Install|Add|Zip|Unzip|Scan|"
    r"Convert|Download|Embed|Insert|Check that|Print|Record|Watch|Trim|Map|Correct|Have|Read it)\b")


@functools.cache
def _check(name: str) -> Assessment:
    return check_portfolio(SAMPLES / name, CATALOGUES, CheckSettings())


def _unquoted(text: str) -> str:
    """The message without the evidence it quotes (“...”), which may hold any words."""
    return re.sub(r"“[^”]*”", "“”", text)


def assert_fix_apart(findings: list[Finding]) -> None:
    for finding in findings:
        assert finding.fix and finding.fix.strip(), f"{finding.code} has no fix: {finding.message}"
        assert finding.fix not in finding.message, f"{finding.code} repeats its fix in its message"
        assert not _FIX_SENTENCE.search(_unquoted(finding.message)), \
            f"{finding.code}'s message still tells what to do: {finding.message}"


# --- who acts ------------------------------------------------------------------------------------

def test_every_declared_code_of_every_rule_has_someone_to_act_on_it() -> None:
    declared = {code for rule in RULES for code in rule.codes}
    assert declared - set(ACTOR_BY_CODE) == set(), "add these codes to portfolio_check/checks/actors.py"
    assert set(ACTOR_BY_CODE.values()) <= set(ACTORS) == {APPRENTICE, EMPLOYER, PROVIDER}


def test_every_file_problem_code_has_a_severity_and_general_advice() -> None:
    assert set(FIX) == set(SEVERITY) and all(text.strip() for text in FIX.values())


# --- a fix on every finding, apart from its message ----------------------------------------------

#: The ST1457 sample is a model portfolio with nothing to find.
SAMPLES_WITH_FINDINGS = tuple(name for name in SAMPLE_NAMES if name != "ST1457-assistant-stage-manager")


@pytest.mark.parametrize("name", SAMPLES_WITH_FINDINGS)
def test_every_finding_of_the_samples_has_a_fix_apart_from_its_message(name: str) -> None:
    findings = _check(name).findings
    assert findings
    assert_fix_apart(findings)


def test_the_encrypted_file_of_the_not_ready_sample_has_its_fix_as_a_field() -> None:
    encrypted = next(f for f in _check("ST0792-not-ready").findings if f.code == "file-encrypted")
    assert encrypted.message.endswith("password-protected, so an assessor cannot open it.")
    assert encrypted.fix is not None and encrypted.fix.startswith("Remove the password")
    assert "Remove the password" not in encrypted.message


def test_every_finding_of_the_hostile_portfolio_has_a_fix_apart_from_its_message(tmp_path: Path) -> None:
    from test_hostile_portfolio import _build

    secret = tmp_path / "secret" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("not for the report\n")
    portfolio = _build(tmp_path / "Hostile 1234567899", secret)
    findings = check_portfolio(portfolio, CATALOGUES, CheckSettings()).findings
    codes = {f.code for f in findings}
    assert {"file-empty", "unsafe-archive", "file-unreadable"} <= codes, codes
    assert_fix_apart(findings)


def test_every_file_finding_of_the_wild_corpus_has_a_fix_apart_from_its_message(corpus: Path) -> None:
    wild = corpus / "wild"
    if not (wild / "sources.json").is_file():
        pytest.skip("the wild corpus is not present")
    records = [extract_file(item) for folder in sorted(p for p in wild.iterdir() if p.is_dir())
               for item in ingest(folder).files]
    findings = file_findings(records)
    codes = {f.code for f in findings}
    assert {"file-encrypted", "file-protected", "file-truncated", "file-damaged", "file-unreadable"} <= codes, codes
    assert_fix_apart(findings)


# --- the list --------------------------------------------------------------------------------------

def test_the_not_ready_sample_gets_the_list_it_was_built_for() -> None:
    """Compared exactly: the sample is deterministic, and the list is what a provider pastes into an email."""
    assessment = _check("ST0792-not-ready")
    text = "\n".join(what_to_fix_lines(assessment)) + "\n"
    assert text == (GOLDEN / "ST0792-not-ready.txt").read_text(encoding="utf-8")


def test_the_list_is_grouped_by_who_acts_errors_first_with_every_finding_once() -> None:
    assessment = _check("ST0792-not-ready")
    fixes = what_to_fix(assessment)
    assert [g.actor for g in fixes.groups] == [APPRENTICE, EMPLOYER, PROVIDER]
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, None: 2}
    for group in fixes.groups:
        severities = [item.severity for item in group.items]
        assert severities == sorted(severities, key=rank.__getitem__)  # errors, warnings, then lines to decide
        assert {ACTOR_BY_CODE[item.code] for item in group.items if item.severity is not None} == {group.actor}
    found = [i for i in fixes.items if i.severity is not None]
    assert sorted(i.code for i in found) == sorted(f.code for f in assessment.findings)
    # The sample gives no pre-Gateway details: that line is unknown, so the provider is told what to add.
    [to_decide] = [i for i in fixes.items if i.severity is None]
    assert (to_decide.code, to_decide in fixes.groups[2].items) == ("pre-gateway", True)
    assert to_decide.how.startswith("Add to the manifest's Portfolio sheet (or portfolio.yaml): 'english: achieved'")
    employer = fixes.groups[1].items
    assert [(i.code, i.severity) for i in employer] == [("attribution-missing", Severity.ERROR)]
    encrypted = next(i for i in fixes.items if i.code == "file-encrypted")
    # the file is named under "where", not again at the start of "what"
    assert encrypted.where == "02 Compliance and clearances/Contributor release forms.pdf"
    assert encrypted.what == "The PDF is password-protected, so an assessor cannot open it."


@pytest.mark.parametrize(("blanked", "actor"), [("apprentice", APPRENTICE), ("employer", EMPLOYER)])
def test_an_unfinished_statement_goes_to_whoever_has_not_finished_it(tmp_path: Path, blanked: str, actor: str) -> None:
    import builders
    import portfolios

    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec(statement=False))
    lines = list(portfolios.STATEMENT)
    # Each party's date is the line after its name and signature: blank the one being tested.
    start = lines.index("Apprentice" if blanked == "apprentice" else "Employer")
    lines[start + 3] = "Date: ____________"
    builders.docx(portfolio / "Declaration.docx", lines, title="Declaration")
    assessment = check_portfolio(portfolio, CATALOGUES, CheckSettings())
    [finding] = [f for f in assessment.findings if f.code == "attribution-incomplete"]
    assert f"{blanked}'s date is missing" in finding.message
    [group] = [g for g in what_to_fix(assessment).groups if any(i.code == "attribution-incomplete" for i in g.items)]
    assert group.actor == actor
    assert (finding.to_dict().get("actor"), actor) in ((None, EMPLOYER), (APPRENTICE, APPRENTICE))


def test_every_ksb_code_in_the_list_has_its_statement_beside_it() -> None:
    assessment = _check("ST0792-not-ready")
    standard = assessment.standard
    assert standard is not None
    uncovered = next(i for i in what_to_fix(assessment).items if i.code == "ksb-not-covered")
    assert "K15 (The value of production content and confidentiality to the business…)" in uncovered.what
    for item in what_to_fix(assessment).items:
        text = _unquoted(f"{item.what} {item.how}")
        for match in re.finditer(r"\b[KSB]\d{1,2}\b", text):
            assert standard.ksb(match.group(0)) is not None
            explained = re.search(rf"\b{match.group(0)} \(", text)
            assert explained, f"{match.group(0)} without its statement in: {text}"


def test_a_statement_is_added_once_and_never_inside_quoted_evidence() -> None:
    standard = CATALOGUES.get("ST0792")
    what, how = with_statements(["K12 is weak. It says: “see K12”. K12 again.", "Check K12 (as given)."], standard)
    assert (what, how) == ("K12 is weak. It says: “see K12”. K12 again.", "Check K12 (as given).")
    (what,) = with_statements(["K12 and S3; K99 is not a code."], standard)
    assert what.startswith("K12 (Industry regulations, codes of practice, organisational policies")
    assert "S3 (Create, maintain and share production documentation" in what and "K99 is" in what
    assert len(what.split("(")[1].split(")")[0]) <= 70


def test_a_ready_portfolio_with_no_findings_has_nothing_to_fix() -> None:
    from dataclasses import replace

    from portfolio_check.report.html_view import render_report_html

    checked = _check("ST0792-production-coordinator-ready")
    # The sample's only findings are warnings (weak claims, small clips): without them it is the
    # clean portfolio a provider hopes for.
    assert checked.verdict == "ready" and checked.errors == []
    assessment = replace(checked, outcomes=tuple(replace(o, findings=()) for o in checked.outcomes))
    assert what_to_fix(assessment).empty
    assert what_to_fix_lines(assessment) == ["What to fix", "Priya Chandran: ready for Gateway (0 errors, 0 warnings)",
                                             "", NOTHING_TO_FIX]
    html = render_report_html(assessment, {"tool": {"version": "x"}, "summary": {"files": 1}, "checked_at": None})
    section = html.split('<section id="what-to-fix"', 1)[1].split("</section>", 1)[0]
    assert NOTHING_TO_FIX in section and "Must fix" not in section


def test_the_text_output_puts_the_list_under_the_verdict() -> None:
    text = render_check_text(_check("ST0792-not-ready"), width=100)
    lines = text.splitlines()
    assert lines[0] == "Callum Reid: NOT READY for Gateway"
    start = lines.index("What to fix")
    assert start < lines.index("Gateway checklist")
    assert lines[start + 2] == "For the apprentice" and lines[start + 3].startswith("1. Must fix: ")
    assert all(len(line) <= 100 for line in lines[start:lines.index("Gateway checklist")])


# --- KSBs another method assesses ----------------------------------------------------------------

def test_ksbs_the_presentation_assesses_read_so_not_not_required() -> None:
    assessment = _check("ST0792-not-ready")
    standard = assessment.standard
    assert standard is not None
    view = report_view(assessment, {"tool": {"version": "x"}, "summary": {"files": 1}})
    rows = {row["code"]: row for group in view["coverage"]["groups"] for row in group["rows"]}
    presentation = [code for code, row in rows.items() if not row["required"]
                    and standard.ksb(code) and standard.ksb(code).methods == ("presentation",)]
    assert presentation, "the sample maps KSBs only the presentation assesses"
    for code in presentation:
        assert rows[code]["label"] == "Assessed in the presentation, not the portfolio", code
    assert all(row["label"] != "Not required" for row in rows.values())


def test_without_ocr_the_scan_finding_says_what_is_missing_and_its_fix_how_to_install_it() -> None:
    from portfolio_check.extract import ocr

    why = ("Tesseract is not installed: the tesserocr package could not be loaded (no module). "
           "Install it with: pip install tesserocr")
    assert ocr.unavailable_parts(why) == (
        "Tesseract is not installed: the tesserocr package could not be loaded (no module).",
        "Install it with: pip install tesserocr")
    reason, install = ocr.unavailable_parts(f"The language data was not found. {ocr.INSTALL_HINT}.")
    assert reason == "The language data was not found." and install == f"{ocr.INSTALL_HINT}."
    assert ocr.unavailable_parts("No engine.") == ("No engine.", None)
