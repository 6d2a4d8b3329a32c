"""The installed tool works without the source tree: catalogues and templates travel as package data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


def test_wheel_installs_into_a_fresh_venv_and_lists_catalogues(tmp_path: Path) -> None:
    # Build from a copy so the working tree gains no build/ or egg-info folders.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("portfolio_check", "ksb_catalogues", "reports", "setup.cfg", "pyproject.toml", "README.md"):
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(origin, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(source)], check=True)
    [wheel] = list(wheels.glob("portfolio_check-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    fresh_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    # Install the wheel alone with this interpreter's pip; its dependencies are borrowed from the
    # test environment (appended after the fresh site-packages, so the fresh copy of the package wins).
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(fresh_site), str(wheel)], check=True)
    (fresh_site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = subprocess.run(
        [str(python), "-c", "import sys; from portfolio_check.cli import main; sys.argv[0] = 'portfolio-check'; main()",
         "catalogues", "list"],
        cwd=elsewhere, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"},
    )
    assert listed.stdout.splitlines()[0].startswith("ST0792  v1.2  Junior production coordinator")
    assert "ST1457" in listed.stdout
    where = subprocess.run([str(python), "-c", "import portfolio_check, portfolio_check.report_templates as t;"
                            " print(portfolio_check.__file__); print(t.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert all(line.startswith(str(fresh_site)) for line in where.splitlines()), where
    assert (fresh_site / "portfolio_check" / "ksb_catalogues" / "README.md").is_file()


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    """setup.cfg lists packages by name: a new sub-package left out would install without its code."""
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    folders = {".".join(init.parent.relative_to(REPO).parts) for init in (REPO / "portfolio_check").rglob("__init__.py")
               if "__pycache__" not in init.parts}
    assert folders and folders <= listed, f"add to setup.cfg's packages: {sorted(folders - listed)}"
