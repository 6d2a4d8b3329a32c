"""What the mapper hands on: frozen, picklable results. Nothing here scores anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: A score at or above this means an assessor would likely accept the code for the piece;
#: below it the code is only "possible".
CONFIDENT = 0.5

#: How a manifest claim (piece, code) reads against the piece's text.
Verdict = Literal["supported", "weak", "not judged"]
SUPPORTED: Verdict = "supported"
WEAK: Verdict = "weak"
NOT_JUDGED: Verdict = "not judged"


@dataclass(frozen=True)
class Suggestion:
    """A code (KSB, or duty for a duty-mapped standard) that a piece's text reads like evidence for."""

    #: The KSB or duty code, e.g. ``K12`` or ``D3``.
    code: str
    #: From 0 to 1, calibrated on labelled evidence: at least `CONFIDENT` (0.5) means an assessor
    #: would likely accept it, below that it is only possible.
    score: float
    #: The sentence or short passage of the piece that best supports it, on one line.
    excerpt: str

    @property
    def confident(self) -> bool:
        """True when an assessor would likely accept the code (score of at least 0.5)."""
        return self.score >= CONFIDENT

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"code": "K12", "score": 0.83, "excerpt": "..."}``."""
        return {"code": self.code, "score": round(self.score, 2), "excerpt": self.excerpt}


@dataclass(frozen=True)
class ClaimJudgement:
    """How one manifest claim (this piece evidences ``code``) reads against the piece's text."""

    code: str
    #: ``supported``, ``weak`` (the text does not bear the claim out) or ``not judged`` (no text to read).
    verdict: Verdict
    #: The code's score for the piece (0 to 1), or None when not judged.
    score: float | None
    #: The passage that best supports the claim, when the text has one.
    excerpt: str | None
    #: A short quote of what the piece does say: its passage that reads most like evidence of
    #: anything in the standard (or its opening line when nothing does), for messages.
    says: str | None
    #: The code the piece reads most like evidence for, when that is confident and not ``code``.
    reads_like: str | None
    #: Why, in a few words, for a person: e.g. "no text to read (photo)".
    reason: str

    @property
    def supported(self) -> bool:
        return self.verdict == SUPPORTED

    @property
    def judged(self) -> bool:
        return self.verdict != NOT_JUDGED

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, every field; the score rounded to two places."""
        return {"code": self.code, "verdict": self.verdict,
                "score": None if self.score is None else round(self.score, 2), "excerpt": self.excerpt,
                "says": self.says, "reads_like": self.reads_like, "reason": self.reason}
