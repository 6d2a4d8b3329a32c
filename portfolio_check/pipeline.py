"""Wires the stages for one portfolio: ingest -> extract -> checks. Rendering is the caller's choice.

This is the one place that knows the order of the stages; each stage stays ignorant of the others.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from portfolio_check.catalogue.model import Catalogues, Standard
from portfolio_check.checks.claims import MAX_TEXT_CHARS
from portfolio_check.checks.context import required_codes
from portfolio_check.checks.gateway import assess
from portfolio_check.checks.model import Assessment, ExtractedPortfolio
from portfolio_check.checks.resolve import StandardNotDetermined, details_from_folder_name, merge_details, resolve
from portfolio_check.errors import PortfolioCheckError, UnknownChoiceError
from portfolio_check.extract.manifest import DetailsNote, Manifest, PortfolioDetails, choose_manifest
from portfolio_check.extract.model import ExtractionProblem, FileRecord
from portfolio_check.extract.runner import DocumentTask, ExtractionSettings, extract_with_documents
from portfolio_check.ingest.archive import Limits
from portfolio_check.ingest.inventory import IngestedFile, Inventory, Locator, ingest
from portfolio_check.mapper import CONFIDENT, Reading, Suggestion, has_text, read

if TYPE_CHECKING:
    from portfolio_check.report.manifest_template import Suggested

DETAILS_NAMES = ("portfolio.yaml", "portfolio.yml")


@dataclass(frozen=True)
class CheckSettings:
    """What the user asked for: flags that override the portfolio's own details, and work limits."""

    #: Details given on the command line (``standard``, ``version``, ``option``, ``apprentice``...).
    flags: Mapping[str, str] = field(default_factory=dict)
    manifest: str | None = None
    extraction: ExtractionSettings = ExtractionSettings()
    limits: Limits = Limits()


def manifest_candidates(paths: list[str]) -> list[str]:
    """Files that are manifests by name, best first (see `choose_manifest`)."""
    return list(choose_manifest(paths).ranked)


class ExportNotPortfolio(PortfolioCheckError):
    """``check`` was given a folder holding several apprentices' portfolios."""


def _is_portfolio_document(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.lower() in DETAILS_NAMES or manifest_candidates([name]) != []


def portfolios_inside(inventory: Inventory) -> list[str]:
    """The sub-folders (or zips) of ``inventory`` that each look like a portfolio of their own: a
    manifest or details file at their top, or a ``<Name> <ULN>`` name. Two or more, with no manifest
    or details of the root's own, mean an export of several apprentices rather than one portfolio."""
    groups: dict[str, list[str]] = {}
    for item in inventory.files:
        parts = item.path.replace("!/", "/").split("/", 1)
        if len(parts) == 1:
            if _is_portfolio_document(parts[0]):
                return []
            continue
        groups.setdefault(parts[0], []).append(parts[1])
    found = [name for name, inner in groups.items()
             if details_from_folder_name(re.sub(r"\.zip$", "", name, flags=re.I))
             or any("/" not in path and _is_portfolio_document(path) for path in inner)]
    return sorted(found, key=str.casefold) if len(found) >= 2 else []


def check_portfolio(path: str | os.PathLike[str], catalogues: Catalogues,
                    settings: CheckSettings = CheckSettings()) -> Assessment:
    """Check one portfolio folder or zip. Raises `PortfolioCheckError` when it cannot be checked at all,
    including when ``path`` holds several apprentices' portfolios (an export: `batch` checks those)."""
    inventory = ingest(path, settings.limits)
    refuse_an_export(path, inventory, "Check each with `portfolio-check check {first}`, or all of them with "
                                      "`portfolio-check batch {path} -o OUTDIR`")
    return check_inventory(inventory, catalogues, settings, enclosing_portfolio(Path(path), inventory))


#: How many folders up `enclosing_portfolio` looks: a portfolio's sub-folders are rarely deeper.
ENCLOSING_LEVELS = 2
#: How many entries of each such folder are looked at.
ENCLOSING_LISTING = 1000


def enclosing_portfolio(path: Path, inventory: Inventory) -> str | None:
    """The nearest folder above ``path`` whose own files include a manifest or details file, when
    ``path`` is a folder with neither at its top: the user has probably picked one of a portfolio's
    sub-folders. Only the folders' listings are looked at; no file outside ``path`` is read."""
    if not path.is_dir() or any("/" not in f.path and _is_portfolio_document(f.path) for f in inventory.files):
        return None
    above = _portfolio_folder_above(path)
    return str(above.source) if above else None


def _portfolio_folder_above(path: Path) -> Inventory | None:
    """The nearest folder above ``path`` (at most `ENCLOSING_LEVELS` up) with a manifest or details
    file of its own, listing only those files; None when there is none."""
    for parent in list(path.resolve().parents)[:ENCLOSING_LEVELS]:
        try:
            with os.scandir(parent) as entries:
                found = [IngestedFile(path=e.name, size=e.stat(follow_symlinks=False).st_size,
                                      locator=Locator(e.path))
                         for e in itertools.islice(entries, ENCLOSING_LISTING)  # a Downloads folder can be huge
                         if e.is_file(follow_symlinks=False) and _is_portfolio_document(e.name)]
        except OSError:
            return None
        if found:
            return Inventory(name=parent.name, source=str(parent), files=found)
    return None


def refuse_an_export(path: str | os.PathLike[str], inventory: Inventory, what_to_do: str) -> None:
    """Raise `ExportNotPortfolio` when ``inventory`` holds several apprentices' portfolios (see
    `portfolios_inside`). ``what_to_do`` may name ``{first}`` (the first portfolio) and ``{path}``."""
    several = portfolios_inside(inventory)
    if several:
        shown = ", ".join(several[:5]) + (f" and {len(several) - 5} more" if len(several) > 5 else "")
        advice = what_to_do.format(first=f'"{Path(path) / several[0]}"', path=f'"{path}"')
        raise ExportNotPortfolio(f"{path} holds {len(several)} portfolios ({shown}), not one. {advice}")


def check_inventory(inventory: Inventory, catalogues: Catalogues, settings: CheckSettings,
                    enclosing: str | None = None) -> Assessment:
    paths = [f.path for f in inventory.files]
    documents: list[DocumentTask] = []
    manifest_path: str | None = None
    other_manifests: list[str] = []
    set_aside: dict[str, str] = {}
    rivals: list[str] = []
    if settings.manifest:
        given = Path(settings.manifest)
        wanted = settings.manifest.replace("\\", "/").casefold()
        inside = next((f for f in inventory.files if f.path.casefold() == wanted), None)
        if inside is None and not given.is_file():
            raise PortfolioCheckError(f"the manifest {settings.manifest} was found neither in the portfolio nor on disk")
        item = inside or IngestedFile(path=str(given), size=given.stat().st_size, locator=Locator(str(given.resolve())))
        manifest_path = item.path
        documents.append(DocumentTask("manifest", item))
    else:
        choice = choose_manifest(paths)
        if choice.chosen:
            manifest_path = choice.chosen
            other_manifests = [p for p in choice.ranked if p != manifest_path]
            set_aside = {s.path: s.reason for s in choice.set_aside}
            rivals = list(choice.rivals)
            documents.append(DocumentTask("manifest", next(f for f in inventory.files if f.path == manifest_path)))
    details_item = next((f for f in inventory.files if f.path.lower() in DETAILS_NAMES), None)
    if details_item is not None:
        documents.append(DocumentTask("details", details_item))

    records, read = extract_with_documents(inventory, documents, settings.extraction)
    manifest: Manifest | None = None
    manifest_error = details_error = None
    file_details: dict[str, str] = {}
    details_notes: tuple[DetailsNote, ...] = ()
    for task, result in zip(documents, read, strict=True):
        if isinstance(result, ExtractionProblem):
            if task.role == "manifest":
                manifest_error = result.message
                manifest = Manifest(layout="unknown")
            else:
                details_error = result.message
        elif isinstance(result, Manifest):
            manifest = result
        elif isinstance(result, PortfolioDetails):
            file_details, details_notes = dict(result.values), result.notes
    # Two manifests neither marked as a copy: the same content is harmless, different content is a
    # guess the check must not make (manifest-ambiguous), so neither is read.
    hashes = {r.path: r.sha256 for r in records}
    differing = tuple(p for p in rivals if hashes.get(p) != hashes.get(manifest_path or ""))
    if differing:
        manifest, manifest_error = None, None

    details, sources = merge_details([
        ("flag", {k: v for k, v in settings.flags.items() if v}),
        ("portfolio.yaml", file_details),
        ("manifest", manifest.details if manifest else {}),
        ("folder name", details_from_folder_name(inventory.name)),
    ])
    portfolio = ExtractedPortfolio(
        name=inventory.name, source=inventory.source, records=records, ignored=inventory.ignored,
        archives=inventory.archives, archive_problems=inventory.problems, manifest_path=manifest_path,
        manifest=manifest, manifest_error=manifest_error, other_manifests=other_manifests,
        manifest_set_aside=set_aside, manifest_rivals=differing,
        details_path=details_item.path if details_item else None, details_error=details_error,
        details_notes=details_notes, details=details, detail_sources=sources, enclosing_portfolio=enclosing)
    codes = [code for row in (manifest.rows if manifest else []) for code in row.codes]
    return assess(portfolio, resolve(catalogues, details, sources, codes))


class TemplateError(PortfolioCheckError):
    """A manifest template cannot be written as asked (an option is needed, the file exists)."""


@dataclass(frozen=True)
class TemplateWritten:
    """What `init_manifest` wrote."""

    path: Path
    files: int
    columns: int
    layout: str
    #: File names a manifest cannot hold as they are (they contain ``;``, ``|`` or a backslash).
    names_to_change: tuple[str, ...]
    #: Files whose KSBs were filled in from their text (with ``suggest``).
    suggested: int = 0


#: What `init_manifest` advises when given an export of several portfolios.
MANIFEST_INIT_ON_AN_EXPORT = "Write one for each with `portfolio-check manifest init {first}`"


def init_manifest(portfolio: Path, standard: Standard, option: str | None, layout: str = "list",
                  as_csv: bool = False, output: Path | None = None, force: bool = False,
                  suggest: bool = False, records: Sequence[FileRecord] = ()) -> TemplateWritten:
    """Write a manifest template listing the portfolio's evidence files, with the standard's codes.

    With ``suggest`` the files are read (as `check` reads them) and each one's KSBs are filled in
    with the required codes its text reads like evidence for (score 0.5 or more), in a column that
    says they are suggestions to confirm; files among ``records`` (a check's of the same portfolio)
    are not read again. Raises `TemplateError` when a grid needs an option that was not given or the
    file exists (without ``force``).
    """
    from portfolio_check.report import manifest_template as template  # openpyxl is imported only to write

    if option is not None and standard.option(option) is None:
        raise UnknownChoiceError("option", option, [o.id for o in standard.options], standard.key)
    if layout == "grid" and standard.options and option is None:
        raise TemplateError(f"a grid has one column per KSB of the apprentice's option: give --option "
                            f"({', '.join(o.id for o in standard.options)})")
    inventory = ingest(portfolio)
    refuse_an_export(portfolio, inventory, MANIFEST_INIT_ON_AN_EXPORT)
    skip = set(manifest_candidates([f.path for f in inventory.files]))
    files = [f.path for f in inventory.files if f.path not in skip and f.path.lower() not in DETAILS_NAMES]
    codes = required_codes(standard, option) or [k.code for k in standard.ksbs_for(option)]
    help_items = ([(k.code, k.text) for k in standard.ksbs_for(option)]
                  + [(d.code, d.text) for d in standard.duties_for(option)])
    details = {**details_from_folder_name(inventory.name), "standard": standard.reference, "version": standard.version}
    if option:
        details["option"] = option
    suffix = ".csv" if as_csv else ".xlsx"
    if output is None:
        output = (portfolio / f"KSB mapping{suffix}" if portfolio.is_dir()
                  else portfolio.with_name(f"{portfolio.stem} KSB mapping{suffix}"))
    suggested = _suggested_codes(inventory, files, standard, option, codes, records) if suggest else None
    rows = template.template_rows(files, codes, layout, suggested)
    guidance = [
        f"Standard: {standard.reference} v{standard.version} {standard.title}" + (f", option {option}" if option else ""),
        "One row per discrete piece of evidence. A piece may have several files (separate them with ;).",
        "KSBs: the codes the piece evidences (list layout), or an x under each code (grid layout).",
        "Files are paths relative to the portfolio folder; case does not matter.",
        "Location (optional): where in the file the KSB is shown, e.g. p. 4, slides 3-5, 02:10-03:40.",
        f"Then run: portfolio-check check \"{portfolio}\"",
    ]
    if suggested is not None:
        guidance.insert(3, "KSBs already filled in (highlighted) were suggested from each file's text, read offline, "
                           "and are listed in the Suggested column: confirm or correct each. They are a reading to "
                           "help you map, not a decision: the assessor decides what a piece evidences.")
    try:
        if as_csv:
            template.write_atomically(output, lambda path: template.write_csv(path, rows), force)
        else:
            template.write_atomically(output, lambda path: template.write_xlsx(path, rows, details, guidance, help_items),
                                      force)
    except FileExistsError:
        raise TemplateError(f"{output} already exists; use --force to overwrite it, or -o to write elsewhere") from None
    return TemplateWritten(path=output, files=len(files), columns=len(codes), layout=layout,
                           names_to_change=tuple(template.names_changed_by_reader(files)),
                           suggested=sum(1 for s in suggested or () if s.codes))


def _suggested_codes(inventory: Inventory, files: list[str], standard: Standard, option: str | None,
                     codes: list[str], already_read: Sequence[FileRecord] = ()) -> list[Suggested]:
    """For each of ``files``, the required ``codes`` its text reads like confident evidence for.
    Files ``already_read`` (by a check of the same portfolio) are not read again."""
    from portfolio_check.extract.runner import extract_inventory
    from portfolio_check.report.manifest_template import Suggested

    wanted = set(files)
    records = {r.path: r for r in already_read if r.path in wanted}
    chosen = Inventory(name=inventory.name, source=inventory.source,
                       files=[f for f in inventory.files if f.path in wanted and f.path not in records])
    if chosen.files:
        records.update((r.path, r) for r in extract_inventory(chosen))
    allowed = set(codes)
    found = []
    for path in files:
        reading, why = read_file_text(records[path], standard, option)
        if reading is None:
            found.append(Suggested(reason=why))
            continue
        confident = reading.suggestions(None, CONFIDENT)
        best = [s for s in confident if s.code in allowed]
        reason = None
        if not best:
            # Say what it does read like, so a provider mapping the whole standard is not told "nothing".
            elsewhere = ", ".join(f"{s.code} {s.score:.2f}" for s in confident)
            reason = (f"its text reads like evidence for {elsewhere}, which the portfolio need not evidence "
                      f"(assessed another way)" if elsewhere else "nothing in its text reads like confident evidence")
        found.append(Suggested(tuple((s.code, s.score) for s in best), reason))
    return found


# --- suggesting KSBs ------------------------------------------------------------------------------

#: What a file with no text to read is, by kind, for "no text to read (a photo)".
_NO_TEXT_KINDS = {"image": "a photo", "video": "a video", "audio": "audio", "pdf": "a scan without a text layer",
                  "link": "a link"}


@dataclass(frozen=True)
class SuggestSettings:
    """What `suggest_ksbs` was asked: the standard, version and option given (they win), and how many codes."""

    flags: Mapping[str, str] = field(default_factory=dict)
    #: Codes listed per file, best first.
    top: int = 5
    extraction: ExtractionSettings = ExtractionSettings()


@dataclass(frozen=True)
class FileSuggestions:
    """The codes one file's text reads like evidence for, best first; or why there are none."""

    path: str
    suggestions: tuple[Suggestion, ...]
    #: Why nothing is suggested: no text to read (a photo), the file could not be read, nothing relates.
    note: str | None = None


@dataclass(frozen=True)
class SuggestedKsbs:
    """`suggest_ksbs`' answer for a file, a folder or a zip."""

    standard: Standard
    option: str | None
    #: What was inferred rather than given (``standard ST0792 v1.2, the only catalogue ...``), and why
    #: an option could not be (then every option's codes are suggested).
    notes: tuple[str, ...]
    files: tuple[FileSuggestions, ...]


def _single_file(path: Path) -> Inventory | None:
    """An inventory of one file, when ``path`` is a file that is not a zip archive."""
    from portfolio_check.ingest.archive import is_plain_archive

    if not path.is_file():
        return None
    with open(path, "rb") as stream:
        if is_plain_archive(stream, path.name):
            return None
    return Inventory(name=path.stem, source=str(path),
                     files=[IngestedFile(path=path.name, size=path.stat().st_size, locator=Locator(str(path.resolve())))])


@dataclass(frozen=True)
class SettledStandard:
    """The standard and option a portfolio is for, as `check` settles them, and what was inferred."""

    standard: Standard
    option: str | None
    #: What was inferred rather than given.
    notes: tuple[str, ...]
    #: Why no option could be settled, when the standard has options (each command says what it does
    #: without one).
    option_unknown: str | None = None

    def options_to_give(self) -> str:
        """The standard's options, as a user would type one after --option."""
        return ", ".join(o.id for o in self.standard.options)


def settle_standard(path: str | os.PathLike[str], catalogues: Catalogues, flags: Mapping[str, str],
                    extraction: ExtractionSettings = ExtractionSettings(),
                    on_an_export: str = "Name one of them, e.g. {first}") -> SettledStandard:
    """The standard and option of the portfolio at ``path``: from ``flags`` (they win), else from its
    details file and manifest, reading only those two. Raises `PortfolioCheckError` when nothing says,
    and `ExportNotPortfolio` (advising ``on_an_export``, see `refuse_an_export`) for an export."""
    inventory = _single_file(Path(path)) or ingest(path)
    refuse_an_export(path, inventory, on_an_export)
    documents = _portfolio_documents(inventory)
    _, read_documents = extract_with_documents(
        Inventory(name=inventory.name, source=inventory.source, files=[]), documents, extraction)
    return _settle_standard(catalogues, flags, read_documents)


def _portfolio_documents(inventory: Inventory) -> list[DocumentTask]:
    """The documents that say what a portfolio is for: its likeliest manifest and its details file."""
    candidates = manifest_candidates([f.path for f in inventory.files])
    documents = [DocumentTask("manifest", f) for f in inventory.files if candidates and f.path == candidates[0]]
    details_item = next((f for f in inventory.files if f.path.lower() in DETAILS_NAMES), None)
    if details_item is not None:
        documents.append(DocumentTask("details", details_item))
    return documents


def _settle_standard(catalogues: Catalogues, flags: Mapping[str, str],
                     read_documents: list[object]) -> SettledStandard:
    manifest: Manifest | None = None
    file_details: dict[str, str] = {}
    for result in read_documents:
        if isinstance(result, ExtractionProblem):
            continue  # `check` reports an unreadable manifest or details file; here it only cannot help
        if isinstance(result, Manifest):
            manifest = result
        elif isinstance(result, PortfolioDetails):
            file_details = dict(result.values)
    details, sources = merge_details([
        ("flag", {k: v for k, v in flags.items() if v}),
        ("portfolio.yaml", file_details),
        ("manifest", manifest.details if manifest else {}),
    ])
    codes = [code for row in (manifest.rows if manifest else []) for code in row.codes]
    resolution = resolve(catalogues, details, sources, codes)
    unknown = next((f for f in resolution.findings if f.code == "standard-unknown"), None)
    if unknown is not None:
        raise PortfolioCheckError(f"{unknown.message} Give the standard with --standard.")
    if resolution.standard is None:
        raise StandardNotDetermined(resolution.undetermined or "give the standard with --standard")
    notes = tuple(f"inferred {note}" for note in resolution.inferred)
    return SettledStandard(resolution.standard, resolution.option, notes, resolution.option_unknown)


def read_file_text(record: FileRecord, standard: Standard, option: str | None) -> tuple[Reading | None, str | None]:
    """The mapper's reading of one file's text, or None and why there is nothing to read."""
    if record.error is not None:
        why = record.problems[0].message if record.problems else record.error
        return None, f"could not be read: {why}"
    if not has_text(record.text):
        words = len((record.text or "").split())
        if words:
            return None, f"too little text to read ({words} word{'s' if words != 1 else ''})"
        return None, f"no text to read ({_NO_TEXT_KINDS.get(record.kind, 'no text layer')})"
    assert record.text is not None
    return read(standard, record.text[:MAX_TEXT_CHARS], option), None


def suggest_ksbs(path: str | os.PathLike[str], catalogues: Catalogues,
                 settings: SuggestSettings = SuggestSettings()) -> SuggestedKsbs:
    """The KSBs (duties, for a duty-mapped standard) each file of ``path`` reads like evidence for.

    ``path`` is one file, a portfolio folder or a zip. The standard and option come from the flags,
    else from the portfolio's details and manifest as `check` settles them. Raises
    `PortfolioCheckError` when nothing says which standard to read against.
    """
    single = _single_file(Path(path))
    inventory = single or ingest(path)
    refuse_an_export(path, inventory, "Read each with `portfolio-check suggest {first}`")
    documents = _portfolio_documents(inventory)
    notes: tuple[str, ...] = ()
    if single is not None and not settings.flags.get("standard"):
        # One file of a portfolio: the portfolio's own details and manifest, in the folder it sits in
        # (or the one above), say which standard to read it against.
        around = _portfolio_folder_above(Path(path))
        if around is not None:
            documents = _portfolio_documents(around)
            notes = (f"standard and option from the portfolio folder {around.source} "
                     f"({', '.join(d.item.path for d in documents)})",)
    records, read_documents = extract_with_documents(inventory, documents, settings.extraction)
    settled = _settle_standard(catalogues, settings.flags, read_documents)
    standard, option = settled.standard, settled.option
    if settled.option_unknown:
        what = standard.evidence_noun  # "KSBs" or "duties", first in its sentence
        notes += (f"{settled.option_unknown} {what[:1].upper()}{what[1:]} of every option are suggested; give the "
                  f"option with --option ({settled.options_to_give()}) to read against one.",)
    skip = {*manifest_candidates([f.path for f in inventory.files]), *(d.item.path for d in documents)}
    files = []
    for record in records:
        if record.path in skip:
            continue
        reading, why = read_file_text(record, standard, option)
        suggestions = reading.suggestions(settings.top) if reading is not None else ()
        if reading is not None and not suggestions:
            what = "duty" if standard.portfolio.evidence_codes == "duties" else "KSB"
            why = f"nothing in its text reads like evidence for a {what} of {standard.key}"
        files.append(FileSuggestions(record.path, suggestions, why))
    return SuggestedKsbs(standard, option, (*notes, *settled.notes), tuple(files))
