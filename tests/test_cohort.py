"""Cohort views of a batch run: the new summary columns, findings.csv, and the warnings across portfolios.

The export is the sample SharePoint export copied and altered as real exports go wrong: a second
copy of one apprentice's portfolio under another folder name (the same ULN twice), a portfolio.yaml
naming someone else, a declaration copied from another apprentice, a file copied into a second
apprentice's portfolio, and a zip that cannot be opened.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_check.batch import (
    NOT_CHECKED,
    EvidenceFile,
    PortfolioRow,
    PortfolioSource,
    cohort_warnings,
    error_row,
    same_person,
)
from portfolio_check.batch.cohort import (
    CODES,
    DUPLICATE_ULN,
    FOLDER_DETAILS_MISMATCH,
    FOLDER_STATEMENT_MISMATCH,
    SHARED_EVIDENCE_FILE,
)
from portfolio_check.checks.actors import PROVIDER, actor_for
from portfolio_check.cli import main
from portfolio_check.formatting import format_duration
from portfolio_check.report.batch_view import FINDINGS_COLUMNS
from portfolio_check.report.manifest_template import guard_formula

SAMPLE_EXPORT = Path(__file__).resolve().parent.parent / "sample_portfolios" / "sharepoint-export"
AISHA, A_RAHMAN = "Aisha Rahman 9273610489", "A Rahman 9273610489"
BEN, CHLOE, DANIEL, ELLIE = "Ben Carter 3382057165", "Chloe Nguyen 4518703927", "Daniel Hughes 6028173494", \
    "Ellie Marsh 6119382570"
FARAH = "Farah Iqbal 5550001112"
CHECKLIST = "02 Compliance and clearances/Data and confidentiality checklist.docx"


def alter(export: Path) -> Path:
    """The sample export with the mistakes the cross-portfolio warnings are for."""
    shutil.copytree(export / AISHA, export / A_RAHMAN)  # uploaded twice under two names
    (export / DANIEL / "portfolio.yaml").write_text("apprentice: Priya Chandran\nuln: 1234567899\n", encoding="utf-8")
    shutil.copyfile(export / AISHA / "Declaration.docx", export / BEN / "Declaration.docx")
    shutil.copyfile(export / AISHA / CHECKLIST, export / ELLIE / "Compliance" / "Checklist.docx")
    (export / f"{FARAH}.zip").write_bytes(b"PK\x03\x04" + b"cut off during the download " * 30)
    return export


@pytest.fixture(scope="session", name="run")
def altered_export_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The altered export, its batch output and what ``batch --quiet`` printed (shared with the browser tests)."""
    root = tmp_path_factory.mktemp("cohort")
    export = alter(shutil.copytree(SAMPLE_EXPORT, root / "export"))
    output = root / "out"
    result = CliRunner().invoke(main, ["batch", str(export), "-o", str(output), "--jobs", "2", "--quiet"],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the cut-off zip could not be checked
    return export, output, result.output


def _summary(output: Path) -> dict:
    return json.loads((output / "summary.json").read_text(encoding="utf-8"))


def _csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the byte order mark
    assert b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_quiet_prints_the_one_line_totals_with_the_cross_portfolio_warnings(run) -> None:
    _, _, output = run
    assert output == "7 portfolios: 5 ready, 1 not ready, 1 could not be checked; 5 cross-portfolio warnings\n"


def test_each_cross_portfolio_warning_names_the_portfolios_it_concerns(run) -> None:
    _, output, _ = run
    found = [(w["code"], w["portfolios"]) for w in _summary(output)["cross_portfolio"]]
    assert found == [
        (DUPLICATE_ULN, [A_RAHMAN, AISHA]),
        (FOLDER_DETAILS_MISMATCH, [DANIEL]),
        (FOLDER_STATEMENT_MISMATCH, [BEN]),
        (SHARED_EVIDENCE_FILE, [A_RAHMAN, AISHA, BEN]),
        (SHARED_EVIDENCE_FILE, [A_RAHMAN, AISHA, ELLIE]),
    ]


def test_the_warnings_say_what_where_and_how_to_fix(run) -> None:
    _, output, _ = run
    warnings = {(w["code"], tuple(w["portfolios"])): w for w in _summary(output)["cross_portfolio"]}
    duplicate = warnings[(DUPLICATE_ULN, (A_RAHMAN, AISHA))]
    assert duplicate["message"] == (f"ULN 9273610489 is given for 2 portfolios: '{A_RAHMAN}' (A Rahman) and "
                                    f"'{AISHA}' (Aisha Rahman).")
    details = warnings[(FOLDER_DETAILS_MISMATCH, (DANIEL,))]
    assert details["message"] == (f"The folder '{DANIEL}' is named for Daniel Hughes (ULN 6028173494), but its "
                                  "portfolio.yaml names Priya Chandran and gives ULN 1234567899.")
    assert details["files"] == [{"portfolio": DANIEL, "path": "portfolio.yaml"}]
    statement = warnings[(FOLDER_STATEMENT_MISMATCH, (BEN,))]
    assert statement["message"] == (f"The folder '{BEN}' is named for Ben Carter (ULN 3382057165), but the "
                                    "apprentice who signed the statement Declaration.docx is Aisha Rahman.")
    shared = warnings[(SHARED_EVIDENCE_FILE, (A_RAHMAN, AISHA, ELLIE))]
    assert shared["message"] == (
        f"The same file is in 3 portfolios of 2 different apprentices: '{A_RAHMAN}' (A Rahman): {CHECKLIST}; "
        f"'{AISHA}' (Aisha Rahman): {CHECKLIST}; '{ELLIE}' (Ellie Marsh): Compliance/Checklist.docx.")
    assert shared["files"][-1] == {"portfolio": ELLIE, "path": "Compliance/Checklist.docx"}
    for warning in warnings.values():
        assert warning["severity"] == "warning" and warning["rule"] == "cross-portfolio"
        assert len(warning["fix"]) > 80 and warning["fix"] != warning["message"]
    # Each kind has its own fix; the two shared-file warnings share theirs.
    assert len({w["fix"] for w in warnings.values()}) == 4


def test_the_copy_of_one_apprentices_portfolio_is_not_called_shared_evidence(run) -> None:
    """Aisha's two uploads share every file; that is the duplicate ULN, not evidence in two apprentices'
    portfolios. Nor is 'A Rahman' someone other than the 'Aisha Rahman' who signed the statement."""
    _, output, _ = run
    for warning in _summary(output)["cross_portfolio"]:
        if warning["code"] == SHARED_EVIDENCE_FILE:
            assert set(warning["portfolios"]) - {A_RAHMAN, AISHA}
        if warning["code"] in (FOLDER_DETAILS_MISMATCH, FOLDER_STATEMENT_MISMATCH):
            assert warning["portfolios"] != [A_RAHMAN]


def test_findings_csv_has_one_line_per_finding_as_each_report_gives_them(run) -> None:
    _, output, _ = run
    lines = _csv(output / "findings.csv")
    assert tuple(lines[0]) == FINDINGS_COLUMNS
    summary = _summary(output)
    for row in summary["portfolios"]:
        mine = [line for line in lines if line["Portfolio"] == row["portfolio"]]
        assert all((line["Apprentice"], line["ULN"]) == (row["apprentice"] or "", row["uln"] or "") for line in mine)
        if row["status"] == "error":
            continue
        report = json.loads((output / row["folder"] / "report.json").read_text(encoding="utf-8"))
        ordered = [f for f in report["findings"] if f["severity"] == "error"] + \
                  [f for f in report["findings"] if f["severity"] == "warning"]
        expected = [{"Severity": f["severity"], "Code": f["code"], "Rule": f["rule"] or "",
                     "Piece": f.get("piece") or "", "File": f.get("path") or "", "Message": guard_formula(f["message"]),
                     "Fix": guard_formula(f.get("fix") or ""), "Who acts": f.get("actor") or actor_for(f["code"])}
                    for f in ordered]
        checked = [{k: line[k] for k in FINDINGS_COLUMNS[3:]} for line in mine if line["Rule"] != "cross-portfolio"]
        assert checked == expected, row["portfolio"]
        assert len(checked) == row["errors"] + row["warnings"]
    daniel = [line for line in lines if line["Portfolio"] == DANIEL]
    assert {"manifest-missing-file", "ksb-not-covered"} <= {line["Code"] for line in daniel if line["Severity"] == "error"}
    across = [line for line in lines if line["Rule"] == "cross-portfolio"]
    assert sorted((line["Portfolio"], line["Code"], line["File"]) for line in across) == sorted([
        (A_RAHMAN, DUPLICATE_ULN, ""), (AISHA, DUPLICATE_ULN, ""),
        (DANIEL, FOLDER_DETAILS_MISMATCH, "portfolio.yaml"), (BEN, FOLDER_STATEMENT_MISMATCH, "Declaration.docx"),
        (A_RAHMAN, SHARED_EVIDENCE_FILE, "Declaration.docx"), (AISHA, SHARED_EVIDENCE_FILE, "Declaration.docx"),
        (BEN, SHARED_EVIDENCE_FILE, "Declaration.docx"), (A_RAHMAN, SHARED_EVIDENCE_FILE, CHECKLIST),
        (AISHA, SHARED_EVIDENCE_FILE, CHECKLIST), (ELLIE, SHARED_EVIDENCE_FILE, "Compliance/Checklist.docx")])
    assert all(line["Severity"] == "warning" and line["Fix"] and line["Who acts"] == PROVIDER for line in across)


def test_a_portfolio_that_could_not_be_checked_keeps_its_folders_name_and_uln(run) -> None:
    _, output, _ = run
    row = next(r for r in _summary(output)["portfolios"] if r["portfolio"] == FARAH)
    assert (row["status"], row["apprentice"], row["uln"]) == ("error", "Farah Iqbal", "5550001112")
    summary_line = next(line for line in _csv(output / "summary.csv") if line["Portfolio"] == FARAH)
    assert (summary_line["Apprentice"], summary_line["ULN"], summary_line["Verdict"]) == (
        "Farah Iqbal", "5550001112", "Could not check")
    [finding] = [line for line in _csv(output / "findings.csv") if line["Portfolio"] == FARAH]
    assert (finding["Apprentice"], finding["ULN"], finding["Severity"], finding["Code"]) == (
        "Farah Iqbal", "5550001112", "error", NOT_CHECKED)
    assert "damaged or incomplete zip" in finding["Message"] and "portfolio-check check" in finding["Fix"]
    assert finding["Who acts"] == PROVIDER


def test_summary_csv_gains_the_cohort_columns(run) -> None:
    _, output, _ = run
    rows = {r["portfolio"]: r for r in _summary(output)["portfolios"]}
    lines = {line["Portfolio"]: line for line in _csv(output / "summary.csv")}
    chloe = lines[CHLOE]
    assert (chloe["Standard"], chloe["Option"], chloe["Employer"], chloe["Gateway date"]) == (
        "ST0792 v1.2", "post-production-coordinator", "Nightjar Post Ltd", "2026-04-13")
    assert lines[ELLIE]["Employer"] == "Larkspur Theatre Company" and lines[ELLIE]["Standard"].startswith("ST1457")
    assert "uln-invalid" in lines[ELLIE]["Warning codes"].split()
    for name, line in lines.items():
        row = rows[name]
        assert line["Video"] == ("" if row["video_seconds"] is None else format_duration(row["video_seconds"]))
        assert line["Uncovered KSB codes"].split() == row["uncovered_codes"]
        assert line["Warning codes"].split() == row["warning_codes"] == sorted(set(row["warning_codes"]))
        assert line["Uncovered KSBs"] == ("" if row["uncovered_ksbs"] is None else str(len(row["uncovered_codes"])))
    assert lines[AISHA]["Video"] == "2 min 30 s" and lines[AISHA]["Video minutes"] == "2.5"
    assert lines[DANIEL]["Uncovered KSB codes"] == "S11 S15"
    assert lines[DANIEL]["Cross-portfolio warnings"] == FOLDER_DETAILS_MISMATCH
    assert lines[BEN]["Cross-portfolio warnings"] == f"{FOLDER_STATEMENT_MISMATCH} {SHARED_EVIDENCE_FILE}"
    assert lines[CHLOE]["Cross-portfolio warnings"] == ""


def test_evidence_digests_are_of_the_files_contents(run) -> None:
    export, output, _ = run
    ben = next(r for r in _summary(output)["portfolios"] if r["portfolio"] == BEN)
    report = json.loads((output / BEN / "report.json").read_text(encoding="utf-8"))
    read = {f["path"] for f in report["files"]}
    assert {item["path"] for item in ben["evidence"]} == read - {"KSB mapping.csv"} and len(read) > 15
    for item in ben["evidence"]:
        data = (export / BEN / item["path"]).read_bytes()
        assert (item["size"], item["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


def test_the_index_lists_the_cross_portfolio_warnings_with_their_fixes(run) -> None:
    _, output, _ = run
    page = (output / "index.html").read_text(encoding="utf-8")
    assert 'id="cross-portfolio"' in page and page.count('class="finding finding--warning" id="cross-') == 5
    assert "Priya Chandran and gives ULN 1234567899" in page
    assert 'href="#cross-1">duplicate-uln</a>' in page


def test_the_unaltered_sample_export_has_no_cross_portfolio_warnings(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["batch", str(SAMPLE_EXPORT), "-o", str(tmp_path / "out"), "--quiet"],
                                catch_exceptions=False)
    assert result.output.startswith("5 portfolios: ") and "cross-portfolio" not in result.output
    assert _summary(tmp_path / "out")["cross_portfolio"] == []
    assert all(line["Cross-portfolio warnings"] == "" for line in _csv(tmp_path / "out" / "summary.csv"))


# --- the comparison on its own --------------------------------------------------------------------


def test_the_codes_are_the_published_ones() -> None:
    """Trackers and scripts key on these: they never change."""
    assert CODES == ("duplicate-uln", "folder-details-mismatch", "folder-statement-mismatch", "shared-evidence-file")
    assert NOT_CHECKED == "portfolio-not-checked"


@pytest.mark.parametrize(("first", "second", "same"), [
    ("Sam Patel", "sam  patel", True),
    ("Sam Patel", "Patel, Sam", True),
    ("Sam Patel", "Sam J. Patel", True),
    ("Sam Patel", "Mr Sam Patel (apprentice)", True),
    ("Sam Patel", "S. Patel", True),
    ("Samuel Patel", "Sam Patel", True),
    ("Zoë O'Neill", "Zoe ONeill", True),
    ("Sam Patel", "Priya Patel", False),
    ("Sam Patel", "Sam Jones", False),
    ("Sam Patel", "Priya Chandran", False),
    ("Sam Patel", "", True),  # nothing to compare: not taken for someone else
])
def test_same_person_allows_for_how_names_are_written(first: str, second: str, same: bool) -> None:
    assert same_person(first, second) is same
    assert same_person(second, first) is same


def _row(name: str, files: dict[str, bytes], uln: str | None = None) -> PortfolioRow:
    source = PortfolioSource(name=name, where=name, kind="folder", path=name, folder=name)
    evidence = tuple(EvidenceFile(path, len(data), hashlib.sha256(data).hexdigest()) for path, data in files.items())
    return dataclasses.replace(error_row(source, "not needed here"), uln=uln, evidence=evidence)


def test_shared_files_are_one_warning_per_set_of_portfolios_not_one_per_file_or_pair() -> None:
    own = {f"own {n}.docx": f"work of apprentice {n}".encode() for n in range(4)}
    template = {"Reflective log template.docx": b"blank template everyone was given"}
    copied = {f"piece {n}.pdf": f"piece {n} of someone's portfolio".encode() for n in range(5)}
    rows = [_row("Ann Lee", {**template, **copied, "a.docx": own["own 0.docx"]}),
            _row("Bob Stone", {**template, **copied}),
            _row("Cat Wu", {**template, "c.docx": own["own 2.docx"]}),
            _row("Dan Roe", {**template, "d.docx": own["own 3.docx"]})]
    warnings = cohort_warnings(rows)
    assert [(w.code, w.folders) for w in warnings] == [  # in row order
        (SHARED_EVIDENCE_FILE, ("Ann Lee", "Bob Stone")),
        (SHARED_EVIDENCE_FILE, ("Ann Lee", "Bob Stone", "Cat Wu", "Dan Roe")),
    ]
    assert warnings[0].message.startswith("5 identical files are in each of the portfolios of 2 different apprentices")
    assert "and 2 more" in warnings[0].message and len(warnings[0].paths_in("Ann Lee")) == 5
    assert warnings[1].paths_in("Dan Roe") == ["Reflective log template.docx"]
    assert cohort_warnings(list(reversed(rows)))[0].folders == ("Dan Roe", "Cat Wu", "Bob Stone", "Ann Lee")


def test_the_same_apprentices_portfolios_share_files_without_a_shared_file_warning() -> None:
    files = {"piece.pdf": b"the apprentice's own work"}
    rows = [_row("Ann Lee 1234567890", files, uln="1234567890"), _row("Ann Lee 1234567890 (2)", files, uln="123 456 7890")]
    assert [(w.code, w.folders) for w in cohort_warnings(rows)] == [
        (DUPLICATE_ULN, ("Ann Lee 1234567890", "Ann Lee 1234567890 (2)"))]
    assert cohort_warnings([_row("Ann Lee", files), _row("Bob Stone", {"other.pdf": b"other work"})]) == []



def test_a_finding_says_who_acts_and_a_row_kept_without_it_is_checked_again() -> None:
    from portfolio_check.batch.rows import RowFinding
    from portfolio_check.checks.actors import APPRENTICE
    from portfolio_check.findings import Finding, Severity

    row = RowFinding.of(Finding("attribution-incomplete", Severity.ERROR, "m", actor=APPRENTICE))
    assert row.actor == APPRENTICE and RowFinding.from_dict(row.__dict__) == row
    # A row an earlier version kept has no 'actor': it is not read back (so --resume checks it again).
    older = {k: v for k, v in row.__dict__.items() if k != "actor"}
    with pytest.raises(ValueError, match="actor"):
        RowFinding.from_dict(older)
