"""The KSB mapper: which KSBs (or duties) a piece of evidence reads like evidence for, offline.

It reads a piece's text against the standard's catalogue — each KSB's statement, its grading
descriptors, and the vocabulary and passages of evidence the catalogue keeps for it
(``evidence_terms``, ``typical_evidence``, its examples file) — with BM25 over the piece's
passages, and calibrates the result to a score from 0 to 1 (0.5 or more: an assessor would likely
accept it). Pure Python and the standard library: importing it costs a few milliseconds, and each
standard's index is built once per process and kept between runs in the user's cache folder (`portfolio_check.mapper.cache`).

    reading = read(standard, record.text, option="production-coordinator")
    reading.suggestions(top=5)        # (Suggestion(code, score, excerpt), ...)
    reading.judge("K12")              # ClaimJudgement(verdict="supported" | "weak" | "not judged", ...)
"""

from portfolio_check.mapper.calibration import POSSIBLE, SUPPORTED_CLAIM
from portfolio_check.mapper.index import build_index, index_for
from portfolio_check.mapper.model import (
    CONFIDENT,
    NOT_JUDGED,
    SUPPORTED,
    WEAK,
    ClaimJudgement,
    Suggestion,
    Verdict,
)
from portfolio_check.mapper.reading import (
    Reading,
    has_text,
    join_texts,
    judge_claim,
    judge_claims,
    quantity_over_quality,
    read,
    suggest,
)

__all__ = [
    "CONFIDENT",
    "NOT_JUDGED",
    "POSSIBLE",
    "SUPPORTED",
    "SUPPORTED_CLAIM",
    "WEAK",
    "ClaimJudgement",
    "Reading",
    "Suggestion",
    "Verdict",
    "build_index",
    "has_text",
    "index_for",
    "join_texts",
    "judge_claim",
    "judge_claims",
    "quantity_over_quality",
    "read",
    "suggest",
]
