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
WEIGHTS: tuple[float, ...] = (-0.379, -0.126, 8.441, 2.699, 0.568, 0.604, 0.008, 0.266, 0.610)
BIAS = -9.781

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
    'K1': -0.404, 'K2': -0.706, 'K3': -0.155, 'K4': -0.362, 'K5': -0.287, 'K6': -0.559, 'K7': 0.418,
    'K8': -0.149, 'K9': -0.702, 'K10': -0.179, 'K11': -0.881, 'K12': 0.127, 'K13': 0.213, 'K14': -0.228,
    'K15': -0.03, 'K16': -1.111, 'K17': -0.566, 'K18': -0.281, 'K19': -0.021, 'K20': -0.563, 'K21': 0.223,
    'K22': -0.28, 'K23': -1.003, 'K24': -0.562, 'K25': 0.51, 'K26': -0.331, 'K27': -0.018, 'K28': -0.07,
    'K29': -0.858, 'S1': -0.399, 'S2': -0.313, 'S3': 1.523, 'S4': 0.199, 'S5': -0.157, 'S6': -0.482,
    'S7': -0.317, 'S8': 1.141, 'S9': 0.348, 'S10': 1.233, 'S11': 0.431, 'S12': 0.551, 'S13': -0.033,
    'S14': -0.2, 'S15': -0.407, 'S16': -0.857, 'S17': 0.248, 'S18': -0.077, 'S19': -0.214, 'S20': -0.371,
    'S21': 1.008, 'S22': 1.557, 'S23': -0.065, 'B1': 2.469, 'B2': 0.999, 'B3': 0.684, 'B4': 0.283,
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
