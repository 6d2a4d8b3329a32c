"""The Gateway rules, one by one, on portfolios of real files built in the tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import builders
import portfolios
import pytest

from portfolio_check.catalogue.loader import discover
from portfolio_check.checks.resolve import details_from_folder_name, uln_is_valid
from portfolio_check.pipeline import CheckSettings, check_portfolio, manifest_candidates

CATALOGUES = discover()


def check(root: Path, **flags: str):
    return check_portfolio(root, CATALOGUES, CheckSettings(flags=flags))


def codes(assessment) -> set[str]:
    return {f.code for f in assessment.findings}


def errors(assessment) -> set[str]:
    return {f.code for f in assessment.errors}


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return portfolios.build(tmp_path_factory.mktemp("ready") / "Sam Patel 1234567899")


def test_a_complete_portfolio_is_ready(ready: Path) -> None:
    assessment = check(ready)
    assert assessment.verdict == "ready", [f.message for f in assessment.errors]
    assert (assessment.standard.reference, assessment.option) == ("ST0792", "production-coordinator")
    assert any("standard ST0792" in note for note in assessment.inferred)
    assert any("option production-coordinator" in note for note in assessment.inferred)
    assert assessment.piece_count == 18
    assert assessment.coverage.missing == [] and len(assessment.coverage.required) == 26
    assert assessment.attribution.statement.path == "Declaration.docx"
    assert "Declaration.docx" in assessment.documents and "KSB mapping.csv" in assessment.documents
    assert assessment.unmapped_files == ()
    assert assessment.portfolio.details["apprentice"] == "Sam Patel"
    assert assessment.portfolio.detail_sources["uln"] == "folder name"
    # Every rule line passes; without start and Gateway dates, evidence dates are left unknown (and so are
    # the pre-Gateway requirements, which no detail answers); the
    # fixture's one-line documents say little about the KSBs they claim, which warns but stays ready;
    # so does its clip, 16x16 pixels of one colour: no one in view, too small to see, a still.
    assert {i.rule: i.status.value for i in assessment.checklist} == {
        "standard": "pass", "manifest": "pass", "piece-count": "pass", "coverage": "pass", "ksb-claims": "warning",
        "video-limit": "pass", "video-person": "warning", "video-quality": "warning", "attribution": "pass",
        "files": "pass", "details": "unknown", "pre-gateway": "unknown"}


def test_cli_exit_status_and_json_contract(cli, ready: Path, tmp_path: Path) -> None:
    result = cli("check", str(ready), "--format", "json", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "ready"
    assert report["standard"] == {**report["standard"], "reference": "ST0792", "version": "1.2",
                                  "option": "production-coordinator"}
    assert set(report["summary"]) >= {"pieces", "video_seconds", "audio_seconds", "errors", "warnings"}
    assert report["summary"]["pieces"] == 18 and report["summary"]["video_seconds"] == pytest.approx(120, abs=0.5)
    assert set(report["pieces"][0]) >= {"id", "title", "files", "ksbs"}
    assert set(report["coverage"]) >= {"required", "covered", "missing"}
    assert report["apprentice"]["name"] == "Sam Patel"
    assert json.loads((tmp_path / "out" / "report.json").read_text())["verdict"] == "ready"
    text = cli("check", str(ready))
    assert text.exit_code == 0 and text.stdout.startswith("Sam Patel: READY for Gateway")


@pytest.mark.parametrize(("pieces", "ok"), [(17, False), (18, True), (20, True), (21, False)])
def test_piece_count_edges(tmp_path: Path, pieces: int, ok: bool) -> None:
    assessment = check(portfolios.build(tmp_path / "p", portfolios.Spec(pieces=pieces)))
    assert ("piece-count" not in codes(assessment)) is ok
    if not ok:
        finding = next(f for f in assessment.findings if f.code == "piece-count")
        assert f"has {pieces} discrete pieces" in finding.message and "18 to 20" in finding.message


@pytest.mark.parametrize(("videos", "embedded", "over"), [
    ((600.0,), (), False),
    ((300.0, 300.5), (), True),
    ((590.0,), (15.0,), True),
])
def test_video_limit_edges(tmp_path: Path, videos, embedded, over: bool) -> None:
    assessment = check(portfolios.build(tmp_path / "p", portfolios.Spec(videos=videos, embedded=embedded)))
    assert ("video-limit" in codes(assessment)) is over
    if embedded:
        assert any(c.embedded_in for c in assessment.clips)
        finding = next(f for f in assessment.findings if f.code == "video-limit")
        assert "embedded in a document" in finding.message and "10 min" in finding.message


def test_grid_layout_in_excel_post_production(tmp_path: Path) -> None:
    spec = portfolios.Spec(option="post-production-coordinator", layout="grid", manifest_format="xlsx",
                           details={"apprentice": "Alex Doe", "uln": "1234567899", "standard": "ST0792",
                                    "option": "post-production-coordinator"})
    assessment = check(portfolios.build(tmp_path / "p", spec))
    assert assessment.verdict == "ready", [f.message for f in assessment.errors]
    assert assessment.portfolio.manifest.layout == "grid"
    assert assessment.option == "post-production-coordinator" and assessment.inferred == ()
    assert "K28" in assessment.coverage.required and "K19" not in assessment.coverage.required


def test_uncovered_ksbs_are_listed_in_one_finding(tmp_path: Path) -> None:
    assessment = check(portfolios.build(tmp_path / "p", portfolios.Spec(uncovered=("K1", "S9"))))
    [finding] = [f for f in assessment.findings if f.code == "ksb-not-covered"]
    assert finding.message.startswith("2 of the 26 KSBs") and "K1, S9" in finding.message
    assert assessment.coverage.missing == ["K1", "S9"]


def test_missing_statement_and_manifest(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "p", portfolios.Spec(statement=False))
    assert "attribution-missing" in errors(check(root))
    (root / "KSB mapping.csv").unlink()
    assessment = check(root, standard="ST0792", option="production-coordinator")
    assert {"manifest-missing", "attribution-missing"} <= errors(assessment)
    assert assessment.piece_count == 18 and assessment.piece_count_estimated


def test_manifest_problems(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "p", portfolios.Spec(pieces=18))
    manifest = root / "KSB mapping.csv"
    lines = manifest.read_text().splitlines()
    lines.append('19,Ghost,"missing file.docx",K1')
    lines.append("20,Unmapped,04 Call sheet 4.docx,")
    lines.append("21,Unknown codes,07 Call sheet 7.docx,K99 S1")
    lines.append("22,No files,,K1")
    manifest.write_text("\n".join(lines) + "\n")
    (root / "stray notes.docx").write_bytes((root / "10 Call sheet 10.docx").read_bytes())
    assessment = check(root)
    found = codes(assessment)
    assert {"manifest-missing-file", "piece-without-ksb", "manifest-unknown-ksb", "manifest-invalid",
            "unmapped-file", "duplicate-evidence"} <= found
    unknown = next(f for f in assessment.findings if f.code == "manifest-unknown-ksb")
    assert unknown.piece == "21" and "K99" in unknown.message
    assert any("except K99" in note for note in assessment.inferred)
    assert next(f for f in assessment.findings if f.code == "unmapped-file").path == "stray notes.docx"


def test_other_option_and_option_inference(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "p")
    manifest = root / "KSB mapping.csv"
    manifest.write_text(manifest.read_text().replace("Evidence 1,", "Evidence 1,", 1).rstrip("\n")
                        + "\n19,Extra,04 Call sheet 4.docx,K28\n")
    ambiguous = check(root)
    assert "option-unknown" in errors(ambiguous)
    chosen = check(root, option="production-coordinator")
    assert "ksb-other-option" in codes(chosen) and "option-unknown" not in codes(chosen)


def test_unknown_flags_exit_2(cli, ready: Path) -> None:
    result = cli("check", str(ready), "--standard", "ST9999")
    assert result.exit_code == 2 and "Known: ST0792, ST1457" in result.stderr
    result = cli("check", str(ready), "--option", "editor")
    assert result.exit_code == 2 and "Known: production-coordinator, post-production-coordinator" in result.stderr


def test_st1457_portfolio_mapped_to_duties(tmp_path: Path) -> None:
    assessment = check(portfolios.build(tmp_path / "p", portfolios.Spec(standard="ST1457", option=None, pieces=12)))
    assert assessment.standard.reference == "ST1457"
    assert assessment.verdict == "ready", [f.message for f in assessment.errors]
    assert assessment.coverage.required == [f"D{i}" for i in range(1, 12)]
    assert all(item.assumed for item in assessment.checklist if item.rule in ("piece-count", "video-limit"))
    assert next(i for i in assessment.checklist if i.rule == "manifest").title == "Duty mapping manifest"


def test_uln_evidence_dates_and_locations(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "Jo Bloggs 1234567890")
    manifest = root / "KSB mapping.csv"
    text = manifest.read_text().replace("Piece,Title,Files,KSBs", "Piece,Title,Files,KSBs,Date,Location")
    rows = text.splitlines()
    rows[1] += ",01/01/2020,02:10-03:40"   # piece 1: a 2-minute video
    rows[2] += ",,p. 9"                     # piece 2: a 2-page PDF
    rows[3] += ",2026-03-01,p. 2"           # piece 3: a photo has no pages; not checked
    manifest.write_text("\n".join(rows) + "\n")
    assessment = check(root, start_date="2025-01-06", gateway_date="2026-09-01")
    found = codes(assessment)
    assert "uln-invalid" in found
    dates = [f for f in assessment.findings if f.code == "evidence-date"]
    assert [f.piece for f in dates] == ["1"] and "2020-01-01" in dates[0].message
    locations = [f for f in assessment.findings if f.code == "location-out-of-range"]
    assert {f.piece for f in locations} == {"1", "2"}


def test_uln_check_digit() -> None:
    assert uln_is_valid("1234567899")
    assert not uln_is_valid("1234567890")
    assert not uln_is_valid("123456789")
    assert details_from_folder_name("Jane Smith 1234567890") == {"apprentice": "Jane Smith", "uln": "1234567890"}
    assert details_from_folder_name("Portfolio") == {}


def test_file_problems_carry_through(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "p")
    builders.pdf(root / "05 Schedule 5.pdf", [["locked"]], user_password="secret")
    assessment = check(root)
    assert "file-encrypted" in errors(assessment)


def test_manifest_is_found_by_name() -> None:
    assert manifest_candidates(["a/mapping.json", "KSB Mapping.csv", "Manifest.xlsx", "notes.docx",
                                "e.zip!/manifest.csv"]) == ["Manifest.xlsx", "KSB Mapping.csv", "a/mapping.json",
                                                            "e.zip!/manifest.csv"]


def test_manifest_init_writes_a_template_and_refuses_to_overwrite(cli, ready: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(ready, copy)
    (copy / "KSB mapping.csv").unlink()
    result = cli("manifest", "init", str(copy), "--standard", "ST0792", "--option", "production-coordinator",
                 "--layout", "grid")
    assert result.exit_code == 0, result.output
    assert (copy / "KSB mapping.xlsx").is_file()
    again = cli("manifest", "init", str(copy), "--standard", "ST0792", "--option", "production-coordinator")
    assert again.exit_code == 2 and "already exists; use --force" in again.stderr
    assessment = check(copy, option="production-coordinator")
    assert assessment.portfolio.manifest.layout == "grid"
    assert len(assessment.pieces) == 19  # 18 evidence files and the declaration, none mapped yet
    assert "piece-without-ksb" in errors(assessment)
