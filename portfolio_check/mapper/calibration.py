"""Turns a code's `Features` into a score from 0 to 1 that means what it says.

A logistic model: score = 1 / (1 + exp(-(BIAS + sum(weight * feature) + CODE_BIAS[code]))). Its weights
and code biases were fitted on
the 138 ``tune`` pieces of the labelled evidence set (``bench/evidence_set``) so that a score is the
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
WEIGHTS: tuple[float, ...] = (-0.416, -0.010, 3.703, 2.768, 2.036, -0.811, -0.103, 0.190, 0.457)
BIAS = -8.938

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
    'K1': -0.198, 'K2': -0.564, 'K3': -0.275, 'K4': -0.772, 'K5': -0.299, 'K6': -0.287, 'K7': 0.023,
    'K8': 0.146, 'K9': -0.407, 'K10': -0.03, 'K11': -0.687, 'K12': 0.001, 'K13': 0.162, 'K14': -0.141,
    'K15': 0.071, 'K16': -0.658, 'K17': -0.392, 'K18': -0.16, 'K19': 0.026, 'K20': -0.057, 'K21': 0.185,
    'K22': -0.432, 'K23': -1.011, 'K24': -0.789, 'K25': 0.351, 'K26': -0.602, 'K27': -0.02, 'K28': 0.074,
    'K29': -0.671, 'S1': -0.361, 'S2': -0.245, 'S3': 0.619, 'S4': -0.389, 'S5': -0.332, 'S6': -0.359,
    'S7': -0.357, 'S8': 0.613, 'S9': 0.261, 'S10': 0.798, 'S11': 0.264, 'S12': 0.337, 'S13': 0.13,
    'S14': -0.047, 'S15': -0.136, 'S16': -0.541, 'S17': 0.664, 'S18': 0.053, 'S19': 0.043, 'S20': -0.145,
    'S21': 0.844, 'S22': 1.401, 'S23': 0.069, 'B1': 1.858, 'B2': 1.238, 'B3': 0.399, 'B4': 0.711,
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
