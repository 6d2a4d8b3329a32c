"""Writes report files atomically: a crash never leaves a half-written file that looks complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from portfolio_check.checks.model import Assessment
from portfolio_check.report.manifest_template import write_atomically


def write_text_atomically(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename it over ``path``."""
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8", newline="\n"), force=True)


def write_reports(assessment: Assessment, report: dict[str, Any], folder: Path) -> list[Path]:
    """Write ``report.json`` into ``folder``; returns the files written."""
    target = folder / "report.json"
    write_text_atomically(target, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return [target]
