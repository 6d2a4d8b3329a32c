"""``merge``: the rows that ``batch --shard`` runs stored, gathered into one OUTDIR with their
portfolio folders, so one index and one summary cover the whole export.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from portfolio_check.batch.rows import PortfolioRow, read_row, row_order


@dataclass
class Merged:
    rows: list[PortfolioRow]
    export: str = ""
    #: Entries of the export that are not portfolios, as the shards' ``summary.json`` list them.
    ignored: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def merge_outputs(shard_dirs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str]) -> Merged:
    """Collect the rows the shards stored and copy their portfolio folders into ``output_dir``.

    A portfolio found in several shard folders keeps its most recently checked row. A folder whose
    row is missing or damaged is left out.
    """
    output = Path(output_dir)
    merged = Merged(rows=[])
    chosen: dict[str, tuple[PortfolioRow, Path]] = {}
    for shard_dir in map(Path, shard_dirs):
        try:
            summary = json.loads((shard_dir / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
        if isinstance(summary, dict):
            _add_summary(merged, summary)
        for child in sorted(shard_dir.iterdir(), key=lambda p: p.name):
            if child.is_symlink() or not child.is_dir():
                continue
            stored = read_row(child)
            if stored is None:
                continue
            row = replace(stored.row, folder=child.name)
            earlier = chosen.get(child.name.casefold())
            if earlier is None or row.checked_at >= earlier[0].checked_at:
                chosen[child.name.casefold()] = (row, child)
    output.mkdir(parents=True, exist_ok=True)
    for _, child in chosen.values():
        target = output / child.name
        if child.resolve() != target.resolve():
            _replace_folder(child, target)
    merged.rows = sorted((row for row, _ in chosen.values()), key=row_order)
    return merged


def _add_summary(merged: Merged, summary: dict[str, Any]) -> None:
    """What a shard's ``summary.json`` says of the whole export; entries of the wrong shape are skipped."""
    merged.export = merged.export or str(summary.get("export") or "")
    ignored = summary.get("ignored")
    for item in ignored if isinstance(ignored, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str) and isinstance(item.get("reason"), str):
            entry = {"path": item["path"], "reason": item["reason"]}
            if entry not in merged.ignored:
                merged.ignored.append(entry)
    problems = summary.get("problems")
    for problem in problems if isinstance(problems, list) else []:
        if isinstance(problem, str) and problem not in merged.problems:
            merged.problems.append(problem)


def _replace_folder(source: Path, target: Path) -> None:
    """Copy a portfolio's output folder over ``target`` so that a reader never sees half of it."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:40]}.", dir=target.parent))
    try:
        shutil.copytree(source, staging / "copy", symlinks=True)
        if target.exists():
            retired = staging / "old"
            os.replace(target, retired)
        os.replace(staging / "copy", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
