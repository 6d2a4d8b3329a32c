"""A short, seeded run of the fuzzer's mutations in the normal suite (`fuzz/run.py` runs it for long).

Fixed seeds keep it repeatable: any failure here names an input that can be rebuilt exactly.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.targets import TARGETS, Case, build_seeds, mutate, run_case


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory):
    return build_seeds(tmp_path_factory.mktemp("seeds"), use_corpus=False)


@pytest.mark.parametrize("target", TARGETS)
def test_mutated_inputs_never_escape_extraction(seeds, target: str, tmp_path: Path) -> None:
    rng = random.Random(f"smoke-{target}")
    for number in range(40):
        chosen = rng.choice(seeds[target])
        data = mutate(chosen, rng, [s.data for s in seeds[target] if s is not chosen])
        path = tmp_path / f"input-{number}{Path(chosen.name).suffix}"
        path.write_bytes(data)
        outcome = run_case(Case(target, str(path), chosen.name))
        assert outcome.raised is None, f"input {number} of {target}: {outcome.raised}"
