"""The verdict cannot contradict itself: invariants on samples, fixtures and generated portfolios.

Every assessment keeps: ready exactly when there is no error; an error's checklist line fails; a
failing line has an error; a warning line has a warning; every finding names its line; and the
text, JSON and HTML outputs show the same verdict, counts and figures.
"""

from __future__ import annotations

from pathlib import Path

import portfolios
import pytest
from consistency import assert_invariants, assert_outputs_agree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio_check.catalogue.loader import discover
from portfolio_check.checks.context import Resolution
from portfolio_check.checks.gateway import assess
from portfolio_check.checks.model import ExtractedPortfolio
from portfolio_check.extract.manifest import Manifest, ManifestRow
from portfolio_check.extract.model import FileRecord, Problem
from portfolio_check.pipeline import check_portfolio

CATALOGUES = discover()
SAMPLES = Path(__file__).resolve().parent.parent / "sample_portfolios"
SAMPLE_PORTFOLIOS = sorted([p for p in SAMPLES.iterdir() if p.name.startswith("ST")]
                           + [p for p in (SAMPLES / "sharepoint-export").iterdir()
                              if p.is_dir() or p.suffix == ".zip"])


@pytest.mark.parametrize("sample", SAMPLE_PORTFOLIOS, ids=lambda p: p.name)
def test_every_sample_keeps_the_invariants(sample: Path) -> None:
    assessment = check_portfolio(sample, CATALOGUES)
    assert_invariants(assessment)
    assert_outputs_agree(assessment)


FIXTURES = {
    "ready": portfolios.Spec(),
    "grid-excel": portfolios.Spec(layout="grid", manifest_format="xlsx", option="post-production-coordinator"),
    "too-few-and-uncovered": portfolios.Spec(pieces=15, uncovered=("K1", "S3")),
    "over-the-video-limit": portfolios.Spec(videos=(420.0,), embedded=(240.0,)),
    "no-statement": portfolios.Spec(statement=False),
    "option-unknown": portfolios.Spec(option=None),
    "duties": portfolios.Spec(standard="ST1457", option=None, pieces=12),
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_fixture_keeps_the_invariants(name: str, tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "Sam Patel 1234567899", FIXTURES[name])
    assessment = check_portfolio(root, CATALOGUES)
    assert_invariants(assessment)
    assert_outputs_agree(assessment)


# --- generated portfolios: the extracted data a real portfolio could give, built directly -------------

ST0792 = CATALOGUES.get("ST0792")
ST1457 = CATALOGUES.get("ST1457")
STATEMENT_TEXT = "\n".join(portfolios.STATEMENT)


def _record(path: str, kind: str, **facts: object) -> FileRecord:
    problems = facts.pop("problems", [])
    error = facts.pop("error", None)
    text = facts.pop("text", None)
    return FileRecord(path=path, size=1000, sha256=path, kind=kind, format=kind, description=kind,
                      metadata=dict(facts), text=text, problems=list(problems),  # type: ignore[arg-type]
                      error=error)  # type: ignore[arg-type]


@st.composite
def extracted_portfolios(draw: st.DrawFn) -> tuple[ExtractedPortfolio, Resolution]:
    standard = draw(st.sampled_from([ST0792, ST1457, None]))
    option = None
    if standard is not None and standard.options:
        option = draw(st.sampled_from([None, *[o.id for o in standard.options]]))
    codes = list(standard.evidence_codes()) if standard is not None else ["K1", "S1"]
    records: list[FileRecord] = []
    rows: list[ManifestRow] = []
    for number in range(1, draw(st.integers(0, 24)) + 1):
        kind = draw(st.sampled_from(["word", "pdf", "video", "image"]))
        path = f"{number:02d} evidence.{ {'word': 'docx', 'pdf': 'pdf', 'video': 'mp4', 'image': 'jpg'}[kind] }"
        facts: dict[str, object] = {}
        if kind == "video":
            facts["duration_seconds"] = draw(st.one_of(st.none(), st.floats(0, 400).map(lambda s: round(s, 3))))
        if draw(st.integers(0, 9)) == 0:
            facts["problems"] = [Problem("file-encrypted", "it is password-protected")]
            facts["error"] = "file-encrypted"
        records.append(_record(path, kind, text="Call sheet" if kind in ("word", "pdf") else None, **facts))
        mapped = draw(st.lists(st.sampled_from([*codes, "K99"]), max_size=5, unique=True))
        files = (path,) if draw(st.integers(0, 9)) else (path, "missing.docx")
        rows.append(ManifestRow(where=f"row {number + 1}", piece=str(number), title=f"Evidence {number}",
                                files=files, codes=tuple(mapped), date=draw(st.sampled_from([None, "2025-06-01",
                                                                                             "2019-01-01"]))))
    if draw(st.booleans()):
        records.append(_record("Declaration.docx", "word", text=STATEMENT_TEXT))
    manifest_state = draw(st.sampled_from(["present", "missing", "unreadable"]))
    manifest = None if manifest_state == "missing" else Manifest(layout="list" if manifest_state == "present"
                                                                 else "unknown",
                                                                 rows=rows if manifest_state == "present" else [])
    details = draw(st.fixed_dictionaries({}, optional={
        "uln": st.sampled_from(["1234567899", "1234567890"]),
        "start_date": st.just("2024-09-01"), "gateway_date": st.just("2026-03-01")}))
    portfolio = ExtractedPortfolio(
        name="Generated", source="generated", records=records,
        manifest_path=None if manifest is None else "KSB mapping.csv", manifest=manifest,
        manifest_error="the file is not a workbook" if manifest_state == "unreadable" else None,
        details=details, detail_sources={key: "portfolio.yaml" for key in details})
    resolution = Resolution(standard=standard, option=option,
                            undetermined=None if standard else "no manifest codes, no portfolio details")
    return portfolio, resolution


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extracted_portfolios())
def test_generated_portfolios_keep_the_invariants(generated: tuple[ExtractedPortfolio, Resolution]) -> None:
    assessment = assess(*generated)
    assert_invariants(assessment)
    assert_outputs_agree(assessment)
