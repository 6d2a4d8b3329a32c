"""Renders what ``inspect`` found: a JSON document for machines, a table for people."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from portfolio_check.extract.model import FileRecord
from portfolio_check.findings import Finding, Severity
from portfolio_check.formatting import format_duration, human_size, plural, terminal_safe
from portfolio_check.ingest.inventory import Inventory


def inspection_to_dict(inventory: Inventory, records: list[FileRecord], findings: list[Finding]) -> dict[str, Any]:
    return {
        "portfolio": inventory.name,
        "source": inventory.source,
        "files": [r.to_dict() for r in records],
        "archives": inventory.archives,
        "ignored": [{"path": i.path, "reason": i.reason} for i in inventory.ignored],
        "findings": [f.to_dict() for f in findings],
    }


def key_figure(record: FileRecord) -> str:
    """The one number a person wants to see for a file: pages, slides, duration, size of picture..."""
    meta = record.metadata
    parts = []
    if meta.get("pages") is not None:
        parts.append(plural(int(meta["pages"]), "page"))
    if meta.get("slides") is not None:
        parts.append(plural(int(meta["slides"]), "slide"))
    if meta.get("words") is not None and record.kind == "word":
        parts.append(plural(int(meta["words"]), "word"))
    if record.kind in ("video", "audio"):
        duration = meta.get("duration_seconds")
        parts.append(format_duration(duration) if duration is not None else "duration unknown")
    if record.kind == "image" and meta.get("width"):
        parts.append(f"{meta['width']}x{meta['height']}")
    embedded = [e.duration_seconds for e in record.embedded_media if e.duration_seconds is not None]
    if embedded:
        total = sum(embedded)
        parts.append(f"{len(embedded)} embedded clip{'s' if len(embedded) > 1 else ''} ({format_duration(total)})")
    if meta.get("url"):
        parts.append(str(meta["url"]))
    return ", ".join(parts)


def render_inspection_text(inventory: Inventory, records: list[FileRecord], findings: list[Finding],
                           width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((110, 24)).columns, 140)
    out = [f"Portfolio: {inventory.name}  ({plural(len(records), 'file')}, {len(inventory.ignored)} ignored)", ""]
    rows = [(r.path, r.kind, human_size(r.size), key_figure(r),
             ", ".join(dict.fromkeys(p.code for p in r.problems))) for r in records]
    headers = ("File", "Kind", "Size", "Contents", "Problems")
    path_width = min(max([len(headers[0])] + [len(r[0]) for r in rows]), max(30, width // 2))
    kind_width = max([len(headers[1])] + [len(r[1]) for r in rows])
    out.append(f"{headers[0]:<{path_width}}  {headers[1]:<{kind_width}}  {headers[2]:>9}  {headers[3]}  {headers[4]}")
    for path, kind, size, figure, problems in rows:
        shown = path if len(path) <= path_width else "…" + path[-(path_width - 1):]
        line = f"{shown:<{path_width}}  {kind:<{kind_width}}  {size:>9}  {figure}"
        out.append(line + (f"  [{problems}]" if problems else ""))
    if inventory.ignored:
        out += ["", "Ignored (not evidence):"]
        out += [f"  {i.path}  ({i.reason})" for i in inventory.ignored]
    for severity, title in ((Severity.ERROR, "Errors"), (Severity.WARNING, "Warnings")):
        chosen = [f for f in findings if f.severity is severity]
        if chosen:
            out += ["", f"{title} ({len(chosen)}):"]
            for finding in chosen:
                out += textwrap.wrap(f"[{finding.code}] {finding.message}", width,
                                     initial_indent="  - ", subsequent_indent="    ")
                if finding.fix:  # kept apart from the message since findings carry it as a field
                    out += textwrap.wrap(f"Fix: {finding.fix}", width, initial_indent="    ", subsequent_indent="      ")
    if not findings:
        out += ["", "No problems found in the files."]
    return terminal_safe("\n".join(out)) + "\n"
