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
from typing import Any, TypeVar

import click

from portfolio_check import __version__
from portfolio_check.errors import PortfolioCheckError

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


def _catalogues(ctx: click.Context):  # -> Catalogues; the loader is imported lazily
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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
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
    """Check catalogue files you wrote or edited; names the file and entry of every problem."""
    from portfolio_check.catalogue.loader import load_catalogue_file
    from portfolio_check.errors import CatalogueError

    failed = 0
    for path in files:
        try:
            standard = load_catalogue_file(path)
        except CatalogueError as exc:
            failed += 1
            click.echo(f"invalid: {exc}")
            continue
        click.echo(f"ok: {path}: {standard.key} {standard.title} ({len(standard.ksbs)} KSBs, "
                   f"{len(standard.duties)} duties)")
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
    for item, target in zip(imported, targets):
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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
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
