"""Renders an assessment: the JSON document for machines and a short text summary for people.

Both render the rules' outcomes as they are: the verdict, each checklist line's status and figure,
and the findings. Nothing here decides or recomputes a rule.
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timezone
from typing import Any

from portfolio_check import __version__
from portfolio_check.checks.model import Assessment
from portfolio_check.checks.outcome import Status
from portfolio_check.checks.what_to_fix import WhatToFix, what_to_fix
from portfolio_check.findings import Severity
from portfolio_check.formatting import format_duration, plural, terminal_safe

#: How each item of the what-to-fix list starts, by severity: an error must be fixed, a warning checked.
FIX_LABELS: dict[Severity | None, str] = {Severity.ERROR: "Must fix", Severity.WARNING: "To check", None: "To decide"}
#: The what-to-fix list of a portfolio with no finding.
NOTHING_TO_FIX = "Nothing to fix: no errors and no warnings."

#: The text output's mark for each checklist status.
STATUS_MARKS = {Status.PASS: "ok  ", Status.FAIL: "FAIL", Status.WARNING: "warn", Status.UNKNOWN: "?   ",
                Status.ASSUMED: "ok* "}


def verdict_text(assessment: Assessment, terminal: bool = False) -> str:
    """``Ready for Gateway``, ``Not ready for Gateway``, or ready against assumed rules, naming why.

    ``terminal`` writes READY / NOT READY in capitals, as the text output does.
    """
    judgement = assessment.judgement
    ready, not_ready = ("READY", "NOT READY") if terminal else ("Ready", "Not ready")
    if not judgement.ready:
        return f"{not_ready} for Gateway"
    standard = assessment.standard
    if judgement.assumed and standard is not None:
        why = "is not yet approved" if standard.status != "approved" else "has rules the catalogue assumes"
        return f"{ready} against assumed rules ({standard.reference} {why})"
    return f"{ready} for Gateway"


def standard_to_dict(assessment: Assessment) -> dict[str, Any]:
    standard = assessment.standard
    if standard is None:
        return {"reference": None, "version": None, "title": None, "option": None, "option_title": None,
                "status": None}
    option = standard.option(assessment.option) if assessment.option else None
    return {"reference": standard.reference, "version": standard.version, "title": standard.title,
            "option": assessment.option, "option_title": option.title if option else None, "status": standard.status}


def assessment_to_dict(assessment: Assessment, checked_at: datetime | None = None) -> dict[str, Any]:
    """The JSON report (``check --format json`` and ``report.json``)."""
    portfolio = assessment.portfolio
    details = portfolio.details
    judgement = assessment.judgement
    return {
        "tool": {"name": "portfolio-check", "version": __version__},
        "checked_at": (checked_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "verdict": judgement.code,
        "verdict_text": verdict_text(assessment),
        "ready_against_assumed_rules": judgement.assumed,
        "portfolio": {"name": portfolio.name, "source": portfolio.source},
        "standard": standard_to_dict(assessment),
        "inferred": list(assessment.inferred),
        "apprentice": {"name": details.get("apprentice"), "uln": details.get("uln"), "employer": details.get("employer"),
                       "start_date": details.get("start_date"), "gateway_date": details.get("gateway_date"),
                       "sources": portfolio.detail_sources},
        "summary": {"pieces": assessment.piece_count, "pieces_estimated": assessment.piece_count_estimated,
                    "video_seconds": assessment.video_seconds(), "audio_seconds": assessment.audio_seconds(),
                    "errors": judgement.errors, "warnings": judgement.warnings,
                    "files": len(portfolio.records)},
        "checklist": [outcome.to_dict() for outcome in assessment.outcomes],
        "manifest": {"path": portfolio.manifest_path,
                     "layout": portfolio.manifest.layout if portfolio.manifest else None},
        "pieces": [p.to_dict() for p in assessment.pieces],
        "files": [r.to_dict() for r in portfolio.records],
        "documents": list(assessment.documents),
        "unmapped_files": list(assessment.unmapped_files),
        "ignored": [{"path": i.path, "reason": i.reason} for i in portfolio.ignored],
        "clips": [{"path": c.path, "kind": c.kind, "seconds": c.seconds, "embedded_in": c.embedded_in}
                  for c in assessment.clips],
        "coverage": assessment.coverage.to_dict(),
        "claims": [claim.to_dict() for claim in assessment.claims],
        "attribution": assessment.attribution.to_dict(),
        "findings": [f.to_dict() for f in assessment.findings],
        "manual_checks": [check.to_dict() for check in assessment.manual_checks],
    }


def standard_line(assessment: Assessment) -> str:
    """``ST0792 v1.2 Junior production coordinator, option production-coordinator``."""
    standard = assessment.standard
    if standard is None:
        return "Standard not known"
    option = f", option {assessment.option}" if assessment.option else ""
    return f"{standard.reference} v{standard.version} {standard.title}{option}"


def counts_line(assessment: Assessment) -> str:
    """``5 errors, 1 warning; 17 pieces, 10 min 30 s of video``: the same figures the HTML shows."""
    judgement = assessment.judgement
    estimate = " (estimated)" if assessment.piece_count_estimated else ""
    return (f"{plural(judgement.errors, 'error')}, {plural(judgement.warnings, 'warning')}; "
            f"{plural(assessment.piece_count, 'piece')}{estimate}, {format_duration(assessment.video_seconds())} of video")


def what_to_fix_heading(assessment: Assessment) -> str:
    """``Callum Reid: not ready for Gateway (5 errors, 30 warnings)``: the first line of the list."""
    judgement = assessment.judgement
    who = assessment.portfolio.details.get("apprentice") or assessment.portfolio.name
    verdict = verdict_text(assessment)
    return (f"{who}: {verdict[:1].lower() + verdict[1:]} "
            f"({plural(judgement.errors, 'error')}, {plural(judgement.warnings, 'warning')})")


def what_to_fix_lines(assessment: Assessment, fixes: WhatToFix | None = None, width: int | None = None,
                      heading: bool = True) -> list[str]:
    """The what-to-fix list as plain text, ready to paste into an email: the title and (with
    ``heading``) who and the verdict, then the numbered items under who acts. ``width`` wraps long
    lines (the terminal); None leaves them whole, for an email to wrap."""
    fixes = fixes if fixes is not None else what_to_fix(assessment)
    lines = ["What to fix", what_to_fix_heading(assessment)] if heading else ["What to fix"]
    if fixes.empty:
        return [*lines, "", NOTHING_TO_FIX]

    def add(text: str, first: str, rest: str) -> None:
        lines.extend(textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest)
                     if width else [first + text])

    number = 0
    for group in fixes.groups:
        lines += ["", group.title]
        for item in group.items:
            number += 1
            first = f"{number}. "
            indent = " " * len(first)
            add(f"{FIX_LABELS[item.severity]}: {item.what}", first, indent)
            if item.where:
                add(f"Where: {item.where}", indent, indent + "  ")
            add(f"How: {item.how}", indent, indent + "  ")
    return lines


def render_check_text(assessment: Assessment, width: int | None = None) -> str:
    """A short summary: verdict and counts, the what-to-fix list (every finding, by who acts), the
    checklist and what to check by hand. Finding codes are in the JSON output."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    details = assessment.portfolio.details
    who = details.get("apprentice") or assessment.portfolio.name
    out = [f"{who}: {verdict_text(assessment, terminal=True)}",
           standard_line(assessment), counts_line(assessment)]
    for note in assessment.inferred:
        out.append(f"Inferred: {note}")
    out += ["", *what_to_fix_lines(assessment, width=width, heading=False), "", "Gateway checklist"]
    for outcome in assessment.outcomes:
        assumed = " (assumed rule)" if outcome.assumed else ""
        out.append(f"  [{STATUS_MARKS[outcome.status]}] {outcome.title}: {outcome.figure.text}{assumed}")
        if outcome.to_decide:
            out += textwrap.wrap(f"To decide: {outcome.to_decide}", width, initial_indent="         ",
                                 subsequent_indent="           ")
    if assessment.manual_checks:
        out += ["", "Check by hand (the tool cannot decide these; report.json has room to record who did):"]
        for check in assessment.manual_checks:
            about = f" ({check.subject})" if check.subject else ""
            out += textwrap.wrap(f"{check.item}{about}", width, initial_indent="  [ ] ", subsequent_indent="      ")
    return terminal_safe("\n".join(out)) + "\n"
