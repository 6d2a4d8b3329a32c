"""Turns a code's `Features` into a score from 0 to 1 that means what it says.

A logistic model: score = 1 / (1 + exp(-(BIAS + sum(weight * feature) + CODE_BIAS[code]))). Its weights
and code biases were fitted on
the 114 ``tune`` pieces of the labelled evidence set (``bench/evidence_set``) so that a score is the
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
WEIGHTS: tuple[float, ...] = (-0.319, -0.004, 3.870, 2.828, 1.920, -0.327, -0.856, 0.188, 0.437)
BIAS = -9.660

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
    'K1': -0.059, 'K2': -0.415, 'K3': -0.07, 'K4': -0.451, 'K5': -0.128, 'K6': -0.451, 'K7': -0.171,
    'K8': 0.088, 'K9': -0.285, 'K10': -0.303, 'K11': -0.675, 'K12': 0.081, 'K13': 0.175, 'K14': -0.171,
    'K15': 0.101, 'K16': -0.344, 'K17': -0.193, 'K18': -0.098, 'K19': 0.029, 'K20': -0.071, 'K21': 0.085,
    'K22': -0.324, 'K23': -0.807, 'K24': -0.803, 'K25': 0.52, 'K26': -0.624, 'K27': 0.058, 'K28': 0.094,
    'K29': -0.812, 'S1': -0.19, 'S2': -0.123, 'S3': 0.871, 'S4': -0.629, 'S5': -0.242, 'S6': -0.495,
    'S7': -0.322, 'S8': 0.304, 'S9': 0.339, 'S10': 0.788, 'S11': 0.243, 'S12': 0.038, 'S13': 0.245,
    'S14': -0.07, 'S15': -0.307, 'S16': -0.286, 'S17': 0.347, 'S18': 0.019, 'S19': 0.092, 'S20': -0.057,
    'S21': 0.657, 'S22': 1.279, 'S23': 0.056, 'B1': 1.645, 'B2': 0.872, 'B3': 0.439, 'B4': 0.484,
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
