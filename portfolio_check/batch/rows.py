"""A portfolio's summary row: built from its assessment (or from why it could not be checked), stored
beside its reports with the fingerprint of its inputs, and read back by ``--resume`` and ``merge``.

Rendering rows (the index page, ``summary.csv``, ``summary.json``) is `portfolio_check.report.batch_view`'s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from portfolio_check.batch.discovery import PortfolioSource
from portfolio_check.checks.model import Assessment
from portfolio_check.report.writer import write_text_atomically

#: The file in each portfolio's output folder that holds its summary row and input fingerprint.
ROW_FILE = "batch-row.json"


@dataclass(frozen=True)
class PortfolioRow:
    """One portfolio of a batch run. The field order is the key order of its entry in ``summary.json``."""

    #: Its name as the export has it.
    portfolio: str
    #: Its output folder's name under OUTDIR.
    folder: str
    #: Where it is, relative to the export.
    where: str
    #: ``checked``, or ``error`` when it could not be checked (``problem`` says why).
    status: Literal["checked", "error"]
    #: ``ready`` or ``not-ready``; None when it could not be checked.
    verdict: str | None
    apprentice: str | None
    uln: str | None
    #: ``ST0792 v1.2``; None when nothing said which standard it is for, or it could not be checked.
    standard: str | None
    option: str | None
    pieces: int | None
    video_seconds: float | None
    uncovered_ksbs: int | None
    errors: int | None
    warnings: int | None
    #: How many files it holds.
    files: int | None
    #: The codes of its error findings, sorted, each once.
    error_codes: tuple[str, ...]
    problem: str | None
    #: The report files written into its output folder.
    reports: tuple[str, ...]
    #: When it was checked (UTC, ISO 8601).
    checked_at: str

    @property
    def failed(self) -> bool:
        """Whether it could not be checked (whatever a checked portfolio's verdict)."""
        return self.status == "error"

    def to_dict(self) -> dict[str, Any]:
        """Its ``summary.json`` entry (and what `from_dict` reads back)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**data, "error_codes": list(self.error_codes), "reports": list(self.reports)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PortfolioRow:
        """The row `to_dict` wrote. Raises ValueError when ``data`` is not one (damaged, or from an
        older version with other fields); keys it does not know are left out."""
        if data.get("status") not in ("checked", "error"):
            raise ValueError(f"a row's status is 'checked' or 'error', not {data.get('status')!r}")
        return cls(
            portfolio=_text(data, "portfolio"), folder=_text(data, "folder"), where=_text(data, "where"),
            status=data["status"], verdict=_optional_text(data, "verdict"),
            apprentice=_optional_text(data, "apprentice"), uln=_optional_text(data, "uln"),
            standard=_optional_text(data, "standard"), option=_optional_text(data, "option"),
            pieces=_optional_count(data, "pieces"), video_seconds=_optional_number(data, "video_seconds"),
            uncovered_ksbs=_optional_count(data, "uncovered_ksbs"), errors=_optional_count(data, "errors"),
            warnings=_optional_count(data, "warnings"), files=_optional_count(data, "files"),
            error_codes=_texts(data, "error_codes"), problem=_optional_text(data, "problem"),
            reports=_texts(data, "reports"), checked_at=_text(data, "checked_at"))


def _value(data: Mapping[str, Any], key: str) -> Any:
    if key not in data:
        raise ValueError(f"a row has no '{key}'")
    return data[key]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = _value(data, key)
    if not isinstance(value, str):
        raise ValueError(f"a row's '{key}' is text, not {value!r}")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    return None if _value(data, key) is None else _text(data, key)


def _optional_count(data: Mapping[str, Any], key: str) -> int | None:
    value = _value(data, key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"a row's '{key}' is a count, not {value!r}")
    return value


def _optional_number(data: Mapping[str, Any], key: str) -> float | None:
    value = _value(data, key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"a row's '{key}' is a number, not {value!r}")
    return float(value)


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = _value(data, key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"a row's '{key}' is a list of text, not {value!r}")
    return tuple(value)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def portfolio_row(source: PortfolioSource, assessment: Assessment, reports: Sequence[str]) -> PortfolioRow:
    """The row of a checked portfolio: its verdict and the counts behind it, as its assessment decided them."""
    details = assessment.portfolio.details
    standard = assessment.standard
    judgement = assessment.judgement
    return PortfolioRow(
        portfolio=source.name, folder=source.folder, where=source.where, status="checked",
        verdict=judgement.code, apprentice=details.get("apprentice"), uln=details.get("uln"),
        standard=None if standard is None else f"{standard.reference} v{standard.version}",
        option=assessment.option, pieces=assessment.piece_count, video_seconds=assessment.video_seconds(),
        uncovered_ksbs=len(assessment.coverage.missing), errors=judgement.errors, warnings=judgement.warnings,
        files=len(assessment.portfolio.records), error_codes=tuple(sorted({f.code for f in assessment.errors})),
        problem=None, reports=tuple(reports), checked_at=_now())


def error_row(source: PortfolioSource, problem: str) -> PortfolioRow:
    """The row of a portfolio that could not be checked, saying why."""
    return PortfolioRow(
        portfolio=source.name, folder=source.folder, where=source.where, status="error", verdict=None,
        apprentice=None, uln=None, standard=None, option=None, pieces=None, video_seconds=None,
        uncovered_ksbs=None, errors=None, warnings=None, files=None, error_codes=(), problem=problem,
        reports=(), checked_at=_now())


def row_order(row: PortfolioRow) -> tuple[str, str, str]:
    """The order of rows in every output: by portfolio name, as `discover` sorts."""
    return row.portfolio.casefold(), row.portfolio, row.where


@dataclass(frozen=True)
class StoredRow:
    """What ``batch-row.json`` holds: the row, and the fingerprint of the inputs it was made from."""

    fingerprint: str
    row: PortfolioRow


def store_row(folder: Path, row: PortfolioRow, fingerprint: str) -> None:
    """Write the portfolio's row and input fingerprint atomically into its output folder."""
    folder.mkdir(parents=True, exist_ok=True)
    document = {"fingerprint": fingerprint, "row": row.to_dict()}
    write_text_atomically(folder / ROW_FILE, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def read_row(folder: Path) -> StoredRow | None:
    """The row stored in an output folder, or None when there is none, or it is damaged or from a
    version that wrote other fields: such a portfolio is checked again."""
    try:
        stored = json.loads((folder / ROW_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or not isinstance(stored.get("fingerprint"), str):
        return None
    row = stored.get("row")
    if not isinstance(row, dict):
        return None
    try:
        return StoredRow(fingerprint=stored["fingerprint"], row=PortfolioRow.from_dict(row))
    except ValueError:
        return None
