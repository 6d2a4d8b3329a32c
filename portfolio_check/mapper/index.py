"""Per-standard index: what each code (KSB or duty) reads like, as weighted stems and phrases.

A code's profile is built from the catalogue only: its statement, its grading theme's title and
descriptors, the optional per-code vocabulary (``evidence_terms``, ``typical_evidence``) and
passages of evidence (the catalogue's examples file, see `loader.load_examples`). Each
term is weighted by where it comes from and by how few codes share it (an inverse document
frequency over the standard's codes, as BM25 does), so "production", which every statement uses,
counts for little, and "carbon", which one uses, counts for a lot.

Indexes are cached in-process per standard (a batch run builds each standard's once) and kept
between runs in the user's cache folder (see `cache`), since a build costs most of a check's reading.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from portfolio_check.catalogue.loader import load_examples
from portfolio_check.catalogue.model import CORE, Standard
from portfolio_check.mapper import cache
from portfolio_check.mapper.text import (
    COMMON,
    COMMON_WEIGHT,
    FURNITURE,
    FURNITURE_WEIGHT,
    content_stems,
    stem,
    stem_roots,
)

#: A term: one stem, or a phrase of consecutive stems.
Term = tuple[str, ...]

# How much each source of a profile counts. The vocabulary written for the mapper is the words
# evidence really uses, so it counts most; a statement's abstract wording ("how structure, vision
# and purpose affects production") rarely appears in evidence; descriptors are shared by several
# codes and say less about each.
WEIGHT_VOCABULARY = 2.0
WEIGHT_TYPICAL_EVIDENCE = 2.0
WEIGHT_STATEMENT = 1.0
WEIGHT_PASS = 0.6
WEIGHT_DISTINCTION = 0.4
WEIGHT_THEME_TITLE = 0.5
WEIGHT_MAPPED_KSB = 0.5
#: Each passage of the catalogue's examples counts its words one by one, at this weight each time: a word
#: a dozen passages use counts as much as the statement's own words, one a single passage uses as
#: little as a descriptor's. Chosen by cross-validation on the tune pieces (0.2-0.4 within 0.006).
WEIGHT_EXAMPLE = 0.3
#: The words of a vocabulary phrase count a little on their own too ("carbon" of "carbon footprint").
WEIGHT_PHRASE_WORDS = 0.35
#: A term's weight in a profile is capped, so a word repeated across sources does not dominate.
MAX_TERM_WEIGHT = 3.0
#: Terms weighing less than this ("production", in every statement) are left out of profiles:
#: they cannot move a score, and every occurrence would cost a look-up per code.
MIN_WEIGHT = 0.05
#: The longest phrase looked for in evidence, in stems.
MAX_PHRASE = 3


@dataclass(frozen=True)
class CodeProfile:
    """One code, and the total of its terms' weights (the most a text could match); the terms
    themselves are in `StandardIndex.postings`, kept once rather than twice in every cached index."""

    code: str
    options: tuple[str, ...]
    total: float


@dataclass(frozen=True)
class StandardIndex:
    """Every code's profile, and for each term the codes whose profile has it (an inverted index)."""

    standard: str
    profiles: tuple[CodeProfile, ...]
    postings: dict[Term, tuple[tuple[int, float], ...]]
    #: See `text.stem_roots`: a word that starts with none of these cannot match and is not stemmed.
    roots: frozenset[str] = frozenset()

    def eligible(self, option: str | None) -> frozenset[str]:
        """Codes for an apprentice on ``option`` (core plus the option's); every code for None."""
        return frozenset(p.code for p in self.profiles
                         if option is None or CORE in p.options or option in p.options)


def _sources(standard: Standard) -> list[tuple[str, tuple[str, ...], list[tuple[str, float, bool]]]]:
    """For each code: (code, options, [(text, weight, is_vocabulary)])."""
    found: list[tuple[str, tuple[str, ...], list[tuple[str, float, bool]]]] = []
    examples = load_examples(standard)
    if standard.portfolio.evidence_codes == "duties":
        # Evidence maps to duties: suggest duties, read with the KSBs they map to where there are any.
        ksb_text = {k.code: k.text for k in standard.ksbs}
        for duty in standard.duties:
            texts = [(duty.text, WEIGHT_STATEMENT, False)]
            texts += [(ksb_text[c], WEIGHT_MAPPED_KSB, False) for c in duty.ksbs if c in ksb_text]
            texts += [(t, WEIGHT_VOCABULARY, True) for t in duty.evidence_terms]
            texts += [(t, WEIGHT_TYPICAL_EVIDENCE, True) for t in duty.typical_evidence]
            texts += [(t, WEIGHT_EXAMPLE, False) for t in examples.get(duty.code, ())]
            found.append((duty.code, duty.options, texts))
        return found
    for ksb in standard.ksbs:
        texts = [(ksb.text, WEIGHT_STATEMENT, False)]
        theme = standard.theme(ksb.theme) if ksb.theme else None
        for candidate in standard.themes:
            for descriptor in candidate.pass_descriptors:
                if ksb.code in descriptor.ksbs:
                    texts.append((descriptor.text, WEIGHT_PASS, False))
            for descriptor in candidate.distinction_descriptors:
                if ksb.code in descriptor.ksbs:
                    texts.append((descriptor.text, WEIGHT_DISTINCTION, False))
        if theme is not None:
            texts.append((theme.title, WEIGHT_THEME_TITLE, False))
        texts += [(t, WEIGHT_VOCABULARY, True) for t in ksb.evidence_terms]
        texts += [(t, WEIGHT_TYPICAL_EVIDENCE, True) for t in ksb.typical_evidence]
        texts += [(t, WEIGHT_EXAMPLE, False) for t in examples.get(ksb.code, ())]
        found.append((ksb.code, ksb.options, texts))
    return found


def _terms_of(stems: list[str], vocabulary: bool) -> list[tuple[Term, float]]:
    """A text's terms, each with its share of the text's weight."""
    if vocabulary and len(stems) > 1:
        # A vocabulary phrase is looked for as a whole ("call sheet"), its words only a little.
        if len(stems) <= MAX_PHRASE:
            found = [(tuple(stems), 1.0)]
        else:
            found = [(tuple(stems[i:i + 2]), 0.75) for i in range(len(stems) - 1)]
        return found + [((s,), WEIGHT_PHRASE_WORDS) for s in stems]
    # A statement's words count one by one: its phrasing ("production documentation and records")
    # is the standard's, not the evidence's, and matching its word pairs measured no better.
    return [((s,), 1.0) for s in stems]


def _word_weights() -> dict[str, float]:
    weights = {stem(w): COMMON_WEIGHT for w in COMMON}
    weights.update({stem(w): FURNITURE_WEIGHT for w in FURNITURE})
    return weights


def build_index(standard: Standard) -> StandardIndex:
    """Build the profiles of every code of ``standard`` (duties for a duty-mapped standard)."""
    word_weights = _word_weights()
    # Descriptors are shared by several codes and vocabulary repeats across them: read each text once.
    terms_of: dict[tuple[str, bool], list[tuple[Term, float]]] = {}
    raw: list[tuple[str, tuple[str, ...], dict[Term, float]]] = []
    for code, options, texts in _sources(standard):
        weights: dict[Term, float] = defaultdict(float)
        for text, weight, vocabulary in texts:
            found = terms_of.get((text, vocabulary))
            if found is None:
                found = terms_of[(text, vocabulary)] = _terms_of(content_stems(text), vocabulary)
            for term, share in found:
                weights[term] += weight * share
        raw.append((code, options, {
            t: min(w, MAX_TERM_WEIGHT) * (word_weights.get(t[0], 1.0) if len(t) == 1 else 1.0)
            for t, w in weights.items()
        }))
    count = len(raw)
    frequency: dict[Term, int] = defaultdict(int)
    for _, _, weights in raw:
        for term in weights:
            frequency[term] += 1
    profiles = []
    postings: dict[Term, list[tuple[int, float]]] = defaultdict(list)
    # BM25's inverse document frequency over the standard's codes, divided by its largest value (a
    # term only one code has), so scores mean the same for a standard of 11 duties or 56 KSBs.
    most = math.log(1.0 + (count - 0.5) / 1.5)
    for position, (code, options, weights) in enumerate(raw):
        total = 0.0
        for term, weight in weights.items():
            df = frequency[term]
            idf = math.log(1.0 + (count - df + 0.5) / (df + 0.5)) / most
            if weight * idf < MIN_WEIGHT:
                continue
            total += weight * idf
            postings[term].append((position, weight * idf))
        profiles.append(CodeProfile(code=code, options=options, total=total))
    return StandardIndex(
        standard=standard.key,
        profiles=tuple(profiles),
        postings={term: tuple(entries) for term, entries in postings.items()},
        roots=stem_roots({s for term in postings for s in term}),
    )


# No lock: two threads that miss at once both build the same index, and either result is right.
_CACHE: dict[tuple[str, str, str], tuple[Standard, StandardIndex]] = {}


def index_for(standard: Standard) -> StandardIndex:
    """The index of ``standard``, built once per process (rebuilt when a reloaded catalogue differs)
    and kept between runs in the user's cache folder (see `portfolio_check.mapper.cache`)."""
    key = (standard.reference, standard.version, standard.origin)
    cached = _CACHE.get(key)
    if cached is not None and (cached[0] is standard or cached[0] == standard):
        return cached[1]
    index = cache.load(standard)
    if index is None:
        index = build_index(standard)
        cache.store(standard, index)
    _CACHE[key] = (standard, index)
    return index
