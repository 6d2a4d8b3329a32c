"""Whole portfolios for the Gateway tests: real files, a manifest in either layout, a statement."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import builders

from portfolio_check.catalogue.loader import discover

STATEMENT = [
    "Declaration of authenticity",
    "We confirm that the evidence in this portfolio is valid and attributable to the apprentice, "
    "and that it is the apprentice's own work.",
    "Apprentice",
    "Name: Sam Patel",
    "Signed: Sam Patel",
    "Date: 01/09/2026",
    "Employer",
    "Name: Jo Bloggs, Line Manager, Northern Pictures",
    "Signed: Jo Bloggs",
    "Date: 01/09/2026",
]


@dataclass
class Spec:
    """What to build; defaults give a ready ST0792 production coordinator portfolio of 18 pieces."""

    standard: str = "ST0792"
    option: str | None = "production-coordinator"
    pieces: int = 18
    #: Lengths of video clips (seconds); each becomes one piece's file.
    videos: Sequence[float] = (120.0,)
    #: Lengths of clips embedded in a presentation piece.
    embedded: Sequence[float] = ()
    statement: bool = True
    layout: str = "list"
    manifest_format: str = "csv"
    #: Codes to leave out of the mapping (to make them uncovered).
    uncovered: Sequence[str] = ()
    details: dict[str, str] = field(default_factory=lambda: {"apprentice": "Sam Patel", "uln": "1234567899"})
    extra_files: dict[str, bytes] = field(default_factory=dict)


def required_codes(spec: Spec) -> list[str]:
    standard = discover().get(spec.standard)
    if standard.portfolio.evidence_codes == "duties":
        return [d.code for d in standard.duties]
    return [k.code for k in standard.ksbs_for(spec.option, standard.portfolio.evidence_method)]


def build(root: Path, spec: Spec | None = None) -> Path:
    """Write the portfolio under ``root`` and return it (a ready one by default)."""
    spec = spec or Spec()
    codes = [c for c in required_codes(spec) if c not in spec.uncovered]
    rows: list[tuple[str, str, list[str], list[str]]] = []
    video_iter = list(spec.videos)
    for index in range(spec.pieces):
        number = index + 1
        mine = codes[index::spec.pieces] or codes[:1]
        if video_iter:
            seconds = video_iter.pop(0)
            name = f"{number:02d} Walkthrough {number}.mp4"
            builders.clip(root / name, seconds)
        elif index == 1 and spec.embedded:
            movie = builders.clip(root.parent / f"embedded-{spec.embedded[0]}.mp4", spec.embedded[0])
            name = f"{number:02d} Production meeting deck.pptx"
            builders.pptx(root / name, ["Production meeting", "Schedule", "Actions"], notes=["Presented by Sam"],
                          movie=movie)
        elif index % 3 == 0:
            name = f"{number:02d} Call sheet {number}.docx"
            builders.docx(root / name, [f"Call sheet for shoot day {number}", "Unit base: Studio 2"],
                          title=f"Call sheet {number}")
        elif index % 3 == 1:
            name = f"{number:02d} Schedule {number}.pdf"
            builders.pdf(root / name, [[f"Production schedule week {number}", "Monday: recce"], ["Tuesday: shoot"]])
        else:
            name = f"photos/{number:02d} Set photo {number}.jpg"
            builders.jpeg(root / name, colour=(number * 10 % 255, 80, 40))
        rows.append((str(number), f"Evidence {number}", [name], mine))
    if spec.statement:
        builders.docx(root / "Declaration.docx", STATEMENT, title="Declaration")
    for name, data in spec.extra_files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    write_manifest(root, rows, spec)
    return root


def write_manifest(root: Path, rows: list[tuple[str, str, list[str], list[str]]], spec: Spec) -> Path:
    all_codes = sorted({c for _, _, _, codes in rows for c in codes}, key=lambda c: (c[0], int(c[1:])))
    if spec.layout == "list":
        table = [["Piece", "Title", "Files", "KSBs"]] + [[p, t, "; ".join(f), ", ".join(c)] for p, t, f, c in rows]
    else:
        table = [["Piece", "Title", "Files", *all_codes]] + [
            [p, t, "; ".join(f), *["x" if code in c else "" for code in all_codes]] for p, t, f, c in rows]
    if spec.manifest_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table)
        path = root / "KSB mapping.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Evidence"
        for row in table:
            sheet.append(row)
        details = workbook.create_sheet("Portfolio")
        for key, value in spec.details.items():
            details.append([key, value])
        path = root / "Portfolio manifest.xlsx"
        workbook.save(path)
    return path
