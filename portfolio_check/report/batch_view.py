"""Renders a batch run: one summary row per portfolio, the index page, the CSV and JSON summaries, and
the progress lines. It decides nothing: verdicts and counts come from each portfolio's assessment.
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
from portfolio_check.report.manifest_template import guard_formula

#: The columns of ``summary.csv``: (header, row key).
CSV_COLUMNS = (
    ("Portfolio", "portfolio"), ("Apprentice", "apprentice"), ("ULN", "uln"), ("Standard", "standard"),
    ("Option", "option"), ("Verdict", "verdict"), ("Pieces", "pieces"), ("Video minutes", "video_minutes"),
    ("Uncovered KSBs", "uncovered_ksbs"), ("Errors", "errors"), ("Warnings", "warnings"),
    ("Error codes", "error_codes"), ("Could not check", "problem"), ("Where", "where"), ("Report", "report"),
)
VERDICT_LABELS = {"ready": "Ready", "not-ready": "Not ready", None: "Could not check"}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _blank_row(source: Any) -> dict[str, Any]:
    return {"portfolio": source.name, "folder": source.folder, "where": source.where, "status": "checked",
            "verdict": None, "apprentice": None, "uln": None, "standard": None, "option": None, "pieces": None,
            "video_seconds": None, "uncovered_ksbs": None, "errors": None, "warnings": None, "files": None,
            "error_codes": [], "problem": None, "reports": [], "checked_at": _now()}


def portfolio_row(source: Any, assessment: Any, reports: Sequence[str]) -> dict[str, Any]:
    """The summary row of a checked portfolio (a `PortfolioSource` and its `Assessment`)."""
    details = assessment.portfolio.details
    standard = assessment.standard
    row = _blank_row(source)
    row.update({
        "verdict": assessment.verdict, "apprentice": details.get("apprentice"), "uln": details.get("uln"),
        "standard": f"{standard.reference} v{standard.version}", "option": assessment.option,
        "pieces": assessment.piece_count, "video_seconds": assessment.video_seconds(),
        "uncovered_ksbs": len(assessment.coverage.missing), "errors": len(assessment.errors),
        "warnings": len(assessment.warnings), "files": len(assessment.portfolio.records),
        "error_codes": sorted({f.code for f in assessment.errors}), "reports": list(reports),
    })
    return row


def error_row(source: Any, problem: str) -> dict[str, Any]:
    """The summary row of a portfolio that could not be checked, saying why."""
    row = _blank_row(source)
    row.update({"status": "error", "problem": problem})
    return row


def report_link(row: dict[str, Any]) -> str | None:
    """The row's report, relative to OUTDIR, URL-quoted: the HTML report when written, else the JSON."""
    reports = row.get("reports") or []
    chosen = next((name for name in ("report.html", "report.json") if name in reports), None)
    return f"{quote(row['folder'])}/{chosen}" if chosen else None


def totals(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {"portfolios": len(rows), "ready": sum(r["verdict"] == "ready" for r in rows),
            "not_ready": sum(r["verdict"] == "not-ready" for r in rows),
            "could_not_check": sum(r["status"] == "error" for r in rows)}


def _cell(row: dict[str, Any], key: str) -> str:
    if key == "video_minutes":
        value: Any = None if row.get("video_seconds") is None else round(row["video_seconds"] / 60, 1)
    elif key == "verdict":
        value = VERDICT_LABELS.get(row.get("verdict"), row.get("verdict"))
    elif key == "error_codes":
        value = " ".join(row.get("error_codes") or [])
    elif key == "report":
        value = report_link(row)
    else:
        value = row.get(key)
    return "" if value is None else str(value)


def render_summary_csv(rows: Sequence[dict[str, Any]]) -> str:
    """``summary.csv``: a byte order mark (so Excel reads UTF-8), CRLF lines, formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for header, _ in CSV_COLUMNS])
    for row in rows:
        writer.writerow([guard_formula(_cell(row, key)) for _, key in CSV_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def summary_document(rows: Sequence[dict[str, Any]], export: str, shard: str | None,
                     ignored: Sequence[dict[str, str]] = (), problems: Sequence[str] = ()) -> dict[str, Any]:
    """``summary.json``."""
    return {"tool": {"name": "portfolio-check", "version": __version__}, "generated_at": _now(),
            "export": export, "shard": shard, "totals": totals(rows), "portfolios": list(rows),
            "ignored": list(ignored), "problems": list(problems)}


def render_summary_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_index_html(rows: Sequence[dict[str, Any]], export: str, shard: str | None,
                      ignored: Sequence[dict[str, str]] = ()) -> str:
    """``index.html``: one row per portfolio, sortable and filterable, self-contained (no network)."""
    from portfolio_check.report.templating import environment

    entries = []
    for row in rows:
        minutes = None if row.get("video_seconds") is None else row["video_seconds"] / 60
        entries.append({**row, "link": report_link(row), "video_minutes": minutes,
                        "verdict_label": VERDICT_LABELS.get(row.get("verdict"), str(row.get("verdict"))),
                        "verdict_key": row.get("verdict") or "error"})
    return environment().get_template("index.html.j2").render(
        rows=entries, totals=totals(rows), export=export, shard=shard, ignored=list(ignored),
        generated_at=_now(), version=__version__)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def outcome_text(row: dict[str, Any]) -> str:
    """``not ready (3 errors, 1 warning)`` or ``could not check: why``."""
    if row["status"] == "error":
        return f"could not check: {row['problem']}"
    label = VERDICT_LABELS.get(row["verdict"], row["verdict"]).lower()
    return f"{label} ({_plural(row['errors'], 'error')}, {_plural(row['warnings'], 'warning')})"


def progress_line(done: int, total: int, row: dict[str, Any], reused: bool) -> str:
    """One line per finished portfolio, for logs (stderr not a terminal)."""
    note = " (unchanged, not checked again)" if reused else ""
    return f"[{done}/{total}] {row['portfolio']}: {outcome_text(row)}{note}"


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def progress_bar(done: int, total: int, elapsed: float, width: int = 30) -> str:
    """``[#########.........]  37/200  2.1/s  1:20 left`` for a terminal."""
    filled = int(width * done / total) if total else width
    rate = done / elapsed if elapsed > 0 else 0.0
    left = _clock((total - done) / rate) if rate > 0 and done < total else ("0:00" if done >= total else "--:--")
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:.1f}/s  {left} left"


def final_line(rows: Sequence[dict[str, Any]], reused: int) -> str:
    counted = totals(rows)
    text = (f"{_plural(counted['portfolios'], 'portfolio')}: {counted['ready']} ready, {counted['not_ready']} not ready, "
            f"{counted['could_not_check']} could not be checked")
    return text + (f" ({reused} unchanged since the last run)" if reused else "")
