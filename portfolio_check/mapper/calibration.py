"""Turns a code's `Features` into a score from 0 to 1 that means what it says.

A logistic model: score = 1 / (1 + exp(-(BIAS + sum(weight * feature) + CODE_BIAS[code]))). Its weights
and code biases were fitted on
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
WEIGHTS: tuple[float, ...] = (-0.327, 0.082, 2.290, 2.803, 1.585, 0.458, -0.762, 0.170, 0.222)
BIAS = -9.601

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


#: Per standard, each code's own shift of the score's log-odds, fitted with the weights but held near
#: zero by a penalty (see ``bench/suggest.py``), so a code with few labelled examples keeps close to
#: none: how much more or less often the labellers accept a code than its words alone suggest. The
#: behaviours (initiative most) show in how an account is told more than in its words, so theirs are
#: the largest. A standard or code without labelled evidence has none.
CODE_BIAS: dict[str, dict[str, float]] = {'ST0792 v1.2': {
    'K1': 0.008, 'K2': -0.266, 'K3': 0.032, 'K4': -0.404, 'K5': -0.105, 'K6': -0.306, 'K7': -0.238,
    'K8': -0.003, 'K9': -0.488, 'K10': -0.205, 'K11': -0.636, 'K12': 0.101, 'K13': 0.199, 'K14': -0.088,
    'K15': 0.329, 'K16': -0.166, 'K17': -0.026, 'K18': 0.059, 'K19': 0.144, 'K20': -0.005, 'K21': 0.26,
    'K22': -0.144, 'K23': -0.934, 'K24': -0.697, 'K25': 0.529, 'K26': -0.333, 'K27': 0.077, 'K28': -0.022,
    'K29': -0.542, 'S1': -0.062, 'S2': -0.142, 'S3': 0.44, 'S4': -0.432, 'S5': -0.094, 'S6': -0.294,
    'S7': -0.184, 'S8': 0.21, 'S9': 0.183, 'S10': 0.783, 'S11': 0.143, 'S12': 0.042, 'S13': 0.181,
    'S14': -0.004, 'S15': -0.305, 'S16': -0.248, 'S17': 0.105, 'S18': 0.15, 'S19': 0.132, 'S20': 0.112,
    'S21': -0.135, 'S22': 0.839, 'S23': -0.053, 'B1': 1.389, 'B2': 0.626, 'B3': 0.33, 'B4': 0.124,
}}


def probability(features: Features, standard: str | None = None, code: str | None = None) -> float:
    """The calibrated score of one code (of the standard whose key is ``standard``) for one text, 0 to 1."""
    if features.window <= 0.0:
        return 0.0
    z = BIAS + sum(w * f for w, f in zip(WEIGHTS, features.as_tuple(), strict=True))
    if standard is not None and code is not None:
        z += CODE_BIAS.get(standard, {}).get(code, 0.0)
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))
