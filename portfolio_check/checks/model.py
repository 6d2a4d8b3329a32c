"""The data the checks work on and hand on: the extracted portfolio in, the assessment out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portfolio_check.catalogue.model import Standard
from portfolio_check.checks.attribution import AttributionResult
from portfolio_check.checks.outcome import Outcome, Verdict, verdict_of
from portfolio_check.checks.pre_gateway import Certificate
from portfolio_check.extract.manifest import DetailsNote, Manifest
from portfolio_check.extract.model import FileRecord, Problem
from portfolio_check.findings import Finding, Severity
from portfolio_check.ingest.inventory import Ignored
from portfolio_check.mapper.model import ClaimJudgement


@dataclass(frozen=True)
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
    #: Those set aside as copies or older versions: path -> why (``a copy ("(1)" in its name)``).
    manifest_set_aside: dict[str, str] = field(default_factory=dict)
    #: Manifests as likely as the chosen one but with other content: none was read (manifest-ambiguous).
    manifest_rivals: tuple[str, ...] = ()
    #: ``portfolio.yaml`` in the root, if present.
    details_path: str | None = None
    details_error: str | None = None
    #: Keys of the details file that were not used, and why.
    details_notes: tuple[DetailsNote, ...] = ()
    #: Apprentice, ULN, employer, standard, version, option, start/gateway dates; flags win.
    details: dict[str, str] = field(default_factory=dict)
    #: Where each detail came from: ``flag``, ``portfolio.yaml``, ``manifest``, ``folder name``.
    detail_sources: dict[str, str] = field(default_factory=dict)
    #: A folder above the one checked that holds a manifest or details file: the folder checked is
    #: probably part of that portfolio (a user who picked "01 Pre-production" instead of its parent).
    enclosing_portfolio: str | None = None


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
    #: Files found that an assessor cannot use (unreadable, empty, password-protected, unknown format).
    unusable_files: tuple[str, ...] = ()
    #: For each missing name, the portfolio paths it may mean ("did you mean ...").
    missing_hints: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def usable(self) -> bool:
        """At least one of its files can be opened: only then does it count and evidence its codes."""
        return any(path not in self.unusable_files for path in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "files": list(self.files), "ksbs": list(self.codes),
                "missing_files": list(self.missing_files), "unusable_files": list(self.unusable_files),
                "usable": self.usable, "date": self.date, "location": self.location,
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
class Coverage:
    """Which of the required codes have evidence (a piece with a file behind it)."""

    required: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: Codes mapped that belong only to another option.
    other_option: list[str] = field(default_factory=list)
    #: code -> ids of the pieces that evidence it.
    pieces_by_code: dict[str, list[str]] = field(default_factory=dict)
    #: Option-specific codes not checked because the apprentice's option is unknown.
    unchecked_option_codes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"required": self.required, "covered": self.covered, "missing": self.missing,
                "other_option": self.other_option, "pieces_by_code": self.pieces_by_code,
                "unchecked_option_codes": self.unchecked_option_codes}


@dataclass(frozen=True)
class Claim:
    """One manifest claim (this piece evidences this code) as the piece's text reads: a fact, not a finding."""

    #: The manifest's piece id.
    piece: str
    #: The code's verdict (supported, weak, not judged), score and excerpt; see `portfolio_check.mapper`.
    judgement: ClaimJudgement

    @property
    def code(self) -> str:
        return self.judgement.code

    def to_dict(self) -> dict[str, Any]:
        judgement = self.judgement
        return {"piece": self.piece, "ksb": judgement.code, "verdict": judgement.verdict,
                "score": None if judgement.score is None else round(judgement.score, 2),
                "excerpt": judgement.excerpt}


@dataclass(frozen=True)
class ManualCheck:
    """One thing a person must check before Gateway, with room to record who did and when.

    The catalogue words the check (`ManualCheckItem`); the checks stage makes one per clip, scan or
    statement where the item says so. It never changes the verdict: the tool cannot decide it.
    """

    #: The catalogue item's id (``apprentice-identifiable``).
    id: str
    #: What to check.
    item: str
    #: The clip, scan or statement it is about; None for the portfolio as a whole.
    subject: str | None
    #: Why a person must check it.
    why: str
    #: What the tool saw that may help (``a face in 6 of 8 sampled frames``), or None.
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """``report.json``'s form: ``checked_by`` and ``checked_on`` are left for the person who checks."""
        return {"id": self.id, "item": self.item, "subject": self.subject, "why": self.why, "note": self.note,
                "checked_by": None, "checked_on": None}


@dataclass(frozen=True)
class Assessment:
    """The verdict on one portfolio and every reason for it: the outcome of each rule."""

    portfolio: ExtractedPortfolio
    #: None when nothing says which standard the portfolio is for.
    standard: Standard | None
    option: str | None
    #: What was inferred rather than stated (``standard ST0792 from the KSB codes used``).
    inferred: tuple[str, ...]
    pieces: tuple[Piece, ...]
    #: Files counted as evidence (not the manifest, details or attribution statement).
    evidence_files: tuple[str, ...]
    #: Files no piece references.
    unmapped_files: tuple[str, ...]
    #: Portfolio documents: manifest, details, attribution statement.
    documents: tuple[str, ...]
    piece_count: int
    piece_count_estimated: bool
    clips: tuple[Clip, ...]
    coverage: Coverage
    attribution: AttributionResult
    #: One per registered rule, in the registry's order: the checklist.
    outcomes: tuple[Outcome, ...]
    #: Every manifest claim read against its piece's text, in manifest order (none without a standard).
    claims: tuple[Claim, ...] = ()
    #: What a person must check by hand, from the catalogue (the checklist's last part).
    manual_checks: tuple[ManualCheck, ...] = ()
    #: English and maths certificates recognised in the portfolio (see `checks.pre_gateway`).
    certificates: tuple[Certificate, ...] = ()

    @property
    def checklist(self) -> tuple[Outcome, ...]:
        return self.outcomes

    def outcome(self, rule: str) -> Outcome:
        """The outcome of the rule with this id."""
        for outcome in self.outcomes:
            if outcome.rule == rule:
                return outcome
        raise KeyError(rule)

    @property
    def findings(self) -> list[Finding]:
        return [f for o in self.outcomes for f in o.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def judgement(self) -> Verdict:
        return verdict_of(self.outcomes)

    @property
    def verdict(self) -> str:
        """``ready`` or ``not-ready``."""
        return self.judgement.code

    def video_seconds(self) -> float:
        """The video total as the video rule measured it."""
        return self.outcome("video-limit").figure.value or 0.0

    def audio_seconds(self) -> float:
        return round(sum(c.seconds or 0.0 for c in self.clips if c.kind == "audio"), 3)
