"""``portfolio-check inspect``: a whole portfolio of real files, as a user runs it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import builders
import pytest

from portfolio_check.extract import runner
from portfolio_check.extract.runner import ExtractionSettings, extract_inventory
from portfolio_check.ingest.inventory import ingest


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inspect") / "Sam Patel 9999999999"
    builders.docx(root / "01 Call sheet.docx", ["Call time 07:00", "Location: Studio 2"], title="Call sheet",
                  table=[["Role", "Name"], ["Runner", "Sam"]])
    clip = builders.clip(root / "03 Walkthrough.mp4", 4)
    builders.pptx(root / "02 Schedule review.pptx", ["Schedule", "Risks", "Budget"], notes=["Speaker notes"],
                  movie=clip)
    builders.pdf(root / "04 Risk assessment.pdf", [["Risk assessment", "Hazard: cables"], ["Page two"]])
    builders.pdf(root / "05 Locked.pdf", [["secret"]], user_password="letmein")
    builders.jpeg(root / "photos" / "06 Set.jpg")
    builders.clip(root / "07 Voice note.mp3", 3, "audio")
    (root / "08 Shortcut.url").write_text("[InternetShortcut]\nURL=https://example.sharepoint.com/clip.mp4\n")
    (root / "09 empty.docx").write_bytes(b"")
    shutil.copyfile(root / "04 Risk assessment.pdf", root / "10 Really a pdf.docx")
    (root / "11 notes.bin").write_bytes(bytes(range(256)) * 4)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("week3/callsheet.docx", (root / "01 Call sheet.docx").read_bytes())
    (root / "12 extra.zip").write_bytes(buffer.getvalue())
    (root / ".DS_Store").write_bytes(b"junk")
    (root / "~$ Call sheet.docx").write_bytes(b"lock")
    return root


def by_path(report: dict) -> dict[str, dict]:
    return {f["path"]: f for f in report["files"]}


def test_inspect_json_describes_every_file(cli, portfolio: Path) -> None:
    result = cli("inspect", str(portfolio.parent), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["portfolio"] == "Sam Patel 9999999999"
    files = by_path(report)
    assert sorted(files) == sorted([
        "01 Call sheet.docx", "02 Schedule review.pptx", "03 Walkthrough.mp4", "04 Risk assessment.pdf",
        "05 Locked.pdf", "photos/06 Set.jpg", "07 Voice note.mp3", "08 Shortcut.url", "09 empty.docx",
        "10 Really a pdf.docx", "11 notes.bin", "12 extra.zip!/week3/callsheet.docx"])
    for entry in files.values():
        assert set(entry) >= {"path", "kind", "format", "size", "sha256", "error"}
        assert len(entry["sha256"]) == 64

    word = files["01 Call sheet.docx"]
    assert (word["kind"], word["format"], word["title"], word["tables"]) == ("word", "docx", "Call sheet", 1)
    assert word["words"] >= 8
    deck = files["02 Schedule review.pptx"]
    assert (deck["kind"], deck["slides"], deck["slides_with_notes"]) == ("powerpoint", 3, 1)
    [embedded] = deck["embedded_media"]
    assert embedded["kind"] == "video" and embedded["duration_seconds"] == pytest.approx(4, abs=0.5)
    video = files["03 Walkthrough.mp4"]
    assert video["kind"] == "video" and video["duration_seconds"] == pytest.approx(4, abs=0.5)
    assert (video["width"], video["height"]) == (16, 16)
    assert files["07 Voice note.mp3"]["kind"] == "audio"
    assert files["07 Voice note.mp3"]["duration_seconds"] == pytest.approx(3, abs=0.5)
    pdf = files["04 Risk assessment.pdf"]
    assert (pdf["kind"], pdf["pages"], pdf["has_text_layer"]) == ("pdf", 2, True)
    assert files["photos/06 Set.jpg"]["width"] == 64
    assert files["12 extra.zip!/week3/callsheet.docx"]["sha256"] == word["sha256"]
    assert files["08 Shortcut.url"]["kind"] == "link"

    assert files["05 Locked.pdf"]["error"] == "file-encrypted"
    assert files["09 empty.docx"]["error"] == "file-empty"
    codes = {(f["code"], f["path"], f["severity"]) for f in report["findings"]}
    assert ("file-encrypted", "05 Locked.pdf", "error") in codes
    assert ("file-empty", "09 empty.docx", "error") in codes
    assert ("extension-mismatch", "10 Really a pdf.docx", "warning") in codes
    assert ("unsupported-format", "11 notes.bin", "warning") in codes
    assert ("external-link", "08 Shortcut.url", "warning") in codes
    assert {i["path"] for i in report["ignored"]} == {".DS_Store", "~$ Call sheet.docx"}
    assert report["archives"] == ["12 extra.zip"]


def test_inspect_text_is_a_table_with_problems(cli, portfolio: Path) -> None:
    result = cli("inspect", str(portfolio))
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("Portfolio: Sam Patel 9999999999  (12 files, 2 ignored)")
    row = next(line for line in text.splitlines() if line.startswith("04 Risk assessment.pdf"))
    assert "pdf" in row and "2 pages" in row
    assert any(line.startswith("03 Walkthrough.mp4") and "4 s" in line for line in text.splitlines())
    assert "Errors (2):" in text and "[file-encrypted]" in text
    assert "Ignored (not evidence):" in text


def test_inspect_a_zip_and_bad_paths(cli, portfolio: Path, tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", portfolio.parent)
    report = json.loads(cli("inspect", archive, "--format", "json").stdout)
    assert report["portfolio"] == "Sam Patel 9999999999"
    assert "01 Call sheet.docx" in by_path(report)
    missing = cli("inspect", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello")
    wrong = cli("inspect", str(not_zip))
    assert wrong.exit_code == 2 and "is not a folder or a zip archive" in wrong.stderr


def _stall(stream, size):  # stands in for a parser that spins on a hostile file
    import time

    time.sleep(60)


def test_a_file_that_stalls_its_reader_is_stopped_and_the_rest_are_read(portfolio: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    original = runner._extractor_for
    monkeypatch.setattr(runner, "_extractor_for",
                        lambda kind, fmt: _stall if kind == "pdf" else original(kind, fmt))
    records = extract_inventory(ingest(portfolio), ExtractionSettings(jobs=2, seconds_per_file=1.0))
    stalled = [r for r in records if r.path == "04 Risk assessment.pdf"]
    assert stalled[0].error == "file-unreadable"
    assert "took longer than 1 seconds" in stalled[0].problems[0].message
    word = next(r for r in records if r.path == "01 Call sheet.docx")
    assert word.error is None and word.metadata["tables"] == 1


def test_inspect_never_modifies_the_portfolio(cli, portfolio: Path) -> None:
    def snapshot() -> dict[str, tuple[int, int, bytes]]:
        return {str(p): (p.stat().st_mtime_ns, p.stat().st_size, p.read_bytes())
                for p in sorted(portfolio.rglob("*")) if p.is_file()}

    before = snapshot()
    assert cli("inspect", str(portfolio), "--format", "json").exit_code == 0
    assert snapshot() == before


def test_every_corpus_file_is_inspected_without_a_crash(corpus: Path) -> None:
    records = extract_inventory(ingest(corpus), ExtractionSettings(seconds_per_file=20.0))
    assert len(records) >= 120
    crashed = [(r.path, r.problems[0].message) for r in records
               if r.error == "file-unreadable" and "stopped unexpectedly" in r.problems[0].message]
    assert crashed == []
    kinds = {r.path: r.kind for r in records}
    assert kinds["py-pdf-sample-files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"] == "pdf"
    assert kinds["Zulko-moviepy/media/chaplin.mp4"] == "video"
    assert kinds["quodlibet-mutagen/tests/data/silence-44-s.flac"] == "audio"
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe not installed (apt-get install ffmpeg): durations not compared")
    # ffprobe ignores an Opus file's pre-skip samples; the played length is 1.36 s shorter. A WMA cut to
    # 32 kB of 681 kB promises 40.6 s in its header (exiftool agrees); ffprobe estimates from the bytes.
    known_differences = {"quodlibet-mutagen/tests/data/example.opus", "quodlibet-mutagen/tests/data/issue_29.wma"}
    for record in records:
        duration = record.metadata.get("duration_seconds")
        if record.path in known_differences or record.path.startswith("wild/"):
            continue  # the wild files are checked class by class against decoding (tests/test_wild_corpus.py)
        if record.metadata.get("truncated"):
            duration = record.metadata.get("declared_duration_seconds")  # what ffprobe repeats from the header
        if record.kind not in ("video", "audio") or duration is None or record.metadata.get("duration_suspect"):
            continue
        probe = subprocess.run([ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                str(corpus / record.path)], capture_output=True, text=True, timeout=30)
        try:
            expected = float(probe.stdout.strip())
        except ValueError:
            continue  # ffprobe itself cannot tell
        assert duration == pytest.approx(expected, abs=0.5), record.path


def test_inspect_tells_sound_from_video_and_cut_or_misnamed_files(cli, tmp_path: Path) -> None:
    """What the wild brings: a call recording exported as MP4, an upload cut short, text named .pdf,
    and a placeholder a sync left behind."""
    import imageio_ffmpeg

    root = tmp_path / "Ria Shah 1234567890"
    root.mkdir()
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=8000:duration=4", "-c:a", "aac", str(root / "call.mp4")],
                   check=True, timeout=60)
    recording = builders.clip(tmp_path / "whole.mp3", 6, "audio").read_bytes()
    (root / "interview.mp3").write_bytes(recording[:len(recording) // 2])
    (root / "risk assessment.pdf").write_text("Risk assessment: see the shared drive.\n")
    (root / "walkthrough.mov").write_bytes(bytes(50_000))
    report = json.loads(cli("inspect", str(root), "--format", "json").stdout)
    files = by_path(report)
    call = files["call.mp4"]
    assert (call["kind"], call["format"], call["error"]) == ("audio", "m4a", None)
    assert call["duration_seconds"] == pytest.approx(4, abs=0.2)
    cut = files["interview.mp3"]
    assert (cut["kind"], cut["truncated"], cut["error"]) == ("audio", True, None)
    assert cut["declared_duration_seconds"] == pytest.approx(6, abs=0.3) and cut["duration_seconds"] < 4
    assert files["risk assessment.pdf"]["error"] == "file-unreadable"
    assert files["walkthrough.mov"]["error"] == "file-empty"
    severity = {(f["code"], f["path"]): f["severity"] for f in report["findings"]}
    assert severity[("file-truncated", "interview.mp3")] == "error"
    assert severity[("file-unreadable", "risk assessment.pdf")] == "error"
    text = cli("inspect", str(root)).stdout
    assert any(line.startswith("call.mp4") and " audio " in line for line in text.splitlines())
