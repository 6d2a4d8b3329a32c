"""Where the data that ships with the package lives: catalogues and report templates.

Installed, they are the packages ``portfolio_check.ksb_catalogues`` and
``portfolio_check.report_templates`` (``setup.cfg`` maps them from the top of the repository). Run
from a source checkout without installing, those packages do not exist and the folders are read
where the repository keeps them.
"""

from __future__ import annotations

import os
import stat
from importlib import resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _data_dir(package: str, folder_in_checkout: str) -> Path:
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        return _SOURCE_ROOT / folder_in_checkout


def catalogue_dir() -> Path:
    """The built-in KSB catalogues."""
    return _data_dir("portfolio_check.ksb_catalogues", "ksb_catalogues")


def templates_dir() -> Path:
    """The Jinja2 templates of the reports."""
    return _data_dir("portfolio_check.report_templates", "reports/templates")


def private_cache_folder(name: str, override: str | None = None) -> Path | None:
    """The user's cache folder for ``name`` (``~/.cache/portfolio-check/NAME``), made if needed.

    None when there is none to use: no home, or a folder that is not a folder of this user's that
    only this user can write (a cache others can write to could feed the tool what they like).
    ``override`` names another folder, checked the same way.
    """
    if override:
        found = Path(override)
    else:
        base = os.environ.get("LOCALAPPDATA") if os.name == "nt" else (
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"))
        if not base or not os.path.isabs(base):
            return None
        found = Path(base) / "portfolio-check" / name
    try:
        found.mkdir(mode=0o700, parents=True, exist_ok=True)
        if hasattr(os, "getuid"):
            status = found.lstat()
            if (not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid()
                    or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
                return None
    except OSError:
        return None
    return found
