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
from portfolio_check.checks.actors import PROVIDER, actor_of
from portfolio_check.checks.model import Assessment
from portfolio_check.checks.resolve import details_from_folder_name
from portfolio_check.findings import Finding
from portfolio_check.formatting import sentence
from portfolio_check.report.writer import write_text_atomically

#: The file in each portfolio's output folder that holds its summary row and input fingerprint.
ROW_FILE = "batch-row.json"


@dataclass(frozen=True)
class RowFinding:
    """One finding of a portfolio as ``findings.csv`` and ``summary.json`` list it."""

    severity: str
    code: str
    #: The checklist line (rule id) it belongs to.
    rule: str | None
    message: str
    fix: str | None = None
    piece: str | None = None
    #: The portfolio file it concerns.
    path: str | None = None
    ksb: str | None = None
    #: Who acts on it: ``apprentice``, ``employer`` or ``provider`` (see `portfolio_check.checks.actors`).
    actor: str = PROVIDER

    @classmethod
    def of(cls, finding: Finding) -> RowFinding:
        return cls(severity=finding.severity.value, code=finding.code, rule=finding.rule, message=finding.message,
                   fix=finding.fix, piece=finding.piece, path=finding.path, ksb=finding.ksb,
                   actor=actor_of(finding))

    @classmethod
    def from_dict(cls, data: Any) -> RowFinding:
        if not isinstance(data, Mapping):
            raise ValueError(f"a finding is a mapping, not {data!r}")
        return cls(severity=_text(data, "severity"), code=_text(data, "code"), rule=_optional_text(data, "rule"),
                   message=_text(data, "message"), fix=_optional_text(data, "fix"),
                   piece=_optional_text(data, "piece"), path=_optional_text(data, "path"),
                   ksb=_optional_text(data, "ksb"), actor=_text(data, "actor"))


@dataclass(frozen=True)
class Naming:
    """Who one of the portfolio's own documents says it belongs to (compared with its folder name)."""

    #: ``details`` (portfolio.yaml), ``manifest`` (its Portfolio sheet) or ``statement``.
    source: str
    #: The document, relative to the portfolio.
    path: str | None
    apprentice: str | None
    uln: str | None

    @classmethod
    def from_dict(cls, data: Any) -> Naming:
        if not isinstance(data, Mapping):
            raise ValueError(f"a naming is a mapping, not {data!r}")
        return cls(source=_text(data, "source"), path=_optional_text(data, "path"),
                   apprentice=_optional_text(data, "apprentice"), uln=_optional_text(data, "uln"))


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file's size and content digest, as the extract stage measured it while reading the file."""

    path: str
    size: int
    sha256: str

    @classmethod
    def from_dict(cls, data: Any) -> EvidenceFile:
        if not isinstance(data, Mapping):
            raise ValueError(f"an evidence file is a mapping, not {data!r}")
        size = _optional_count(data, "size")
        if size is None:
            raise ValueError("an evidence file has a size")
        return cls(path=_text(data, "path"), size=size, sha256=_text(data, "sha256"))


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
    #: From the portfolio's details; for a portfolio that could not be checked, from a ``<Name> <ULN>`` folder name.
    apprentice: str | None
    uln: str | None
    employer: str | None
    #: ``ST0792 v1.2``; None when nothing said which standard it is for, or it could not be checked.
    standard: str | None
    option: str | None
    #: The planned Gateway date as the portfolio's details give it.
    gateway_date: str | None
    pieces: int | None
    video_seconds: float | None
    uncovered_ksbs: int | None
    #: The KSB (or duty) codes no usable piece evidences, in the standard's order.
    uncovered_codes: tuple[str, ...]
    errors: int | None
    warnings: int | None
    #: How many files it holds.
    files: int | None
    #: The codes of its error findings, sorted, each once.
    error_codes: tuple[str, ...]
    #: The codes of its warning findings, sorted, each once.
    warning_codes: tuple[str, ...]
    problem: str | None
    #: The report files written into its output folder.
    reports: tuple[str, ...]
    #: When it was checked (UTC, ISO 8601).
    checked_at: str
    #: Every finding, errors first; for a portfolio that could not be checked, one saying why.
    findings: tuple[RowFinding, ...]
    #: Who its details file, manifest and statement say it belongs to.
    named_in: tuple[Naming, ...]
    #: Its evidence files' sizes and digests, for finding the same file in two apprentices' portfolios.
    evidence: tuple[EvidenceFile, ...]

    @property
    def failed(self) -> bool:
        """Whether it could not be checked (whatever a checked portfolio's verdict)."""
        return self.status == "error"

    def to_dict(self) -> dict[str, Any]:
        """Its ``summary.json`` entry (and what `from_dict` reads back)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**data, "uncovered_codes": list(self.uncovered_codes), "error_codes": list(self.error_codes),
                "warning_codes": list(self.warning_codes), "reports": list(self.reports),
                "findings": [_plain(item) for item in self.findings],
                "named_in": [_plain(item) for item in self.named_in],
                "evidence": [_plain(item) for item in self.evidence]}

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
            employer=_optional_text(data, "employer"), standard=_optional_text(data, "standard"),
            option=_optional_text(data, "option"), gateway_date=_optional_text(data, "gateway_date"),
            pieces=_optional_count(data, "pieces"), video_seconds=_optional_number(data, "video_seconds"),
            uncovered_ksbs=_optional_count(data, "uncovered_ksbs"), uncovered_codes=_texts(data, "uncovered_codes"),
            errors=_optional_count(data, "errors"), warnings=_optional_count(data, "warnings"),
            files=_optional_count(data, "files"), error_codes=_texts(data, "error_codes"),
            warning_codes=_texts(data, "warning_codes"), problem=_optional_text(data, "problem"),
            reports=_texts(data, "reports"), checked_at=_text(data, "checked_at"),
            findings=tuple(RowFinding.from_dict(item) for item in _list(data, "findings")),
            named_in=tuple(Naming.from_dict(item) for item in _list(data, "named_in")),
            evidence=tuple(EvidenceFile.from_dict(item) for item in _list(data, "evidence")))


def _plain(item: RowFinding | Naming | EvidenceFile) -> dict[str, Any]:
    return {f.name: getattr(item, f.name) for f in fields(item)}


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = _value(data, key)
    if not isinstance(value, list):
        raise ValueError(f"a row's '{key}' is a list, not {value!r}")
    return value


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
    findings = [*assessment.errors, *assessment.warnings]
    return PortfolioRow(
        portfolio=source.name, folder=source.folder, where=source.where, status="checked",
        verdict=judgement.code, apprentice=details.get("apprentice"), uln=details.get("uln"),
        employer=details.get("employer"),
        standard=None if standard is None else f"{standard.reference} v{standard.version}",
        option=assessment.option, gateway_date=details.get("gateway_date"), pieces=assessment.piece_count,
        video_seconds=assessment.video_seconds(), uncovered_ksbs=len(assessment.coverage.missing),
        uncovered_codes=tuple(assessment.coverage.missing), errors=judgement.errors, warnings=judgement.warnings,
        files=len(assessment.portfolio.records), error_codes=tuple(sorted({f.code for f in assessment.errors})),
        warning_codes=tuple(sorted({f.code for f in assessment.warnings})), problem=None, reports=tuple(reports),
        checked_at=_now(), findings=tuple(RowFinding.of(f) for f in findings), named_in=_namings(assessment),
        evidence=_evidence(assessment))


def _namings(assessment: Assessment) -> tuple[Naming, ...]:
    """Who the portfolio's details file, manifest sheet and statements say it belongs to. The folder name
    is left out: it is what these are compared with."""
    portfolio = assessment.portfolio
    found = []
    stated = {key: portfolio.details.get(key) if portfolio.detail_sources.get(key) == "portfolio.yaml" else None
              for key in ("apprentice", "uln")}
    if any(stated.values()):
        found.append(Naming("details", portfolio.details_path, stated["apprentice"], stated["uln"]))
    sheet = portfolio.manifest.details if portfolio.manifest else {}
    if sheet.get("apprentice") or sheet.get("uln"):
        found.append(Naming("manifest", portfolio.manifest_path, sheet.get("apprentice") or None,
                            sheet.get("uln") or None))
    for statement in assessment.attribution.statements():
        name = statement.party("apprentice").name
        if name:
            found.append(Naming("statement", statement.path, name, None))
    return tuple(found)


#: Formats of files that hold nothing: two of the same size are alike without being the same evidence.
_HOLLOW_FORMATS = ("empty", "zero-filled")


def _evidence(assessment: Assessment) -> tuple[EvidenceFile, ...]:
    """The portfolio's files but its manifest and details file, with the digest extraction took of each."""
    portfolio = assessment.portfolio
    own = {portfolio.manifest_path, portfolio.details_path}
    return tuple(EvidenceFile(record.path, record.size, record.sha256) for record in portfolio.records
                 if record.sha256 and record.size > 0 and record.path not in own
                 and record.format not in _HOLLOW_FORMATS)


#: The code of the ``findings.csv`` line for a portfolio that could not be checked.
NOT_CHECKED = "portfolio-not-checked"
NOT_CHECKED_FIX = ("Check this portfolio on its own (portfolio-check check) to see what stops it, replace the damaged, "
                   "password-protected or unsupported file or zip, then run the batch again (--resume checks only "
                   "what changed).")


def error_row(source: PortfolioSource, problem: str) -> PortfolioRow:
    """The row of a portfolio that could not be checked, saying why, with the apprentice and ULN its
    ``<Name> <ULN>`` folder name gives."""
    named = details_from_folder_name(source.name)
    return PortfolioRow(
        portfolio=source.name, folder=source.folder, where=source.where, status="error", verdict=None,
        apprentice=named.get("apprentice"), uln=named.get("uln"), employer=None, standard=None, option=None,
        gateway_date=None, pieces=None, video_seconds=None, uncovered_ksbs=None, uncovered_codes=(), errors=None,
        warnings=None, files=None, error_codes=(), warning_codes=(), problem=problem, reports=(), checked_at=_now(),
        findings=(RowFinding(severity="error", code=NOT_CHECKED, rule="batch",
                             message=sentence(f"It could not be checked: {problem}"), fix=NOT_CHECKED_FIX),),
        named_in=(), evidence=())


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
