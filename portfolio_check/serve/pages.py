"""The local page's HTML and the words that say where a run is: rendering only, no decision.

The verdict words are the report's own (``verdict_text`` in report.json); an export's counts are its
rows', as ``batch`` writes them.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolio_check.resources import templates_dir
from portfolio_check.serve.runs import TEMPLATE_NAME, Run
from portfolio_check.serve.uploads import size_text

if TYPE_CHECKING:
    import jinja2

#: Seconds between refreshes of a progress page without JavaScript.
REFRESH_SECONDS = 1

#: What each file a run offers is called on the page, and whether it is a download (not a page).
_DOWNLOADS = {
    "report.html": ("report", "Open the report on its own", False),
    "report.json": ("json", "report.json (the results as data)", True),
    "report.pdf": ("pdf", "report.pdf (to email or print)", True),
    TEMPLATE_NAME: ("template", "Manifest template (Excel: KSBs suggested from each file, to confirm)", True),
    "index.html": ("index", "Open the index on its own", False),
    "summary.csv": ("summary-csv", "summary.csv (one row per portfolio)", True),
    "findings.csv": ("findings-csv", "findings.csv (one row per finding)", True),
    "summary.json": ("summary-json", "summary.json", True),
}


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The page's templates, with the report's stylesheet beside them; autoescaped."""
    import jinja2

    folders = [str(Path(__file__).parent / "templates"), str(templates_dir())]
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(name: str, **values: Any) -> str:
    values.setdefault("refresh", None)
    values.setdefault("wide", False)
    return environment().get_template(name).render(**values)


def minutes_text(seconds: float) -> str:
    """``60 minutes``, ``1 minute``, ``2 hours``, ``30 seconds``."""
    if seconds < 60:
        return f"{seconds:g} second" + ("" if seconds == 1 else "s")
    if seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour" + ("" if hours == 1 else "s")
    minutes = round(seconds / 60, 1)
    return f"{minutes:g} minute" + ("" if minutes == 1 else "s")


def queue_text(snapshot: dict[str, Any]) -> str:
    position = snapshot["position"]
    if snapshot["state"] != "queued" or position is None:
        return "Its turn came: a worker took it"
    if position == 0:
        return "Next in the queue: it starts when a worker is free"
    return f"In the queue: {position} ahead of it, it starts when a worker is free"


def check_text(snapshot: dict[str, Any]) -> str:
    if snapshot["state"] == "queued":
        return "Checking its files against the rules of its standard"
    if snapshot["kind"] == "export":
        if not snapshot["total"]:
            return "Finding the portfolios in the export"
        return f"Checking the export: {snapshot['done']} of {snapshot['total']} portfolios checked"
    return f"Checking its files against the rules of its standard ({snapshot['seconds']:.0f} s so far)"


def where_text(snapshot: dict[str, Any]) -> str:
    """One line for the list of a session's runs."""
    state = snapshot["state"]
    if state == "queued":
        position = snapshot["position"]
        return "Next in the queue" if not position else f"In the queue ({position} ahead)"
    if state == "checking":
        return check_text(snapshot).split(" (")[0]
    return "Done" if state == "done" else "Could not be checked"


def export_text(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = [f"{counts.get('ready', 0)} ready", f"{counts.get('not_ready', 0)} not ready"]
    if counts.get("not_checked"):
        parts.append(f"{counts['not_checked']} could not be checked")
    return f"{total} portfolio{'s' if total != 1 else ''} checked: " + ", ".join(parts)


def result_text(snapshot: dict[str, Any]) -> str:
    if snapshot["state"] == "done":
        return export_text(snapshot["counts"]) if snapshot["kind"] == "export" else snapshot["verdict_text"] or ""
    if snapshot["state"] == "failed":
        return snapshot["problem"] or ""
    return ""


def status_document(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The status endpoint's answer: where the run is, and the same words the page shows."""
    return {**snapshot, "queue_text": queue_text(snapshot), "check_text": check_text(snapshot),
            "where_text": where_text(snapshot), "result_text": result_text(snapshot)}


def downloads(run: Run, pdf_available: bool) -> list[dict[str, Any]]:
    """The files a finished run offers, as links (a PDF is made when first asked for, where it can be)."""
    names = [name for name in _DOWNLOADS if name in run.files or (name == "report.pdf" and pdf_available
                                                                  and run.kind == "portfolio")]
    return [{"key": _DOWNLOADS[name][0], "label": _DOWNLOADS[name][1], "download": _DOWNLOADS[name][2],
             "path": name.replace(" ", "%20")} for name in names]


def run_page(run: Run, snapshot: dict[str, Any], keep_seconds: float, pdf_available: bool) -> str:
    busy = run.state in ("queued", "checking")
    heading = "Checking" if busy else "Could not check" if run.state == "failed" else "Checked"
    return render("run.html.j2", title=f"{heading} {run.name}", run=run,
                  snapshot=snapshot, size=size_text(run.size), queue_text=queue_text(snapshot),
                  check_text=check_text(snapshot), refresh=REFRESH_SECONDS if busy else None,
                  wide=run.state == "done", export_text=export_text(run.counts),
                  downloads=downloads(run, pdf_available), keep=minutes_text(keep_seconds))


def home_page(standards: list[Any], csrf: str, limit_bytes: int, keep_seconds: float,
              runs: list[tuple[Run, dict[str, Any]]]) -> str:
    rows = [{"id": run.id, "name": run.name, "state": snapshot["state"], "where": where_text(snapshot),
             "result": result_text(snapshot)} for run, snapshot in runs]
    busy = any(row["state"] in ("queued", "checking") for row in rows)
    return render("home.html.j2", title="Check a portfolio", standards=standards, csrf=csrf,
                  limit_bytes=limit_bytes, limit=size_text(limit_bytes), keep=minutes_text(keep_seconds),
                  runs=rows, refresh=REFRESH_SECONDS * 2 if busy else None)


def message_page(heading: str, message: str) -> str:
    return render("message.html.j2", title=heading, heading=heading, message=message)
