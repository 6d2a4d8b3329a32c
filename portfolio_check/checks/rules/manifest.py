"""The KSB (or duty) mapping manifest: present, readable, naming real files and real codes."""

from __future__ import annotations

import re

from portfolio_check.checks.context import Context, belongs_only_to_other_options
from portfolio_check.checks.model import Piece
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Finding, Severity
from portfolio_check.formatting import format_duration, join_words, plural, sentence

_LOCATION = re.compile(
    r"(?P<kind>pages?|pp?\.?|slides?|sl\.?)\s*(?P<first>\d+)(?:\s*[-–to]+\s*(?P<last>\d+))?"
    r"|(?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:\s*[-–to]+\s*(?P<end>\d{1,2}:\d{2}(?::\d{2})?))?",
    re.IGNORECASE)


class ManifestRule(Rule):
    """The portfolio has a mapping manifest that an assessor can follow.

    The manifest lists each discrete piece of evidence, its files and the KSBs (or, for a
    duty-mapped standard, the duties) it evidences. Assessors use it to find the evidence for each
    KSB, so every file it names must be in the portfolio, every code must be one of the standard's,
    every piece must be mapped to something, and every evidence file should belong to a piece.

    To fix a failure: add a manifest (``portfolio-check manifest init PORTFOLIO --standard ST0792``
    writes a template listing the files), or correct the rows the findings name.
    """

    id = "manifest"
    title = "KSB mapping manifest"
    codes = {"manifest-missing": Severity.ERROR, "manifest-invalid": Severity.ERROR,
             "manifest-ambiguous": Severity.ERROR, "manifest-missing-file": Severity.ERROR,
             "manifest-unknown-ksb": Severity.ERROR, "piece-without-ksb": Severity.ERROR,
             "manifest-duplicate": Severity.WARNING, "manifest-piece-number": Severity.WARNING,
             "manifest-ksb-unreadable": Severity.WARNING, "ksb-other-option": Severity.WARNING,
             "unmapped-file": Severity.WARNING, "location-out-of-range": Severity.WARNING}

    def title_for(self, ctx: Context) -> str:
        return "Duty mapping manifest" if ctx.evidence_word == "duty" else self.title

    def check(self, ctx: Context) -> Result:
        portfolio = ctx.portfolio
        if ctx.holds_nothing:
            return Result(Figure("not found: the portfolio holds nothing to map"), clean=Status.UNKNOWN)
        if portfolio.manifest_path is None:
            message = (f"No {ctx.evidence_word} mapping manifest was found, so pieces cannot be checked against the "
                       f"{ctx.evidence_word}s. The piece count is estimated as one piece per evidence file "
                       f"({len(ctx.evidence_files)}).")
            fix = ("Add a manifest (a .xlsx, .csv, .yaml or .json file with 'manifest' or 'mapping' in its name) "
                   "listing each piece, its files and the KSBs it evidences. `portfolio-check manifest init` writes "
                   "a template.")
            if portfolio.enclosing_portfolio:
                # The likelier mistake: one of the portfolio's sub-folders was checked instead of the whole.
                message += (f" The folder checked seems to be part of a portfolio: {portfolio.enclosing_portfolio} "
                            "holds a manifest or the portfolio's details.")
                fix = f"Check the whole portfolio folder: portfolio-check check \"{portfolio.enclosing_portfolio}\""
            return Result(Figure("not found"), [Finding("manifest-missing", Severity.ERROR, message, fix=fix)])
        findings: list[Finding] = []
        if portfolio.manifest_rivals:
            rivals = join_words([portfolio.manifest_path, *portfolio.manifest_rivals])
            return Result(Figure(f"{rivals}: which one is the manifest?"), [Finding(
                "manifest-ambiguous", Severity.ERROR,
                f"The portfolio holds {len(portfolio.manifest_rivals) + 1} different manifests ({rivals}), none "
                "marked as a copy or an older version, so the check cannot tell which maps the evidence and reads "
                "neither.", path=portfolio.manifest_path,
                fix="Delete or rename the old ones (e.g. add 'OLD' to the name), or name the one to use with "
                    "--manifest.")])
        if portfolio.manifest_error:
            findings.append(Finding("manifest-invalid", Severity.ERROR,
                                    sentence(f"The manifest {portfolio.manifest_path} could not be read: "
                                             f"{portfolio.manifest_error}"),
                                    path=portfolio.manifest_path, fix="Open the manifest, correct it and save it again."))
        elif portfolio.manifest is not None:
            findings += [Finding("manifest-invalid", Severity.ERROR,
                                 sentence(f"In the manifest {portfolio.manifest_path}, {reason}"),
                                 path=portfolio.manifest_path, fix="Correct the manifest and save it again.")
                         for reason in portfolio.manifest.invalid]
        findings += [_other_manifest(ctx, other) for other in portfolio.other_manifests]
        findings += _notes(ctx)
        findings += _missing_files(ctx) + _codes(ctx) + _locations(ctx)
        # An unreadable manifest maps nothing: its one error says so, rather than a warning per file.
        if not portfolio.manifest_error:
            findings += [Finding("unmapped-file", Severity.WARNING,
                                 f"{path} is in the portfolio but no piece in the manifest refers to it.", path=path,
                                 fix="Add it to a piece in the manifest, or remove it from the portfolio if it is not "
                                     "evidence.")
                         for path in ctx.unmapped_files()]
        return Result(Figure(f"{portfolio.manifest_path}: {plural(len(ctx.pieces), 'piece')}",
                             value=len(ctx.pieces), unit="pieces"), findings)


def _other_manifest(ctx: Context, other: str) -> Finding:
    portfolio = ctx.portfolio
    why = portfolio.manifest_set_aside.get(other)
    if why:
        message = f"{other} looks like {why}; {portfolio.manifest_path} was used, and {other} is not read as evidence."
    else:
        message = f"{other} also looks like a manifest (with the same content); only {portfolio.manifest_path} was used."
    return Finding("manifest-duplicate", Severity.WARNING, message, path=other,
                   fix="Keep one manifest in the portfolio, or name the one to use with --manifest.")


#: The reader's note kinds, and the finding each becomes.
_NOTE_CODES = {"piece-number-reused": "manifest-piece-number", "continuation-titled": "manifest-piece-number",
               "ksb-unreadable": "manifest-ksb-unreadable", "sheet-ignored": "manifest-duplicate"}
_NOTE_FIXES = {
    "manifest-piece-number": "Give each piece its own number; rows of one piece share its number (or leave it "
                             "blank under it).",
    "manifest-ksb-unreadable": "Write codes as the standard does (K1, S3, B2); a range such as K19-K21 is read as "
                               "K19, K20 and K21.",
    "manifest-duplicate": "Keep the manifest on one sheet, or delete the old sheet.",
}


def _notes(ctx: Context) -> list[Finding]:
    """What the manifest reader noticed while it still read the manifest (dates are the details rule's)."""
    manifest = ctx.portfolio.manifest
    found = []
    for note in manifest.notes if manifest is not None else []:
        code = _NOTE_CODES.get(note.kind)
        if code is not None:
            found.append(Finding(code, Severity.WARNING, sentence(note.message), piece=note.piece,
                                 path=ctx.portfolio.manifest_path, fix=_NOTE_FIXES[code]))
    return found


def _missing_files(ctx: Context) -> list[Finding]:
    found = []
    for piece in ctx.pieces:
        hints = dict(piece.missing_hints)
        for name in piece.missing_files:
            near = hints.get(name, ())
            meant = f" Did you mean {join_words([repr(p) for p in near[:3]], 'or')}?" if near else ""
            found.append(Finding(
                "manifest-missing-file", Severity.ERROR,
                f"Piece {piece.id} ('{piece.title}', manifest {piece.where}) names {name}, which is not in the "
                f"portfolio.{meant}", piece=piece.id, path=name,
                fix="Add the file, or correct its name in the manifest (names are matched ignoring case; a name "
                    "without its extension, a folder or a SharePoint link also work when they fit one file)."))
    return found


def _codes(ctx: Context) -> list[Finding]:
    """Codes that are not the standard's, pieces mapped to nothing, codes of another option."""
    standard, option = ctx.standard, ctx.option
    what = ctx.evidence_word
    found: list[Finding] = []
    valid = set(standard.evidence_codes()) if standard is not None else set()
    for piece in ctx.pieces:
        unknown = [c for c in piece.codes if c not in valid]
        if standard is not None and unknown:
            found.append(Finding(
                "manifest-unknown-ksb", Severity.ERROR,
                f"Piece {piece.id} ('{piece.title}') is mapped to {', '.join(unknown)}, which "
                f"{'is not a' if len(unknown) == 1 else 'are not'} {what} code{'s' if len(unknown) > 1 else ''} of "
                f"{standard.key}.", piece=piece.id,
                fix=f"Correct the codes in the manifest; `portfolio-check catalogues show {standard.reference}` lists "
                    "them."))
        if not piece.codes:
            found.append(Finding("piece-without-ksb", Severity.ERROR,
                                 f"Piece {piece.id} ('{piece.title}') is not mapped to any {what}.", piece=piece.id,
                                 fix=f"Add the {what} codes this piece evidences in the manifest."))
        if standard is not None and option:
            elsewhere = [c for c in piece.codes if belongs_only_to_other_options(standard, c, option)]
            if elsewhere:
                found.append(Finding(
                    "ksb-other-option", Severity.WARNING,
                    f"Piece {piece.id} ('{piece.title}') is mapped to {', '.join(elsewhere)}, which belong to another "
                    f"option than the apprentice's ({option}); they do not count towards coverage.", piece=piece.id,
                    fix="Check the apprentice's option, or map the piece to the KSBs of their option."))
    return found


def _seconds(stamp: str) -> int:
    total = 0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return total


def _locations(ctx: Context) -> list[Finding]:
    """A page, slide or time in the manifest beyond the length of the piece's files."""
    found = []
    for piece in ctx.pieces:
        if not piece.location:
            continue
        records = [ctx.records[p] for p in piece.files if p in ctx.records]
        pages = max((r.metadata.get("pages") or 0 for r in records), default=0)
        slides = max((r.metadata.get("slides") or 0 for r in records), default=0)
        seconds = max([r.metadata.get("duration_seconds") or 0 for r in records]
                      + [m.duration_seconds or 0 for r in records for m in r.embedded_media], default=0)
        for match in _LOCATION.finditer(piece.location):
            if match.group("kind"):
                last = int(match.group("last") or match.group("first"))
                is_slide = match.group("kind").lower().startswith("s")
                length, unit = (slides, "slides") if is_slide else (pages, "pages")
                if length and last > length:
                    found.append(_location_finding(piece, match.group(0), plural(length, unit[:-1])))
            else:
                last_time = _seconds(match.group("end") or match.group("time"))
                if seconds and last_time > seconds + 1:
                    found.append(_location_finding(piece, match.group(0), format_duration(seconds)))
    return found


def _location_finding(piece: Piece, location: str, length: str) -> Finding:
    return Finding("location-out-of-range", Severity.WARNING,
                   f"Piece {piece.id} ('{piece.title}') points assessors to '{location}', but its file has only {length}.",
                   piece=piece.id, fix="Correct the location in the manifest so assessors find the evidence.")
