"""Turns a code's `Features` into a score from 0 to 1 that means what it says.

A logistic model: score = 1 / (1 + exp(-(BIAS + sum(weight * feature)))). Its weights were fitted on
the 90 ``tune`` pieces of the labelled evidence set (``bench/evidence_set``) so that a score is the
share of the two labellers who called the code supported: 0.5 or more means an assessor would
likely accept it. ST1457's duties have no labelled evidence: their scores use the same model.
``python bench/suggest.py --fit`` refits them and prints the lines to paste here; the held-out
pieces never take part in the fit.
"""

from __future__ import annotations

import math

from portfolio_check.mapper.score import Features

#: In the order of `Features.as_tuple`: window, support, coverage, mass, relative,
#: relative_mass, rank, heading, votes.
WEIGHTS: tuple[float, ...] = (-0.283, 0.048, 1.120, 2.888, 1.538, 0.520, -0.987, 0.170, 0.194)
BIAS = -9.580

#: Suggestions scoring below this are not listed at all: the text offers the code nothing an
#: assessor would look at twice (the "nothing relevant" threshold; chosen on the tune pieces).
POSSIBLE = 0.1
#: A claimed code is "supported" at this score or more, or when it is among the piece's
#: `SUPPORTED_RANK` best codes with a score of at least `SUPPORTED_RANK_SCORE`. Far below a
#: confident suggestion on purpose: a provider's claim stands unless the text gives no sign of it
#: (on the tune pieces this flags under 5% of true claims and over 80% of wrong ones). The rank
#: keeps a rich piece's claims (a witness statement evidencing seven KSBs) from being judged by
#: absolute score alone, which spreads thin over many codes.
SUPPORTED_CLAIM = 0.05
SUPPORTED_RANK = 8
SUPPORTED_RANK_SCORE = 0.01


def probability(features: Features) -> float:
    """The calibrated score of one code for one text, from 0 to 1."""
    if features.window <= 0.0:
        return 0.0
    z = BIAS + sum(w * f for w, f in zip(WEIGHTS, features.as_tuple(), strict=True))
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))
