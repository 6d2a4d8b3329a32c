"""A standard as plain, frozen data: what the checks read and the reports show.

Nothing here knows about files or YAML; `loader` builds these objects and validates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from portfolio_check.errors import CatalogueError, UnknownChoiceError

#: The option id a KSB or duty carries when every apprentice on the standard is assessed on it.
CORE = "core"

KSB_KINDS: dict[str, str] = {"K": "knowledge", "S": "skill", "B": "behaviour"}

EvidenceCodes = Literal["ksbs", "duties"]


@dataclass(frozen=True)
class Option:
    """A specialism an apprentice chooses on top of the core (e.g. post production coordinator)."""

    id: str
    title: str


@dataclass(frozen=True)
class AssessmentMethod:
    """One end-point assessment method (e.g. professional discussion)."""

    id: str
    title: str
    #: True for the method the portfolio of evidence underpins.
    underpinned_by_portfolio: bool = False


@dataclass(frozen=True)
class Descriptor:
    """A grading descriptor: the KSBs it grades and what the apprentice must show."""

    ksbs: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Theme:
    """A group of KSBs graded together, with the pass and distinction descriptors of the grading table."""

    id: str
    title: str
    method: str | None = None
    options: tuple[str, ...] = (CORE,)
    pass_descriptors: tuple[Descriptor, ...] = ()
    distinction_descriptors: tuple[Descriptor, ...] = ()


@dataclass(frozen=True)
class Ksb:
    """One knowledge, skill or behaviour statement."""

    code: str
    kind: str
    text: str
    #: Option ids this KSB belongs to, or ``("core",)``.
    options: tuple[str, ...] = (CORE,)
    #: Ids of the assessment methods that assess it.
    methods: tuple[str, ...] = ()
    theme: str | None = None
    #: Words and short phrases an apprentice uses when writing about this work (for the KSB mapper).
    evidence_terms: tuple[str, ...] = ()
    #: Kinds of document that typically evidence it, e.g. ``call sheet`` (for the KSB mapper).
    typical_evidence: tuple[str, ...] = ()

    @property
    def is_core(self) -> bool:
        return CORE in self.options


@dataclass(frozen=True)
class Duty:
    """A duty of the occupation (``D1``...), with the KSBs it maps to where the standard says."""

    code: str
    text: str
    options: tuple[str, ...] = (CORE,)
    ksbs: tuple[str, ...] = ()
    off_the_job_days: int | None = None
    #: Words and short phrases an apprentice uses when writing about this work (for the KSB mapper).
    evidence_terms: tuple[str, ...] = ()
    #: Kinds of document that typically evidence it, e.g. ``prompt book`` (for the KSB mapper).
    typical_evidence: tuple[str, ...] = ()

    @property
    def is_core(self) -> bool:
        return CORE in self.options


@dataclass(frozen=True)
class PortfolioRules:
    """The Gateway rules for the portfolio. ``None`` means the standard does not say (unknown)."""

    min_pieces: int | None = None
    max_pieces: int | None = None
    max_video_seconds: float | None = None
    #: The smallest picture, in pixels of its shorter side, in which a clip's content is legible;
    #: None leaves picture size unchecked. A provider's setting, not a published rule.
    min_video_height: int | None = None
    attribution_statement_required: bool | None = None
    #: The assessment method whose KSBs the portfolio must evidence.
    evidence_method: str | None = None
    #: What manifests map evidence to: KSB codes, or duty codes for standards without KSBs.
    evidence_codes: EvidenceCodes = "ksbs"
    #: Rule name -> why the value is an assumption rather than published.
    assumptions: dict[str, str] = field(default_factory=dict)

    def unknown_rules(self) -> list[str]:
        """Names of the rules the catalogue leaves unknown."""
        names = ["min_pieces", "max_pieces", "max_video_seconds",
                 "attribution_statement_required", "evidence_method"]
        return [name for name in names if getattr(self, name) is None]


#: How firm a pre-Gateway requirement is: ``typical`` (not meeting it is a warning) or ``hard`` (an error).
Requirement = Literal["typical", "hard"]
REQUIREMENTS: tuple[str, ...] = ("typical", "hard")


@dataclass(frozen=True)
class TrainingMinimum:
    """The least time on programme, start to Gateway, in whole months."""

    months: int
    requirement: Requirement = "typical"


@dataclass(frozen=True)
class EnglishMaths:
    """English and maths qualifications at ``level`` or above (e.g. 2: Functional Skills Level 2, GCSE grade 4/C)."""

    level: int
    requirement: Requirement = "hard"


@dataclass(frozen=True)
class Declared:
    """Something the provider, employer and apprentice declare before Gateway (a signed declaration...)."""

    requirement: Requirement = "hard"


@dataclass(frozen=True)
class GatewayRules:
    """What an apprentice needs before Gateway besides the portfolio. ``None``: the standard does not say."""

    training: TrainingMinimum | None = None
    english_maths: EnglishMaths | None = None
    #: A signed Gateway declaration (not the portfolio's statement, which `PortfolioRules` covers).
    declaration: Declared | None = None
    #: Reasonable adjustments and special considerations declared (``none`` is a declaration).
    adjustments: Declared | None = None
    #: Where the requirements were transcribed from, for whoever maintains the catalogue.
    source: str | None = None
    #: Why requirements are left out, for a standard whose source does not give them.
    notes: str | None = None

    @property
    def empty(self) -> bool:
        return all(x is None for x in (self.training, self.english_maths, self.declaration, self.adjustments))


#: What a manual check is done for: the portfolio once, or each video clip, scan or statement.
ManualCheckScope = Literal["portfolio", "clip", "scan", "statement"]
MANUAL_CHECK_SCOPES: tuple[str, ...] = ("portfolio", "clip", "scan", "statement")


@dataclass(frozen=True)
class ManualCheckItem:
    """Something the tool cannot decide and a person must, as the catalogue words it."""

    id: str
    #: What to check, for a person: ``The apprentice is in view and identifiable``.
    item: str
    #: Why a person must: ``the tool sees faces, never whose they are``.
    why: str
    #: Once for the portfolio, or once per clip, scan or statement.
    per: ManualCheckScope = "portfolio"


@dataclass(frozen=True)
class Standard:
    """One version of an apprenticeship standard."""

    reference: str
    version: str
    title: str
    level: int | None
    status: str
    route: str | None = None
    source: str | None = None
    notes: str | None = None
    options: tuple[Option, ...] = ()
    methods: tuple[AssessmentMethod, ...] = ()
    themes: tuple[Theme, ...] = ()
    ksbs: tuple[Ksb, ...] = ()
    duties: tuple[Duty, ...] = ()
    ksb_categories: tuple[str, ...] = ()
    portfolio: PortfolioRules = field(default_factory=PortfolioRules)
    #: What the apprentice needs before Gateway besides the portfolio (training time, English and maths...).
    gateway: GatewayRules = field(default_factory=GatewayRules)
    #: What a person must check by hand before Gateway, in the order the report lists it.
    manual_checks: tuple[ManualCheckItem, ...] = ()
    #: Where the catalogue was read from (a file path), for messages.
    origin: str = ""
    #: The catalogue's passages of evidence for the KSB mapper (``examples/<its file name>`` beside it),
    #: when it has them: read only when the mapper builds the standard's index (`loader.load_examples`),
    #: since a check rarely needs them and they are larger than the catalogue.
    examples_file: str | None = None

    @property
    def key(self) -> str:
        return f"{self.reference} v{self.version}"

    @property
    def version_sort_key(self) -> tuple[tuple[int, int, str], ...]:
        return version_sort_key(self.version)

    def ksb(self, code: str) -> Ksb | None:
        return next((k for k in self.ksbs if k.code == code.upper()), None)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def method(self, method_id: str) -> AssessmentMethod | None:
        return next((m for m in self.methods if m.id == method_id), None)

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    @property
    def evidence_noun(self) -> str:
        """What a piece of evidence is mapped to, plural: "KSBs", or "duties" for a duty-mapped standard."""
        return "duties" if self.portfolio.evidence_codes == "duties" else "KSBs"

    def evidence_codes(self) -> tuple[str, ...]:
        """Every code a manifest may map a piece of evidence to."""
        codes = [k.code for k in self.ksbs]
        if self.portfolio.evidence_codes == "duties":
            codes += [d.code for d in self.duties]
        return tuple(codes)

    def ksbs_for(self, option: str | None = None, method: str | None = None) -> tuple[Ksb, ...]:
        """KSBs that apply to an apprentice on ``option`` (core always) assessed by ``method``."""
        return tuple(
            k for k in self.ksbs
            if (option is None or k.is_core or option in k.options)
            and (method is None or method in k.methods)
        )

    def duties_for(self, option: str | None = None) -> tuple[Duty, ...]:
        return tuple(d for d in self.duties if option is None or d.is_core or option in d.options)


def version_sort_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Order versions numerically part by part, so 1.10 comes after 1.2."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in version.split("."))


@dataclass
class Catalogues:
    """Every standard found, plus the catalogue files that could not be used."""

    standards: list[Standard] = field(default_factory=list)
    errors: list[CatalogueError] = field(default_factory=list)

    def references(self) -> list[str]:
        return sorted({s.reference for s in self.standards})

    def versions(self, reference: str) -> list[Standard]:
        found = [s for s in self.standards if s.reference == reference.upper()]
        return sorted(found, key=lambda s: s.version_sort_key)

    def get(self, reference: str, version: str | None = None) -> Standard:
        """The standard with this reference: the given version, else the latest.

        ``reference`` is read as people write it: ``ST0792``, ``st 792``, ``ST0792 v1.2`` (a version
        there counts when ``version`` is not given), ``ST0792 Junior production coordinator``, or the
        title alone when it names one standard.
        """
        found_reference, written_version = self._read_reference(reference)
        versions = self.versions(found_reference) if found_reference else []
        if not versions:
            raise UnknownChoiceError("standard", reference, self.references())
        version = version or written_version
        if version is None:
            return versions[-1]
        wanted = version.strip().lstrip("vV")
        for standard in versions:
            if standard.version == wanted:
                return standard
        raise UnknownChoiceError("version", version, [s.version for s in versions], versions[0].reference)

    def _read_reference(self, text: str) -> tuple[str | None, str | None]:
        """The reference and any version in ``text`` (see `get`); (None, None) when it names none."""
        written = _WRITTEN_REFERENCE.match(text)
        if written:
            version = _WRITTEN_VERSION.match(written["rest"].strip(" -,:;()"))
            return f"ST{int(written['number']):04d}", version[1] if version else None
        title = " ".join(text.split()).casefold()
        named = {s.reference for s in self.standards if title and " ".join(s.title.split()).casefold() in title}
        return (named.pop(), None) if len(named) == 1 else (None, None)


#: A standard's reference as people write it: ``ST0792``, ``st 792``, ``ST-0792``, then anything.
_WRITTEN_REFERENCE = re.compile(r"\s*ST\s*-?\s*(?P<number>\d{1,4})(?!\d)(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
#: A version after the reference: ``v1.2``, ``version 1.2``, ``1.2``.
_WRITTEN_VERSION = re.compile(r"(?:v(?:ersion)?\.?\s*)?(\d+(?:\.\d+)+|(?<=[vV])\d+)(?!\S)", re.IGNORECASE)
