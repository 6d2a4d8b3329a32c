"""Renders a batch run: the index page, the CSV and JSON summaries, ``findings.csv`` and the progress
lines, from the portfolios' summary rows and the batch's cross-portfolio warnings. It decides nothing:
verdicts and counts come from each portfolio's assessment, through its `PortfolioRow`, and the
cross-portfolio warnings from `portfolio_check.batch.cohort`.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from portfolio_check import __version__
from portfolio_check.batch.cohort import CohortWarning, cohort_warnings, warnings_by_folder
from portfolio_check.batch.rows import PortfolioRow
from portfolio_check.checks.actors import PROVIDER
from portfolio_check.formatting import format_duration, plural, terminal_safe
from portfolio_check.report.manifest_template import guard_formula
from portfolio_check.report.templating import environment
from portfolio_check.resources import templates_dir

#: The columns of ``summary.csv``: (header, row field, or one of the cells `_cell` derives). Columns are
#: only ever added at the end, so a spreadsheet that reads them by position keeps working.
CSV_COLUMNS = (
    ("Portfolio", "portfolio"), ("Apprentice", "apprentice"), ("ULN", "uln"), ("Standard", "standard"),
    ("Option", "option"), ("Verdict", "verdict"), ("Pieces", "pieces"), ("Video minutes", "video_minutes"),
    ("Uncovered KSBs", "uncovered_ksbs"), ("Errors", "errors"), ("Warnings", "warnings"),
    ("Error codes", "error_codes"), ("Could not check", "problem"), ("Where", "where"), ("Report", "report"),
    ("Video", "video"), ("Employer", "employer"), ("Gateway date", "gateway_date"),
    ("Uncovered KSB codes", "uncovered_codes"), ("Warning codes", "warning_codes"),
    ("Cross-portfolio warnings", "cross_portfolio"),
)
#: The columns of ``findings.csv``, one line per finding.
FINDINGS_COLUMNS = ("Portfolio", "Apprentice", "ULN", "Severity", "Code", "Rule", "Piece", "File", "Message", "Fix",
                    "Who acts")
VERDICT_LABELS: dict[str | None, str] = {"ready": "Ready", "not-ready": "Not ready", None: "Could not check"}
#: The index page's filter of verdicts: (value of a row's ``data-verdict``, label).
VERDICT_FILTER = (("not-ready", "Not ready"), ("error", "Could not check"), ("ready", "Ready"))
#: The index page's policy: nothing from the network, styles inline, and only its own script (by hash).
INDEX_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '{script_hash}'"


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


def video_text(row: PortfolioRow) -> str | None:
    """The video total as the reports write it (``9 min 12 s``); None when it could not be checked."""
    return None if row.video_seconds is None else format_duration(row.video_seconds)


def _cell(row: PortfolioRow, key: str, cohort: Sequence[CohortWarning]) -> str:
    value: object
    if key == "video_minutes":
        minutes = _video_minutes(row)
        value = None if minutes is None else round(minutes, 1)
    elif key == "video":
        value = video_text(row)
    elif key == "verdict":
        value = verdict_label(row)
    elif key in ("error_codes", "warning_codes", "uncovered_codes"):
        value = " ".join(getattr(row, key))
    elif key == "cross_portfolio":
        value = " ".join(dict.fromkeys(warning.code for warning in cohort))
    elif key == "report":
        value = report_link(row)
    else:
        value = getattr(row, key)
    return "" if value is None else str(value)


def _csv_text(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """A byte order mark (so Excel reads UTF-8), CRLF lines, formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([guard_formula(cell) for cell in line] for line in lines)
    return "\ufeff" + buffer.getvalue()


def render_summary_csv(rows: Sequence[PortfolioRow], warnings: Sequence[CohortWarning] = ()) -> str:
    """``summary.csv``: one line per portfolio, Excel-clean (see `_csv_text`)."""
    concerning = warnings_by_folder(warnings)
    return _csv_text([header for header, _ in CSV_COLUMNS],
                     [[_cell(row, key, concerning.get(row.folder, [])) for _, key in CSV_COLUMNS] for row in rows])


def render_findings_csv(rows: Sequence[PortfolioRow], warnings: Sequence[CohortWarning] = ()) -> str:
    """``findings.csv``: one line per finding of every portfolio (errors first), then its cross-portfolio
    warnings; a portfolio that could not be checked has one line saying why. Excel-clean, as ``summary.csv``."""
    concerning = warnings_by_folder(warnings)
    lines = []
    for row in rows:
        who = [row.portfolio, row.apprentice or "", row.uln or ""]
        for finding in row.findings:
            lines.append([*who, finding.severity, finding.code, finding.rule or "", finding.piece or "",
                          finding.path or "", finding.message, finding.fix or "", finding.actor])
        for warning in concerning.get(row.folder, []):
            lines.append([*who, warning.severity, warning.code, "cross-portfolio", "",
                          "; ".join(warning.paths_in(row.folder)), warning.message, warning.fix, PROVIDER])
    return _csv_text(FINDINGS_COLUMNS, lines)


def summary_document(rows: Sequence[PortfolioRow], export: str, shard: str | None,
                     ignored: Sequence[dict[str, str]] = (), problems: Sequence[str] = (),
                     warnings: Sequence[CohortWarning] = ()) -> dict[str, Any]:
    """``summary.json``."""
    return {"tool": {"name": "portfolio-check", "version": __version__}, "generated_at": _now(),
            "export": export, "shard": shard, "totals": totals(rows), "portfolios": [row.to_dict() for row in rows],
            "cross_portfolio": [warning.to_dict() for warning in warnings],
            "ignored": list(ignored), "problems": list(problems)}


def render_summary_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@functools.lru_cache(maxsize=1)
def index_script() -> tuple[str, str]:
    """The index page's script (``index.js`` beside the templates) and its CSP hash source
    (``sha256-...``): the page's policy lets this script run and nothing else."""
    text = (templates_dir() / "index.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"sha256-{digest}"


def _choices(values: Sequence[str | None], none_label: str) -> list[dict[str, str]]:
    """Filter options: each distinct value once, sorted; ``none_label`` for rows without one.

    An option's value is the text prefixed with ``=`` (``=`` alone for none), so that the empty value
    can mean "any"."""
    known = sorted({v for v in values if v}, key=str.casefold)
    options = [{"value": "=" + value, "label": value} for value in known]
    if any(not v for v in values):
        options.append({"value": "=", "label": none_label})
    return options


def _index_entry(position: int, row: PortfolioRow, cohort: Sequence[CohortWarning],
                 anchor: Callable[[CohortWarning], str]) -> dict[str, Any]:
    return {**row.to_dict(), "anchor": f"p{position + 1}", "link": report_link(row),
            "video_text": video_text(row), "verdict_label": verdict_label(row), "verdict_key": row.verdict or "error",
            "standard_reference": (row.standard or "").split(" v")[0],
            # One link a code, to its first warning: the section lists them all.
            "cohort": [{"code": code, "anchor": anchor(next(w for w in cohort if w.code == code))}
                       for code in dict.fromkeys(warning.code for warning in cohort)],
            "codes": " ".join(dict.fromkeys([*row.error_codes, *(warning.code for warning in cohort)]))}


def render_index_html(rows: Sequence[PortfolioRow], export: str, shard: str | None,
                      ignored: Sequence[dict[str, str]] = (), warnings: Sequence[CohortWarning] = ()) -> str:
    """``index.html``: one row per portfolio, searchable, filterable and sortable with the page's own script,
    complete without it; self-contained (no network) under the report's Content-Security-Policy."""
    concerning = warnings_by_folder(warnings)
    anchors = {id(warning): f"cross-{number}" for number, warning in enumerate(warnings, start=1)}
    entries = [_index_entry(position, row, concerning.get(row.folder, []), lambda w: anchors[id(w)])
               for position, row in enumerate(rows)]
    by_folder = {entry["folder"]: entry for entry in entries}
    cross = [{**warning.to_dict(), "anchor": anchors[id(warning)],
              "rows": [by_folder[folder] for folder in warning.folders if folder in by_folder]} for warning in warnings]
    script, script_hash = index_script()
    from markupsafe import Markup  # comes with Jinja2, imported when a page is rendered

    error_codes = sorted({code for row in rows for code in row.error_codes})
    filters = {
        "verdicts": [{"value": key, "label": label} for key, label in VERDICT_FILTER],
        "employers": _choices([row.employer for row in rows], "Not stated"),
        "standards": _choices([(row.standard or "").split(" v")[0] or None for row in rows], "Not known"),
        "error_codes": error_codes,
        "cross_codes": list(dict.fromkeys(warning.code for warning in warnings)),
    }
    return environment().get_template("index.html.j2").render(
        rows=entries, totals=totals(rows), export=export, shard=shard, ignored=list(ignored), cross=cross,
        filters=filters, generated_at=_now(), version=__version__, script=Markup(script),
        policy=Markup(INDEX_POLICY.format(script_hash=script_hash)))


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


def final_line(rows: Sequence[PortfolioRow], reused: int, warnings: Sequence[CohortWarning] = ()) -> str:
    """The one-line totals every batch ends with (``--quiet`` too)."""
    counted = totals(rows)
    text = (f"{plural(counted['portfolios'], 'portfolio')}: {counted['ready']} ready, {counted['not_ready']} not ready, "
            f"{counted['could_not_check']} could not be checked")
    if warnings:
        text += f"; {plural(len(warnings), 'cross-portfolio warning')}"
    return text + (f" ({reused} unchanged since the last run)" if reused else "")


def write_batch_outputs(output_dir: Path, rows: Sequence[PortfolioRow], export: str, shard: str | None,
                        ignored: list[dict[str, str]], problems: list[str]) -> list[CohortWarning]:
    """Write the index and summaries of a batch's rows into ``output_dir`` (each file atomically);
    returns the cross-portfolio warnings found in them. `batch`, `merge` and the web page share it."""
    from portfolio_check.report.writer import write_text_atomically

    rows = list(rows)
    warnings = cohort_warnings(rows)
    document = summary_document(rows, export, shard, ignored, problems, warnings)
    outputs = {"summary.json": render_summary_json(document),
               "summary.csv": render_summary_csv(rows, warnings),
               "findings.csv": render_findings_csv(rows, warnings),
               "index.html": render_index_html(rows, export, shard, ignored, warnings)}
    for name, text in outputs.items():
        write_text_atomically(output_dir / name, text)
    return warnings
