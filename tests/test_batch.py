"""Batch mode over an export: discovery, rows, outputs, resume, shards and merge, failing portfolios.

The export is built once per module from real files: two portfolio folders (one ready, one not ready
whose name would be a spreadsheet formula), a zipped portfolio, a corrupt zip and top-level junk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pickle
import shutil
import time
import zipfile
from pathlib import Path

import portfolios
import pytest

from portfolio_check.batch import (
    ROW_FILE,
    BatchSettings,
    PortfolioChecker,
    PortfolioRow,
    PortfolioSource,
    PortfolioTask,
    check_source,
    checking,
    discover,
    fingerprint,
    parse_shard,
    portfolio_row,
    read_row,
    safe_folder_name,
    settings_key,
    unique_folder_name,
)
from portfolio_check.catalogue.loader import discover as discover_catalogues
from portfolio_check.extract.runner import ExtractionSettings
from portfolio_check.ingest.archive import Limits
from portfolio_check.pipeline import CheckSettings
from portfolio_check.report import batch_view
from portfolio_check.workers import Overrun

NAMES = ["=Formula Apprentice", "Alex Jones", "Broken", "Sam Patel 1234567899"]
TIMESTAMPS = ("generated_at", "checked_at")


def _snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under ``root``: content hash, size and modification time (ns)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            info = path.stat()
            found[str(path.relative_to(root))] = (hashlib.sha256(path.read_bytes()).hexdigest(), info.st_size,
                                                  info.st_mtime_ns)
    return found


def _build_export(root: Path) -> Path:
    export = root / "export"
    portfolios.build(export / "Sam Patel 1234567899", portfolios.Spec())
    portfolios.build(export / "=Formula Apprentice", portfolios.Spec(pieces=12, videos=(30.0,)))
    zipped = portfolios.build(root / "zipped" / "Alex Jones", portfolios.Spec(videos=(60.0,)))
    with zipfile.ZipFile(export / "Alex Jones.zip", "w") as archive:
        for path in sorted(zipped.rglob("*")):
            archive.write(path, path.relative_to(zipped.parent).as_posix())
    (export / "Broken.zip").write_bytes(b"PK\x03\x04" + b"not really a zip " * 40)
    (export / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (export / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (export / "notes.txt").write_text("send these to the EPAO on Friday\n", encoding="utf-8")
    return export


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_export(tmp_path_factory.mktemp("batch"))


@pytest.fixture(scope="module")
def pristine(export: Path) -> dict[str, tuple[str, int, int]]:
    return _snapshot(export)


@pytest.fixture(scope="module")
def full_run(export: Path, pristine: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from click.testing import CliRunner

    from portfolio_check.cli import main

    output = tmp_path_factory.mktemp("full") / "out"
    result = CliRunner().invoke(main, ["batch", str(export), "-o", str(output), "--jobs", "2"], catch_exceptions=False)
    return output, result


def _summary(output: Path) -> dict:
    return json.loads((output / "summary.json").read_text(encoding="utf-8"))


def _without_timestamps(value):
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k not in TIMESTAMPS}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def test_batch_writes_one_row_per_portfolio_with_verdicts_and_exit_status_1(full_run) -> None:
    output, result = full_run
    assert result.exit_code == 1, result.output  # Broken.zip could not be checked
    rows = _summary(output)["portfolios"]
    assert [r["portfolio"] for r in rows] == NAMES
    by_name = {r["portfolio"]: r for r in rows}
    sam, formula, alex, broken = (by_name[n] for n in ("Sam Patel 1234567899", "=Formula Apprentice", "Alex Jones",
                                                        "Broken"))
    assert (sam["verdict"], sam["apprentice"], sam["pieces"], sam["video_seconds"]) == ("ready", "Sam Patel", 18, 120.0)
    assert (alex["verdict"], alex["pieces"], alex["video_seconds"], alex["where"]) == ("ready", 18, 60.0, "Alex Jones.zip")
    assert formula["verdict"] == "not-ready" and "piece-count" in formula["error_codes"] and formula["pieces"] == 12
    assert broken["status"] == "error" and broken["verdict"] is None
    assert "damaged or incomplete zip" in broken["problem"]
    for row in (sam, formula, alex):
        report = json.loads((output / row["folder"] / "report.json").read_text(encoding="utf-8"))
        assert report["verdict"] == row["verdict"]
        assert all((output / row["folder"] / name).is_file() for name in row["reports"])
    assert _summary(output)["totals"] == {"portfolios": 4, "ready": 2, "not_ready": 1, "could_not_check": 1}
    ignored = {i["path"]: i["reason"] for i in _summary(output)["ignored"]}
    assert set(ignored) == {".DS_Store", "Thumbs.db", "notes.txt"}
    assert "[3/4]" in result.output and "Broken: could not check" in result.output


def test_summary_csv_has_a_bom_and_neutralises_formulas(full_run) -> None:
    output, _ = full_run
    data = (output / "summary.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfPortfolio,Apprentice,")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith("'=Formula Apprentice,")
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line.split(","))
    assert len([line for line in lines if line]) == 5
    findings = (output / "findings.csv").read_bytes()
    assert findings.startswith(b"\xef\xbb\xbfPortfolio,Apprentice,ULN,Severity,")
    lines = list(csv.reader(io.StringIO(findings.decode("utf-8-sig"), newline="")))
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)
    assert {line[0] for line in lines[1:]} == {"'=Formula Apprentice", "Alex Jones", "Broken", "Sam Patel 1234567899"}


def test_index_lists_every_portfolio_escaped_with_links_and_a_not_ready_section(full_run) -> None:
    output, _ = full_run
    page = (output / "index.html").read_text(encoding="utf-8")
    assert page.count('<tr data-verdict=') == 4
    assert 'data-verdict="not-ready"' in page and 'data-verdict="error"' in page
    assert "%3DFormula%20Apprentice/report." in page  # folder names are URL-quoted in links
    assert 'id="not-ready"' in page and "could not be checked: " in page
    assert "<script src" not in page and "http://" not in page and "https://" not in page


def test_two_runs_with_different_jobs_give_identical_summaries(export: Path, full_run, tmp_path: Path, cli) -> None:
    output, _ = full_run
    again = tmp_path / "again"
    result = cli("batch", str(export), "-o", str(again), "--jobs", "1", "--quiet")
    assert result.exit_code == 1
    warnings = len(_summary(again)["cross_portfolio"])
    assert warnings  # the builders' files are the same in each portfolio
    # --quiet prints the one-line totals and nothing else.
    assert result.output == (f"4 portfolios: 2 ready, 1 not ready, 1 could not be checked; {warnings} cross-portfolio "
                             "warnings\n")
    first, second = _summary(output), _summary(again)
    first["export"] = second["export"] = None
    assert _without_timestamps(first) == _without_timestamps(second)
    assert (output / "summary.csv").read_bytes() == (again / "summary.csv").read_bytes()
    assert (output / "findings.csv").read_bytes() == (again / "findings.csv").read_bytes()


def test_resume_skips_unchanged_portfolios_and_rechecks_a_changed_one(export: Path, tmp_path: Path, cli) -> None:
    copy = tmp_path / "export"
    shutil.copytree(export, copy)
    output = tmp_path / "out"
    cli("batch", str(copy), "-o", str(output), "--jobs", "2")
    written = {n: (output / n / "report.json").stat().st_mtime_ns for n in ("Sam Patel 1234567899", "Alex Jones")}

    unchanged = cli("batch", str(copy), "-o", str(output), "--resume")
    assert unchanged.exit_code == 1
    assert unchanged.output.count("(unchanged, not checked again)") == 3  # the error row is retried
    assert {n: (output / n / "report.json").stat().st_mtime_ns for n in written} == written

    manifest = copy / "Sam Patel 1234567899" / "KSB mapping.csv"
    manifest.write_text("\n".join(manifest.read_text(encoding="utf-8").splitlines()[:10]) + "\n", encoding="utf-8")
    changed = cli("batch", str(copy), "-o", str(output), "--resume")
    assert changed.output.count("(unchanged, not checked again)") == 2
    rows = {r["portfolio"]: r for r in _summary(output)["portfolios"]}
    assert rows["Sam Patel 1234567899"]["verdict"] == "not-ready"
    assert rows["Sam Patel 1234567899"]["pieces"] == 9
    assert (output / "Alex Jones" / "report.json").stat().st_mtime_ns == written["Alex Jones"]
    assert (output / "Sam Patel 1234567899" / "report.json").stat().st_mtime_ns != written["Sam Patel 1234567899"]


def test_shards_then_merge_equal_a_full_run(export: Path, full_run, tmp_path: Path, cli) -> None:
    output, _ = full_run
    first, second, merged = tmp_path / "s1", tmp_path / "s2", tmp_path / "merged"
    one = cli("batch", str(export), "-o", str(first), "--shard", "1/2", "--quiet")
    two = cli("batch", str(export), "-o", str(second), "--shard", "2/2", "--quiet")
    assert [r["portfolio"] for r in _summary(first)["portfolios"]] == NAMES[0::2]
    assert [r["portfolio"] for r in _summary(second)["portfolios"]] == NAMES[1::2]
    assert (one.exit_code, two.exit_code) == (1, 0)  # Broken is the third portfolio
    result = cli("merge", str(first), str(second), "-o", str(merged))
    assert result.exit_code == 1
    full, combined = _summary(output), _summary(merged)
    assert _without_timestamps(combined["portfolios"]) == _without_timestamps(full["portfolios"])
    assert combined["totals"] == full["totals"] and combined["ignored"] == full["ignored"]
    assert (merged / "summary.csv").read_bytes() == (output / "summary.csv").read_bytes()
    assert (merged / "findings.csv").read_bytes() == (output / "findings.csv").read_bytes()
    # The shards each saw half the export; the merge finds what lies across all of it.
    assert _without_timestamps(combined["cross_portfolio"]) == _without_timestamps(full["cross_portfolio"])
    assert {len(w["portfolios"]) for w in combined["cross_portfolio"]} >= {3}
    for row in combined["portfolios"]:
        assert all((merged / row["folder"] / name).is_file() for name in row["reports"])


@pytest.mark.parametrize("shard", ["0/2", "3/2", "1/0", "a/b", "2"])
def test_a_bad_shard_is_a_usage_error(export: Path, tmp_path: Path, cli, shard: str) -> None:
    result = cli("batch", str(export), "-o", str(tmp_path / "out"), "--shard", shard)
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_parse_shard_is_one_based() -> None:
    assert parse_shard("1/3") == (1, 3) and parse_shard(" 3 / 3 ") == (3, 3)
    with pytest.raises(ValueError):
        parse_shard("0/3")


def test_a_hanging_and_a_crashing_portfolio_become_error_rows(export: Path, tmp_path: Path, cli,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real = checking.check_inventory

    def misbehaving(inventory, catalogues, settings):
        if inventory.name.startswith("Sam"):
            time.sleep(60)
        if inventory.name.startswith("Alex"):
            os._exit(7)
        return real(inventory, catalogues, settings)

    monkeypatch.setattr(checking, "check_inventory", misbehaving)  # batch workers are forked: they inherit it
    started = time.monotonic()
    # 5 s: long enough for the well-behaved portfolio on a loaded machine, far below the 60 s sleep.
    result = cli("batch", str(export), "-o", str(tmp_path / "out"), "--jobs", "2", "--portfolio-time-limit", "5")
    assert time.monotonic() - started < 25
    assert result.exit_code == 1
    rows = {r["portfolio"]: r for r in _summary(tmp_path / "out")["portfolios"]}
    assert rows["Sam Patel 1234567899"]["status"] == "error"
    assert "took longer than 5 seconds" in rows["Sam Patel 1234567899"]["problem"]
    # Could-not-check rows keep what the folder name says of the apprentice.
    assert (rows["Sam Patel 1234567899"]["apprentice"], rows["Sam Patel 1234567899"]["uln"]) == ("Sam Patel",
                                                                                               "1234567899")
    assert rows["Alex Jones"]["status"] == "error" and "exit status 7" in rows["Alex Jones"]["problem"]
    assert rows["=Formula Apprentice"]["verdict"] == "not-ready"


def test_a_zip_export_wrapped_in_a_folder_gives_the_same_rows_and_refuses_traversal(export: Path, full_run,
                                                                                    tmp_path: Path, cli) -> None:
    output, _ = full_run
    download = tmp_path / "OneDrive_1_2026-12-02.zip"
    with zipfile.ZipFile(download, "w") as archive:
        for path in sorted(export.rglob("*")):
            if path.is_file():
                archive.write(path, "Apprentices/" + path.relative_to(export).as_posix())
        archive.writestr("Apprentices/Sam Patel 1234567899/../../../escaped.txt", "out of the export")
    result = cli("batch", str(download), "-o", str(tmp_path / "out"), "--jobs", "2", "--quiet")
    assert result.exit_code == 1
    summary = _summary(tmp_path / "out")
    assert [r["portfolio"] for r in summary["portfolios"]] == NAMES
    verdicts = [(r["verdict"], r["pieces"], r["video_seconds"]) for r in summary["portfolios"]]
    assert verdicts == [(r["verdict"], r["pieces"], r["video_seconds"]) for r in _summary(output)["portfolios"]]
    assert any("escaped.txt has an unsafe name" in p for p in summary["problems"])
    assert not list(tmp_path.rglob("escaped.txt"))
    report = json.loads((tmp_path / "out" / "Sam Patel 1234567899" / "report.json").read_text(encoding="utf-8"))
    assert report["portfolio"]["source"] == "OneDrive_1_2026-12-02.zip!/Apprentices/Sam Patel 1234567899"
    broken = next(r for r in summary["portfolios"] if r["portfolio"] == "Broken")
    assert broken["problem"].startswith("OneDrive_1_2026-12-02.zip!/Apprentices/Broken.zip is a damaged")


def test_pattern_chooses_the_portfolios(export: Path) -> None:
    found = discover(export, pattern="*.zip")
    assert [p.name for p in found.portfolios] == ["Alex Jones", "Broken"]
    assert [p.kind for p in found.portfolios] == ["zip", "zip"]


def test_output_folder_names_are_safe_and_unique() -> None:
    assert safe_folder_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_folder_name("CON") == "_CON" and safe_folder_name("..") == "portfolio"
    assert safe_folder_name("Sam\x1b[31m\tPatel") == "Sam_[31m_Patel"
    taken = {"index.html", "sam patel"}
    assert unique_folder_name("Sam Patel", taken) == "Sam Patel (2)"
    assert unique_folder_name("index.html", taken) == "index.html (2)"


def test_output_inside_the_export_is_refused(export: Path, cli) -> None:
    result = cli("batch", str(export), "-o", str(export / "reports"))
    assert result.exit_code == 2 and "inside the export" in result.output
    assert not (export / "reports").exists()


SUMMARY_KEYS = ["tool", "generated_at", "export", "shard", "totals", "portfolios", "cross_portfolio", "ignored",
                "problems"]
ROW_KEYS = ["portfolio", "folder", "where", "status", "verdict", "apprentice", "uln", "employer", "standard", "option",
            "gateway_date", "pieces", "video_seconds", "uncovered_ksbs", "uncovered_codes", "errors", "warnings", "files",
            "error_codes", "warning_codes", "problem", "reports", "checked_at", "findings", "named_in", "evidence"]
#: The columns summary.csv had before: they keep their names and places, new ones come after them.
CSV_HEADER = ("Portfolio,Apprentice,ULN,Standard,Option,Verdict,Pieces,Video minutes,Uncovered KSBs,Errors,Warnings,"
              "Error codes,Could not check,Where,Report,Video,Employer,Gateway date,Uncovered KSB codes,Warning codes,"
              "Cross-portfolio warnings")
FINDINGS_HEADER = "Portfolio,Apprentice,ULN,Severity,Code,Rule,Piece,File,Message,Fix,Who acts"


def test_summary_keys_and_columns_are_the_published_ones(full_run) -> None:
    output, _ = full_run
    summary = _summary(output)
    assert list(summary) == SUMMARY_KEYS
    assert all(list(row) == ROW_KEYS for row in summary["portfolios"])
    assert (output / "summary.csv").read_bytes().decode("utf-8-sig").split("\r\n")[0] == CSV_HEADER
    assert (output / "findings.csv").read_bytes().decode("utf-8-sig").split("\r\n")[0] == FINDINGS_HEADER
    for row in summary["portfolios"]:
        stored = json.loads((output / row["folder"] / ROW_FILE).read_text(encoding="utf-8"))
        assert list(stored) == ["fingerprint", "row"] and stored["row"] == row


def _zip_export(export: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(export.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(export).as_posix())
    return target


def test_everything_that_crosses_the_worker_boundary_survives_pickling(export: Path, full_run, tmp_path: Path) -> None:
    """Batch workers are forked, so today only rows and overruns are pickled; under the spawn start method the
    worker's function (with the catalogues and settings) and every task are pickled too."""
    output, _ = full_run
    catalogues = discover_catalogues()
    settings = BatchSettings(
        check=CheckSettings(flags={"standard": "ST0792", "option": "production-coordinator"}, manifest="KSB mapping.csv",
                            extraction=ExtractionSettings(jobs=1, seconds_per_file=5.0, thumbnails=True),
                            limits=Limits(max_members=500)),
        jobs=2, portfolio_seconds=60.0, memory_per_worker=None, resume=True, shard=(1, 2))
    key = settings_key(catalogues, settings.check)
    sources = discover(export).portfolios + discover(_zip_export(export, tmp_path / "export.zip")).portfolios
    assert {s.kind for s in sources} == {"folder", "zip", "export-folder", "export-zip"}
    tasks = [PortfolioTask(source, fingerprint(source, key)) for source in sources]
    assert all(task.fingerprint for task in tasks)
    rows = [stored.row for source in discover(export).portfolios if (stored := read_row(output / source.folder))]
    assert len(rows) == 4 and {row.status for row in rows} == {"checked", "error"}
    worker = PortfolioChecker(catalogues, settings.check, output, tmp_path / "scratch")
    overruns = [Overrun("time", "took longer than 60 seconds"), Overrun("crash", "exit status 7")]
    for value in (*tasks, *rows, *overruns, settings, worker):
        assert pickle.loads(pickle.dumps(value)) == value
    assert settings_key(pickle.loads(pickle.dumps(catalogues)), settings.check) == key


def test_rows_read_back_as_they_were_written(full_run) -> None:
    output, _ = full_run
    for entry in _summary(output)["portfolios"]:
        row = PortfolioRow.from_dict(entry)
        assert row.to_dict() == entry
        assert PortfolioRow.from_dict(json.loads(json.dumps(row.to_dict()))) == row


def _damaged(stored: dict) -> dict[str, str]:
    """Ways a stored row can be unusable: damaged on disk, or written by a version with other fields."""
    row = stored["row"]
    older = {k: v for k, v in row.items() if k != "files"}
    return {
        "empty": "",
        "truncated": json.dumps(stored)[:40],
        "a list": "[]",
        "no row": json.dumps({"fingerprint": stored["fingerprint"]}),
        "fingerprint not text": json.dumps({**stored, "fingerprint": 5}),
        "an older version's row": json.dumps({**stored, "row": older}),
        "a count as text": json.dumps({**stored, "row": {**row, "pieces": "18"}}),
        "a count as a flag": json.dumps({**stored, "row": {**row, "errors": True}}),
        "an unknown status": json.dumps({**stored, "row": {**row, "status": "done"}}),
        "codes as one text": json.dumps({**stored, "row": {**row, "error_codes": "piece-count"}}),
        "no name": json.dumps({**stored, "row": {**row, "portfolio": None}}),
    }


def test_a_damaged_or_old_stored_row_is_not_reusable(full_run, tmp_path: Path) -> None:
    output, _ = full_run
    stored = json.loads((output / "Sam Patel 1234567899" / ROW_FILE).read_text(encoding="utf-8"))
    assert read_row(output / "Sam Patel 1234567899") is not None
    for why, text in _damaged(stored).items():
        folder = tmp_path / why
        folder.mkdir()
        (folder / ROW_FILE).write_text(text, encoding="utf-8")
        assert read_row(folder) is None, why
    assert read_row(tmp_path / "no such folder") is None


def test_resume_checks_again_a_portfolio_whose_stored_row_is_old(export: Path, full_run, tmp_path: Path, cli) -> None:
    output, _ = full_run
    again = tmp_path / "out"
    shutil.copytree(output, again)
    row_file = again / "Sam Patel 1234567899" / ROW_FILE
    stored = json.loads(row_file.read_text(encoding="utf-8"))
    row_file.write_text(_damaged(stored)["an older version's row"], encoding="utf-8")
    result = cli("batch", str(export), "-o", str(again), "--resume", "--jobs", "2")
    assert result.exit_code == 1  # Broken.zip still cannot be checked
    assert result.output.count("(unchanged, not checked again)") == 2
    assert "Sam Patel 1234567899: ready" in result.output
    assert read_row(again / "Sam Patel 1234567899") is not None
    assert _without_timestamps(_summary(again)["portfolios"]) == _without_timestamps(_summary(output)["portfolios"])


def test_a_portfolio_that_names_no_standard_has_a_row_without_one(tmp_path: Path) -> None:
    folder = tmp_path / "Unnamed"
    folder.mkdir()
    (folder / "notes.txt").write_text("My evidence is on the shared drive.\n", encoding="utf-8")
    source = PortfolioSource(name="Unnamed", where="Unnamed", kind="folder", path=str(folder), folder="Unnamed")
    settings = CheckSettings(extraction=ExtractionSettings(jobs=1))
    assessment = check_source(source, discover_catalogues(), settings, tmp_path / "scratch")
    assert assessment.standard is None
    row = portfolio_row(source, assessment, ["report.json"])
    assert row.standard is None and row.verdict == assessment.verdict == "not-ready"
    assert (row.errors, row.warnings) == (assessment.judgement.errors, assessment.judgement.warnings)
    assert row.errors and "standard-unknown" in row.error_codes
    assert PortfolioRow.from_dict(json.loads(json.dumps(row.to_dict()))) == row
    header, cells = csv.reader(batch_view.render_summary_csv([row]).lstrip("\ufeff").splitlines())
    assert dict(zip(header, cells, strict=True))["Standard"] == ""
    assert batch_view.outcome_line(row).startswith("Unnamed: not ready (")


def test_the_input_is_unchanged(export: Path, pristine: dict, full_run) -> None:
    # Runs last in this module: every batch above read this export.
    assert _snapshot(export) == pristine
