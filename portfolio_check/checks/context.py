"""What every rule reads: the extracted portfolio, its standard and option, and the facts derived once.

`build_context` turns the extract stage's plain data into pieces (manifest rows matched to
files), clips (video and audio, embedded media included), the attribution statement and the
coverage of the required codes. These are facts, not judgements: deciding is left to the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from portfolio_check.catalogue.model import CORE, Standard
from portfolio_check.checks import attribution as attribution_rules
from portfolio_check.checks.claims import ClaimsReading, read_claims
from portfolio_check.checks.files import SEVERITY
from portfolio_check.checks.matching import FileMatcher
from portfolio_check.checks.model import Clip, Coverage, ExtractedPortfolio, Piece
from portfolio_check.checks.pre_gateway import Certificate, find_certificates
from portfolio_check.extract.model import FileRecord
from portfolio_check.findings import Finding, Severity


@dataclass(frozen=True)
class Resolution:
    """Which standard and option the portfolio is for, how that was settled, and what went wrong."""

    standard: Standard | None
    option: str | None
    #: What was inferred rather than stated (``standard ST0792 from the KSB codes used``).
    inferred: tuple[str, ...] = ()
    #: Problems settling them (unknown standard or option), for the standard rule to report.
    findings: tuple[Finding, ...] = ()
    #: Why no standard could be settled, when ``standard`` is None.
    undetermined: str | None = None
    #: Why the option is not known, when the standard has options and none could be settled: in words
    #: for any command (the ``option-unknown`` finding adds what `check` does without one).
    option_unknown: str | None = None


@dataclass(frozen=True)
class Context:
    """Everything a rule may read. Plain data: no rule opens a file."""

    portfolio: ExtractedPortfolio
    resolution: Resolution
    pieces: tuple[Piece, ...]
    records: Mapping[str, FileRecord]
    #: Files counted as evidence (not the manifest, details or attribution statement).
    evidence_files: tuple[str, ...]
    #: Portfolio documents: manifest, details, attribution statement, other manifests.
    documents: tuple[str, ...]
    clips: tuple[Clip, ...]
    attribution: attribution_rules.AttributionResult
    coverage: Coverage = field(default_factory=Coverage)
    #: Every manifest claim judged on its piece's text, and what reads like evidence for uncovered codes.
    claims: ClaimsReading = field(default_factory=ClaimsReading)
    #: English and maths certificates recognised by what they say (Gateway documents, not evidence,
    #: unless a piece maps them).
    certificates: tuple[Certificate, ...] = ()

    @property
    def standard(self) -> Standard | None:
        return self.resolution.standard

    @property
    def option(self) -> str | None:
        return self.resolution.option

    @property
    def counted_pieces(self) -> tuple[Piece, ...]:
        """Pieces that count towards the range: a file an assessor can open, not a repeat of another piece."""
        return tuple(p for p in self.pieces if p.duplicate_of is None and p.usable)

    @property
    def holds_nothing(self) -> bool:
        """No evidence file and no manifest: the portfolio is empty, or nothing in it could be opened.

        The rules then leave the lines they cannot judge unknown, so one finding says what is wrong
        instead of every rule reporting a consequence of it.
        """
        return not self.evidence_files and self.portfolio.manifest_path is None

    @property
    def has_usable_manifest(self) -> bool:
        portfolio = self.portfolio
        return portfolio.manifest is not None and not (not self.pieces and portfolio.manifest_error)

    def piece_count(self) -> tuple[int, bool]:
        """Discrete pieces, and whether the number is an estimate (no usable manifest)."""
        if not self.has_usable_manifest:
            return len(self.evidence_files), True
        return len(self.counted_pieces), False

    def unmapped_files(self) -> tuple[str, ...]:
        """Evidence files no piece refers to (none without a manifest: nothing maps anything then)."""
        if self.portfolio.manifest is None:
            return ()
        referenced = {path for p in self.pieces for path in p.files}
        return tuple(path for path in self.evidence_files if path not in referenced)

    @property
    def evidence_word(self) -> str:
        """``KSB`` or ``duty``: what the standard's manifests map evidence to."""
        if self.standard is not None and self.standard.portfolio.evidence_codes == "duties":
            return "duty"
        return "KSB"


# --- building the pieces --------------------------------------------------------------------------

def build_pieces(portfolio: ExtractedPortfolio) -> tuple[Piece, ...]:
    """Pieces from the manifest rows, each name matched to the portfolio's files (`FileMatcher`):
    exact paths ignoring case, a bare file name kept in a sub-folder, a name without its extension,
    a folder (its files), a SharePoint link, or a cell listing several files; a name that fits no
    file, or several equally, is missing, with the closest paths for "did you mean"."""
    if portfolio.manifest is None:
        return ()
    own = {p for p in (portfolio.manifest_path, portfolio.details_path) if p}
    matcher = FileMatcher([r.path for r in portfolio.records if r.path not in own])
    hashes = {r.path: r.sha256 for r in portfolio.records}
    unusable = {r.path for r in portfolio.records if not is_usable(r)}
    pieces: list[Piece] = []
    seen_content: dict[tuple[str, ...], str] = {}
    for row in portfolio.manifest.rows:
        found: list[str] = []
        missing: list[str] = []
        hints: list[tuple[str, tuple[str, ...]]] = []
        for name in row.files:
            for leaf in matcher.match(name).leaves():
                if leaf.paths:
                    found.extend(leaf.paths)
                else:
                    missing.append(leaf.name)
                    hints.append((leaf.name, leaf.candidates or leaf.suggestions))
        content = tuple(sorted(str(hashes.get(path)) for path in found))
        duplicate_of = seen_content.get(content) if found and not missing else None
        if found and not missing and duplicate_of is None:
            seen_content[content] = row.piece
        pieces.append(Piece(id=row.piece, title=row.title, where=row.where, files=tuple(dict.fromkeys(found)),
                            missing_files=tuple(missing), codes=row.codes, date=row.date, location=row.location,
                            witness=row.witness, description=row.description, duplicate_of=duplicate_of,
                            unusable_files=tuple(path for path in dict.fromkeys(found) if path in unusable),
                            missing_hints=tuple(hints)))
    return tuple(pieces)


def is_usable(record: FileRecord) -> bool:
    """An assessor can open the file: it was read, its format is known, and no problem makes it unusable."""
    return (record.error is None and record.kind != "other"
            and not any(SEVERITY.get(p.code) is Severity.ERROR for p in record.problems))


def collect_clips(records: Sequence[FileRecord]) -> tuple[Clip, ...]:
    """Every video and audio clip: files, and media embedded in presentations and documents."""
    clips: list[Clip] = []
    for record in records:
        if record.kind in ("video", "audio") and record.error is None:
            clips.append(Clip(record.path, record.kind, record.metadata.get("duration_seconds")))
        for media in record.embedded_media:
            kind = media.kind if media.kind in ("video", "audio") else "video"
            clips.append(Clip(f"{record.path} ({media.part})", kind, media.duration_seconds,
                              embedded_in=record.path, part=media.part))
    return tuple(clips)


# --- coverage -------------------------------------------------------------------------------------

def belongs_only_to_other_options(standard: Standard, code: str, option: str) -> bool:
    """The code is neither core nor of ``option``: it belongs to another option only."""
    item = standard.ksb(code) or next((d for d in standard.duties if d.code == code), None)
    return item is not None and CORE not in item.options and option not in item.options


def required_codes(standard: Standard, option: str | None) -> list[str] | None:
    """Codes the portfolio must evidence, or None when the catalogue does not say which method it underpins.

    Without a known option only the core codes are required: an option's codes cannot be asked of
    an apprentice whose option nobody knows (the standard rule reports the unknown option).
    """
    rules = standard.portfolio
    if rules.evidence_codes == "duties":
        items = [d for d in standard.duties if CORE in d.options or (option and option in d.options)]
        return [d.code for d in items]
    if rules.evidence_method is None:
        return None
    return [k.code for k in standard.ksbs_for(option, rules.evidence_method)
            if CORE in k.options or (option and option in k.options)]


def option_codes_unchecked(standard: Standard, option: str | None) -> list[str]:
    """Option-specific codes the portfolio would need once its option is known (none when it is known)."""
    if option is not None or not standard.options:
        return []
    rules = standard.portfolio
    if rules.evidence_codes == "duties":
        return [d.code for d in standard.duties if CORE not in d.options]
    if rules.evidence_method is None:
        return []
    return [k.code for k in standard.ksbs_for(None, rules.evidence_method) if CORE not in k.options]


def coverage_of(standard: Standard | None, option: str | None, pieces: Sequence[Piece]) -> Coverage:
    """Which required codes have a piece with a file behind them."""
    by_code: dict[str, list[str]] = {}
    for piece in pieces:
        if piece.usable:
            for code in piece.codes:
                by_code.setdefault(code, []).append(piece.id)
    if standard is None:
        return Coverage(pieces_by_code=by_code)
    required = required_codes(standard, option) or []
    covered = [c for c in required if c in by_code]
    other = sorted({c for c in by_code if option and belongs_only_to_other_options(standard, c, option)})
    return Coverage(required=required, covered=covered, missing=[c for c in required if c not in by_code],
                    other_option=other, pieces_by_code=by_code,
                    unchecked_option_codes=option_codes_unchecked(standard, option))


def build_context(portfolio: ExtractedPortfolio, resolution: Resolution) -> Context:
    """The facts every rule reads, derived once from the extracted portfolio."""
    pieces = build_pieces(portfolio)
    referenced = {path for p in pieces for path in p.files}
    attribution = attribution_rules.find_attribution(portfolio.records, referenced)
    documents = [p for p in (portfolio.manifest_path, portfolio.details_path) if p]
    documents += sorted(attribution_rules.statement_paths(attribution) - set(documents))
    documents += [p for p in portfolio.other_manifests if p not in documents]
    own = {p for p in (portfolio.manifest_path, portfolio.details_path) if p}
    certificates = tuple(find_certificates(portfolio.records, skip=own))
    documents += sorted({c.path for c in certificates} - set(documents))
    evidence = tuple(r.path for r in portfolio.records if r.path not in documents or r.path in referenced)
    records = {r.path: r for r in portfolio.records}
    coverage = coverage_of(resolution.standard, resolution.option, pieces)
    unmapped = [path for path in evidence if path not in referenced] if portfolio.manifest is not None else []
    return Context(portfolio=portfolio, resolution=resolution, pieces=pieces,
                   records=records, evidence_files=evidence,
                   documents=tuple(d for d in documents if d not in referenced),
                   clips=collect_clips(portfolio.records), attribution=attribution, coverage=coverage,
                   claims=read_claims(resolution.standard, resolution.option, pieces, records, coverage.missing,
                                      unmapped),
                   certificates=certificates)
