"""The apprentice's details: a readable details file, a valid ULN, evidence dated on programme."""

from __future__ import annotations

import re
from datetime import date

from portfolio_check.checks.context import Context
from portfolio_check.checks.model import Piece
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.resolve import uln_is_valid
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.dates import parse_date
from portfolio_check.findings import Finding, Severity
from portfolio_check.formatting import plural, sentence


def to_date(value: object) -> date | None:
    """A date from file metadata (an ISO timestamp) or as a provider typed it, else None."""
    if not value:
        return None
    text = str(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        parsed = parse_date(text)
        return date.fromisoformat(parsed) if parsed else None


class DetailsRule(Rule):
    """The apprentice's details can be read, the ULN is valid and the evidence was produced on programme.

    Details (apprentice, ULN, employer, standard, option, start and Gateway dates) come from the
    command line, ``portfolio.yaml``, the manifest's Portfolio sheet or a folder named
    ``<name> <ULN>``. A Unique Learner Number has 10 digits and a check digit. The start and Gateway
    dates must be real dates, the Gateway after the start. Evidence must be produced during the
    apprenticeship, so each piece's date (from the manifest, or the file's own metadata) should fall
    between them; a date the tool cannot read is quoted rather than ignored.

    To fix a failure: correct the start or Gateway date (written as 2025-09-01 or 01/09/2025). To fix
    a warning: correct ``portfolio.yaml`` so each line is ``key: value``; copy the ULN again from the
    apprentice's records; write a piece's date day first (14/03/2026); check the date of a piece
    outside the programme, or replace it.
    """

    id = "details"
    title = "Apprentice details and dates"
    codes = {"programme-dates": Severity.ERROR, "details-invalid": Severity.WARNING, "uln-invalid": Severity.WARNING,
             "evidence-date": Severity.WARNING, "evidence-date-unreadable": Severity.WARNING}

    def check(self, ctx: Context) -> Result:
        portfolio = ctx.portfolio
        findings: list[Finding] = []
        if portfolio.details_error:
            findings.append(Finding("details-invalid", Severity.WARNING,
                                    sentence(f"{portfolio.details_path} could not be read: {portfolio.details_error}"),
                                    path=portfolio.details_path, fix="Correct the file so each line is 'key: value'."))
        findings += [Finding("details-invalid", Severity.WARNING, sentence(f"In {portfolio.details_path}, {note.message}"),
                             path=portfolio.details_path, fix="Correct the file so each line is 'key: value'.")
                     for note in portfolio.details_notes]
        uln = portfolio.details.get("uln")
        if uln and not uln_is_valid(re.sub(r"\s", "", uln)):
            source = portfolio.detail_sources.get("uln", "portfolio details")
            findings.append(Finding("uln-invalid", Severity.WARNING,
                                    f"The ULN '{uln}' (from the {source}) is not a valid Unique Learner Number: it must "
                                    "be 10 digits with a correct check digit.",
                                    fix="Copy the ULN again from the apprentice's records."))
        findings += _unreadable_piece_dates(ctx)
        start, end, problems = _programme(ctx)
        findings += problems
        if start is None or end is None:
            text = "programme dates not usable" if problems else \
                "start and Gateway dates not given: evidence dates not checked"
            to_decide = None if problems else (
                "Add the apprentice's start and planned Gateway dates to portfolio.yaml ('start_date: 2024-09-02' "
                "and 'gateway_date: 2026-03-16', or the manifest's Portfolio sheet) so the evidence dates, and the "
                "length of training, can be checked.")
            return Result(Figure(text), findings, Status.UNKNOWN, to_decide)
        findings += _dates_outside(ctx, start, end)
        return Result(Figure(f"on programme {start.isoformat()} to {end.isoformat()}"), findings)


def _programme(ctx: Context) -> tuple[date | None, date | None, list[Finding]]:
    """The start and Gateway dates, and an error for one that is not a real date or a reversed pair."""
    details, sources = ctx.portfolio.details, ctx.portfolio.detail_sources
    found: dict[str, date | None] = {}
    problems = []
    for key, label in (("start_date", "start date"), ("gateway_date", "Gateway date")):
        text = details.get(key)
        found[key] = to_date(text)
        if text and found[key] is None:
            problems.append(Finding("programme-dates", Severity.ERROR,
                                    f"The {label} '{text}' (from the {sources.get(key, 'portfolio details')}) is not a "
                                    "date the check can read, so evidence dates cannot be checked against the "
                                    "programme.", fix=f"Write the {label} as 2025-09-01 or 01/09/2025."))
    start, end = found["start_date"], found["gateway_date"]
    if start is not None and end is not None and end < start:
        problems.append(Finding("programme-dates", Severity.ERROR,
                                f"The Gateway date {end.isoformat()} is before the start date {start.isoformat()}.",
                                fix="Check both dates in the portfolio details; one of them is wrong."))
        return None, None, problems
    return start, end, problems


def _unreadable_piece_dates(ctx: Context) -> list[Finding]:
    """One warning quoting every piece date the check cannot read (``12/31/2025``, ``Mar-25``)."""
    manifest = ctx.portfolio.manifest
    notes = [n for n in (manifest.notes if manifest is not None else []) if n.kind == "date-unreadable"]
    if not notes:
        return []
    listed = "; ".join(f"piece {n.piece or '?'} ({n.where}): '{n.text}'" for n in notes)
    return [Finding("evidence-date-unreadable", Severity.WARNING,
                    f"{plural(len(notes), 'date')} in the manifest cannot be read as a date, so "
                    f"{'it was' if len(notes) == 1 else 'they were'} not checked against the programme: {listed}.",
                    piece=notes[0].piece if len(notes) == 1 else None, path=ctx.portfolio.manifest_path,
                    fix="Write dates day first (14/03/2026) or as 2026-03-14; American month-first dates and "
                        "month-year abbreviations cannot be told apart reliably.")]


#: Up to this many pieces outside the programme get a finding each; more share one.
_DATES_EACH = 2


def _dates_outside(ctx: Context, start: date, end: date) -> list[Finding]:
    outside: list[tuple[Piece, date, str]] = []
    for piece in ctx.counted_pieces:
        dated = to_date(piece.date)
        source = "the manifest"
        if dated is None and not piece.date:
            for path in piece.files:
                meta = ctx.records[path].metadata if path in ctx.records else {}
                dated = to_date(meta.get("taken") or meta.get("created"))
                if dated:
                    source = f"{path}'s own metadata"
                    break
        if dated and not (start <= dated <= end):
            outside.append((piece, dated, source))
    fix = "Evidence must be produced during the apprenticeship: check the date or replace the piece."
    period = f"the on-programme period {start.isoformat()} to {end.isoformat()}"
    if len(outside) <= _DATES_EACH:
        return [Finding("evidence-date", Severity.WARNING,
                        f"Piece {piece.id} ('{piece.title}') is dated {dated.isoformat()} (from {source}), outside "
                        f"{period}.", piece=piece.id, fix=fix)
                for piece, dated, source in outside]
    listed = "; ".join(f"piece {piece.id} {dated.isoformat()}" for piece, dated, _ in outside)
    return [Finding("evidence-date", Severity.WARNING,
                    f"{len(outside)} pieces are dated outside {period}: {listed}.", fix=fix)]
