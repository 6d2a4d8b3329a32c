"""Which standard and option the portfolio is checked against."""

from __future__ import annotations

from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Finding, Severity

#: What each catalogue field decides, for the rule-unknown message.
_UNKNOWN_FIELD_MEANS = {
    "min_pieces": "the minimum number of pieces",
    "max_pieces": "the maximum number of pieces",
    "max_video_seconds": "the video time limit",
    "attribution_statement_required": "whether an attribution statement is required",
    "evidence_method": "which assessment method's KSBs the portfolio must evidence (coverage not checked)",
}


class StandardRule(Rule):
    """The portfolio is checked against a standard and option the tool knows.

    Every other rule reads its numbers from the standard's catalogue, so the standard (and, for a
    standard with options, the apprentice's option) must be known. They come from the command
    line, then ``portfolio.yaml``, then the manifest's Portfolio sheet; when none says, they are
    inferred from the KSB codes the manifest uses. A standard or option the tool has no catalogue
    for is an error; a rule the catalogue leaves unknown is reported rather than guessed.

    To fix a failure: correct ``standard:`` or ``option:`` in ``portfolio.yaml`` (``portfolio-check
    catalogues list`` shows the standards and ``catalogues show ST0792`` their options), or give
    ``--standard`` and ``--option``.
    """

    id = "standard"
    title = "Standard and option"
    codes = {"standard-unknown": Severity.ERROR, "option-unknown": Severity.ERROR, "rule-unknown": Severity.WARNING}

    def check(self, ctx: Context) -> Result:
        resolution = ctx.resolution
        findings = list(resolution.findings)
        if ctx.holds_nothing and "option" not in ctx.portfolio.detail_sources:
            # An option inferred from no codes at all says nothing new about an empty portfolio.
            findings = [f for f in findings if f.code != "option-unknown"]
        standard = ctx.standard
        if standard is None and ctx.holds_nothing and not findings:
            return Result(Figure("not known: the portfolio holds nothing to check"), clean=Status.UNKNOWN)
        if standard is None:
            if not any(f.code == "standard-unknown" for f in findings):
                # Why it could not be settled is a sentence of its own ("nothing says which standard ...").
                why = resolution.undetermined or "nothing says which standard this portfolio is for."
                fix = "Add 'standard: ST0792' (and 'option: ...') to portfolio.yaml, or give --standard."
                enclosing = ctx.portfolio.enclosing_portfolio
                if enclosing:  # a sub-folder was checked: its portfolio's details are one level up
                    fix = ("Check the whole portfolio folder (its manifest or details say which): "
                           f"portfolio-check check \"{enclosing}\"")
                findings.append(Finding("standard-unknown", Severity.ERROR, why[:1].upper() + why[1:], fix=fix))
            return Result(Figure("not known"), findings, Status.UNKNOWN)
        findings += [Finding("rule-unknown", Severity.WARNING,
                             f"The catalogue for {standard.key} does not say {_UNKNOWN_FIELD_MEANS[name]}, so that "
                             "rule was not checked.",
                             fix="Add the rule to the standard's catalogue (see ksb_catalogues/README.md).")
                     for name in standard.portfolio.unknown_rules()]
        option = standard.option(ctx.option) if ctx.option else None
        text = f"{standard.reference} v{standard.version}"
        if option is not None:
            text += f", {option.title.lower()} option"
        elif standard.options:
            text += ", option not known"
        if resolution.inferred:
            text += " (inferred)"
        if standard.status != "approved":
            text += f"; status: {standard.status}"
        return Result(Figure(text), findings)
