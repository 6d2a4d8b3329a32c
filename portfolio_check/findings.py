"""The finding: one thing wrong (or worth knowing) about a portfolio, as plain data.

Findings cross process boundaries in batch runs and end up in JSON, HTML and CSV, so they are
small, frozen and picklable. ``code`` is stable: reports, filters and users' scripts key on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """Errors make a portfolio not ready; warnings inform."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One finding about a portfolio."""

    #: Stable identifier, e.g. ``video-limit`` or ``ksb-not-covered``.
    code: str
    severity: Severity
    #: What is wrong, for a person, naming the file or piece concerned.
    message: str
    #: Portfolio-relative path of the file it concerns (``evidence.zip!/a.docx`` inside archives).
    path: str | None = None
    #: The manifest's piece id it concerns.
    piece: str | None = None
    #: How to fix it, for a person.
    fix: str | None = None
    #: The id of the Gateway rule (the checklist line) it belongs to; set by the rule registry.
    rule: str | None = None
    #: The KSB or duty code it concerns, where it concerns one.
    ksb: str | None = None
    #: Who must act on it (``apprentice``, ``employer`` or ``provider``) when that depends on the case
    #: rather than the code alone (an unsigned statement: whoever has not signed); None for the code's
    #: usual actor (see `portfolio_check.checks.actors`).
    actor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "severity": self.severity.value, "rule": self.rule,
                                "message": self.message}
        for name in ("path", "piece", "ksb", "fix", "actor"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data
