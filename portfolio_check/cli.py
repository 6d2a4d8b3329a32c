"""The ``portfolio-check`` command line: options in, a stage run, output and an exit status out.

Exit statuses: 0 done (for ``check``: ready), 1 done with problems (not ready, or files that could not
be used), 2 could not run (bad path, unknown standard or option, bad flag).
Heavy libraries are imported inside the commands that need them so ``--help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from portfolio_check import __version__
from portfolio_check.errors import PortfolioCheckError
from portfolio_check.report.formats import (
    CATALOGUE_FORMATS,
    MANIFEST_LAYOUTS,
    REPORT_FORMATS,
    RULES_FORMATS,
    SUGGEST_FORMATS,
)

if TYPE_CHECKING:
    from portfolio_check.batch.rows import PortfolioRow
    from portfolio_check.catalogue.model import Catalogues

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status when the command could not run at all.
EXIT_USAGE = 2


class Failure(click.ClickException):
    """A user-facing error: printed as one line, no traceback."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def reports_errors(command: F) -> F:
    """Turn the project's exceptions into a clear message and exit status 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PortfolioCheckError as exc:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            raise Failure(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _catalogues(ctx: click.Context) -> Catalogues:
    from portfolio_check.catalogue.loader import discover

    root = ctx.find_root()
    if "catalogues" not in root.meta:
        found = discover(root.params.get("catalogues") or ())
        for problem in found.errors:
            click.echo(f"warning: catalogue not used: {problem}", err=True)
        root.meta["catalogues"] = found
    return root.meta["catalogues"]


@click.group(name="portfolio-check", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="portfolio-check")
@click.option("--catalogues", "catalogues", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="A folder of extra catalogue files (repeatable). Also read from the "
                   "PORTFOLIO_CHECK_CATALOGUES environment variable.")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.pass_context
def main(ctx: click.Context, catalogues: tuple[Path, ...], debug: bool) -> None:
    """Check an apprentice's portfolio of evidence against the Gateway rules of its standard.

    Standards are data: see `portfolio-check catalogues list`.
    """


@main.group(short_help="List, show, validate and import standards.")
def catalogues() -> None:
    """List, show, validate and import the standards (KSB catalogues) the tool knows."""


@catalogues.command("list")
@click.option("--format", "output_format", type=click.Choice(CATALOGUE_FORMATS), default="text",
              show_default=True, help="Output format.")
@click.pass_context
@reports_errors
def catalogues_list(ctx: click.Context, output_format: str) -> None:
    """One line per standard: reference, version, title, status, KSB count."""
    from portfolio_check.report.catalogue_view import standard_summary

    found = _catalogues(ctx)
    if output_format == "json":
        click.echo(json.dumps([standard_summary(s) for s in found.standards], indent=2))
    else:
        rows = [(s.reference, f"v{s.version}", s.title, s.status,
                 f"{len(s.ksbs)} KSBs" + (f", {len(s.duties)} duties" if s.duties else ""))
                for s in found.standards]
        if not rows:
            click.echo("No catalogues found.")
        widths = [max(len(row[i]) for row in rows) for i in range(4)] if rows else []
        for row in rows:
            click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    if found.errors:
        ctx.exit(1)


@catalogues.command("show")
@click.argument("reference")
@click.option("--version", "version", metavar="V", help="Standard version (default: the latest known).")
@click.option("--option", "option", metavar="ID", help="Only core KSBs and those of this option.")
@click.option("--method", "method", metavar="ID", help="Only KSBs assessed by this assessment method.")
@click.option("--format", "output_format", type=click.Choice(CATALOGUE_FORMATS), default="text",
              show_default=True, help="Output format.")
@click.pass_context
@reports_errors
def catalogues_show(ctx: click.Context, reference: str, version: str | None, option: str | None,
                    method: str | None, output_format: str) -> None:
    """Show a standard's KSBs, options, assessment methods and portfolio rules.

    REFERENCE is the standard's reference, e.g. ST0792.
    """
    from portfolio_check.errors import UnknownChoiceError
    from portfolio_check.report.catalogue_view import render_standard_text, standard_to_dict

    standard = _catalogues(ctx).get(reference, version)
    if option is not None and standard.option(option) is None:
        raise UnknownChoiceError("option", option, [o.id for o in standard.options], standard.key)
    if method is not None and standard.method(method) is None:
        raise UnknownChoiceError("assessment method", method, [m.id for m in standard.methods], standard.key)
    ksbs = standard.ksbs_for(option, method)
    if output_format == "json":
        click.echo(json.dumps(standard_to_dict(standard, ksbs, option, method), indent=2))
    else:
        click.echo(render_standard_text(standard, ksbs, option, method), nl=False)


@catalogues.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def catalogues_validate(files: tuple[Path, ...]) -> None:
    """Check catalogue files you wrote or edited; names the file and entry of every problem.

    A file that loads is "ok", and so must its examples file (examples/<its name>) if it has one; notes
    under it name vocabulary the KSB mapper cannot read as meant (a phrase of words it skips, or one it
    reads as an everyday word).
    """
    from portfolio_check.catalogue.loader import load_catalogue_file, load_examples
    from portfolio_check.errors import CatalogueError
    from portfolio_check.mapper.vocabulary import vocabulary_notes

    failed = 0
    for path in files:
        try:
            standard = load_catalogue_file(path)
            examples = load_examples(standard)
        except CatalogueError as exc:
            failed += 1
            click.echo(f"invalid: {exc}")
            continue
        click.echo(f"ok: {path}: {standard.key} {standard.title} ({len(standard.ksbs)} KSBs, "
                   f"{len(standard.duties)} duties)")
        if standard.examples_file is not None:
            total = len(standard.duties) if standard.evidence_noun == "duties" else len(standard.ksbs)
            where = Path(standard.examples_file)
            click.echo(f"  examples: {sum(map(len, examples.values()))} passages of evidence for {len(examples)} "
                       f"of {total} {standard.evidence_noun} ({where.parent.name}/{where.name})")
        # Advice, not errors: the catalogue loads and works; these phrases just do not help the mapper.
        for note in vocabulary_notes(standard):
            click.echo(f"  note: {note}")
    if failed:
        sys.exit(1)


@catalogues.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", metavar="ST0XXX", help="Import only this standard's versions from the file.")
@click.option("--version", "version", metavar="V", help="Import only this version.")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML or JSON file with the assessment methods and portfolio rules to add.")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to write the catalogue files to.")
@click.option("--force", is_flag=True, help="Overwrite catalogue files that already exist.")
@reports_errors
def catalogues_import(file: Path, reference: str | None, version: str | None, rules_file: Path | None,
                      output_dir: Path, force: bool) -> None:
    """Convert standards data published by the Institute for Apprenticeships into catalogues.

    FILE is a download of the apprenticeship standards data: a JSON array of standard versions,
    or one standard object.
    """
    from portfolio_check.catalogue import ifate
    from portfolio_check.catalogue.loader import read_document
    from portfolio_check.catalogue.writer import dump_catalogue

    data = read_document(file)
    rules = read_document(rules_file) if rules_file else None
    if rules is not None and not isinstance(rules, dict):
        raise Failure(f"{rules_file}: expected a mapping with 'methods' and 'portfolio'")
    imported = ifate.convert(data, str(file), reference, version, rules, str(rules_file or ""))
    targets = [output_dir / item.file_name for item in imported]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise Failure(f"{', '.join(existing)} already exists; use --force to overwrite")
    output_dir.mkdir(parents=True, exist_ok=True)
    for item, target in zip(imported, targets, strict=True):
        header = (f"{item.reference} {item.document['title']}, version {item.version}.\n"
                  f"Imported from {file.name} by portfolio-check {__version__}.")
        target.write_text(dump_catalogue(item.document, header), encoding="utf-8")
        click.echo(f"wrote {target}: {item.reference} v{item.version} {item.document['title']} "
                   f"({len(item.document['ksbs'])} KSBs, {len(item.document['duties'])} duties)")
        for warning in item.warnings:
            click.echo(f"  note: {warning}")
    click.echo(f"Use them with: portfolio-check --catalogues {output_dir} catalogues list")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True, help="Output format.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: up to 4, one per core).")
@click.option("--time-limit", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds one file may take before it is reported as unreadable.")
@reports_errors
def inspect(path: Path, output_format: str, jobs: int | None, time_limit: float) -> None:
    """Show what every file of a portfolio really is and what is inside it.

    PATH is a portfolio folder or zip (a SharePoint or OneDrive export works too).
    """
    from portfolio_check.checks.files import file_findings
    from portfolio_check.extract.runner import ExtractionSettings, extract_inventory
    from portfolio_check.ingest.inventory import ingest
    from portfolio_check.report.inspect_view import inspection_to_dict, render_inspection_text

    inventory = ingest(path)
    records = extract_inventory(inventory, ExtractionSettings(jobs=jobs, seconds_per_file=time_limit))
    findings = file_findings(records, inventory.problems)
    if output_format == "json":
        click.echo(json.dumps(inspection_to_dict(inventory, records, findings), indent=2, ensure_ascii=False))
    else:
        click.echo(render_inspection_text(inventory, records, findings), nl=False)


def _standard_options(command: F) -> F:
    """The flags that say which standard, version and option a portfolio is for (they win over its own details)."""
    for option in reversed([
        click.option("--standard", metavar="ST0XXX",
                     help="The standard (default: from the portfolio, or inferred from its KSB codes)."),
        click.option("--version", "standard_version", metavar="V",
                     help="The standard's version (default: the latest known)."),
        click.option("--option", "option", metavar="ID",
                     help="The apprentice's option (default: from the portfolio, or inferred)."),
    ]):
        command = option(command)
    return command


@main.command()
@click.argument("portfolio", type=click.Path(path_type=Path))
@_standard_options
@click.option("--manifest", metavar="PATH", help="The KSB mapping manifest (default: found in the portfolio by name).")
@click.option("--apprentice", metavar="NAME", help="The apprentice's name, if the portfolio does not say.")
@click.option("--uln", metavar="ULN", help="The apprentice's Unique Learner Number.")
@click.option("--employer", metavar="NAME", help="The employer.")
@click.option("--start-date", metavar="YYYY-MM-DD", help="Start of the apprenticeship (for evidence dates).")
@click.option("--gateway-date", metavar="YYYY-MM-DD", help="Planned Gateway date (for evidence dates).")
@click.option("--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True, help="What to print.")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write report.json (and report.html) to this folder.")
@click.option("--pdf", is_flag=True, help="Also write report.pdf to the -o folder, printed by Chromium, Chrome or "
                                          "Edge (set PORTFOLIO_CHECK_BROWSER to name one).")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: up to 4, one per core).")
@click.option("--time-limit", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds one file may take before it is reported as unreadable.")
@click.pass_context
@reports_errors
def check(ctx: click.Context, portfolio: Path, standard: str | None, standard_version: str | None,
          option: str | None, manifest: str | None, apprentice: str | None, uln: str | None,
          employer: str | None, start_date: str | None, gateway_date: str | None, output_format: str,
          output_dir: Path | None, pdf: bool, jobs: int | None, time_limit: float) -> None:
    """Is a portfolio ready for Gateway? Lists every reason it is not, with what to do.

    PORTFOLIO is a portfolio folder or zip. Exit status: 0 ready, 1 not ready, 2 could not run.
    """
    if pdf and output_dir is None:
        raise click.UsageError("--pdf needs -o OUTDIR: report.pdf is written there, beside report.html")
    from portfolio_check.extract.runner import ExtractionSettings
    from portfolio_check.pipeline import CheckSettings, check_portfolio
    from portfolio_check.report.check_view import assessment_to_dict, render_check_text

    pdf_not_made: str | None = None
    flags = {"standard": standard, "version": standard_version, "option": option, "apprentice": apprentice,
             "uln": uln, "employer": employer, "start_date": start_date, "gateway_date": gateway_date}
    settings = CheckSettings(flags={k: v for k, v in flags.items() if v}, manifest=manifest,
                             extraction=ExtractionSettings(jobs=jobs, seconds_per_file=time_limit,
                                                           thumbnails=output_dir is not None))
    assessment = check_portfolio(portfolio, _catalogues(ctx), settings)
    report = assessment_to_dict(assessment)
    if output_dir is not None:
        from portfolio_check.report.writer import write_reports

        if portfolio.is_dir() and portfolio.resolve() in [output_dir.resolve(), *output_dir.resolve().parents]:
            click.echo(f"warning: the report is written inside the portfolio ({output_dir}); later checks skip it, "
                       "but move it out before you submit the portfolio", err=True)
        written = write_reports(assessment, report, output_dir)
        for path in written:
            click.echo(f"wrote {path}", err=True)
        if pdf:
            from portfolio_check.report.pdf import write_pdf

            printed = write_pdf(output_dir / "report.html", output_dir / "report.pdf")
            pdf_not_made = None if printed.made else printed.message
            click.echo(printed.message if printed.made else f"warning: {printed.message}", err=True)
    if output_format == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(render_check_text(assessment), nl=False)
        if pdf_not_made:
            click.echo(f"\nPDF: {pdf_not_made}")
    ctx.exit(0 if assessment.verdict == "ready" else 1)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@_standard_options
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Codes listed per file.")
@click.option("--format", "output_format", type=click.Choice(SUGGEST_FORMATS), default="text",
              show_default=True, help="Output format.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: up to 4, one per core).")
@click.option("--time-limit", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds one file may take before it is reported as unreadable.")
@click.pass_context
@reports_errors
def suggest(ctx: click.Context, path: Path, standard: str | None, standard_version: str | None, option: str | None,
            top: int, output_format: str, jobs: int | None, time_limit: float) -> None:
    """Suggest the KSBs each file reads like evidence for, with the passage behind each, offline.

    PATH is one file, a portfolio folder or a zip. Scores run from 0 to 1: 0.5 or more means an
    assessor would likely accept the KSB, below that it is only possible. The standard comes from
    --standard, else from the portfolio's details or manifest.
    """
    from portfolio_check.extract.runner import ExtractionSettings
    from portfolio_check.pipeline import SuggestSettings, suggest_ksbs
    from portfolio_check.report.suggest_view import render_suggestions_text, suggestions_to_dict

    flags = {"standard": standard, "version": standard_version, "option": option}
    found = suggest_ksbs(path, _catalogues(ctx), SuggestSettings(
        flags={k: v for k, v in flags.items() if v}, top=top,
        extraction=ExtractionSettings(jobs=jobs, seconds_per_file=time_limit)))
    if output_format == "json":
        click.echo(json.dumps(suggestions_to_dict(found), indent=2, ensure_ascii=False))
    else:
        click.echo(render_suggestions_text(found), nl=False)


@main.command()
@click.option("--format", "output_format", type=click.Choice(RULES_FORMATS), default="text", show_default=True,
              help="text for reading, markdown as the README lists them, json for machines.")
def rules(output_format: str) -> None:
    """The Gateway rules check applies: what each checks, why, its finding codes and how to fix a failure."""
    from portfolio_check.report import rules_view

    if output_format == "json":
        click.echo(json.dumps(rules_view.rules_to_dict(), indent=2))
    elif output_format == "markdown":
        click.echo(rules_view.render_rules_markdown(), nl=False)
    else:
        click.echo(rules_view.render_rules_text(), nl=False)


@main.group()
def manifest() -> None:
    """Write a KSB mapping manifest template for a portfolio."""


@manifest.command("init")
@click.argument("portfolio", type=click.Path(path_type=Path))
@_standard_options
@click.option("--layout", type=click.Choice(MANIFEST_LAYOUTS), default="list", show_default=True,
              help="list: a KSBs column of codes; grid: one column per KSB to mark with x.")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV instead of Excel.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: 'KSB mapping.xlsx' in the portfolio folder, or beside a zip).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--suggest", "suggest_codes", is_flag=True,
              help="Fill in the KSBs each file's text reads like evidence for (score 0.5 or more), marked as "
                   "suggestions to confirm or correct.")
@click.pass_context
@reports_errors
def manifest_init(ctx: click.Context, portfolio: Path, standard: str | None, standard_version: str | None,
                  option: str | None, layout: str, as_csv: bool, output: Path | None, force: bool,
                  suggest_codes: bool) -> None:
    """List a portfolio's evidence files in a manifest template, with the standard's KSB columns.

    Fill in the KSBs each piece evidences (with --suggest, confirm or correct the ones filled in),
    then run `portfolio-check check PORTFOLIO`.
    """
    from portfolio_check.checks.resolve import StandardNotDetermined
    from portfolio_check.pipeline import MANIFEST_INIT_ON_AN_EXPORT, init_manifest, settle_standard

    catalogue = _catalogues(ctx)
    if standard:
        chosen = catalogue.get(standard, standard_version)
    else:
        # As `check` and `suggest` settle it: the portfolio's details file (portfolio.yaml) or manifest.
        flags = {k: v for k, v in {"version": standard_version, "option": option}.items() if v}
        try:
            settled = settle_standard(portfolio, catalogue, flags, on_an_export=MANIFEST_INIT_ON_AN_EXPORT)
        except StandardNotDetermined:
            raise Failure("the portfolio does not say which standard it is for (no portfolio.yaml or manifest "
                          f"names one): give the standard with --standard (known: {', '.join(catalogue.references())})"
                          ) from None
        chosen, option = settled.standard, settled.option
        click.echo(f"standard {chosen.reference} v{chosen.version}" + (f", option {option}" if option else "")
                   + " (from the portfolio)", err=True)
        for note in settled.notes:
            click.echo(f"  note: {note}", err=True)
        if settled.option_unknown:
            click.echo(f"  note: {settled.option_unknown} The template lists the core KSBs only; give the option "
                       f"with --option ({settled.options_to_give()}) to add the option's.", err=True)
    written = init_manifest(portfolio, chosen, option, layout, as_csv, output, force, suggest=suggest_codes)
    click.echo(f"wrote {written.path}: {written.files} evidence files, {written.columns} KSB columns"
               if written.layout == "grid" else
               f"wrote {written.path}: {written.files} evidence files; fill in the KSBs column")
    if suggest_codes:
        click.echo(f"  suggested KSBs for {written.suggested} of {written.files} files from their text: confirm or "
                   "correct each (the Suggested column says which); files with none are for you to map")
    for name in written.names_to_change:
        click.echo(f"  note: rename {name!r}: a manifest cannot name it as it is (it contains ; or | or a backslash)")


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    from portfolio_check.batch import parse_shard

    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _write_batch_pdfs(output_dir: Path, rows: list[PortfolioRow], jobs: int | None, quiet: bool) -> list[PortfolioRow]:
    """report.pdf beside each report.html, after the batch workers: one browser per core at a time (a PDF
    from an earlier run is kept while its report is unchanged). Returns the rows, listing the PDFs made."""
    import dataclasses
    import os

    from portfolio_check.batch.rows import read_row, store_row
    from portfolio_check.report.pdf import HOW_TO_GET_A_PDF, write_pdfs

    chosen = [row for row in rows if "report.html" in row.reports]
    if not quiet and chosen:
        click.echo(f"printing report.pdf for {len(chosen)} portfolios", err=True)
    results = write_pdfs([(output_dir / row.folder / "report.html", output_dir / row.folder / "report.pdf")
                          for row in chosen], workers=jobs or os.cpu_count() or 1, keep_up_to_date=True)
    missed = [(row, result) for row, result in zip(chosen, results, strict=True) if not result.made]
    if missed:
        reasons = sorted({result.reason or "" for _, result in missed})
        click.echo(f"warning: report.pdf was not made for {len(missed)} of {len(chosen)} portfolios "
                   f"({', '.join(row.portfolio for row, _ in missed[:5])}{' ...' if len(missed) > 5 else ''}): "
                   f"{'; '.join(reasons)}; {HOW_TO_GET_A_PDF}", err=True)
    made = {row.folder for row, result in zip(chosen, results, strict=True) if result.made}
    updated = []
    for row in rows:
        if row.folder in made and "report.pdf" not in row.reports:
            row = dataclasses.replace(row, reports=(*row.reports, "report.pdf"))
            # The stored row lists it too, so `merge` and `--resume` know the PDF is part of the reports.
            stored = read_row(output_dir / row.folder)
            if stored is not None:
                store_row(output_dir / row.folder, row, stored.fingerprint)
        updated.append(row)
    return updated


@main.command()
@click.argument("export", type=click.Path(path_type=Path))
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where to write each portfolio's reports, index.html, summary.csv, findings.csv and summary.json.")
@_standard_options
@click.option("--pattern", metavar="GLOB", help="Which entries of the export are portfolios, relative to it "
                                                "(e.g. '*/*' or 'Cohort */*.zip'); '*' does not cross '/'.")
@click.option("--jobs", type=click.IntRange(min=1), help="Portfolios checked at once (default: one per core).")
@click.option("--time-limit", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds one file may take before it is reported as unreadable.")
@click.option("--portfolio-time-limit", type=click.FloatRange(min=1), default=1800.0, show_default=True,
              help="Seconds one portfolio may take before it is stopped and reported as not checked.")
@click.option("--resume", is_flag=True, help="Skip portfolios unchanged since the last run into OUTDIR.")
@click.option("--shard", metavar="I/N", callback=_shard,
              help="Check only every N-th portfolio starting with the I-th (1-based), e.g. 2/4; "
                   "combine shard outputs with `portfolio-check merge`.")
@click.option("--quiet", is_flag=True, help="No progress output; only the one-line totals.")
@click.option("--pdf", is_flag=True, help="Also write each portfolio's report.pdf, printed by Chromium, Chrome or "
                                          "Edge (set PORTFOLIO_CHECK_BROWSER to name one).")
@click.pass_context
@reports_errors
def batch(ctx: click.Context, export: Path, output_dir: Path, standard: str | None, standard_version: str | None,
          option: str | None, pattern: str | None, jobs: int | None, time_limit: float, portfolio_time_limit: float,
          resume: bool, shard: tuple[int, int] | None, quiet: bool, pdf: bool) -> None:
    """Check every portfolio of an export, each in its own worker, and summarise them.

    EXPORT is a folder or a zip (e.g. a SharePoint or OneDrive download) whose sub-folders or zips
    are portfolios. Writes OUTDIR/<portfolio>/report.json (and report.html), OUTDIR/index.html,
    summary.csv, findings.csv and summary.json. Exit status: 0 every portfolio was checked (whatever the
    verdicts), 1 some could not be checked, 2 could not run.
    """
    import time

    from portfolio_check.batch import BatchSettings, run_batch
    from portfolio_check.extract.runner import ExtractionSettings
    from portfolio_check.pipeline import CheckSettings
    from portfolio_check.report import batch_view

    flags = {"standard": standard, "version": standard_version, "option": option}
    settings = BatchSettings(
        check=CheckSettings(flags={k: v for k, v in flags.items() if v},
                            extraction=ExtractionSettings(jobs=1, seconds_per_file=time_limit)),
        jobs=jobs, portfolio_seconds=portfolio_time_limit, resume=resume, shard=shard)
    on_terminal = sys.stderr.isatty()
    started = time.monotonic()

    def on_done(done: int, total: int, row: PortfolioRow, reused: bool) -> None:
        if quiet:
            return
        if on_terminal:
            click.echo("\r" + batch_view.progress_bar(done, total, time.monotonic() - started), nl=done == total, err=True)
        else:
            click.echo(batch_view.progress_line(done, total, row, reused), err=True)

    result = run_batch(export, output_dir, _catalogues(ctx), settings, pattern, on_done)
    if not result.rows:
        raise Failure(f"no portfolios found in {export}" + (" for this shard" if shard else "")
                      + "; a portfolio is a sub-folder or a zip (see --pattern)")
    discovery = result.discovery
    ignored = [{"path": i.path, "reason": i.reason} for i in discovery.ignored]
    shard_text = f"{shard[0]}/{shard[1]}" if shard else None
    if pdf:
        result.rows = _write_batch_pdfs(output_dir, result.rows, jobs, quiet)
    warnings = batch_view.write_batch_outputs(output_dir, result.rows, str(export), shard_text, ignored, discovery.problems)
    if not quiet and on_terminal:
        for row in result.rows:
            if row.failed:
                click.echo(batch_view.outcome_line(row), err=True)
    click.echo(batch_view.final_line(result.rows, result.reused, warnings), err=True)  # --quiet too
    if not quiet:
        click.echo(f"wrote {output_dir / 'index.html'}", err=True)
    ctx.exit(1 if result.failed else 0)


@main.command()
@click.argument("shard_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the merged index.html, summary.csv and summary.json.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.pass_context
@reports_errors
def merge(ctx: click.Context, shard_dirs: tuple[Path, ...], output_dir: Path, quiet: bool) -> None:
    """Combine the outputs of `batch --shard` runs into one index and summary.

    SHARD_DIRS are the output folders of the shards. Portfolio folders are copied into OUTDIR
    (unless it is one of them). Exit status: 0 every portfolio was checked, 1 some could not be.
    """
    from portfolio_check.batch import merge_outputs
    from portfolio_check.report import batch_view

    merged = merge_outputs(shard_dirs, output_dir)
    if not merged.rows:
        raise Failure(f"no batch outputs found in {', '.join(map(str, shard_dirs))}")
    warnings = batch_view.write_batch_outputs(output_dir, merged.rows, merged.export, None, merged.ignored, merged.problems)
    if not quiet:
        click.echo(batch_view.final_line(merged.rows, 0, warnings), err=True)
        click.echo(f"wrote {output_dir / 'index.html'}", err=True)
    ctx.exit(1 if any(row.failed for row in merged.rows) else 0)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The port to serve the page on (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Another than this computer's own needs --allow-network.")
@click.option("--allow-network", is_flag=True,
              help="Let other computers reach the page (with --host); every visitor then needs the access link.")
@click.option("--token", envvar="PORTFOLIO_CHECK_SERVE_TOKEN", metavar="TEXT",
              help="The access token with --allow-network (default: a new one, shown on start-up).")
@click.option("--allow-host", "extra_hosts", multiple=True, metavar="NAME",
              help="Another name the page is reached by with --allow-network (repeatable).")
@click.option("--jobs", type=click.IntRange(min=1), help="Portfolios checked at once (default: one per core).")
@click.option("--max-upload-mb", type=click.IntRange(min=1), default=2048, show_default=True,
              help="Largest upload (all its files together), in MB.")
@click.option("--keep-minutes", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Minutes a report stays on the page after it is done; then it is deleted.")
@click.option("--time-limit", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds one file may take before it is reported as unreadable.")
@click.option("--portfolio-time-limit", type=click.FloatRange(min=1), default=1800.0, show_default=True,
              help="Seconds one portfolio may take before it is stopped and reported as not checked.")
@click.pass_context
@reports_errors
def serve(ctx: click.Context, port: int, open_browser: bool, host: str, allow_network: bool, token: str | None,
          extra_hosts: tuple[str, ...], jobs: int | None, max_upload_mb: int, keep_minutes: float, time_limit: float,
          portfolio_time_limit: float) -> None:
    """Check portfolios on a web page on this computer: upload zips, read the reports.

    Nothing leaves this computer: uploads are checked here as `check -o` and `batch` check them,
    and deleted with their reports after --keep-minutes. Stop it with Ctrl+C.
    """
    import secrets

    from portfolio_check.serve.server import serve as serve_page
    from portfolio_check.serve.settings import ServeSettings, is_loopback

    if allow_network and not is_loopback(host) and token is None:
        token = secrets.token_urlsafe(24)
    settings = ServeSettings(host=host, port=port, allow_network=allow_network, token=token, jobs=jobs,
                             max_upload_bytes=max_upload_mb * 1024**2, keep_seconds=keep_minutes * 60,
                             seconds_per_file=time_limit, portfolio_seconds=portfolio_time_limit,
                             extra_hosts=extra_hosts)
    settings.check()

    def ready(url: str) -> None:
        click.echo(f"portfolio-check is ready: open {url} in your web browser.")
        if settings.token and allow_network:
            click.echo("Other computers need this whole link: it holds the access token. Share it only with "
                       "the people who may check portfolios here.")
        click.echo(f"Portfolios are checked on this computer; each report is deleted {keep_minutes:g} minutes "
                   "after it is done. Press Ctrl+C to stop.", err=False)

    serve_page(settings, _catalogues(ctx), ready, open_browser)
    click.echo("Stopped. The uploads and reports it held were deleted.")
