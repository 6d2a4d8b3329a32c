"""The data the checks work on and hand on: the extracted portfolio in, the assessment out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portfolio_check.catalogue.model import Standard
from portfolio_check.extract.manifest import Manifest
from portfolio_check.extract.model import FileRecord, Problem
from portfolio_check.findings import Finding, Severity
from portfolio_check.ingest.inventory import Ignored


@dataclass
class ExtractedPortfolio:
    """Everything the earlier stages learned about one portfolio. Plain data; no file is opened after this."""

    name: str
    source: str
    records: list[FileRecord]
    ignored: list[Ignored] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    archive_problems: list[tuple[str, Problem]] = field(default_factory=list)
    #: Portfolio-relative path of the manifest (or the path given with --manifest), if any.
    manifest_path: str | None = None
    manifest: Manifest | None = None
    #: Why the manifest could not be read, for a person.
    manifest_error: str | None = None
    #: Other files that look like manifests (not used, not evidence).
    other_manifests: list[str] = field(default_factory=list)
    #: ``portfolio.yaml`` in the root, if present.
    details_path: str | None = None
    details_error: str | None = None
    #: Apprentice, ULN, employer, standard, version, option, start/gateway dates; flags win.
    details: dict[str, str] = field(default_factory=dict)
    #: Where each detail came from: ``flag``, ``portfolio.yaml``, ``manifest``, ``folder name``.
    detail_sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Piece:
    """One discrete piece of evidence, as the manifest maps it, with its files found in the portfolio."""

    id: str
    title: str
    #: Where the manifest states it (``row 7``).
    where: str
    #: Portfolio paths of its files that were found.
    files: tuple[str, ...]
    #: Names the manifest gives that match no file of the portfolio.
    missing_files: tuple[str, ...]
    codes: tuple[str, ...]
    date: str | None = None
    location: str | None = None
    witness: str | None = None
    description: str | None = None
    #: The id of an earlier piece whose files are byte-identical.
    duplicate_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "files": list(self.files), "ksbs": list(self.codes),
                "missing_files": list(self.missing_files), "date": self.date, "location": self.location,
                "witness": self.witness, "duplicate_of": self.duplicate_of, "where": self.where}


@dataclass(frozen=True)
class Clip:
    """A video or audio clip counted against the limits: a file, or media embedded in a document."""

    path: str
    kind: str
    seconds: float | None
    #: The document it is embedded in (``ppt/media/media1.mp4`` inside it), or None for a file.
    embedded_in: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class ChecklistItem:
    """One Gateway rule with its outcome and the figure behind it, for the report's checklist."""

    rule: str
    title: str
    #: ``pass``, ``fail``, ``warning`` or ``unknown``.
    status: str
    figure: str
    assumed: bool = False


@dataclass
class Coverage:
    required: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: Codes mapped that belong only to another option.
    other_option: list[str] = field(default_factory=list)
    #: code -> ids of the pieces that evidence it.
    pieces_by_code: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"required": self.required, "covered": self.covered, "missing": self.missing,
                "other_option": self.other_option, "pieces_by_code": self.pieces_by_code}


@dataclass
class Assessment:
    """The verdict on one portfolio and every reason for it."""

    portfolio: ExtractedPortfolio
    standard: Standard
    option: str | None
    #: What was inferred rather than stated (``standard ST0792 from the KSB codes used``).
    inferred: list[str]
    pieces: list[Piece]
    #: Files counted as evidence (not the manifest, details or attribution statement).
    evidence_files: list[str]
    #: Files no piece references.
    unmapped_files: list[str]
    #: Portfolio documents: manifest, details, attribution statement.
    documents: list[str]
    piece_count: int
    piece_count_estimated: bool
    clips: list[Clip]
    coverage: Coverage
    attribution: Any
    findings: list[Finding]
    checklist: list[ChecklistItem]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def verdict(self) -> str:
        return "not-ready" if self.errors else "ready"

    def video_seconds(self) -> float:
        return round(sum(c.seconds or 0.0 for c in self.clips if c.kind == "video"), 3)

    def audio_seconds(self) -> float:
        return round(sum(c.seconds or 0.0 for c in self.clips if c.kind == "audio"), 3)
