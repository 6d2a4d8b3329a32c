"""KSB mapping manifests (list and grid layouts, CSV and Excel) and portfolio.yaml details."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from samplegen import writers
from samplegen.people import Apprentice
from samplegen.writers import Sheet


@dataclass(frozen=True)
class Piece:
    """One piece of evidence as the manifest maps it."""

    title: str
    files: tuple[str, ...]
    codes: tuple[str, ...]
    date: date
    description: str
    witness: str = ""
    location: str = ""


def _code_order(code: str) -> tuple[int, int]:
    return "KSBD".index(code[0]), int(code[1:])


def list_rows(pieces: Sequence[Piece], label: str = "KSBs") -> list[list[object]]:
    rows: list[list[object]] = [["Piece", "Title", "Files", label, "Date", "Description", "Witness", "Location"]]
    for number, piece in enumerate(pieces, start=1):
        rows.append([number, piece.title, "; ".join(piece.files), ", ".join(sorted(piece.codes, key=_code_order)),
                     piece.date.strftime("%d/%m/%Y"), piece.description, piece.witness, piece.location])
    return rows


def list_csv(path: Path, pieces: Sequence[Piece]) -> Path:
    return writers.csv_file(path, list_rows(pieces))


def details_rows(a: Apprentice) -> list[list[object]]:
    rows: list[list[object]] = [["Apprentice", a.name], ["ULN", a.uln], ["Employer", a.employer],
                                ["Standard", a.standard], ["Version", a.version]]
    if a.option:
        rows.append(["Option", a.option])
    rows += [["Start date", a.start], ["Gateway date", a.gateway], ["Training provider", a.provider]]
    return rows


def list_xlsx(path: Path, pieces: Sequence[Piece], a: Apprentice, *, label: str = "KSBs",
              with_details: bool = True) -> Path:
    sheets = [Sheet("Evidence", list_rows(pieces, label), (6, 40, 52, 24, 11, 60, 26, 14))]
    if with_details:
        sheets.append(Sheet("Portfolio", details_rows(a), (18, 44), header_row=0))
    return writers.xlsx(path, sheets, title="Portfolio of evidence - KSB mapping", author=a.name,
                        created=a.at(a.gateway, 9))


def grid_xlsx(path: Path, pieces: Sequence[Piece], a: Apprentice, codes: Sequence[str]) -> Path:
    """One column per KSB, a tick where the piece evidences it, as providers' mapping grids look."""
    rows: list[list[object]] = [["Piece", "Title", "Files", *codes]]
    for number, piece in enumerate(pieces, start=1):
        rows.append([number, piece.title, "; ".join(piece.files), *["✓" if c in piece.codes else "" for c in codes]])
    widths = (6, 40, 46, *([5] * len(codes)))
    return writers.xlsx(path, [Sheet("Mapping grid", rows, widths), Sheet("Portfolio", details_rows(a), (18, 44), header_row=0)],
                        title="Evidence mapping grid", author=a.name, created=a.at(a.gateway, 9))


def details_yaml(path: Path, a: Apprentice, extra: Sequence[tuple[str, str]] = ()) -> Path:
    """``portfolio.yaml``; ``extra`` adds pre-Gateway details (``english: achieved``...)."""
    lines = ["# Portfolio details, read by portfolio-check", f"apprentice: {a.name}", f"uln: '{a.uln}'",
             f"employer: {a.employer}", f"standard: {a.standard}", f"version: '{a.version}'"]
    if a.option:
        lines.append(f"option: {a.option}")
    lines += [f"start_date: {a.start.isoformat()}", f"gateway_date: {a.gateway.isoformat()}",
              *(f"{key}: {value}" for key, value in extra), f"training_provider: {a.provider}", ""]
    return writers.text_file(path, "\n".join(lines))
