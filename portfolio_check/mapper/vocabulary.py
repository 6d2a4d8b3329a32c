"""Advice on a catalogue's mapper vocabulary: phrases that can never match, or match more than meant.

The mapper reads a phrase as it reads evidence: it skips common function words ("on", "my", "own",
"what") and reduces each word to its stem ("scheduled" to "schedul"). So "on my own" matches nothing,
"in line with" is read as "line" alone, and "stills" is read as "still". None of that is an error a
catalogue must be refused for, but a catalogue author cannot see it, and such phrases cost the mapper
accuracy: measured on the labelled evidence set, removing them was most of what a vocabulary review
gained. `catalogues validate` prints these notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio_check.catalogue.model import Duty, Ksb, Standard
from portfolio_check.mapper.text import COMMON, FURNITURE, content_stems, stem, words

_FIELDS = ("evidence_terms", "typical_evidence")


@dataclass(frozen=True)
class VocabularyNote:
    """One phrase of a code's vocabulary that the mapper cannot read as its author meant."""

    code: str
    #: ``evidence_terms`` or ``typical_evidence``.
    field: str
    phrase: str
    #: What happens to the phrase, and what to write instead.
    advice: str

    def __str__(self) -> str:
        return f"{self.code} {self.field} '{self.phrase}' {self.advice}"


def vocabulary_notes(standard: Standard) -> list[VocabularyNote]:
    """Every phrase of ``standard``'s mapper vocabulary that matches nothing, or only an everyday word."""
    everyday_words = COMMON | FURNITURE
    everyday: dict[str, str] = {}
    for word in sorted(everyday_words, key=lambda w: (len(w), w)):
        everyday.setdefault(stem(word), word)  # the shortest word of each stem names it
    notes = []
    entries: tuple[Ksb | Duty, ...] = (*standard.ksbs, *standard.duties)
    for entry in entries:
        for field in _FIELDS:
            for phrase in getattr(entry, field):
                advice = _advice(phrase, everyday, everyday_words)
                if advice:
                    notes.append(VocabularyNote(entry.code, field, phrase, advice))
    return notes


def _advice(phrase: str, everyday: dict[str, str], everyday_words: frozenset[str]) -> str | None:
    stems = content_stems(phrase)
    if not stems:
        return ("can never match: the mapper skips every word of it (words such as 'my', 'own', 'what' "
                "say nothing about the work); give words the evidence itself would contain")
    if len(stems) > 1 or stems[0] not in everyday:
        return None
    written = words(phrase)
    kept = everyday[stems[0]]
    if len(written) > 1:
        return (f"is read as the everyday word '{kept}' alone (the mapper skips the others), which most "
                "evidence contains; give a phrase with a telling word in it")
    if written[0] not in everyday_words:
        return (f"is read the same as the everyday word '{kept}' (both reduce to '{stems[0]}'), which "
                "most evidence contains; give a longer phrase, or another word")
    return None
