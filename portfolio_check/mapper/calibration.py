"""Turns a code's `Features` into a score from 0 to 1 that means what it says.

A logistic model: score = 1 / (1 + exp(-(BIAS + sum(weight * feature) + CODE_BIAS[code]))). Its weights
and code biases were fitted on
the 162 ``tune`` pieces of the labelled evidence set (``bench/evidence_set``) so that a score is the
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
WEIGHTS: tuple[float, ...] = (-0.427, -0.011, 5.566, 2.588, 1.459, -0.807, 0.356, 0.217, 0.399)
BIAS = -8.409

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
    'K1': -0.3, 'K2': -0.575, 'K3': -0.224, 'K4': -0.587, 'K5': -0.326, 'K6': -0.152, 'K7': -0.105,
    'K8': 0.027, 'K9': -0.513, 'K10': -0.125, 'K11': -0.734, 'K12': 0.096, 'K13': 0.374, 'K14': -0.146,
    'K15': 0.3, 'K16': -0.814, 'K17': -0.399, 'K18': -0.096, 'K19': 0.088, 'K20': -0.269, 'K21': 0.12,
    'K22': -0.479, 'K23': -1.128, 'K24': -0.827, 'K25': 0.788, 'K26': -0.464, 'K27': -0.079, 'K28': 0.334,
    'K29': -0.722, 'S1': -0.41, 'S2': -0.354, 'S3': 0.647, 'S4': -0.628, 'S5': -0.46, 'S6': -0.417,
    'S7': -0.333, 'S8': 0.766, 'S9': 0.658, 'S10': 0.826, 'S11': 0.401, 'S12': 0.244, 'S13': 0.227,
    'S14': -0.052, 'S15': -0.266, 'S16': -0.758, 'S17': 0.485, 'S18': 0.002, 'S19': -0.106, 'S20': -0.206,
    'S21': 0.888, 'S22': 1.318, 'S23': -0.082, 'B1': 2.206, 'B2': 1.077, 'B3': 0.662, 'B4': 0.573,
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
