"""report.pdf: printed by a real headless Chromium, read back with pypdf.

The tests that print are skipped when no Chromium is installed (Debian package ``chromium``); the
ones about a missing browser and the command line's refusals run everywhere.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import portfolios
import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from portfolio_check.cli import main
from portfolio_check.report import pdf

REPO = Path(__file__).resolve().parent.parent
READY = REPO / "sample_portfolios" / "ST0792-production-coordinator-ready"
NOT_READY = REPO / "sample_portfolios" / "ST0792-not-ready"
BROWSER = pdf.find_browser()
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no Chromium, Chrome or Edge is installed "
                                                           "(Debian package chromium) to print the PDF")
#: A4 in PDF points: the report's print style sheet asks for it.
A4_POINTS = (595.3, 841.9)


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@functools.cache
def _text(path: Path) -> list[str]:
    """Each page's text (read once a file: pypdf takes about 0.1 s a page)."""
    return [page.extract_text() or "" for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Result]]:
    """`check SAMPLE -o OUT --pdf` on the ready and the not-ready samples."""
    if BROWSER is None:
        pytest.skip("no Chromium, Chrome or Edge is installed (Debian package chromium) to print the PDF")
    root = tmp_path_factory.mktemp("pdf")
    return {name: (root / name, _run("check", str(sample), "-o", str(root / name), "--pdf"))
            for name, sample in (("ready", READY), ("not-ready", NOT_READY))}


@needs_browser
@pytest.mark.parametrize(("name", "status", "verdict", "apprentice"), [
    ("ready", 0, "Ready for Gateway", "Priya Chandran"),
    ("not-ready", 1, "Not ready for Gateway", "Callum Reid"),
])
def test_pdf_opens_with_the_verdict_and_the_apprentice_on_page_one(printed, name: str, status: int, verdict: str,
                                                                  apprentice: str) -> None:
    out, result = printed[name]
    assert result.exit_code == status, result.output
    assert f"wrote {out / 'report.pdf'}" in result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    # The wording the reports use for this verdict and this apprentice, as report.json has them.
    assert (report["verdict_text"], report["apprentice"]["name"]) == (verdict, apprentice)
    reader = PdfReader(out / "report.pdf")
    assert len(reader.pages) > 1
    first = _text(out / "report.pdf")[0]
    assert verdict in first and apprentice in first
    other = "Ready for Gateway" if name == "not-ready" else "Not ready for Gateway"
    assert other not in first
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=1.5)
    assert reader.metadata is not None and reader.metadata.title == f"{verdict}: {apprentice}"
    # Written whole, then moved into place: no temporary file is left beside it.
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.pdf"]


@needs_browser
@pytest.mark.parametrize("name", ["ready", "not-ready"])
def test_pdf_prints_no_file_path_of_the_machine(printed, name: str) -> None:
    out, _ = printed[name]
    reader = PdfReader(out / "report.pdf")
    everything = "\n".join(_text(out / "report.pdf")) + json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()})
    links = [str(annotation.get_object().get("/A")) for page in reader.pages
             for annotation in page.get("/Annots") or []]
    for where in (everything, *links):
        assert "file:" not in where  # Chromium's default footer prints the page's file URL
        for path in (str(out), str(REPO), str(Path.home()), tempfile.gettempdir(), "report.html"):
            assert path not in where


@needs_browser
def test_write_pdf_fetches_nothing_and_leaves_no_profile_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page asking for pictures and a style sheet from a server on this machine: the browser must not ask."""
    requested: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    page = tmp_path / "page.html"
    page.write_text(f'<!doctype html><title>t</title><link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
                    f'<p>Printed page</p><img src="http://127.0.0.1:{port}/by-address.png">'
                    f'<img src="http://localhost:{port}/by-name.png">', encoding="utf-8")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    try:
        result = pdf.write_pdf(page, tmp_path / "out" / "page.pdf")
        assert result.made, result.reason
        assert "Printed page" in _text(tmp_path / "out" / "page.pdf")[0]
        assert requested == []
        # The private profile and the browser's temporary files went with it.
        assert list(scratch.iterdir()) == []
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["page.pdf"]
        # Control: the same browser without those flags does fetch, so the server above could be reached.
        control = Path(tempfile.mkdtemp(prefix="pdf-test-", dir="/tmp"))
        try:
            subprocess.run([str(BROWSER), "--headless=new", "--no-sandbox", "--disable-gpu",
                            f"--user-data-dir={control / 'profile'}", f"--print-to-pdf={control / 'control.pdf'}",
                            page.as_uri()], capture_output=True, timeout=60, check=False,
                           env={**os.environ, "TMPDIR": str(control)})
        finally:
            shutil.rmtree(control, ignore_errors=True)
        assert "/by-address.png" in requested
    finally:
        server.shutdown()
        server.server_close()


@needs_browser
def test_a_browser_over_its_time_limit_is_stopped_and_nothing_is_left(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    html = tmp_path / "report.html"
    # A long report (over 100 pages, seconds to print), so that the browser is still at work
    # when its time is up however fast the machine: a one-line page once printed in 0.5 s.
    rows = "".join(f"<p>Piece {i}: call sheet, risk assessment and cost report for shoot day {i}</p>"
                   for i in range(6000))
    html.write_text(f"<!doctype html><title>t</title>{rows}", encoding="utf-8")
    # A short TMPDIR, so the browser's own temporary files go into the private folder as well.
    scratch = Path(tempfile.mkdtemp(prefix="pdf-test-"))
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    try:
        result = pdf.write_pdf(html, tmp_path / "report.pdf", timeout=0.5)
        assert not result.made and result.reason == "the browser did not finish within 0.5 s"
        assert "print it to PDF" in result.message
        assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
        assert list(scratch.iterdir()) == []
        # Every process of that browser was stopped: soon none still names its private profile.
        deadline = time.monotonic() + 5
        while _processes_naming(scratch) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_naming(scratch) == []
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _processes_naming(folder: Path) -> list[str]:
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            line = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(folder).encode() in line:
            found.append(line.decode(errors="replace"))
    return found


@needs_browser
def test_batch_pdf_prints_each_portfolio_and_resume_keeps_unchanged_ones(tmp_path: Path) -> None:
    export = tmp_path / "export"
    portfolios.build(export / "Sam Patel 1234567899", portfolios.Spec(videos=()))
    portfolios.build(export / "Alex Jones 9876543210",
                     portfolios.Spec(pieces=12, videos=(), details={"apprentice": "Alex Jones"}))
    out = tmp_path / "out"
    result = _run("batch", str(export), "-o", str(out), "--jobs", "2", "--pdf")
    assert result.exit_code == 0, result.output
    assert "printing report.pdf for 2 portfolios" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = {row["portfolio"]: row for row in summary["portfolios"]}
    expected = {"Sam Patel 1234567899": ("Ready for Gateway", "Sam Patel"),
                "Alex Jones 9876543210": ("Not ready for Gateway", "Alex Jones")}
    assert set(rows) == set(expected)
    for name, (verdict, apprentice) in expected.items():
        assert "report.pdf" in rows[name]["reports"]
        first = _text(out / rows[name]["folder"] / "report.pdf")[0]
        assert verdict in first and apprentice in first
    made = {name: (out / rows[name]["folder"] / "report.pdf").stat().st_mtime_ns for name in rows}
    again = _run("batch", str(export), "-o", str(out), "--resume", "--pdf", "--quiet")
    assert again.exit_code == 0, again.output
    assert {name: (out / rows[name]["folder"] / "report.pdf").stat().st_mtime_ns for name in rows} == made
    assert all("report.pdf" in row["reports"]
               for row in json.loads((out / "summary.json").read_text(encoding="utf-8"))["portfolios"])
    # Merging the run's folder (as shards are merged) keeps the PDFs among each portfolio's reports.
    merged = _run("merge", str(out), "-o", str(tmp_path / "merged"), "--quiet")
    assert merged.exit_code == 0, merged.output
    rows = json.loads((tmp_path / "merged" / "summary.json").read_text(encoding="utf-8"))["portfolios"]
    assert len(rows) == 2 and all("report.pdf" in row["reports"] for row in rows)
    assert all((tmp_path / "merged" / row["folder"] / "report.pdf").is_file() for row in rows)


@pytest.fixture
def no_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Browser lookup on an empty PATH, with the browser named by the environment variable."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv(pdf.BROWSER_ENV, "chromium")
    yield empty


def test_without_a_browser_check_still_reports_and_says_how_to_get_a_pdf(no_browser: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run("check", str(READY), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and (out / "report.json").is_file()
    assert not (out / "report.pdf").exists()
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]
    why = f"{out / 'report.pdf'} was not made: the browser {pdf.BROWSER_ENV} names (chromium) was not found"
    assert f"warning: {why}" in result.stderr
    assert f"PDF: {why}" in result.stdout
    for advice in ("install Chromium", "print it to PDF"):
        assert advice in result.stderr and advice in result.stdout
    assert result.stdout.startswith("Priya Chandran: READY")


def test_without_a_browser_json_output_stays_json_and_the_exit_status_is_the_verdicts(no_browser: Path,
                                                                                     tmp_path: Path) -> None:
    result = _run("check", str(NOT_READY), "-o", str(tmp_path / "out"), "--pdf", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["verdict"] == "not-ready"
    assert "report.pdf was not made" in result.stderr and "print it to PDF" in result.stderr


def test_browser_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pdf.BROWSER_ENV, raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert pdf.find_browser(search_path=str(empty), locations=()) is None
    not_runnable = tmp_path / "chromium"
    not_runnable.write_text("not a program", encoding="utf-8")
    assert pdf.find_browser(str(not_runnable)) is None
    found = pdf.write_pdf(tmp_path / "report.html", tmp_path / "report.pdf", search_path=str(empty))
    assert not found.made and found.reason == "report.html was not found, so there is nothing to print"
    html = tmp_path / "report.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    missing = pdf.write_pdf(html, tmp_path / "report.pdf", browser=None, search_path=str(empty))
    if BROWSER is None or not pdf._default_locations():
        assert missing.reason == "no Chromium, Google Chrome or Microsoft Edge was found on this computer"
    if BROWSER is not None:
        # A browser under one of the names looked up is found on the given search path.
        link = tmp_path / "bin" / "google-chrome"
        link.parent.mkdir()
        link.symlink_to(BROWSER)
        assert pdf.find_browser(search_path=str(link.parent), locations=()) == link
        monkeypatch.setenv(pdf.BROWSER_ENV, str(link))
        assert pdf.find_browser(search_path=str(empty)) == link


def test_pdf_without_an_output_folder_is_refused() -> None:
    result = _run("check", str(READY), "--pdf")
    assert result.exit_code == 2
    assert "--pdf needs -o OUTDIR" in result.stderr


def test_importing_the_pdf_module_imports_nothing_heavy() -> None:
    code = ("import sys; before = set(sys.modules); import portfolio_check.report.pdf; "
            "print(sorted(m for m in set(sys.modules) - before if not m.startswith('portfolio_check')))")
    new = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert not any(heavy in new for heavy in ("jinja2", "pypdf", "yaml", "click", "lxml", "PIL"))


def test_without_a_browser_batch_checks_everything_and_says_so_once(no_browser: Path, tmp_path: Path) -> None:
    export = tmp_path / "export"
    portfolios.build(export / "Sam Patel 1234567899", portfolios.Spec(videos=()))
    portfolios.build(export / "Alex Jones 9876543210", portfolios.Spec(pieces=12, videos=()))
    out = tmp_path / "out"
    result = _run("batch", str(export), "-o", str(out), "--jobs", "1", "--pdf", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("was not made") == 1
    assert ("warning: report.pdf was not made for 2 of 2 portfolios (Alex Jones 9876543210, Sam Patel 1234567899): "
            f"the browser {pdf.BROWSER_ENV} names (chromium) was not found") in result.stderr
    assert "print it to PDF" in result.stderr
    rows = json.loads((out / "summary.json").read_text(encoding="utf-8"))["portfolios"]
    assert [row["verdict"] for row in rows] == ["not-ready", "ready"]
    assert all("report.pdf" not in row["reports"] and (out / row["folder"] / "report.html").is_file() for row in rows)
    assert not list(out.rglob("*.pdf"))
