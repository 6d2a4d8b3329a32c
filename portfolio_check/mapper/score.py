"""Scores a piece's text against every code of a standard: BM25 over the piece's passages.

Each code's profile (see `index`) is the query and the piece's passages are the documents: one
sentence, line or table row, or two consecutive ones, so that the excerpt shown for a code is the
passage that supports it. A code's evidence is then described by a few numbers (`Features`) that
`calibration` turns into a score from 0 to 1.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import NamedTuple

from portfolio_check.mapper.index import MAX_PHRASE, StandardIndex, Term
from portfolio_check.mapper.text import Passage, ngrams, passages

# BM25's usual saturation and length normalisation.
K1 = 1.2
B = 0.75
#: A passage shorter than this many stems is scored as if it were this long, so a two-word
#: heading ("Risk assessment") does not outscore the sentences under it.
MIN_PASSAGE_LENGTH = 6
#: A window of two neighbouring passages scores this share of their two scores' sum: it must beat
#: either passage alone clearly to be the code's best, since a shorter excerpt reads better.
PAIR_FACTOR = 0.6
#: A passage votes for every code scoring at least this share of its best code's score.
VOTE_MARGIN = 0.8
#: The first passages of a piece are its heading, which usually names the kind of document.
HEADING_PASSAGES = 3


class Features(NamedTuple):
    """What the text offers one code, before calibration (a tuple: one is made per code per piece)."""

    #: The best window's BM25 score for the code.
    window: float
    #: The best score of a passage outside that window: evidence found in more than one place.
    support: float
    #: The share of the code's profile weight found anywhere in the text (0 to 1).
    coverage: float
    #: BM25 over the whole text, saturated per term, on a log scale.
    mass: float
    #: ``window`` divided by the best ``window`` of any code for this text (0 to 1).
    relative: float
    #: The raw ``mass`` divided by the largest of any code for this text (0 to 1).
    relative_mass: float
    #: 1 for the code whose window scores best on this text, 1/2 for the next, and so on.
    rank: float
    #: The best score of one of the piece's first passages (its title and heading lines), which
    #: say what the whole piece is about.
    heading: float
    #: The passages this code scores best on (within `VOTE_MARGIN` of the best code), each adding its
    #: score, on a log scale: a witness statement's paragraph on confidentiality counts for the code
    #: about confidentiality even when broader codes match more words across the whole piece.
    votes: float

    def as_tuple(self) -> tuple[float, ...]:
        """The features in `calibration.WEIGHTS`' order."""
        return tuple(self)


class CodeEvidence(NamedTuple):
    """One code's features and the passage that best supports it (None when nothing does)."""

    code: str
    features: Features
    excerpt: str | None


def _passage_terms(passage: Passage, index: StandardIndex) -> Counter[Term]:
    """The stems and phrases of a passage that some code's profile has."""
    counts: Counter[Term] = Counter()
    postings = index.postings
    for size in range(1, MAX_PHRASE + 1):
        for term in ngrams(passage.stems, size):
            if term in postings:
                counts[term] += 1
    return counts


def _saturate(tf: float, length: float, average: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))


def evidence(index: StandardIndex, text: str) -> tuple[list[Passage], list[CodeEvidence]]:
    """Every code's features for ``text``, in the index's order, and the passages read."""
    found = passages(text, index.roots)
    profiles = index.profiles
    count = len(profiles)
    if not found:
        empty = Features(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        return found, [CodeEvidence(p.code, empty, None) for p in profiles]

    terms = [_passage_terms(p, index) for p in found]
    lengths = [max(len(p.stems), MIN_PASSAGE_LENGTH) for p in found]
    average = sum(lengths) / len(lengths)
    postings = index.postings

    def window_scores(counts: Counter[Term], length: float) -> dict[int, float]:
        scores: dict[int, float] = {}
        for term, tf in counts.items():
            saturated = _saturate(tf, length, average)
            for position, weight in postings[term]:
                scores[position] = scores.get(position, 0.0) + weight * saturated
        return scores

    single = [window_scores(counts, length) if counts else {} for counts, length in zip(terms, lengths, strict=True)]
    best = [0.0] * count
    best_window: list[tuple[int, int] | None] = [None] * count
    for i, scores in enumerate(single):
        for position, score in scores.items():
            if score > best[position]:
                best[position], best_window[position] = score, (i, i)
    # A pair of neighbours: the sum of its passages' scores bounds its own BM25 score from above (a
    # longer window saturates sooner) and costs far less to compute; PAIR_FACTOR discounts it.
    for i in range(len(found) - 1):
        first, second = single[i], single[i + 1]
        if len(second) < len(first):
            first, second = second, first
        for position, score in first.items():
            other = second.get(position)
            if other is not None:
                score = PAIR_FACTOR * (score + other)
                if score > best[position]:
                    best[position], best_window[position] = score, (i, i + 1)
    votes = [0.0] * count
    for scores in single:
        if scores:
            leader = max(scores.values())
            for position, score in scores.items():
                if score >= VOTE_MARGIN * leader:
                    votes[position] += score
    support = [0.0] * count
    head = [0.0] * count
    for scores in single[:HEADING_PASSAGES]:
        for position, score in scores.items():
            head[position] = max(head[position], score)
    for i, scores in enumerate(single):
        for position, score in scores.items():
            window = best_window[position]
            if window is not None and not window[0] <= i <= window[1] and score > support[position]:
                support[position] = score

    whole: Counter[Term] = Counter()
    for counts in terms:
        whole.update(counts)
    covered = [0.0] * count
    mass = [0.0] * count
    for term, tf in whole.items():
        saturated = tf * (K1 + 1) / (tf + K1)
        for position, weight in postings[term]:
            covered[position] += weight
            mass[position] += weight * saturated

    top = max(best) or 1.0
    top_mass = max(mass) or 1.0
    order = sorted(range(count), key=lambda p: (-best[p], profiles[p].code))
    rank = [0.0] * count
    for place, position in enumerate(order, start=1):
        rank[position] = 1.0 / place if best[position] > 0 else 0.0
    results = []
    for position, profile in enumerate(profiles):
        window = best_window[position]
        excerpt = None
        if window is not None:
            excerpt = " ".join(found[i].text for i in range(window[0], window[1] + 1))
        features = Features(
            window=best[position],
            support=support[position],
            coverage=covered[position] / profile.total if profile.total else 0.0,
            mass=math.log1p(mass[position]),
            relative=best[position] / top,
            relative_mass=mass[position] / top_mass,
            rank=rank[position],
            heading=head[position],
            votes=math.log1p(votes[position]),
        )
        results.append(CodeEvidence(profile.code, features, excerpt))
    return found, results
