"""The invariants every assessment keeps, and the check that text, JSON and HTML say the same.

Used by the invariant tests on samples, fixtures and generated portfolios.
"""

from __future__ import annotations

from typing import Any

from lxml import html as lxml_html

from portfolio_check.checks.model import Assessment
from portfolio_check.checks.outcome import Status
from portfolio_check.findings import Severity
from portfolio_check.report.check_view import STATUS_MARKS, assessment_to_dict, render_check_text, verdict_text
from portfolio_check.report.html_view import STATUS_LABELS, render_report_html


def assert_invariants(assessment: Assessment) -> None:
    """ready <=> no error; an error's line fails; a failing line has an error; a warning line has a warning."""
    outcomes = {o.rule: o for o in assessment.outcomes}
    errors = [f for f in assessment.findings if f.severity is Severity.ERROR]
    assert (assessment.verdict == "ready") == (not errors), [f.code for f in errors]
    assert len(outcomes) == len(assessment.outcomes), "one outcome per rule"
    for outcome in assessment.outcomes:
        for finding in outcome.findings:
            assert finding.rule == outcome.rule, (finding.code, finding.rule, outcome.rule)
        if outcome.status is Status.FAIL:
            assert outcome.errors, f"{outcome.rule} fails without an error"
        if outcome.status is Status.WARNING:
            assert outcome.warnings and not outcome.errors, f"{outcome.rule} warns without a warning"
        if outcome.errors:
            assert outcome.status is Status.FAIL, f"{outcome.rule} has an error but is {outcome.status.value}"
    for finding in assessment.findings:
        assert finding.rule in outcomes, finding


def rendered(assessment: Assessment) -> tuple[str, dict[str, Any], str]:
    report = assessment_to_dict(assessment)
    return render_check_text(assessment, width=400), report, render_report_html(assessment, report)


def assert_outputs_agree(assessment: Assessment) -> None:
    """Text, JSON and HTML show the same verdict, counts and checklist figures as the outcomes."""
    text, report, page = rendered(assessment)
    errors, warnings = len(assessment.errors), len(assessment.warnings)
    # JSON
    assert report["verdict"] == assessment.verdict
    assert (report["summary"]["errors"], report["summary"]["warnings"]) == (errors, warnings)
    assert [(i["rule"], i["status"], i["figure"]) for i in report["checklist"]] == \
        [(o.rule, o.status.value, o.figure.text) for o in assessment.outcomes]
    assert all(f["rule"] for f in report["findings"])
    assert report["summary"]["video_seconds"] == assessment.outcome("video-limit").figure.value
    # Text
    first = text.splitlines()[0]
    assert first.endswith(verdict_text(assessment, terminal=True)), first
    assert f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}" in text
    for outcome in assessment.outcomes:
        assert f"[{STATUS_MARKS[outcome.status]}] {outcome.title}: {outcome.figure.text}" in text, outcome
    # HTML
    document = lxml_html.document_fromstring(page)
    verdict = document.xpath("//section[contains(@class, 'verdict')]")[0]
    assert verdict.xpath("string(h2)") == verdict_text(assessment)
    assert ("verdict--not-ready" in verdict.get("class")) == (assessment.verdict != "ready")
    counts = " ".join(verdict.xpath("string(p[@class='verdict__counts'])").split())
    assert counts == f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    rows = [(" ".join(r.xpath("string(th)").split()), r.xpath("string(td[1])").strip(),
             " ".join(r.xpath("string(td[2])").split()))
            for r in document.xpath("//table[@class='checklist']//tr[td]")]
    assert [(title, label) for title, label, _ in rows] == \
        [(o.title, STATUS_LABELS[o.status]) for o in assessment.outcomes]
    for (_, _, figure), outcome in zip(rows, assessment.outcomes, strict=True):
        assert figure.startswith(" ".join(outcome.figure.text.split())), (figure, outcome.figure.text)
    video = assessment.outcome("video-limit")
    video_text = " ".join(document.xpath("string(//section[.//h2[@id='video']])").split())
    assert ("over the limit" in video_text) == (video.figure.beyond > 0), video_text
