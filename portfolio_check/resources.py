"""Where the data that ships with the package lives: catalogues and report templates.

Installed, they are the packages ``portfolio_check.ksb_catalogues`` and
``portfolio_check.report_templates`` (``setup.cfg`` maps them from the top of the repository). Run
from a source checkout without installing, those packages do not exist and the folders are read
where the repository keeps them.
"""

from __future__ import annotations

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
