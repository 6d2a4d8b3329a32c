"""Rebuild the .xls and .ods manifests the tests read: written as .xlsx with openpyxl, then converted
by LibreOffice (a real office suite writes them, as providers' files are written).

    apt-get install -y libreoffice-calc-nogui && python tests/data/manifests/make_fixtures.py

The tests build every other manifest on the fly; these two formats need LibreOffice, which CI does
not have, so the converted files are kept here (a few KB each).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: The Evidence sheet: a title row, a blank row, the header on row 3, piece 1 over rows 4-6 under
#: merged Piece and Title cells, an American date on row 7.
EVIDENCE: list[list[object]] = [
    ["Portfolio of evidence - KSB mapping"],
    [],
    ["Piece", "Title", "Files", "KSBs", "Date"],
    [1, "Call sheet", "call sheet.docx", "K1, K2-K4", date(2026, 3, 14)],
    [None, None, "call sheet notes.pdf", "S9", None],
    [None, None, None, "B3", None],
    [2, "Risk assessment", "risk.pdf", "K11 to K13", "12/31/2025"],
    [3, "Walkthrough", "clip.mp4", "S1", "14/03/2026"],
]
MERGES = ("A4:A6", "B4:B6")
PORTFOLIO = [["Apprentice", "Sam Patel"], ["ULN", "9999999999"], ["Standard", "ST0792"]]


def main() -> int:
    from openpyxl import Workbook

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is not installed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "merged manifest.xlsx"
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Evidence"
        for row in EVIDENCE:
            sheet.append(row)
        for cells in MERGES:
            sheet.merge_cells(cells)
        details = workbook.create_sheet("Portfolio")
        for row in PORTFOLIO:
            details.append(row)
        workbook.save(source)
        for target in ("xls", "ods"):
            subprocess.run([soffice, "--headless", "--convert-to", target, "--outdir", scratch, str(source)],
                           check=True, capture_output=True, timeout=120)
            shutil.copy(Path(scratch) / f"merged manifest.{target}", HERE / f"merged manifest.{target}")
            print(f"wrote {HERE / f'merged manifest.{target}'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
