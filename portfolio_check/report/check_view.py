"""Renders an assessment: the JSON document for machines and a short text summary for people."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timezone
from typing import Any

from portfolio_check import __version__
from portfolio_check.checks.model import Assessment
from portfolio_check.findings import Severity
from portfolio_check.report.catalogue_view import format_duration, terminal_safe


def assessment_to_dict(assessment: Assessment, checked_at: datetime | None = None) -> dict[str, Any]:
    """The JSON report (``check --format json`` and ``report.json``)."""
    portfolio = assessment.portfolio
    standard = assessment.standard
    details = portfolio.details
    return {
        "tool": {"name": "portfolio-check", "version": __version__},
        "checked_at": (checked_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "verdict": assessment.verdict,
        "portfolio": {"name": portfolio.name, "source": portfolio.source},
        "standard": {"reference": standard.reference, "version": standard.version, "title": standard.title,
                     "option": assessment.option,
                     "option_title": standard.option(assessment.option).title if assessment.option and standard.option(assessment.option) else None,
                     "status": standard.status},
        "inferred": assessment.inferred,
        "apprentice": {"name": details.get("apprentice"), "uln": details.get("uln"), "employer": details.get("employer"),
                       "start_date": details.get("start_date"), "gateway_date": details.get("gateway_date"),
                       "sources": portfolio.detail_sources},
        "summary": {"pieces": assessment.piece_count, "pieces_estimated": assessment.piece_count_estimated,
                    "video_seconds": assessment.video_seconds(), "audio_seconds": assessment.audio_seconds(),
                    "errors": len(assessment.errors), "warnings": len(assessment.warnings),
                    "files": len(portfolio.records)},
        "checklist": [{"rule": i.rule, "title": i.title, "status": i.status, "figure": i.figure, "assumed": i.assumed}
                      for i in assessment.checklist],
        "manifest": {"path": portfolio.manifest_path,
                     "layout": portfolio.manifest.layout if portfolio.manifest else None},
        "pieces": [p.to_dict() for p in assessment.pieces],
        "files": [r.to_dict() for r in portfolio.records],
        "documents": assessment.documents,
        "unmapped_files": assessment.unmapped_files,
        "ignored": [{"path": i.path, "reason": i.reason} for i in portfolio.ignored],
        "clips": [{"path": c.path, "kind": c.kind, "seconds": c.seconds, "embedded_in": c.embedded_in}
                  for c in assessment.clips],
        "coverage": assessment.coverage.to_dict(),
        "attribution": assessment.attribution.to_dict(),
        "findings": [f.to_dict() for f in assessment.findings],
    }


def render_check_text(assessment: Assessment, width: int | None = None) -> str:
    """A short summary: verdict, counts, the checklist, then findings grouped by severity."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    standard = assessment.standard
    details = assessment.portfolio.details
    verdict = "READY for Gateway" if assessment.verdict == "ready" else "NOT READY for Gateway"
    who = details.get("apprentice") or assessment.portfolio.name
    option = f", option {assessment.option}" if assessment.option else ""
    out = [f"{who}: {verdict}",
           f"{standard.reference} v{standard.version} {standard.title}{option}",
           f"{len(assessment.errors)} error{'s' if len(assessment.errors) != 1 else ''}, "
           f"{len(assessment.warnings)} warning{'s' if len(assessment.warnings) != 1 else ''}; "
           f"{assessment.piece_count} pieces, {format_duration(assessment.video_seconds())} of video"]
    for note in assessment.inferred:
        out.append(f"Inferred: {note}")
    out.append("")
    marks = {"pass": "ok  ", "fail": "FAIL", "warning": "warn", "unknown": "?   "}
    for item in assessment.checklist:
        assumed = " (assumed rule)" if item.assumed else ""
        out.append(f"  [{marks[item.status]}] {item.title}: {item.figure}{assumed}")
    for severity, title in ((Severity.ERROR, "Errors"), (Severity.WARNING, "Warnings")):
        chosen = [f for f in assessment.findings if f.severity is severity]
        if not chosen:
            continue
        out += ["", f"{title} ({len(chosen)}):"]
        for finding in chosen:
            out += textwrap.wrap(f"[{finding.code}] {finding.message}", width, initial_indent="  - ",
                                 subsequent_indent="    ")
            if finding.fix:
                out += textwrap.wrap(f"Fix: {finding.fix}", width, initial_indent="    ", subsequent_indent="      ")
    return terminal_safe("\n".join(out)) + "\n"
