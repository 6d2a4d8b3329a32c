"""The statement from the employer and the apprentice that the evidence is valid and attributable."""

from __future__ import annotations

from portfolio_check.checks import attribution as statements
from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Severity


class AttributionRule(Rule):
    """The portfolio holds a statement, confirmed by the employer and the apprentice, that the
    evidence is valid and attributable to the apprentice.

    The statement is recognised by what it says (a declaration that the evidence is valid and the
    apprentice's own work, with each party's name, signature and date), not by its file name. The
    parties may confirm in one file or in a file each. A scan or a drawn signature cannot be read
    as text, so it is left to check by hand (a warning).

    To fix a failure: add the statement, or complete it: each party's confirmation, name, date and
    signature.
    """

    id = "attribution"
    title = "Employer and apprentice statement"
    codes = {"attribution-missing": Severity.ERROR, "attribution-incomplete": Severity.ERROR,
             "attribution-unverified": Severity.WARNING}
    reads = ("attribution_statement_required",)

    def check(self, ctx: Context) -> Result:
        required = ctx.standard.portfolio.attribution_statement_required if ctx.standard is not None else None
        result = ctx.attribution
        found = result.statement.path if result.statement else (
            "needs checking by hand" if result.unverified else "not found")
        if ctx.holds_nothing:
            return Result(Figure("not found: the portfolio holds nothing to check"), clean=Status.UNKNOWN)
        if required is None:
            why = "standard not known" if ctx.standard is None else "requirement not given"
            return Result(Figure(f"{found} ({why})"), clean=Status.UNKNOWN)
        count = len(result.statements())
        # The requirement is the figure's lower bound: at least one statement, or none needed.
        figure = Figure(found if required else f"not required ({found})", value=count, low=1 if required else None,
                        unit="statements")
        return Result(figure, statements.attribution_findings(result, required))
