"""What a rule hands on: its outcome (status, the figure behind it, its findings) and the verdict.

The verdict is computed here, from the outcomes, and nowhere else; the checklist is the list of
outcomes. Reports render these and never recompute a rule, a limit or a tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from portfolio_check.findings import Finding, Severity


class Status(str, Enum):
    """A checklist line's state."""

    #: The rule holds.
    PASS = "pass"
    #: The rule does not hold: at least one error.
    FAIL = "fail"
    #: The rule holds, with something worth knowing: at least one warning, no error.
    WARNING = "warning"
    #: The rule could not be decided (the catalogue or the portfolio does not say enough).
    UNKNOWN = "unknown"
    #: The rule holds against a value the catalogue marks as an assumption, not a published rule.
    ASSUMED = "assumed"


@dataclass(frozen=True)
class Figure:
    """The number behind a checklist line, as a person reads it and as a machine can use it."""

    #: For a person: ``17 pieces (18 to 20)``, ``10 min 5 s of video (max 10 min)``.
    text: str
    value: float | None = None
    #: The rule's bounds, where it has them.
    low: float | None = None
    high: float | None = None
    #: ``pieces``, ``seconds``, ``codes``...
    unit: str = ""
    #: How far ``value`` lies outside the bounds by the rule's own judgement (tolerance applied); 0 within.
    beyond: float = 0.0
    #: How much room is left below ``high`` by the rule's judgement; 0 when at or over the limit.
    room: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "value": self.value, "low": self.low, "high": self.high, "unit": self.unit,
                "beyond": self.beyond, "room": self.room}


@dataclass(frozen=True)
class Outcome:
    """One rule's result: a checklist line and the findings behind it."""

    rule: str
    title: str
    status: Status
    figure: Figure
    findings: tuple[Finding, ...] = ()
    #: The catalogue values it relied on are assumptions; ``assumption`` says why.
    assumed: bool = False
    assumption: str = ""
    #: What to add so an unknown line can be decided (see `rules.base.Result.to_decide`).
    to_decide: str | None = None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "status": self.status.value, "figure": self.figure.text,
                "measure": self.figure.to_dict(), "assumed": self.assumed, "assumption": self.assumption or None,
                "errors": len(self.errors), "warnings": len(self.warnings), "to_decide": self.to_decide}


def status_of(findings: Sequence[Finding], clean: Status) -> Status:
    """Fail with an error, warning with a warning, else what the rule says of a clean result."""
    if any(f.severity is Severity.ERROR for f in findings):
        return Status.FAIL
    if findings:
        return Status.WARNING
    return clean


@dataclass(frozen=True)
class Verdict:
    """Ready for Gateway or not, decided from the outcomes alone."""

    ready: bool
    #: Ready, but only against rules the catalogue marks as assumptions (e.g. a proposal standard).
    assumed: bool
    errors: int
    warnings: int

    @property
    def code(self) -> str:
        """``ready`` or ``not-ready``: the value ``report.json`` and batch summaries carry."""
        return "ready" if self.ready else "not-ready"


def verdict_of(outcomes: Sequence[Outcome]) -> Verdict:
    """The one place the verdict is decided: ready exactly when no rule failed."""
    errors = sum(len(o.errors) for o in outcomes)
    warnings = sum(len(o.warnings) for o in outcomes)
    ready = not any(o.status is Status.FAIL for o in outcomes)
    return Verdict(ready=ready, assumed=ready and any(o.assumed for o in outcomes), errors=errors, warnings=warnings)
