"""What providers really do wrong, built from real files: each gives a verdict and a finding, not a crash,
a wrong READY, or a NOT READY for the wrong reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import builders
import portfolios
import pytest
from click.testing import CliRunner
from consistency import assert_invariants, assert_outputs_agree

from portfolio_check.catalogue.loader import discover
from portfolio_check.checks.outcome import Status
from portfolio_check.cli import main
from portfolio_check.pipeline import check_portfolio

CATALOGUES = discover()
SAMPLES = Path(__file__).resolve().parent.parent / "sample_portfolios"
READY = SAMPLES / "ST0792-production-coordinator-ready"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _zip_folder(folder: Path, target: Path, password: str | None = None) -> Path:
    if password:
        subprocess.run(["zip", "-q", "-r", "-P", password, str(target), folder.name], cwd=folder.parent, check=True)
    else:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                archive.write(path, path.relative_to(folder.parent).as_posix())
    return target


# --- the portfolio as a whole ------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("zip") is None, reason="the zip command is not installed")
def test_a_password_protected_portfolio_zip_is_one_finding(tmp_path: Path) -> None:
    portfolio = _zip_folder(READY, tmp_path / "Priya.zip", password="secret")
    code, text, _ = run("check", str(portfolio), "--standard", "ST0792", "--format", "json")
    report = json.loads(text)
    assert code == 1
    assert [(f["code"], f["rule"], f["severity"]) for f in report["findings"]] == [("file-encrypted", "files", "error")]
    assert "without a password" in report["findings"][0]["fix"]


def test_a_portfolio_zip_that_is_an_archive_bomb_gets_a_verdict_and_reports(tmp_path: Path) -> None:
    bomb = tmp_path / "Portfolio.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Portfolio/notes.txt", b"0" * 200_000_000)
    code, text, _ = run("check", str(bomb), "-o", str(tmp_path / "out"))
    assert code == 1 and "NOT READY" in text
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [(f["code"], f["rule"]) for f in report["findings"]] == [("unsafe-archive", "files")]
    assert (tmp_path / "out" / "report.html").is_file()


@pytest.mark.skipif(shutil.which("7zz") is None and shutil.which("7z") is None, reason="7-Zip is not installed")
def test_a_7z_portfolio_is_named_with_the_fix(tmp_path: Path) -> None:
    seven = shutil.which("7zz") or shutil.which("7z")
    archive = tmp_path / "Priya.7z"
    subprocess.run([str(seven), "a", "-bd", "-y", str(archive), str(READY)], check=True, capture_output=True)
    code, _, error = run("check", str(archive))
    assert code == 2
    assert "7-Zip" in error and ".zip" in error and "Traceback" not in error


def test_check_on_an_export_refuses_and_points_to_batch(tmp_path: Path) -> None:
    code, text, error = run("check", str(SAMPLES / "sharepoint-export"))
    assert code == 2 and text == ""
    assert "holds 5 portfolios" in error and "portfolio-check batch" in error and "Aisha Rahman 9273610489" in error


def test_a_portfolio_with_sub_folders_is_not_mistaken_for_an_export(tmp_path: Path) -> None:
    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec())
    (portfolio / "Week 1").mkdir()
    builders.docx(portfolio / "Week 1" / "Jo Bloggs 1234567899.docx", ["A note"])
    assert check_portfolio(portfolio, CATALOGUES).verdict in ("ready", "not-ready")


def test_an_empty_portfolio_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "Jo Bloggs 1234567899"
    folder.mkdir()
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (folder / "portfolio.yaml").write_text("apprentice: Jo Bloggs\nstandard: ST0792\n", encoding="utf-8")
    code, text, _ = run("check", str(folder), "--format", "json")
    report = json.loads(text)
    assert code == 1
    assert [(f["code"], f["rule"]) for f in report["findings"]] == [("portfolio-empty", "piece-count")]
    assessment = check_portfolio(folder, CATALOGUES)
    assert_invariants(assessment)
    assert_outputs_agree(assessment)


def test_the_tools_own_report_inside_the_portfolio_is_not_evidence(tmp_path: Path) -> None:
    portfolio = tmp_path / "ready"
    shutil.copytree(READY, portfolio)
    code, _, error = run("check", str(portfolio), "-o", str(portfolio / "gateway-report"))
    assert code == 0 and "inside the portfolio" in error
    code, text, _ = run("check", str(portfolio), "--format", "json")
    report = json.loads(text)
    # The sample's clips are colour patterns (no one in view) and one hand-mapped claim rests on a
    # single line: those warnings are the only findings.
    assert code == 0 and [f for f in report["findings"]
                          if f["rule"] not in ("ksb-claims", "video-person", "video-quality")] == []
    assert not any("gateway-report" in json.dumps(f) for f in report["findings"])
    assert {"path": "gateway-report/", "reason": "portfolio-check's own report from an earlier run"} in report["ignored"]


# --- rules that used to disagree with themselves ----------------------------------------------------

def test_a_piece_whose_only_file_is_encrypted_is_not_counted(tmp_path: Path) -> None:
    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec(pieces=18))
    pdf = next(portfolio.glob("*.pdf"))
    builders.pdf(pdf, [["Production schedule"]], user_password="secret")
    assessment = check_portfolio(portfolio, CATALOGUES)
    assert assessment.piece_count == 17
    unusable = [f for f in assessment.findings if f.code == "piece-unusable"]
    assert len(unusable) == 1 and "Once fixed it adds 1 more piece (18 in all)" in unusable[0].message
    assert {f.code for f in assessment.errors} >= {"file-encrypted", "piece-count"}
    assert_invariants(assessment)


def test_a_scan_is_a_likely_statement_whatever_its_name(tmp_path: Path) -> None:
    from PIL import Image

    verdicts = {}
    for name in ("Declaration.pdf", "Scan_20260306_0912.pdf"):
        portfolio = portfolios.build(tmp_path / name / "Sam Patel 1234567899", portfolios.Spec(statement=False))
        page = Image.new("L", (620, 877), 255)
        page.save(portfolio / name, "PDF", resolution=75)
        assessment = check_portfolio(portfolio, CATALOGUES)
        verdicts[name] = (assessment.verdict, [f.code for f in assessment.findings if f.rule == "attribution"])
    assert verdicts["Declaration.pdf"] == verdicts["Scan_20260306_0912.pdf"] == ("ready", ["attribution-unverified"])


def test_a_scan_mapped_as_evidence_is_not_taken_for_the_statement(tmp_path: Path) -> None:
    from PIL import Image

    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec(statement=False))
    pdf = next(portfolio.glob("*.pdf"))
    Image.new("L", (620, 877), 255).save(pdf, "PDF", resolution=75)
    assessment = check_portfolio(portfolio, CATALOGUES)
    assert [f.code for f in assessment.findings if f.rule == "attribution"] == ["attribution-missing"]


def test_a_proposal_standard_is_ready_only_against_assumed_rules() -> None:
    code, text, _ = run("check", str(SAMPLES / "ST1457-assistant-stage-manager"))
    assert code == 0
    assert text.splitlines()[0].endswith("READY against assumed rules (ST1457 is not yet approved)")


def test_an_unknown_option_checks_the_core_and_names_the_unchecked_option_ksbs(tmp_path: Path) -> None:
    portfolio = portfolios.build(tmp_path / "Sam Patel 1234567899", portfolios.Spec(option=None))
    assessment = check_portfolio(portfolio, CATALOGUES)
    coverage = assessment.outcome("coverage")
    assert coverage.status is Status.UNKNOWN and not coverage.findings
    standard = assessment.standard
    assert standard is not None
    core = [k.code for k in standard.ksbs_for(None, standard.portfolio.evidence_method) if k.is_core]
    assert coverage.figure.text.startswith(f"{len(core)} of {len(core)} core KSBs covered; the option's ")
    option = next(f for f in assessment.findings if f.code == "option-unknown")
    assert "Only the core KSBs were checked" in option.message and "K17" in option.message


def test_batch_on_one_portfolio_points_to_check(tmp_path: Path) -> None:
    code, _, error = run("batch", str(READY), "-o", str(tmp_path / "out"))
    assert code == 2 and "looks like one apprentice's portfolio" in error and "portfolio-check check" in error


@pytest.mark.skipif(shutil.which("7zz") is None and shutil.which("7z") is None, reason="7-Zip is not installed")
def test_a_7z_portfolio_in_an_export_is_a_could_not_check_row(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(SAMPLES / "sharepoint-export" / "Aisha Rahman 9273610489", export / "Aisha Rahman 9273610489")
    seven = shutil.which("7zz") or shutil.which("7z")
    subprocess.run([str(seven), "a", "-bd", "-y", str(export / "Ben Carter 3382057165.7z"),
                    str(SAMPLES / "sharepoint-export" / "Ben Carter 3382057165")], check=True, capture_output=True)
    code, _, _ = run("batch", str(export), "-o", str(tmp_path / "out"), "--quiet")
    assert code == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    rows = {row["portfolio"]: row for row in summary["portfolios"]}
    assert rows["Ben Carter 3382057165"]["status"] == "error" and "7-Zip" in rows["Ben Carter 3382057165"]["problem"]
    assert rows["Aisha Rahman 9273610489"]["verdict"] == "ready"


def test_a_sub_folder_checked_instead_of_the_portfolio_points_to_the_portfolio(tmp_path: Path) -> None:
    """Picking "01 Pre-production" instead of the portfolio folder: the findings say which folder to check."""
    portfolio = tmp_path / "Priya Chandran 4826193059"
    shutil.copytree(READY, portfolio)
    code, out, _ = run("check", str(portfolio / "01 Pre-production"), "--format", "json")
    assert code == 1
    findings = {f["code"]: f for f in json.loads(out)["findings"]}
    whole = f'portfolio-check check "{portfolio.resolve()}"'
    assert findings["manifest-missing"]["fix"] == f"Check the whole portfolio folder: {whole}"
    assert f"{portfolio.resolve()} holds a manifest or the portfolio's details" in findings["manifest-missing"]["message"]
    assert findings["standard-unknown"]["fix"].endswith(whole)
    assert findings["standard-unknown"]["message"].count("which standard") == 1
    # Two levels down still finds it; the portfolio itself, or a folder with no portfolio above it, does not.
    deeper = portfolio / "03 Production" / "Stills"
    deeper.mkdir()
    shutil.copy(portfolio / "03 Production" / "Unit base photo 1.jpg", deeper)
    code, out, _ = run("check", str(deeper), "--format", "json")
    assert whole in {f["code"]: f for f in json.loads(out)["findings"]}["manifest-missing"]["fix"]
    loose = tmp_path / "elsewhere" / "Sam Patel 1234567899"
    shutil.copytree(portfolio / "01 Pre-production", loose)
    code, out, _ = run("check", str(loose), "--format", "json")
    assert "whole portfolio" not in out and "portfolio-check manifest init" in out


def test_the_standard_written_as_the_report_prints_it_is_understood(tmp_path: Path) -> None:
    """portfolio.yaml saying 'standard: ST0792 v1.2 Junior production coordinator' (copied from a report)
    is the standard and version it names, not an unknown standard."""
    portfolio = tmp_path / "Priya Chandran 4826193059"
    shutil.copytree(READY, portfolio)
    details = portfolio / "portfolio.yaml"
    lines = [line for line in details.read_text(encoding="utf-8").splitlines() if not line.startswith("version:")]
    lines = ["standard: ST0792 v1.2 Junior production coordinator" if line.startswith("standard:") else line
             for line in lines]
    details.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run("check", str(portfolio), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["verdict"] == "ready"
    assert (report["standard"]["reference"], report["standard"]["version"]) == ("ST0792", "1.2")
