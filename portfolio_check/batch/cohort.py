"""Warnings across the portfolios of one batch: what no single portfolio's check can see.

- ``duplicate-uln``: the same ULN in two or more portfolios;
- ``folder-details-mismatch``: a folder named ``<Name> <ULN>`` whose portfolio.yaml or manifest
  Portfolio sheet names someone else (another name, or another ULN);
- ``folder-statement-mismatch``: such a folder whose statement is signed by another apprentice;
- ``shared-evidence-file``: the same file (byte for byte) in two or more apprentices' portfolios.

`cohort_warnings` is a pure function of the rows. It opens no file: the digests it compares are the
SHA-256 the extract stage takes of every file as it reads it (`EvidenceFile`), so finding shared
files costs nothing in reading, whatever the length of the clips. Warnings never change a verdict.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portfolio_check.batch.rows import EvidenceFile, Naming, PortfolioRow
from portfolio_check.checks.resolve import details_from_folder_name
from portfolio_check.formatting import join_words, plural

DUPLICATE_ULN = "duplicate-uln"
FOLDER_DETAILS_MISMATCH = "folder-details-mismatch"
FOLDER_STATEMENT_MISMATCH = "folder-statement-mismatch"
SHARED_EVIDENCE_FILE = "shared-evidence-file"
#: Every code `cohort_warnings` may give, in the order the outputs list them.
CODES = (DUPLICATE_ULN, FOLDER_DETAILS_MISMATCH, FOLDER_STATEMENT_MISMATCH, SHARED_EVIDENCE_FILE)
#: The ``rule`` these warnings carry in ``findings.csv``: they belong to no checklist line.
RULE = "cross-portfolio"
#: Files of one portfolio named in a shared-file message before "and N more".
NAMED_FILES = 3

_FIXES = {
    DUPLICATE_ULN: (
        "One apprentice has one portfolio. If these are copies of the same portfolio, keep the latest and take the "
        "others out of the export; if they are different apprentices, correct the wrong ULN (in portfolio.yaml, the "
        "manifest's Portfolio sheet or the folder name)."),
    FOLDER_DETAILS_MISMATCH: (
        "Make sure the folder holds this apprentice's own portfolio. If the details were copied from another "
        "apprentice's portfolio, correct the apprentice and ULN in them; if the folder is misnamed, rename it "
        "'<apprentice's name> <ULN>'; if it holds someone else's work, move that work to their folder."),
    FOLDER_STATEMENT_MISMATCH: (
        "The statement must be this apprentice's own: if it was copied from another apprentice's portfolio, replace "
        "it with one this apprentice and their employer sign and date; if the folder is misnamed, rename it."),
    SHARED_EVIDENCE_FILE: (
        "Each portfolio must hold the apprentice's own work. Open the file, find out whose work it is, and take it "
        "out of the other apprentices' portfolios or replace it with their own evidence; a blank template or a "
        "handout everyone was given is not evidence and can be removed."),
}


@dataclass(frozen=True)
class CohortWarning:
    """One warning about several portfolios (or about a portfolio's folder name and its contents)."""

    code: str
    message: str
    fix: str
    #: The output folders of the portfolios it concerns, in row order.
    folders: tuple[str, ...]
    #: (output folder, file in that portfolio) pairs it concerns, for ``findings.csv``.
    files: tuple[tuple[str, str], ...] = ()

    @property
    def severity(self) -> str:
        return "warning"

    def paths_in(self, folder: str) -> list[str]:
        """The files it concerns in the portfolio with this output folder."""
        return [path for owner, path in self.files if owner == folder]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "rule": RULE, "message": self.message,
                "fix": self.fix, "portfolios": list(self.folders),
                "files": [{"portfolio": folder, "path": path} for folder, path in self.files]}


def cohort_warnings(rows: Sequence[PortfolioRow]) -> list[CohortWarning]:
    """Every cross-portfolio warning of the batch's rows (given in row order), in the order of `CODES`."""
    return [*_duplicate_ulns(rows), *_folder_mismatches(rows), *_shared_files(rows)]


def warnings_by_folder(warnings: Sequence[CohortWarning]) -> dict[str, list[CohortWarning]]:
    """The warnings concerning each portfolio, by its output folder."""
    found: dict[str, list[CohortWarning]] = defaultdict(list)
    for warning in warnings:
        for folder in warning.folders:
            found[folder].append(warning)
    return dict(found)


# --- the same ULN in several portfolios ------------------------------------------------------------


def _uln_key(uln: str | None) -> str | None:
    digits = re.sub(r"\D", "", uln or "")
    return digits or None


def _duplicate_ulns(rows: Sequence[PortfolioRow]) -> list[CohortWarning]:
    groups: dict[str, list[PortfolioRow]] = defaultdict(list)
    for row in rows:
        key = _uln_key(row.uln)
        if key:
            groups[key].append(row)
    found = []
    for uln, group in groups.items():
        if len(group) < 2:
            continue
        named = [f"'{row.portfolio}'" + (f" ({row.apprentice})" if row.apprentice else "") for row in group]
        found.append(CohortWarning(
            DUPLICATE_ULN, f"ULN {uln} is given for {len(group)} portfolios: {join_words(named)}.",
            _FIXES[DUPLICATE_ULN], tuple(row.folder for row in group)))
    return found


# --- a <Name> <ULN> folder whose contents name someone else ----------------------------------------


def _folder_mismatches(rows: Sequence[PortfolioRow]) -> list[CohortWarning]:
    found = []
    for row in rows:
        folder = details_from_folder_name(row.portfolio)
        if not folder:
            continue
        for naming in row.named_in:
            other_name = naming.apprentice is not None and not same_person(naming.apprentice, folder["apprentice"])
            other_uln = naming.uln is not None and _uln_key(naming.uln) not in (None, folder["uln"])
            if not (other_name or other_uln):
                continue
            code = FOLDER_STATEMENT_MISMATCH if naming.source == "statement" else FOLDER_DETAILS_MISMATCH
            found.append(CohortWarning(code, _mismatch_message(row, folder, naming, other_name, other_uln),
                                       _FIXES[code], (row.folder,), ((row.folder, naming.path),) if naming.path else ()))
    found.sort(key=lambda warning: CODES.index(warning.code))  # stable: row order within a code
    return found


def _mismatch_message(row: PortfolioRow, folder: dict[str, str], naming: Naming, other_name: bool,
                      other_uln: bool) -> str:
    opening = f"The {'zip' if row.where.lower().endswith('.zip') else 'folder'} '{row.portfolio}' is named for " \
              f"{folder['apprentice']} (ULN {folder['uln']})"
    if naming.source == "statement":
        return f"{opening}, but the apprentice who signed the statement {naming.path} is {naming.apprentice}."
    where = (f"its manifest's Portfolio sheet ({naming.path})" if naming.source == "manifest"
             else f"its {naming.path or 'portfolio.yaml'}")
    said = []
    if other_name:
        said.append(f"names {naming.apprentice}")
    if other_uln:
        said.append(f"gives ULN {naming.uln}")
    return f"{opening}, but {where} {join_words(said)}."


def _name_words(name: str) -> list[str]:
    """``Patel, Sam`` -> ``['sam', 'patel']``: casefolded, accents and apostrophes dropped."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['\u2019`]", "", text)
    if text.count(",") == 1:
        surname, _, given = text.partition(",")
        text = f"{given} {surname}"
    return [word for word in re.split(r"[\W_]+", text) if word and not word.isdigit()]


def same_person(first: str, second: str) -> bool:
    """Whether two written names can be the same person: the same words in any order, one with a middle
    name or title the other leaves out (``Sam J. Patel``, ``Mr Sam Patel``), or the same surname with
    a first name that is the other's initial or short form (``S. Patel``, ``Sam``/``Samuel``).
    A name with no words (unreadable) is not taken for someone else."""
    one, two = _name_words(first), _name_words(second)
    if not one or not two or set(one) <= set(two) or set(two) <= set(one):
        return True
    return one[-1] == two[-1] and (one[0].startswith(two[0]) or two[0].startswith(one[0]))


# --- the same file in several apprentices' portfolios ----------------------------------------------


def _apprentice_key(row: PortfolioRow) -> str:
    """Who the portfolio is for: its ULN, else its apprentice's name, else its folder."""
    uln = _uln_key(row.uln)
    if uln:
        return "uln:" + uln
    words = _name_words(row.apprentice or "")
    return "name:" + " ".join(sorted(words)) if words else "folder:" + row.folder


def _shared_files(rows: Sequence[PortfolioRow]) -> list[CohortWarning]:
    """One warning per set of apprentices that share files, listing the files: a portfolio copied whole
    is one warning, not one per file, and a template in every portfolio is one warning, not one per pair."""
    holders: dict[tuple[int, str], list[tuple[int, EvidenceFile]]] = defaultdict(list)
    for position, row in enumerate(rows):
        for item in row.evidence:
            holders[(item.size, item.sha256)].append((position, item))
    shared: dict[tuple[int, ...], list[list[tuple[int, EvidenceFile]]]] = defaultdict(list)
    for holding in holders.values():
        positions = tuple(sorted({position for position, _ in holding}))
        if len({_apprentice_key(rows[p]) for p in positions}) >= 2:
            shared[positions].append(holding)
    found = []
    for positions in sorted(shared):
        files = shared[positions]
        parts = []
        pairs: list[tuple[str, str]] = []
        for position in positions:
            row = rows[position]
            paths = sorted({item.path for holding in files for p, item in holding if p == position})
            pairs += [(row.folder, path) for path in paths]
            shown = ", ".join(paths[:NAMED_FILES]) + (f" and {len(paths) - NAMED_FILES} more"
                                                      if len(paths) > NAMED_FILES else "")
            who = f" ({row.apprentice})" if row.apprentice else ""
            parts.append(f"'{row.portfolio}'{who}: {shown}")
        apprentices = len({_apprentice_key(rows[p]) for p in positions})
        held = (f"the portfolios of {apprentices} different apprentices" if apprentices == len(positions)
                else f"{len(positions)} portfolios of {apprentices} different apprentices")
        message = (f"The same file is in {held}" if len(files) == 1
                   else f"{plural(len(files), 'identical file')} are in each of {held}")
        found.append(CohortWarning(SHARED_EVIDENCE_FILE, f"{message}: {'; '.join(parts)}.",
                                   _FIXES[SHARED_EVIDENCE_FILE], tuple(rows[p].folder for p in positions),
                                   tuple(pairs)))
    return found
