"""The Gateway rules, registered in one explicit list: the order of the checklist.

Each rule is one class in this package; adding a rule means writing its class and listing it
here. `evaluate_all` runs them over one portfolio's context.
"""

from __future__ import annotations

from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Outcome
from portfolio_check.checks.rules.attribution import AttributionRule
from portfolio_check.checks.rules.base import Rule
from portfolio_check.checks.rules.claims import ClaimsRule
from portfolio_check.checks.rules.clips import VideoPersonRule, VideoQualityRule
from portfolio_check.checks.rules.coverage import CoverageRule
from portfolio_check.checks.rules.details import DetailsRule
from portfolio_check.checks.rules.files import FilesRule
from portfolio_check.checks.rules.manifest import ManifestRule
from portfolio_check.checks.rules.pieces import PieceCountRule
from portfolio_check.checks.rules.pre_gateway import PreGatewayRule
from portfolio_check.checks.rules.standard import StandardRule
from portfolio_check.checks.rules.video import VideoLimitRule

#: Every rule, in checklist order.
RULES: tuple[Rule, ...] = (
    StandardRule(),
    ManifestRule(),
    PieceCountRule(),
    CoverageRule(),
    ClaimsRule(),
    VideoLimitRule(),
    VideoPersonRule(),
    VideoQualityRule(),
    AttributionRule(),
    FilesRule(),
    DetailsRule(),
    PreGatewayRule(),
)


def evaluate_all(ctx: Context) -> tuple[Outcome, ...]:
    """Every rule's outcome for one portfolio, in checklist order."""
    return tuple(rule.evaluate(ctx) for rule in RULES)


def rule_for_code(code: str) -> Rule:
    """The one rule that raises ``code``."""
    for rule in RULES:
        if code in rule.codes:
            return rule
    raise KeyError(code)


__all__ = ["RULES", "Rule", "evaluate_all", "rule_for_code"]
