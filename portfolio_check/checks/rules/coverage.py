"""Coverage: every KSB (or duty) the portfolio underpins has a piece of evidence."""

from __future__ import annotations

from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Finding, Severity


class CoverageRule(Rule):
    """Every KSB the portfolio must underpin is evidenced by at least one piece.

    The portfolio underpins one assessment method (ST0792: the professional discussion), so it must
    hold evidence for each KSB that method assesses: the core KSBs and those of the apprentice's
    option. A KSB counts as evidenced when a piece whose files are in the portfolio is mapped to
    it. When the option is not known only the core KSBs are checked, and the report says so. When
    the text of a piece, or of a file no piece refers to, reads like evidence for an uncovered KSB,
    the finding names it.

    To fix a failure: map a piece of evidence to each uncovered KSB in the manifest (one piece may
    evidence several), adding evidence where none exists.
    """

    id = "coverage"
    title = "Required KSBs evidenced"
    codes = {"ksb-not-covered": Severity.ERROR}
    reads = ("evidence_method",)

    def title_for(self, ctx: Context) -> str:
        return "Required duties evidenced" if ctx.evidence_word == "duty" else self.title

    def check(self, ctx: Context) -> Result:
        standard = ctx.standard
        what = "duties" if ctx.evidence_word == "duty" else "KSBs"
        if standard is None:
            return Result(Figure("standard not known"), clean=Status.UNKNOWN)
        if standard.portfolio.evidence_codes != "duties" and standard.portfolio.evidence_method is None:
            return Result(Figure("assessment method not given"), clean=Status.UNKNOWN)
        if ctx.portfolio.manifest is None:
            return Result(Figure(f"no manifest: nothing maps evidence to {what}"), clean=Status.UNKNOWN)
        coverage = ctx.coverage
        unchecked = coverage.unchecked_option_codes
        scope = "core " if unchecked else ""
        text = f"{len(coverage.covered)} of {len(coverage.required)} {scope}{what} covered"
        if unchecked:
            text += f"; the option's {len(unchecked)} not checked (option not known)"
        figure = Figure(text, value=len(coverage.covered), high=len(coverage.required), unit=what,
                        beyond=float(len(coverage.missing)))
        findings = []
        if coverage.missing:
            method = standard.method(standard.portfolio.evidence_method or "")
            assessed = f" assessed by the {method.title.lower()}" if method and what == "KSBs" else ""
            option = standard.option(ctx.option) if ctx.option else None
            scope_text = f" (core and the {option.title.lower()} option)" if option else " (core)"
            hints = _reads_like(ctx)
            findings.append(Finding(
                "ksb-not-covered", Severity.ERROR,
                f"{len(coverage.missing)} of the {len(coverage.required)} {what}{assessed}{scope_text} have no "
                f"evidence: {', '.join(coverage.missing)}.{hints}",
                fix=f"Map a piece of evidence to each of these {what} in the manifest (one piece may evidence several)"
                    + ("; check the files named above first: if one shows it, map it." if hints else ".")))
        return Result(figure, findings, Status.UNKNOWN if unchecked else Status.PASS)


def _reads_like(ctx: Context) -> str:
    """`` K16 has no evidence; `Albert footprint.pdf` (piece 7) reads like evidence for it.`` per
    uncovered code that some piece's or unmapped file's text suggests confidently."""
    by_code: dict[str, list[str]] = {}
    for found in ctx.claims.reads_like:
        where = f"piece {found.piece}" if found.piece is not None else "in no piece"
        by_code.setdefault(found.code, []).append(f"`{found.path}` ({where})")
    sentences = []
    for code, names in by_code.items():
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        sentences.append(f" {code} has no evidence; {listed} {'reads' if len(names) == 1 else 'read'} like evidence "
                         "for it.")
    return "".join(sentences)
