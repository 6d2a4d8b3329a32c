"""Renders a standard from the catalogue as JSON data or a readable text table."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from portfolio_check.catalogue.model import Ksb, Standard
from portfolio_check.formatting import format_duration, plural


def standard_summary(standard: Standard) -> dict[str, Any]:
    """One line's worth of facts about a standard, for ``catalogues list``."""
    return {
        "reference": standard.reference,
        "version": standard.version,
        "title": standard.title,
        "level": standard.level,
        "status": standard.status,
        "ksbs": len(standard.ksbs),
        "duties": len(standard.duties),
        "options": [o.id for o in standard.options],
        "origin": standard.origin,
    }


def standard_to_dict(standard: Standard, ksbs: tuple[Ksb, ...] | None = None,
                     option: str | None = None, method: str | None = None) -> dict[str, Any]:
    """The JSON form of ``catalogues show``; ``ksbs`` is the selection to list (all by default)."""
    rules = standard.portfolio
    return {
        "reference": standard.reference,
        "version": standard.version,
        "title": standard.title,
        "level": standard.level,
        "status": standard.status,
        "route": standard.route,
        "source": standard.source,
        "notes": standard.notes,
        "selection": {"option": option, "method": method},
        "options": [{"id": o.id, "title": o.title} for o in standard.options],
        "methods": [
            {"id": m.id, "title": m.title, "underpinned_by_portfolio": m.underpinned_by_portfolio}
            for m in standard.methods
        ],
        "themes": [
            {
                "id": t.id,
                "title": t.title,
                "method": t.method,
                "options": list(t.options),
                "pass": [{"ksbs": list(d.ksbs), "text": d.text} for d in t.pass_descriptors],
                "distinction": [{"ksbs": list(d.ksbs), "text": d.text} for d in t.distinction_descriptors],
            }
            for t in standard.themes
        ],
        "ksb_categories": list(standard.ksb_categories),
        "duties": [
            {
                "code": d.code,
                "text": d.text,
                "options": list(d.options),
                "ksbs": list(d.ksbs),
                "off_the_job_days": d.off_the_job_days,
            }
            for d in standard.duties
        ],
        "ksbs": [
            {
                "code": k.code,
                "kind": k.kind,
                "text": k.text,
                "options": list(k.options),
                "methods": list(k.methods),
                "theme": k.theme,
            }
            for k in (standard.ksbs if ksbs is None else ksbs)
        ],
        "portfolio": {
            "min_pieces": rules.min_pieces,
            "max_pieces": rules.max_pieces,
            "max_video_seconds": rules.max_video_seconds,
            "min_video_height": rules.min_video_height,
            "attribution_statement_required": rules.attribution_statement_required,
            "evidence_method": rules.evidence_method,
            "evidence_codes": rules.evidence_codes,
            "unknown": rules.unknown_rules(),
            "assumptions": dict(rules.assumptions),
        },
        "gateway": gateway_to_dict(standard),
        "manual_checks": [{"id": m.id, "item": m.item, "why": m.why, "per": m.per} for m in standard.manual_checks],
    }


def gateway_to_dict(standard: Standard) -> dict[str, Any]:
    """The pre-Gateway requirements as data; a requirement the standard does not state is None."""
    gateway = standard.gateway
    training, english_maths = gateway.training, gateway.english_maths
    return {
        "training": None if training is None else {"min_months": training.months,
                                                   "requirement": training.requirement},
        "english_maths": None if english_maths is None else {"level": english_maths.level,
                                                             "requirement": english_maths.requirement},
        "declaration": None if gateway.declaration is None else {"requirement": gateway.declaration.requirement},
        "adjustments": None if gateway.adjustments is None else {"requirement": gateway.adjustments.requirement},
        "source": gateway.source,
        "notes": gateway.notes,
    }


def describe_gateway(standard: Standard) -> list[str]:
    """The pre-Gateway requirements in words, one line each: a warning for a typical minimum, an error
    for a hard one."""
    gateway = standard.gateway
    if gateway.empty:
        return ["none set in the catalogue" + (f": {gateway.notes}" if gateway.notes else "")]
    firm = {"typical": "typical: a warning if not met", "hard": "required: an error if not met"}
    lines = []
    if gateway.training is not None:
        lines.append(f"Training: at least {plural(gateway.training.months, 'month')} from start to Gateway "
                     f"({firm[gateway.training.requirement]})")
    if gateway.english_maths is not None:
        lines.append(f"English and maths: Level {gateway.english_maths.level} achieved "
                     f"({firm[gateway.english_maths.requirement]})")
    if gateway.declaration is not None:
        lines.append(f"Gateway declaration signed ({firm[gateway.declaration.requirement]})")
    if gateway.adjustments is not None:
        lines.append(f"Reasonable adjustments and special considerations declared "
                     f"({firm[gateway.adjustments.requirement]})")
    return lines


def describe_rules(standard: Standard) -> list[str]:
    """The portfolio rules in words, one line each; unknown and assumed rules say so."""
    rules = standard.portfolio
    assumed = rules.assumptions

    def mark(name: str) -> str:
        return " (assumed)" if name in assumed else ""

    lines = []
    if rules.min_pieces is None and rules.max_pieces is None:
        lines.append("Pieces of evidence: unknown (the catalogue does not say)")
    else:
        low = rules.min_pieces if rules.min_pieces is not None else "any"
        high = rules.max_pieces if rules.max_pieces is not None else "no maximum"
        lines.append(f"Pieces of evidence: {low} to {high}{mark('min_pieces') or mark('max_pieces')}")
    if rules.max_video_seconds is None:
        lines.append("Video in total: unknown (the catalogue does not say)")
    else:
        lines.append(f"Video in total: at most {format_duration(rules.max_video_seconds)}{mark('max_video_seconds')}")
    if rules.min_video_height is not None:
        lines.append(f"Clip pictures: at least {rules.min_video_height} pixels on the shorter side (a warning)"
                     f"{mark('min_video_height')}")
    statement = {True: "required", False: "not required", None: "unknown (the catalogue does not say)"}
    lines.append("Employer and apprentice attribution statement: "
                 f"{statement[rules.attribution_statement_required]}{mark('attribution_statement_required')}")
    method = standard.method(rules.evidence_method) if rules.evidence_method else None
    evidenced = "duties" if rules.evidence_codes == "duties" else "KSBs"
    if method is None:
        lines.append(f"Portfolio evidences: the {evidenced} of an unknown assessment method")
    else:
        lines.append(f"Portfolio evidences: the {evidenced} of '{method.title}'{mark('evidence_method')}")
    return lines


def render_standard_text(standard: Standard, ksbs: tuple[Ksb, ...], option: str | None = None,
                         method: str | None = None, width: int | None = None) -> str:
    """A readable page about a standard: facts, options, methods, rules, then the KSB table."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    out: list[str] = []
    level = f"level {standard.level}, " if standard.level else ""
    out.append(f"{standard.reference} v{standard.version}  {standard.title} ({level}{standard.status})")
    if standard.route:
        out.append(f"Route: {standard.route}")
    if standard.source:
        out.extend(textwrap.wrap(f"Source: {standard.source}", width, subsequent_indent="  "))
    if standard.notes:
        out.extend(textwrap.wrap(f"Notes: {standard.notes}", width, subsequent_indent="  "))
    out.append("")
    out.append("Options:" if standard.options else "Options: none (every KSB is core)")
    out.extend(f"  {o.id:<30} {o.title}" for o in standard.options)
    out.append("Assessment methods:" if standard.methods else "Assessment methods: not given in the catalogue")
    for m in standard.methods:
        note = "  <- the portfolio underpins this" if m.underpinned_by_portfolio else ""
        out.append(f"  {m.id:<30} {m.title}{note}")
    out.append("Portfolio rules:")
    out.extend(f"  {line}" for line in describe_rules(standard))
    for name, why in standard.portfolio.assumptions.items():
        out.extend(textwrap.wrap(f"{name}: {why}", width, initial_indent="    * ", subsequent_indent="      "))
    out.append("Pre-Gateway requirements:")
    for line in describe_gateway(standard):
        out.extend(textwrap.wrap(line, width, initial_indent="  ", subsequent_indent="    "))
    if standard.manual_checks:
        out.append("Checked by hand (listed in every report):")
        for check in standard.manual_checks:
            per = "" if check.per == "portfolio" else f" [per {check.per}]"
            out.extend(textwrap.wrap(f"{check.item}{per}", width, initial_indent="  - ", subsequent_indent="    "))
    if standard.ksb_categories:
        out.extend(textwrap.wrap("KSB categories: " + "; ".join(standard.ksb_categories), width,
                                 subsequent_indent="  "))
    if standard.duties:
        out.append("")
        out.append(f"Duties ({len(standard.duties)}):")
        for duty in standard.duties:
            days = f" [{duty.off_the_job_days} days off the job]" if duty.off_the_job_days is not None else ""
            out.extend(textwrap.wrap(f"{duty.code:<4} {duty.text}{days}", width,
                                     initial_indent="  ", subsequent_indent="       "))
    out.append("")
    selection = ", ".join(f"{name} {value}" for name, value in (("option", option), ("method", method)) if value)
    heading = f"KSBs ({len(ksbs)} of {len(standard.ksbs)}, {selection})" if selection else f"KSBs ({len(ksbs)})"
    if not standard.ksbs:
        out.append("KSBs: none yet; evidence is mapped to the duties above.")
    else:
        out.append(heading + ":" if ksbs else heading + ": none")
    if ksbs:
        themes = {t.id: t.title for t in standard.themes}
        applies_w = max(len("Applies to"), *(len(", ".join(k.options)) for k in ksbs))
        method_w = max(len("Assessed by"), *(len(", ".join(k.methods) or "-") for k in ksbs))
        out.append(f"  {'Code':<5} {'Applies to':<{applies_w}} {'Assessed by':<{method_w}} Theme / statement")
        indent = " " * (2 + 5 + 1 + applies_w + 1 + method_w + 1)
        text_width = max(30, width - len(indent))
        for k in ksbs:
            theme = themes.get(k.theme or "", "")
            first = f"  {k.code:<5} {', '.join(k.options):<{applies_w}} {', '.join(k.methods) or '-':<{method_w}} "
            body = textwrap.wrap((f"[{theme}] " if theme else "") + k.text, text_width) or [""]
            out.append(first + body[0])
            out.extend(indent + line for line in body[1:])
    return "\n".join(out) + "\n"
