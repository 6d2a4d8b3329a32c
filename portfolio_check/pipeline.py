"""Wires the stages for one portfolio: ingest -> extract -> checks. Rendering is the caller's choice.

This is the one place that knows the order of the stages; each stage stays ignorant of the others.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from portfolio_check.catalogue.loader import Catalogues
from portfolio_check.checks.gateway import assess
from portfolio_check.checks.model import Assessment, ExtractedPortfolio
from portfolio_check.checks.resolve import details_from_folder_name, merge_details, resolve
from portfolio_check.errors import PortfolioCheckError
from portfolio_check.extract.manifest import Manifest
from portfolio_check.extract.model import ExtractionProblem
from portfolio_check.extract.runner import DocumentTask, ExtractionSettings, extract_with_documents
from portfolio_check.ingest.archive import Limits
from portfolio_check.ingest.inventory import IngestedFile, Inventory, Locator, ingest

MANIFEST_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".yaml", ".yml", ".json")
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
    """Files that are manifests by name, best first: the root before sub-folders, Excel before CSV
    before YAML before JSON, 'manifest' before 'mapping'."""
    found = []
    for path in paths:
        name = path.rsplit("/", 1)[-1].lower()
        if name.endswith(MANIFEST_SUFFIXES) and ("manifest" in name or "mapping" in name):
            found.append(path)

    def rank(path: str) -> tuple[int, int, int, int, str]:
        name = path.rsplit("/", 1)[-1].lower()
        suffix = next(i for i, s in enumerate(MANIFEST_SUFFIXES) if name.endswith(s))
        return ("!/" in path, path.count("/"), "manifest" not in name, suffix, path)

    return sorted(found, key=rank)


def check_portfolio(path: str | os.PathLike[str], catalogues: Catalogues,
                    settings: CheckSettings = CheckSettings()) -> Assessment:
    """Check one portfolio folder or zip. Raises `PortfolioCheckError` when it cannot be checked at all."""
    inventory = ingest(path, settings.limits)
    return check_inventory(inventory, catalogues, settings)


def check_inventory(inventory: Inventory, catalogues: Catalogues, settings: CheckSettings) -> Assessment:
    paths = [f.path for f in inventory.files]
    documents: list[DocumentTask] = []
    manifest_path: str | None = None
    other_manifests: list[str] = []
    if settings.manifest:
        given = Path(settings.manifest)
        inside = next((f for f in inventory.files if f.path.casefold() == settings.manifest.replace("\\", "/").casefold()), None)
        if inside is None and not given.is_file():
            raise PortfolioCheckError(f"the manifest {settings.manifest} was found neither in the portfolio nor on disk")
        item = inside or IngestedFile(path=str(given), size=given.stat().st_size, locator=Locator(str(given.resolve())))
        manifest_path = item.path
        documents.append(DocumentTask("manifest", item))
    else:
        candidates = manifest_candidates(paths)
        if candidates:
            manifest_path, other_manifests = candidates[0], candidates[1:]
            documents.append(DocumentTask("manifest", next(f for f in inventory.files if f.path == manifest_path)))
    details_item = next((f for f in inventory.files if f.path.lower() in DETAILS_NAMES), None)
    if details_item is not None:
        documents.append(DocumentTask("details", details_item))

    records, read = extract_with_documents(inventory, documents, settings.extraction)
    manifest: Manifest | None = None
    manifest_error = details_error = None
    file_details: dict[str, str] = {}
    for task, result in zip(documents, read):
        if task.role == "manifest":
            if isinstance(result, ExtractionProblem):
                manifest_error = result.message
                manifest = Manifest(layout="unknown")
            else:
                manifest = result  # type: ignore[assignment]
        elif isinstance(result, ExtractionProblem):
            details_error = result.message
        else:
            file_details = dict(result)  # type: ignore[call-overload]

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
        details_path=details_item.path if details_item else None, details_error=details_error,
        details=details, detail_sources=sources)
    codes = [code for row in (manifest.rows if manifest else []) for code in row.codes]
    resolution = resolve(catalogues, details, sources, codes)
    return assess(portfolio, resolution.standard, resolution.option, resolution.inferred, resolution.findings)
