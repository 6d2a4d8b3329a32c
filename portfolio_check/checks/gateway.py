"""The Gateway rules: piece count, KSB mapping, video limit, coverage, attribution, dates.

Every rule reads its numbers from the standard's catalogue; nothing here knows ST0792. `assess`
builds the pieces from the manifest, runs each rule (a pure function of the `Context`) and
collects the findings and the checklist the report shows. No rule opens a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from portfolio_check.catalogue.model import CORE, Standard
from portfolio_check.checks import attribution as attribution_rules
from portfolio_check.checks.files import file_findings
from portfolio_check.checks.model import (
    Assessment,
    ChecklistItem,
    Clip,
    Coverage,
    ExtractedPortfolio,
    Piece,
)
from portfolio_check.checks.resolve import uln_is_valid
from portfolio_check.extract.model import FileRecord
from portfolio_check.findings import Finding, Severity
from portfolio_check.report.catalogue_view import format_duration

#: Totals within this many seconds of the limit count as at the limit (durations are rounded to ms).
VIDEO_TOLERANCE_SECONDS = 0.05


@dataclass
class Context:
    """What the rules read: the extracted portfolio, the standard and option, and the pieces."""

    portfolio: ExtractedPortfolio
    standard: Standard
    option: str | None
    pieces: list[Piece]
    records: dict[str, FileRecord]
    evidence_files: list[str]
    documents: list[str]
    clips: list[Clip]
    attribution: attribution_rules.AttributionResult

    @property
    def counted_pieces(self) -> list[Piece]:
        return [p for p in self.pieces if p.duplicate_of is None]

    def piece_count(self) -> tuple[int, bool]:
        """Discrete pieces, and whether the number is an estimate (no usable manifest)."""
        if self.portfolio.manifest is None or (not self.pieces and self.portfolio.manifest_error):
            return len(self.evidence_files), True
        return len(self.counted_pieces), False


# --- building the pieces --------------------------------------------------------------------------

def _match_key(path: str) -> str:
    return path.replace("!/", "/").replace("\\", "/").strip("/").casefold()


def build_pieces(portfolio: ExtractedPortfolio) -> list[Piece]:
    """Pieces from the manifest rows, each file matched to the portfolio case-insensitively.

    A name that matches no path exactly still matches a file with that name when exactly one
    exists (providers often write only the file name of a file kept in a sub-folder).
    """
    if portfolio.manifest is None:
        return []
    by_path = {_match_key(r.path): r.path for r in portfolio.records}
    by_name: dict[str, list[str]] = {}
    for record in portfolio.records:
        by_name.setdefault(_match_key(record.path).rsplit("/", 1)[-1], []).append(record.path)
    hashes = {r.path: r.sha256 for r in portfolio.records}
    pieces: list[Piece] = []
    seen_content: dict[tuple[str, ...], str] = {}
    for row in portfolio.manifest.rows:
        found, missing = [], []
        for name in row.files:
            key = _match_key(name)
            match = by_path.get(key)
            if match is None and len(by_name.get(key.rsplit("/", 1)[-1], [])) == 1:
                match = by_name[key.rsplit("/", 1)[-1]][0]
            (found if match else missing).append(match or name)
        content = tuple(sorted(str(hashes.get(path)) for path in found))
        duplicate_of = seen_content.get(content) if found and not missing else None
        if found and not missing and duplicate_of is None:
            seen_content[content] = row.piece
        pieces.append(Piece(id=row.piece, title=row.title, where=row.where, files=tuple(dict.fromkeys(found)),
                            missing_files=tuple(missing), codes=row.codes, date=row.date, location=row.location,
                            witness=row.witness, description=row.description, duplicate_of=duplicate_of))
    return pieces


def collect_clips(records: Sequence[FileRecord]) -> list[Clip]:
    """Every video and audio clip: files, and media embedded in presentations and documents."""
    clips: list[Clip] = []
    for record in records:
        if record.kind in ("video", "audio") and record.error is None:
            clips.append(Clip(record.path, record.kind, record.metadata.get("duration_seconds")))
        for media in record.embedded_media:
            kind = media.get("kind") if media.get("kind") in ("video", "audio") else "video"
            clips.append(Clip(f"{record.path} ({media.get('part')})", str(kind), media.get("duration_seconds"),  # type: ignore[arg-type]
                              embedded_in=record.path, part=str(media.get("part"))))
    return clips


# --- the rules ------------------------------------------------------------------------------------

def rule_manifest(ctx: Context) -> list[Finding]:
    """manifest-missing / manifest-invalid: the mapping of pieces to KSBs must be present and readable."""
    portfolio = ctx.portfolio
    found: list[Finding] = []
    if portfolio.manifest_path is None:
        found.append(Finding(
            "manifest-missing", Severity.ERROR,
            f"No KSB mapping manifest was found, so pieces cannot be checked against the KSBs. The piece count "
            f"is estimated as one piece per evidence file ({len(ctx.evidence_files)}).",
            fix="Add a manifest (a .xlsx, .csv, .yaml or .json file with 'manifest' or 'mapping' in its name) "
                "listing each piece, its files and the KSBs it evidences. `portfolio-check manifest init` writes a "
                "template."))
        return found
    if portfolio.manifest_error:
        found.append(Finding("manifest-invalid", Severity.ERROR,
                             f"The manifest {portfolio.manifest_path} could not be read: {portfolio.manifest_error}",
                             path=portfolio.manifest_path, fix="Open the manifest, correct it and save it again."))
    elif portfolio.manifest is not None:
        for reason in portfolio.manifest.invalid:
            found.append(Finding("manifest-invalid", Severity.ERROR, f"In the manifest {portfolio.manifest_path}, {reason}.",
                                 path=portfolio.manifest_path))
    if portfolio.details_error:
        found.append(Finding("details-invalid", Severity.WARNING,
                             f"{portfolio.details_path} could not be read: {portfolio.details_error}",
                             path=portfolio.details_path, fix="Correct the file so each line is 'key: value'."))
    for other in portfolio.other_manifests:
        found.append(Finding("manifest-duplicate", Severity.WARNING,
                             f"{other} also looks like a manifest; only {portfolio.manifest_path} was used.",
                             path=other, fix="Keep one manifest in the portfolio, or name the one to use with --manifest."))
    return found


def rule_manifest_files(ctx: Context) -> list[Finding]:
    """manifest-missing-file: every file the manifest names must be in the portfolio."""
    return [Finding("manifest-missing-file", Severity.ERROR,
                    f"Piece {p.id} ('{p.title}', manifest {p.where}) names {name}, which is not in the portfolio.",
                    piece=p.id, path=name,
                    fix="Add the file, or correct its name in the manifest (names are matched ignoring case).")
            for p in ctx.pieces for name in p.missing_files]


def rule_codes(ctx: Context) -> list[Finding]:
    """manifest-unknown-ksb, piece-without-ksb and ksb-other-option: what each piece is mapped to."""
    standard, option = ctx.standard, ctx.option
    valid = set(standard.evidence_codes())
    what = "duty" if standard.portfolio.evidence_codes == "duties" else "KSB"
    found: list[Finding] = []
    for piece in ctx.pieces:
        unknown = [c for c in piece.codes if c not in valid]
        if unknown:
            found.append(Finding(
                "manifest-unknown-ksb", Severity.ERROR,
                f"Piece {piece.id} ('{piece.title}') is mapped to {', '.join(unknown)}, which "
                f"{'is not a' if len(unknown) == 1 else 'are not'} {what} code{'s' if len(unknown) > 1 else ''} of "
                f"{standard.key}.", piece=piece.id,
                fix=f"Correct the codes in the manifest; `portfolio-check catalogues show {standard.reference}` lists them."))
        if not piece.codes:
            found.append(Finding("piece-without-ksb", Severity.ERROR,
                                 f"Piece {piece.id} ('{piece.title}') is not mapped to any {what}.", piece=piece.id,
                                 fix=f"Add the {what} codes this piece evidences in the manifest."))
        if option:
            elsewhere = [c for c in piece.codes if _belongs_only_to_other_options(standard, c, option)]
            if elsewhere:
                found.append(Finding(
                    "ksb-other-option", Severity.WARNING,
                    f"Piece {piece.id} ('{piece.title}') is mapped to {', '.join(elsewhere)}, which belong to another "
                    f"option than the apprentice's ({option}); they do not count towards coverage.", piece=piece.id,
                    fix="Check the apprentice's option, or map the piece to the KSBs of their option."))
    return found


def _belongs_only_to_other_options(standard: Standard, code: str, option: str) -> bool:
    item = standard.ksb(code) or next((d for d in standard.duties if d.code == code), None)
    return item is not None and CORE not in item.options and option not in item.options


def rule_unmapped_files(ctx: Context) -> list[Finding]:
    """unmapped-file: every evidence file should belong to a piece."""
    if ctx.portfolio.manifest is None:
        return []
    referenced = {path for p in ctx.pieces for path in p.files}
    return [Finding("unmapped-file", Severity.WARNING,
                    f"{path} is in the portfolio but no piece in the manifest refers to it.", path=path,
                    fix="Add it to a piece in the manifest, or remove it from the portfolio if it is not evidence.")
            for path in ctx.evidence_files if path not in referenced]


def rule_piece_count(ctx: Context) -> list[Finding]:
    """piece-count and duplicate-evidence: the number of discrete pieces must be in the catalogue's range."""
    rules = ctx.standard.portfolio
    found = [Finding("duplicate-evidence", Severity.WARNING,
                     f"Piece {p.id} ('{p.title}') has exactly the same files as piece {p.duplicate_of}; it counts once.",
                     piece=p.id, fix="Replace it with a different piece of evidence, or remove the repeat.")
             for p in ctx.pieces if p.duplicate_of]
    count, estimated = ctx.piece_count()
    low, high = rules.min_pieces, rules.max_pieces
    if (low is not None and count < low) or (high is not None and count > high):
        wanted = _range_text(low, high)
        how = " (estimated as one piece per evidence file, as there is no usable manifest)" if estimated else ""
        advice = "Add pieces" if low is not None and count < low else "Combine or remove pieces"
        found.append(Finding("piece-count", Severity.ERROR,
                             f"The portfolio has {count} discrete piece{'s' if count != 1 else ''} of evidence{how}; "
                             f"{ctx.standard.key} requires {wanted}.",
                             fix=f"{advice} so there are {wanted}; one piece may evidence several KSBs."))
    return found


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}" if low != high else f"exactly {low}"
    return f"at least {low}" if low is not None else f"at most {high}"


def rule_video(ctx: Context) -> list[Finding]:
    """video-limit and video-duration-unknown: all video, embedded included, within the catalogue's limit."""
    limit = ctx.standard.portfolio.max_video_seconds
    videos = [c for c in ctx.clips if c.kind == "video"]
    found = [Finding("video-duration-unknown", Severity.ERROR,
                     f"The length of the video {c.path} could not be read, so the video limit cannot be verified.",
                     path=c.embedded_in or c.path,
                     fix="Save or export the video again (e.g. as MP4) so its length is recorded.")
             for c in videos if c.seconds is None]
    total = sum(c.seconds or 0.0 for c in videos)
    if limit is not None and total > limit + VIDEO_TOLERANCE_SECONDS:
        clips = "; ".join(f"{c.path} {format_duration(c.seconds or 0)}"
                          + (" (embedded in a document)" if c.embedded_in else "")
                          for c in sorted(videos, key=lambda c: -(c.seconds or 0)))
        found.append(Finding("video-limit", Severity.ERROR,
                             f"The portfolio holds {format_duration(total)} of video ({total:.1f} s); "
                             f"{ctx.standard.key} allows at most {format_duration(limit)} in total. Clips by length: {clips}.",
                             fix="Trim or remove clips (video embedded in presentations counts too) to bring the total "
                                 f"within {format_duration(limit)}."))
    return found


def required_codes(standard: Standard, option: str | None) -> list[str] | None:
    """Codes the portfolio must evidence, or None when the catalogue does not say which method it underpins."""
    rules = standard.portfolio
    if rules.evidence_codes == "duties":
        return [d.code for d in standard.duties_for(option)]
    if rules.evidence_method is None:
        return None
    return [k.code for k in standard.ksbs_for(option, rules.evidence_method)]


def coverage_of(ctx: Context) -> Coverage:
    required = required_codes(ctx.standard, ctx.option) or []
    by_code: dict[str, list[str]] = {}
    for piece in ctx.pieces:
        if piece.files:
            for code in piece.codes:
                by_code.setdefault(code, []).append(piece.id)
    covered = [c for c in required if c in by_code]
    other = sorted({c for c in by_code if ctx.option and _belongs_only_to_other_options(ctx.standard, c, ctx.option)})
    return Coverage(required=required, covered=covered, missing=[c for c in required if c not in by_code],
                    other_option=other, pieces_by_code=by_code)


def rule_coverage(ctx: Context) -> list[Finding]:
    """ksb-not-covered: every KSB the portfolio underpins (core plus the option) needs a piece."""
    if ctx.portfolio.manifest is None:
        return []
    coverage = coverage_of(ctx)
    if not coverage.missing:
        return []
    what = "duties" if ctx.standard.portfolio.evidence_codes == "duties" else "KSBs"
    method = ctx.standard.method(ctx.standard.portfolio.evidence_method or "")
    assessed = f" assessed by the {method.title.lower()}" if method and what == "KSBs" else ""
    scope = f" (core and the {ctx.option} option)" if ctx.option else " (core)"
    return [Finding("ksb-not-covered", Severity.ERROR,
                    f"{len(coverage.missing)} of the {len(coverage.required)} {what}{assessed}{scope} have no evidence: "
                    f"{', '.join(coverage.missing)}.",
                    fix=f"Map a piece of evidence to each of these {what} in the manifest (one piece may evidence several).")]


def rule_attribution(ctx: Context) -> list[Finding]:
    """attribution-missing / -incomplete / -unverified: the employer and apprentice statement."""
    return attribution_rules.attribution_findings(ctx.attribution, ctx.standard.portfolio.attribution_statement_required)


def rule_files(ctx: Context) -> list[Finding]:
    """File problems found while reading (unreadable, empty, encrypted, legacy format...)."""
    return file_findings(ctx.records.values(), ctx.portfolio.archive_problems)


def rule_evidence_dates(ctx: Context) -> list[Finding]:
    """evidence-date: pieces dated outside the on-programme period (start to gateway)."""
    start = _iso_date(ctx.portfolio.details.get("start_date"))
    end = _iso_date(ctx.portfolio.details.get("gateway_date"))
    if start is None or end is None:
        return []
    found = []
    for piece in ctx.counted_pieces:
        dated = _iso_date(piece.date)
        source = "the manifest"
        if dated is None:
            for path in piece.files:
                meta = ctx.records[path].metadata if path in ctx.records else {}
                dated = _iso_date(meta.get("taken") or meta.get("created"))
                if dated:
                    source = f"{path}'s own metadata"
                    break
        if dated and not (start <= dated <= end):
            found.append(Finding("evidence-date", Severity.WARNING,
                                 f"Piece {piece.id} ('{piece.title}') is dated {dated.isoformat()} (from {source}), outside "
                                 f"the on-programme period {start.isoformat()} to {end.isoformat()}.", piece=piece.id,
                                 fix="Evidence must be produced during the apprenticeship: check the date or replace the piece."))
    return found


def _iso_date(text: object) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        from portfolio_check.extract.manifest import parse_date

        parsed = parse_date(str(text))
        return date.fromisoformat(parsed) if parsed else None


def rule_uln(ctx: Context) -> list[Finding]:
    """uln-invalid: a Unique Learner Number must be 10 digits with a valid check digit."""
    uln = ctx.portfolio.details.get("uln")
    if not uln or uln_is_valid(re.sub(r"\s", "", uln)):
        return []
    source = ctx.portfolio.detail_sources.get("uln", "portfolio details")
    return [Finding("uln-invalid", Severity.WARNING,
                    f"The ULN '{uln}' (from the {source}) is not a valid Unique Learner Number: it must be 10 digits "
                    "with a correct check digit.", fix="Copy the ULN again from the apprentice's records.")]


_LOCATION = re.compile(
    r"(?P<kind>pages?|pp?\.?|slides?|sl\.?)\s*(?P<first>\d+)(?:\s*[-–to]+\s*(?P<last>\d+))?"
    r"|(?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:\s*[-–to]+\s*(?P<end>\d{1,2}:\d{2}(?::\d{2})?))?",
    re.IGNORECASE)


def _seconds(stamp: str) -> int:
    total = 0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return total


def rule_locations(ctx: Context) -> list[Finding]:
    """location-out-of-range: a page, slide or time in the manifest beyond the length of the piece's files."""
    found = []
    for piece in ctx.pieces:
        if not piece.location:
            continue
        records = [ctx.records[p] for p in piece.files if p in ctx.records]
        pages = max((r.metadata.get("pages") or 0 for r in records), default=0)
        slides = max((r.metadata.get("slides") or 0 for r in records), default=0)
        seconds = max([r.metadata.get("duration_seconds") or 0 for r in records]
                      + [m.get("duration_seconds") or 0 for r in records for m in r.embedded_media], default=0)
        for match in _LOCATION.finditer(piece.location):
            if match.group("kind"):
                last = int(match.group("last") or match.group("first"))
                is_slide = match.group("kind").lower().startswith("s")
                length, unit = (slides, "slides") if is_slide else (pages, "pages")
                if length and last > length:
                    found.append(_location_finding(piece, match.group(0), f"{length} {unit}"))
            else:
                last_time = _seconds(match.group("end") or match.group("time"))
                if seconds and last_time > seconds + 1:
                    found.append(_location_finding(piece, match.group(0), format_duration(seconds)))
    return found


def _location_finding(piece: Piece, location: str, length: str) -> Finding:
    return Finding("location-out-of-range", Severity.WARNING,
                   f"Piece {piece.id} ('{piece.title}') points assessors to '{location}', but its file has only {length}.",
                   piece=piece.id, fix="Correct the location in the manifest so assessors find the evidence.")


def rule_unknown_rules(ctx: Context) -> list[Finding]:
    """rule-unknown: a rule the catalogue leaves unknown is reported, not guessed."""
    names = {"min_pieces": "the minimum number of pieces", "max_pieces": "the maximum number of pieces",
             "max_video_seconds": "the video time limit",
             "attribution_statement_required": "whether an attribution statement is required",
             "evidence_method": "which assessment method's KSBs the portfolio must evidence (coverage not checked)"}
    return [Finding("rule-unknown", Severity.WARNING,
                    f"The catalogue for {ctx.standard.key} does not say {names[rule]}, so that rule was not checked.",
                    fix="Add the rule to the standard's catalogue (see ksb_catalogues/README.md).")
            for rule in ctx.standard.portfolio.unknown_rules()]


#: Every rule, in the order findings are reported.
RULES: tuple[Callable[[Context], list[Finding]], ...] = (
    rule_manifest, rule_manifest_files, rule_codes, rule_piece_count, rule_video, rule_coverage,
    rule_attribution, rule_unmapped_files, rule_files, rule_evidence_dates, rule_uln, rule_locations,
    rule_unknown_rules,
)


def assess(portfolio: ExtractedPortfolio, standard: Standard, option: str | None,
           inferred: Sequence[str] = (), resolution_findings: Sequence[Finding] = ()) -> Assessment:
    """Run every rule over one extracted portfolio and give the verdict."""
    attribution = attribution_rules.find_attribution(portfolio.records)
    documents = [p for p in (portfolio.manifest_path, portfolio.details_path) if p]
    documents += sorted(attribution_rules.statement_paths(attribution) - set(documents))
    documents += [p for p in portfolio.other_manifests if p not in documents]
    records = {r.path: r for r in portfolio.records}
    pieces = build_pieces(portfolio)
    referenced = {path for p in pieces for path in p.files}
    evidence = [r.path for r in portfolio.records if r.path not in documents or r.path in referenced]
    ctx = Context(portfolio=portfolio, standard=standard, option=option, pieces=pieces, records=records,
                  evidence_files=evidence, documents=[d for d in documents if d not in referenced],
                  clips=collect_clips(portfolio.records), attribution=attribution)
    findings = list(resolution_findings)
    for rule in RULES:
        findings.extend(rule(ctx))
    count, estimated = ctx.piece_count()
    coverage = coverage_of(ctx)
    assessment = Assessment(
        portfolio=portfolio, standard=standard, option=option, inferred=list(inferred), pieces=pieces,
        evidence_files=evidence, unmapped_files=[p for p in evidence if p not in referenced] if portfolio.manifest else [],
        documents=ctx.documents, piece_count=count, piece_count_estimated=estimated, clips=ctx.clips,
        coverage=coverage, attribution=attribution, findings=findings, checklist=[])
    assessment.checklist = checklist(assessment)
    return assessment


def checklist(assessment: Assessment) -> list[ChecklistItem]:
    """Each Gateway rule of the catalogue with pass / fail / warning / unknown and the figure behind it."""
    rules = assessment.standard.portfolio
    codes = {f.code for f in assessment.findings}
    assumed = rules.assumptions
    items = []

    def status(fail_codes: set[str], warn_codes: set[str] = frozenset()) -> str:  # type: ignore[assignment]
        if codes & fail_codes:
            return "fail"
        return "warning" if codes & warn_codes else "pass"

    count = assessment.piece_count
    if rules.min_pieces is None and rules.max_pieces is None:
        items.append(ChecklistItem("piece-count", "Discrete pieces of evidence", "unknown", f"{count} pieces (range not given)"))
    else:
        estimate = " (estimated)" if assessment.piece_count_estimated else ""
        items.append(ChecklistItem("piece-count", "Discrete pieces of evidence",
                                   status({"piece-count", "manifest-missing"}, {"duplicate-evidence"}),
                                   f"{count} pieces{estimate} ({_range_text(rules.min_pieces, rules.max_pieces)})",
                                   "min_pieces" in assumed or "max_pieces" in assumed))
    video = assessment.video_seconds()
    if rules.max_video_seconds is None:
        items.append(ChecklistItem("video-limit", "Video in total", "unknown", f"{format_duration(video)} of video (no limit given)"))
    else:
        items.append(ChecklistItem("video-limit", "Video in total", status({"video-limit", "video-duration-unknown"}),
                                   f"{format_duration(video)} of video (max {format_duration(rules.max_video_seconds)})",
                                   "max_video_seconds" in assumed))
    mapped_to = "Duty" if rules.evidence_codes == "duties" else "KSB"
    items.append(ChecklistItem("manifest", f"{mapped_to} mapping manifest",
                               status({"manifest-missing", "manifest-invalid", "manifest-missing-file",
                                       "manifest-unknown-ksb", "piece-without-ksb"}, {"unmapped-file", "ksb-other-option"}),
                               assessment.portfolio.manifest_path or "not found"))
    coverage = assessment.coverage
    if required_codes(assessment.standard, assessment.option) is None:
        items.append(ChecklistItem("coverage", "KSB coverage", "unknown", "assessment method not given"))
    else:
        what = "duties" if rules.evidence_codes == "duties" else "KSBs"
        state = "fail" if assessment.portfolio.manifest is None else status({"ksb-not-covered", "option-unknown"})
        items.append(ChecklistItem("coverage", f"Required {what} evidenced", state,
                                   f"{len(coverage.covered)} of {len(coverage.required)} {what} covered",
                                   "evidence_method" in assumed))
    statement = assessment.attribution.statement
    if rules.attribution_statement_required is None:
        items.append(ChecklistItem("attribution", "Employer and apprentice statement", "unknown", "requirement not given"))
    else:
        figure = statement.path if statement else ("needs checking by hand" if assessment.attribution.unverified
                                                   else "not found")
        if not rules.attribution_statement_required:
            figure = f"not required ({figure})"
        items.append(ChecklistItem("attribution", "Employer and apprentice statement",
                                   status({"attribution-missing", "attribution-incomplete"}, {"attribution-unverified"}),
                                   figure, "attribution_statement_required" in assumed))
    unreadable = [f for f in assessment.findings if f.code in ("file-unreadable", "file-empty", "file-encrypted",
                                                                "unsafe-archive", "unsafe-file")]
    items.append(ChecklistItem("files", "Every file can be opened", "fail" if unreadable else "pass",
                               f"{len(unreadable)} file problem{'s' if len(unreadable) != 1 else ''}" if unreadable
                               else f"{len(assessment.portfolio.records)} files read"))
    return items
