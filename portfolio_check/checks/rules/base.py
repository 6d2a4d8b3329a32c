"""The rule: one Gateway requirement, one checklist line, the findings behind it.

A rule declares its id, its checklist title, the finding codes it may raise and the catalogue
fields it reads; its docstring says, for a provider, what it checks, why and how to fix a failure.
`Rule.evaluate` turns what `check` found into an `Outcome`: it stamps each finding with the rule,
refuses codes the rule did not declare, and derives the status from the findings, so a line can
never say "pass" beside an error of its own.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar

from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Outcome, Status, status_of
from portfolio_check.findings import Finding, Severity


class UndeclaredCode(AssertionError):
    """A rule raised a finding code it does not declare: a programming error, caught by the tests."""


@dataclass
class Result:
    """What a rule's `check` found: the figure, the findings, and the status of a clean result."""

    figure: Figure
    findings: list[Finding] = field(default_factory=list)
    #: The status when there is no finding: ``PASS``, or ``UNKNOWN`` when the rule could not be decided.
    clean: Status = Status.PASS
    #: For a line left unknown for want of information: what to add so it can be decided (kept only
    #: when the line ends unknown). It becomes an item of the what-to-fix list, so nothing unknown is
    #: left for the provider to spot in the checklist alone.
    to_decide: str | None = None


class Rule:
    """Base of every Gateway rule. A subclass sets the class attributes and implements `check`."""

    #: Stable id: the checklist line and the ``rule`` of every finding it raises.
    id: ClassVar[str]
    #: The checklist line's title.
    title: ClassVar[str]
    #: Every finding code the rule may raise, with its severity; each code belongs to exactly one rule.
    codes: ClassVar[Mapping[str, Severity]]
    #: The catalogue's portfolio-rule fields it reads (``max_video_seconds``...); an assumed one marks the line.
    reads: ClassVar[tuple[str, ...]] = ()

    def title_for(self, ctx: Context) -> str:
        """The title shown for this portfolio (a duty-mapped standard says "duty", not "KSB")."""
        return self.title

    def check(self, ctx: Context) -> Result:
        raise NotImplementedError

    def evaluate(self, ctx: Context) -> Outcome:
        result = self.check(ctx)
        undeclared = sorted({f"{f.code} ({f.severity.value})" for f in result.findings
                             if self.codes.get(f.code) is not f.severity})
        if undeclared:
            raise UndeclaredCode(f"rule {self.id} raised {', '.join(undeclared)}, which it does not declare")
        findings = tuple(replace(f, rule=self.id) for f in result.findings)
        assumptions = ctx.standard.portfolio.assumptions if ctx.standard is not None else {}
        used = [name for name in self.reads if name in assumptions]
        clean = result.clean
        if clean is Status.PASS and used:
            clean = Status.ASSUMED
        status = status_of(findings, clean)
        return Outcome(rule=self.id, title=self.title_for(ctx), status=status,
                       figure=result.figure, findings=findings, assumed=bool(used),
                       assumption=" ".join(dict.fromkeys(assumptions[name] for name in used)),
                       to_decide=result.to_decide if status is Status.UNKNOWN else None)

    @classmethod
    def description(cls) -> str:
        """The docstring, dedented: what the rule checks, why, and how to fix a failure."""
        return inspect.cleandoc(cls.__doc__ or "")
