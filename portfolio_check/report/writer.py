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
    """Write ``report.json`` and ``report.html`` into ``folder``; returns the files written."""
    from portfolio_check.report.html_view import render_report_html

    # Render first: a template error must not leave a new report.json beside an old report.html.
    html = render_report_html(assessment, report)
    written = [folder / "report.json", folder / "report.html"]
    write_text_atomically(written[0], json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    write_text_atomically(written[1], html)
    return written
