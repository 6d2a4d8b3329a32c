"""One portfolio holding many hostile and broken files at once, run through the real commands.

The single-format cases live beside their readers (test_ingest, test_extract_*); this checks what
only a whole run shows: nothing escapes as a traceback, a secret a file points at never reaches any
output, the good files beside the bad ones are still read, the user's files are untouched and no
temporary file is left behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import builders
import portfolios
import pytest

SECRET = "TOP-SECRET-MARKER-7f3a"
FORMULA = '=HYPERLINK("http://example.invalid/x","open me")'


def _rewrite(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info.filename, replace.get(info.filename, original.read(info)))
    return target


def _hostile_zip(bomb: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../escape.txt", "should never reach the disk")
        archive.writestr("/etc/absolute.txt", "absolute")
        link = zipfile.ZipInfo("link-to-passwd")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
        archive.writestr("notes.txt", "kept notes\n")
        if bomb:
            archive.writestr("bomb.txt", b"0" * (40 * 1024**2))  # a ratio far above the limit
    return buffer.getvalue()


def _build(root: Path, secret_file: Path) -> Path:
    spec = portfolios.Spec(details={"apprentice": FORMULA, "uln": "1234567899"})
    portfolios.build(root, spec)
    (root / "portfolio.yaml").write_text(f"apprentice: '{FORMULA}'\nuln: '1234567899'\n", encoding="utf-8")
    word = builders.docx(secret_file.parent / "plain.docx", ["Observation record"], title="Observation record")
    core = zipfile.ZipFile(word).read("docProps/core.xml").split(b"?>", 1)[1]
    core = (f'<?xml version="1.0"?><!DOCTYPE cp:coreProperties [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
            .encode() + core.replace(b"Observation record", b"&xxe;"))
    _rewrite(word, root / "xxe observation.docx", {"docProps/core.xml": core})
    (root / "<img src=x onerror=alert(1)>.pdf").write_bytes(b"%PDF-1.7\n1 0 obj<</Type/Catalog")  # truncated
    (root / "empty clip.mp4").write_bytes(b"")
    (root / "not really.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (root / "bell\x07and\ttab.txt").write_text("control characters in the name\n")
    (root / ("n" * 251 + ".txt")).write_text("a 255-byte name\n")
    deep = root / "/".join(["a folder with a long name"] * 12)
    deep.mkdir(parents=True)
    (deep / "deep notes.txt").write_text("a path over 260 characters\n")
    (root / "evidence bundle.zip").write_bytes(_hostile_zip(bomb=False))
    (root / "bomb.zip").write_bytes(_hostile_zip(bomb=True))
    return root


def _snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size,
                                                     stat.st_mtime_ns)
    return found


def _run(args: list[str], scratch: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(scratch)}
    return subprocess.run([sys.executable, "-m", "portfolio_check", *args], capture_output=True, text=True,
                          env=env, timeout=240)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    secret = base / "secret.txt"
    secret.write_text(SECRET)
    export = base / "export"
    _build(export / "Sam Patel 1234567899", secret)
    return export, secret


def test_hostile_portfolio_is_checked_to_the_end(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    export, _ = hostile
    portfolio = export / "Sam Patel 1234567899"
    before = _snapshot(export)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = _run(["check", str(portfolio), "--format", "json", "-o", str(tmp_path / "out")], scratch)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "not-ready"
    codes = {f["code"] for f in report["findings"]}
    assert {"unsafe-file", "file-unreadable", "file-empty", "unsafe-archive"} <= codes, codes
    unsafe = {f["path"] for f in report["findings"] if f["code"] == "unsafe-archive"}
    assert unsafe == {"bomb.zip", "evidence bundle.zip!/../../escape.txt", "evidence bundle.zip!//etc/absolute.txt",
                      "evidence bundle.zip!/link-to-passwd"}
    by_path = {f["path"]: f for f in report["files"]}
    # The good files beside the bad ones are still read.
    assert by_path["01 Walkthrough 1.mp4"]["duration_seconds"] == pytest.approx(120, abs=0.5)
    assert by_path["evidence bundle.zip!/notes.txt"]["error"] is None
    assert any(p.endswith("deep notes.txt") for p in by_path)
    # Nothing hostile reached the disk or the outputs.
    assert not (tmp_path / "escape.txt").exists() and not (export.parent / "escape.txt").exists()
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<img src=x onerror" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert _snapshot(export) == before
    assert list(scratch.iterdir()) == []


def test_secret_an_entity_points_at_never_appears(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    export, _ = hostile
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    outputs = []
    for args in (["inspect", str(export / "Sam Patel 1234567899"), "--format", "json"],
                 ["check", str(export / "Sam Patel 1234567899"), "--format", "json", "-o", str(tmp_path / "one")],
                 ["batch", str(export), "-o", str(tmp_path / "all"), "--quiet"]):
        result = _run(args, scratch)
        assert "Traceback" not in result.stderr, result.stderr
        outputs += [result.stdout, result.stderr]
    outputs += [p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(SECRET in text for text in outputs)
    assert list(scratch.iterdir()) == []


def test_batch_leaves_the_export_alone_and_defuses_formulas(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    export, _ = hostile
    before = _snapshot(export)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = _run(["batch", str(export), "-o", str(tmp_path / "out"), "--quiet"], scratch)
    assert result.returncode == 0, result.stderr
    assert _snapshot(export) == before
    assert list(scratch.iterdir()) == []
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig"))))
    assert [row["Apprentice"] for row in rows] == ["'" + FORMULA]
    summary = (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")
    assert json.dumps(FORMULA, ensure_ascii=False) in summary  # kept as plain data in JSON


def test_manifest_with_100000_rows_is_bounded(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "p", portfolios.Spec(videos=()))
    with (root / "KSB mapping.csv").open("a", encoding="utf-8") as manifest:
        manifest.writelines(f"{n},Row {n},04 Call sheet 4.docx,K1\n" for n in range(100, 100_100))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = _run(["check", str(root), "--format", "json"], scratch)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert {"manifest-invalid", "piece-count"} & {f["code"] for f in report["findings"]}


def test_control_characters_in_names_cannot_reach_the_terminal(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    export, _ = hostile
    for command in ("check", "inspect"):
        result = _run([command, str(export / "Sam Patel 1234567899")], tmp_path)
        assert "bell\\x07and" in result.stdout
        assert not any(ch in result.stdout for ch in "\x07\x1b")


def test_zip_with_100000_members_is_refused(tmp_path: Path) -> None:
    from portfolio_check.ingest.inventory import ingest

    path = tmp_path / "portfolio.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(100_000):
            archive.writestr(f"m/{number}.txt", b"")
    # Refused from the central directory alone, as a finding: the verdict and reports are still written.
    inventory = ingest(path)
    assert inventory.files == []
    [(where, problem)] = inventory.problems
    assert where == "portfolio.zip" and problem.code == "unsafe-archive" and "100,000 entries" in problem.message


def test_encrypted_zip_members_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    from portfolio_check.ingest.inventory import ingest

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("Sam/locked.docx", b"x" * 100)
        archive.writestr("Sam/open.txt", b"kept")
    data = bytearray(buffer.getvalue())
    # Set the 'encrypted' flag of the first member in its local header and in the central directory.
    data[6] |= 1
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1
    (tmp_path / "portfolio.zip").write_bytes(bytes(data))
    inventory = ingest(tmp_path / "portfolio.zip")
    assert [f.path for f in inventory.files] == ["open.txt"]
    assert [(path, problem.code) for path, problem in inventory.problems] == [
        ("portfolio.zip!/Sam/locked.docx", "file-encrypted")]
