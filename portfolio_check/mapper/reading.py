"""Reads a piece's text against a standard: suggestions, and verdicts on the codes a manifest claims."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portfolio_check.catalogue.model import Standard
from portfolio_check.mapper import calibration
from portfolio_check.mapper.index import index_for
from portfolio_check.mapper.model import NOT_JUDGED, SUPPORTED, WEAK, ClaimJudgement, Suggestion
from portfolio_check.mapper.score import evidence
from portfolio_check.mapper.text import shorten

#: Fewer meaningful words than this and a text cannot be judged (a title, a file name on a slide).
MIN_WORDS = 5
#: A piece claiming this many codes or more, most of them weak, is mapped for quantity (ST0792's
#: guidance asks for "a qualitative as opposed to a quantitative approach"). In the labelled
#: evidence set's tune pieces, both labellers found six or more KSBs in 15 of 162 (witness
#: statements, reflective accounts, a clearance log, trackers and schedules, an email chain); their
#: true claims, judged, make none of the 15 read as mapped for quantity (5 of 108 are judged weak).
GENEROUS_CLAIMS = 6
#: Excerpts and quotes are cut to about this many characters, for messages and reports.
EXCERPT_CHARS = 240
QUOTE_CHARS = 160
#: Scores are kept, shown and compared with the thresholds to this many decimals.
SCORE_DECIMALS = 2


@dataclass(frozen=True)
class Reading:
    """One piece's text read against one standard: every code's score, best first.

    Make one with `read`, then ask it for `suggestions` and claim verdicts (`judge`), so a piece is
    read once however many questions are asked of it. Frozen and picklable.
    """

    #: The standard read against, e.g. ``ST0792 v1.2``.
    standard: str
    #: The option whose codes (with the core) `suggestions` lists; None for every code.
    option: str | None
    #: False when there was no text to read (a photo, a video, a scan without a text layer).
    judged: bool
    #: Every code of the standard (every option's), best first; codes the text offers nothing score 0.
    scores: tuple[Suggestion, ...]
    #: The codes `suggestions` may list: the core and the option's (every code when no option).
    eligible: frozenset[str]
    #: A short quote of what the piece says: its passage that reads most like evidence of anything
    #: in the standard, or its opening when nothing does. None without text.
    says: str | None

    def suggestions(self, top: int | None = 5, minimum: float = calibration.POSSIBLE) -> tuple[Suggestion, ...]:
        """The best ``top`` codes (all when None) scoring at least ``minimum``, best first."""
        found = [s for s in self.scores if s.code in self.eligible and s.score >= minimum]
        return tuple(found if top is None else found[:top])

    def score(self, code: str) -> Suggestion | None:
        """The code's score and excerpt; None for a code the standard does not have."""
        wanted = code.strip().upper()
        return next((s for s in self.scores if s.code == wanted), None)

    def judge(self, code: str) -> ClaimJudgement:
        """Whether the text bears out a manifest's claim that the piece evidences ``code``."""
        wanted = code.strip().upper()
        best = next((s for s in self.scores if s.code in self.eligible), None)
        reads_like = best.code if best is not None and best.confident and best.code != wanted else None
        if not self.judged:
            return ClaimJudgement(wanted, NOT_JUDGED, None, None, None, None,
                                  "no text to read (a picture, audio or video, or a scan)")
        found = self.score(wanted)
        if found is None:
            return ClaimJudgement(wanted, NOT_JUDGED, None, None, self.says, reads_like,
                                  f"{wanted} is not a code of {self.standard}")
        excerpt = found.excerpt or None
        ranked = [s.code for s in self.scores if s.code in self.eligible]
        rank = ranked.index(wanted) if wanted in ranked else len(ranked)
        if found.score >= calibration.SUPPORTED_CLAIM or (
                rank < calibration.SUPPORTED_RANK and found.score >= calibration.SUPPORTED_RANK_SCORE):
            return ClaimJudgement(wanted, SUPPORTED, found.score, excerpt, self.says, reads_like,
                                  "the text reads like evidence for it")
        reason = "the text says little about it" if excerpt else "nothing in the text relates to it"
        return ClaimJudgement(wanted, WEAK, found.score, excerpt, self.says, reads_like, reason)


def quantity_over_quality(judgements: Iterable[ClaimJudgement]) -> bool:
    """True when a piece claims many codes and its text bears out few of them: at least
    `GENEROUS_CLAIMS` judged claims, more than half of them weak. Such a piece deserves one message
    about mapping for quantity rather than quality, instead of one per code."""
    judged = [j for j in judgements if j.judged]
    weak = sum(1 for j in judged if not j.supported)
    return len(judged) >= GENEROUS_CLAIMS and weak > len(judged) / 2


def has_text(text: str | None) -> bool:
    """True when ``text`` holds enough words to be read as evidence."""
    return text is not None and len(text.split()) >= MIN_WORDS


def join_texts(texts: Iterable[str | None]) -> str | None:
    """One text for a piece made of several files: their texts in order; None when none has any."""
    found = [t for t in texts if t and t.strip()]
    return "\n\n".join(found) if found else None


def read(standard: Standard, text: str | None, option: str | None = None) -> Reading:
    """Read ``text`` (one piece's text; see `join_texts`) against ``standard``.

    Codes are the standard's KSBs, or its duties when its evidence maps to duties (ST1457).
    ``option`` limits `Reading.suggestions` to the core and that option's codes; the scores do not
    depend on it, so a claim of another option's code is still judged.
    """
    index = index_for(standard)
    eligible = index.eligible(option)
    if not has_text(text):
        scores = tuple(Suggestion(p.code, 0.0, "") for p in index.profiles)
        return Reading(index.standard, option, False, scores, eligible, None)
    assert text is not None
    found, per_code = evidence(index, text)
    ranked = []
    for item in per_code:
        probability = calibration.probability(item.features, index.standard, item.code)
        # Kept to the two decimals every report shows, so that what a reader sees (0.50) and what
        # is decided from it (likely, supported) never disagree; ranked on the full value.
        score = round(probability, SCORE_DECIMALS)
        excerpt = shorten(item.excerpt, EXCERPT_CHARS) if item.excerpt and score > 0 else ""
        ranked.append((probability, Suggestion(item.code, score, excerpt)))
    ranked.sort(key=lambda pair: (-pair[0], _code_order(pair[1].code)))
    scored = [suggestion for _, suggestion in ranked]
    best = next((s for s in scored if s.code in eligible and s.score >= calibration.POSSIBLE), None)
    says: str | None
    if best is not None:
        says = shorten(best.excerpt, QUOTE_CHARS)
    else:
        # Nothing reads like evidence: quote its opening, the first line with a few words in it.
        opening = next((p.text for p in found if len(p.stems) >= 3), found[0].text if found else "")
        says = shorten(opening, QUOTE_CHARS) or None
    return Reading(index.standard, option, True, tuple(scored), eligible, says)


def suggest(standard: Standard, text: str | None, option: str | None = None, top: int | None = 5,
            minimum: float = calibration.POSSIBLE) -> tuple[Suggestion, ...]:
    """The codes ``text`` reads like evidence for, best first (empty without text)."""
    return read(standard, text, option).suggestions(top, minimum)


def judge_claim(standard: Standard, text: str | None, code: str, option: str | None = None) -> ClaimJudgement:
    """Whether ``text`` bears out the claim that its piece evidences ``code``."""
    return read(standard, text, option).judge(code)


def judge_claims(standard: Standard, text: str | None, codes: Iterable[str],
                 option: str | None = None) -> tuple[ClaimJudgement, ...]:
    """`judge_claim` for each of a piece's claimed codes, reading the text once."""
    reading = read(standard, text, option)
    return tuple(reading.judge(code) for code in codes)


def _code_order(code: str) -> tuple[str, int]:
    # K2 before K10: the letter, then the number.
    digits = code[1:]
    return (code[:1], int(digits) if digits.isdigit() else 0)
