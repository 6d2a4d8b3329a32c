"""Shared fixtures: the command line through click's runner, and the shared corpus when present."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portfolio_check.cli import main

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: Real-world files from public projects, read in place (never copied into the repository).
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session", autouse=True)
def private_cache_folder(tmp_path_factory: pytest.TempPathFactory):
    """Compiled templates are cached under the user's cache folder: keep the tests' out of the real one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``portfolio-check ARGS`` in-process; user catalogue folders from the environment are ignored."""
    monkeypatch.delenv("PORTFOLIO_CHECK_CATALOGUES", raising=False)

    def run(*args: str, **kwargs) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)

    return run


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus (../shared/corpus beside the repository) is not present")
    return CORPUS
