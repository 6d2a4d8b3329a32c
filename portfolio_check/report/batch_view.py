"""Renders a batch run: the index page, the CSV and JSON summaries, and the progress lines, from the
portfolios' summary rows. It decides nothing: verdicts and counts come from each portfolio's assessment,
through its `PortfolioRow`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from portfolio_check import __version__
from portfolio_check.batch.rows import PortfolioRow
from portfolio_check.formatting import plural, terminal_safe
from portfolio_check.report.manifest_template import guard_formula
from portfolio_check.report.templating import environment

#: The columns of ``summary.csv``: (header, row field, or one of the cells `_cell` derives).
CSV_COLUMNS = (
    ("Portfolio", "portfolio"), ("Apprentice", "apprentice"), ("ULN", "uln"), ("Standard", "standard"),
    ("Option", "option"), ("Verdict", "verdict"), ("Pieces", "pieces"), ("Video minutes", "video_minutes"),
    ("Uncovered KSBs", "uncovered_ksbs"), ("Errors", "errors"), ("Warnings", "warnings"),
    ("Error codes", "error_codes"), ("Could not check", "problem"), ("Where", "where"), ("Report", "report"),
)
VERDICT_LABELS: dict[str | None, str] = {"ready": "Ready", "not-ready": "Not ready", None: "Could not check"}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def verdict_label(row: PortfolioRow) -> str:
    """``Ready``, ``Not ready`` or ``Could not check``."""
    return VERDICT_LABELS.get(row.verdict) or str(row.verdict)


def report_link(row: PortfolioRow) -> str | None:
    """The row's report, relative to OUTDIR, URL-quoted: the HTML report when written, else the JSON."""
    chosen = next((name for name in ("report.html", "report.json") if name in row.reports), None)
    return f"{quote(row.folder)}/{chosen}" if chosen else None


def totals(rows: Sequence[PortfolioRow]) -> dict[str, int]:
    return {"portfolios": len(rows), "ready": sum(r.verdict == "ready" for r in rows),
            "not_ready": sum(r.verdict == "not-ready" for r in rows),
            "could_not_check": sum(r.failed for r in rows)}


def _video_minutes(row: PortfolioRow) -> float | None:
    return None if row.video_seconds is None else row.video_seconds / 60


def _cell(row: PortfolioRow, key: str) -> str:
    value: object
    if key == "video_minutes":
        minutes = _video_minutes(row)
        value = None if minutes is None else round(minutes, 1)
    elif key == "verdict":
        value = verdict_label(row)
    elif key == "error_codes":
        value = " ".join(row.error_codes)
    elif key == "report":
        value = report_link(row)
    else:
        value = getattr(row, key)
    return "" if value is None else str(value)


def render_summary_csv(rows: Sequence[PortfolioRow]) -> str:
    """``summary.csv``: a byte order mark (so Excel reads UTF-8), CRLF lines, formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for header, _ in CSV_COLUMNS])
    for row in rows:
        writer.writerow([guard_formula(_cell(row, key)) for _, key in CSV_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def summary_document(rows: Sequence[PortfolioRow], export: str, shard: str | None,
                     ignored: Sequence[dict[str, str]] = (), problems: Sequence[str] = ()) -> dict[str, Any]:
    """``summary.json``."""
    return {"tool": {"name": "portfolio-check", "version": __version__}, "generated_at": _now(),
            "export": export, "shard": shard, "totals": totals(rows), "portfolios": [row.to_dict() for row in rows],
            "ignored": list(ignored), "problems": list(problems)}


def render_summary_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_index_html(rows: Sequence[PortfolioRow], export: str, shard: str | None,
                      ignored: Sequence[dict[str, str]] = ()) -> str:
    """``index.html``: one row per portfolio, sortable and filterable, self-contained (no network)."""
    entries = [{**row.to_dict(), "link": report_link(row), "video_minutes": _video_minutes(row),
                "verdict_label": verdict_label(row), "verdict_key": row.verdict or "error"} for row in rows]
    return environment().get_template("index.html.j2").render(
        rows=entries, totals=totals(rows), export=export, shard=shard, ignored=list(ignored),
        generated_at=_now(), version=__version__)


def outcome_text(row: PortfolioRow) -> str:
    """``not ready (3 errors, 1 warning)`` or ``could not check: why``, safe to print on a terminal."""
    if row.failed:
        return terminal_safe(f"could not check: {row.problem}")
    return f"{verdict_label(row).lower()} ({plural(row.errors or 0, 'error')}, {plural(row.warnings or 0, 'warning')})"


def outcome_line(row: PortfolioRow) -> str:
    """``Sam Patel: not ready (3 errors, 1 warning)``, safe to print on a terminal."""
    return f"{terminal_safe(row.portfolio)}: {outcome_text(row)}"


def progress_line(done: int, total: int, row: PortfolioRow, reused: bool) -> str:
    """One line per finished portfolio, for logs (stderr not a terminal)."""
    note = " (unchanged, not checked again)" if reused else ""
    return f"[{done}/{total}] {outcome_line(row)}{note}"


def _clock(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def progress_bar(done: int, total: int, elapsed: float, width: int = 30) -> str:
    """``[#########.........]  37/200  2.1/s  1:20 left`` for a terminal."""
    filled = int(width * done / total) if total else width
    rate = done / elapsed if elapsed > 0 else 0.0
    left = _clock((total - done) / rate) if rate > 0 and done < total else ("0:00" if done >= total else "--:--")
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:.1f}/s  {left} left"


def final_line(rows: Sequence[PortfolioRow], reused: int) -> str:
    counted = totals(rows)
    text = (f"{plural(counted['portfolios'], 'portfolio')}: {counted['ready']} ready, {counted['not_ready']} not ready, "
            f"{counted['could_not_check']} could not be checked")
    return text + (f" ({reused} unchanged since the last run)" if reused else "")
