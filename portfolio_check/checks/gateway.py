"""The Gateway check of one portfolio: build the context, run every registered rule, keep the outcomes.

Every rule reads its numbers from the standard's catalogue; nothing here knows ST0792. The rules
live in `portfolio_check.checks.rules`, one class each, registered in one list; the verdict is
decided from their outcomes by `portfolio_check.checks.outcome.verdict_of`. No rule opens a file.
"""

from __future__ import annotations

from portfolio_check.checks.context import Resolution, build_context
from portfolio_check.checks.manual import manual_checks
from portfolio_check.checks.model import Assessment, ExtractedPortfolio
from portfolio_check.checks.rules import evaluate_all


def assess(portfolio: ExtractedPortfolio, resolution: Resolution) -> Assessment:
    """Run every rule over one extracted portfolio; the outcomes are the checklist and the verdict."""
    ctx = build_context(portfolio, resolution)
    outcomes = evaluate_all(ctx)
    count, estimated = ctx.piece_count()
    return Assessment(
        portfolio=portfolio, standard=resolution.standard, option=resolution.option,
        inferred=resolution.inferred, pieces=ctx.pieces, evidence_files=ctx.evidence_files,
        unmapped_files=ctx.unmapped_files(), documents=ctx.documents, piece_count=count,
        piece_count_estimated=estimated, clips=ctx.clips, coverage=ctx.coverage, attribution=ctx.attribution,
        outcomes=outcomes, claims=ctx.claims.claims, manual_checks=manual_checks(ctx),
        certificates=ctx.certificates)
