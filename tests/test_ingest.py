"""Ingest: folders, zips, SharePoint-style exports, junk, and archives that try to do harm."""

from __future__ import annotations

import io
import os
import random
import re
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from portfolio_check.ingest.archive import Limits, clean_member_path
from portfolio_check.ingest.inventory import InputError, Inventory, ingest, open_source


def write_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_raw_names_zip(path: Path, members: dict[bytes, bytes]) -> Path:
    """A zip whose names are the given bytes with the UTF-8 flag off, as older tools write them.

    zipfile always flags non-ASCII names as UTF-8, so names are written as ASCII placeholders of the
    same length and the bytes are swapped in afterwards.
    """
    placeholders = {}
    with zipfile.ZipFile(path, "w") as archive:
        for index, (raw, data) in enumerate(members.items()):
            placeholder = f"{index:02d}".encode() + b"_" * (len(raw) - 2)
            placeholders[placeholder] = raw
            archive.writestr(placeholder.decode(), data)
    content = path.read_bytes()
    for placeholder, raw in placeholders.items():
        content = content.replace(placeholder, raw)
    path.write_bytes(content)
    return path


def paths(inventory) -> list[str]:
    return [f.path for f in inventory.files]


def test_folder_with_junk_and_empty_folders(tmp_path: Path) -> None:
    root = tmp_path / "Jane Smith 1234567890"
    (root / "week 1").mkdir(parents=True)
    (root / "week 1" / "call sheet.docx").write_bytes(b"x" * 10)
    (root / "plan.pdf").write_bytes(b"%PDF-1.4")
    (root / ".DS_Store").write_bytes(b"junk")
    (root / "Thumbs.db").write_bytes(b"junk")
    (root / "week 1" / "~$ll sheet.docx").write_bytes(b"lock")
    (root / "desktop.ini").write_bytes(b"junk")
    (root / "scratch.tmp").write_bytes(b"junk")
    (root / "__MACOSX").mkdir()
    (root / "__MACOSX" / "._plan.pdf").write_bytes(b"junk")
    (root / "empty").mkdir()
    inventory = ingest(tmp_path)  # the export wraps the portfolio in one folder
    assert inventory.name == "Jane Smith 1234567890"
    assert paths(inventory) == ["plan.pdf", "week 1/call sheet.docx"]
    ignored = {i.path: i.reason for i in inventory.ignored}
    assert set(ignored) == {".DS_Store", "Thumbs.db", "desktop.ini", "scratch.tmp", "__MACOSX/", "empty/",
                            "week 1/~$ll sheet.docx"}
    assert "lock file" in ignored["week 1/~$ll sheet.docx"]


def test_symlinks_in_a_folder_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("not part of the portfolio")
    root = tmp_path / "portfolio"
    root.mkdir()
    (root / "evidence.txt").write_text("evidence")
    os.symlink(secret, root / "link.txt")
    os.symlink(tmp_path, root / "loop")
    inventory = ingest(root)
    assert paths(inventory) == ["evidence.txt"]
    assert {i.path for i in inventory.ignored} == {"link.txt", "loop"}


def test_zip_with_one_top_folder_utf8_and_cp437_names(tmp_path: Path) -> None:
    archive_path = tmp_path / "OneDrive_1_2026-11-01.zip"
    top = "Zoë Brontë 1234567890/".encode()
    write_raw_names_zip(archive_path, {
        top + "Café schedule.docx".encode(): b"doc",   # UTF-8 bytes without the flag, as macOS writes them
        top + "Ünterlagen.pdf".encode(): b"%PDF",
        top + "Résumé.txt".encode(): b"text",
        top + b"notes/": b"",
    })
    inventory = ingest(archive_path)
    assert inventory.name == "Zoë Brontë 1234567890"
    assert paths(inventory) == ["Café schedule.docx", "Ünterlagen.pdf", "Résumé.txt"]
    assert [i.path for i in inventory.ignored] == ["notes/"]


def test_true_cp437_names_stay_cp437(tmp_path: Path) -> None:
    # A Windows zip tool writing the OEM code page: bytes that are not valid UTF-8.
    archive_path = write_raw_names_zip(tmp_path / "p.zip", {b"r\x82sum\x82.txt": b"x"})
    assert paths(ingest(archive_path)) == ["résumé.txt"]
    flagged = write_zip(tmp_path / "flagged.zip", {"r\u00e9sum\u00e9 ok.txt": b"x"})
    assert paths(ingest(flagged)) == ["résumé ok.txt"]


def test_nested_zip_members_are_named_through_the_archive(tmp_path: Path) -> None:
    inner = zip_bytes({"week3/callsheet.docx": b"docx bytes", "week3/clip.mp4": b"mp4"})
    root = tmp_path / "portfolio"
    root.mkdir()
    (root / "evidence.zip").write_bytes(inner)
    (root / "statement.pdf").write_bytes(b"%PDF")
    inventory = ingest(root)
    assert paths(inventory) == ["evidence.zip!/week3/callsheet.docx", "evidence.zip!/week3/clip.mp4", "statement.pdf"]
    assert inventory.archives == ["evidence.zip"]
    with open_source(inventory.files[0].locator) as stream:
        assert stream.read() == b"docx bytes"

    outer = tmp_path / "outer.zip"
    write_zip(outer, {"p/evidence.zip": inner, "p/a.txt": b"a"})
    nested = ingest(outer)
    assert paths(nested) == ["evidence.zip!/week3/callsheet.docx", "evidence.zip!/week3/clip.mp4", "a.txt"]
    with open_source(nested.files[1].locator) as stream:
        assert stream.read() == b"mp4"


def test_office_files_are_not_opened_as_archives(tmp_path: Path) -> None:
    from docx import Document

    root = tmp_path / "p"
    root.mkdir()
    Document().save(root / "report.docx")
    (root / "renamed.zip").write_bytes((root / "report.docx").read_bytes())
    inner = zip_bytes({"report.docx": (root / "report.docx").read_bytes()})
    (root / "bundle.zip").write_bytes(inner)
    inventory = ingest(root)
    assert paths(inventory) == ["bundle.zip!/report.docx", "renamed.zip", "report.docx"]


def test_hostile_member_names_links_and_duplicates(tmp_path: Path) -> None:
    archive_path = tmp_path / "p.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("ok.txt", b"fine")
        archive.writestr("../../etc/evil.txt", b"x")
        archive.writestr("/abs/evil.txt", b"x")
        archive.writestr("C:\\windows\\evil.txt", b"x")
        link = zipfile.ZipInfo("link.txt")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("OK.txt", b"duplicate in another case")
    inventory = ingest(archive_path)
    assert paths(inventory) == ["ok.txt"]
    messages = [p.message for _, p in inventory.problems]
    assert sum("unsafe name" in m for m in messages) == 3
    assert any("is a link" in m for m in messages)
    assert any("appears more than once" in m for m in messages)
    assert {p.code for _, p in inventory.problems} == {"unsafe-archive"}


@pytest.mark.parametrize(("name", "expected"), [
    ("a/b.txt", "a/b.txt"), ("./a//b.txt", "a/b.txt"), ("a\\b.txt", "a/b.txt"),
    ("../a.txt", None), ("a/../../b", None), ("/etc/passwd", None), ("C:/x", None),
])
def test_clean_member_path(name: str, expected: str | None) -> None:
    assert clean_member_path(name) == expected


def assert_refused(inventory: Inventory, reason: str) -> None:
    """A portfolio zip refused as unsafe: nothing read, one unsafe-archive problem saying why (a finding, so
    the check still gives a verdict and writes its reports)."""
    assert inventory.files == []
    [(where, problem)] = inventory.problems
    assert problem.code == "unsafe-archive" and re.search(reason, problem.message), problem.message
    assert where.endswith(".zip")


def test_ratio_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("zeros.bin", "w") as member:
        block = bytes(1024 * 1024)
        for _ in range(64):
            member.write(block)
    assert_refused(ingest(bomb), r"compressed .* to 1, far beyond any real document")
    # Inside a portfolio folder the bomb becomes a problem and the rest is still inventoried.
    root = tmp_path / "p"
    root.mkdir()
    (root / "bomb.zip").write_bytes(bomb.read_bytes())
    (root / "real.txt").write_text("evidence")
    inventory = ingest(root)
    assert paths(inventory) == ["real.txt"]
    assert [(path, p.code) for path, p in inventory.problems] == [("bomb.zip", "unsafe-archive")]


def test_total_size_and_member_count_limits(tmp_path: Path) -> None:
    archive_path = write_zip(tmp_path / "p.zip", {f"f{i}.txt": b"x" * 1000 for i in range(30)})
    assert_refused(ingest(archive_path, Limits(max_members=20)), "holds 30 entries")
    assert_refused(ingest(archive_path, Limits(max_total_bytes=10_000)), "would unpack to")


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    # Two central-directory records pointing at the same local file: the core of overlap bombs.
    data = bytearray(zip_bytes({"a.txt": b"a" * 100}))
    eocd = data.rindex(b"PK\x05\x06")
    cd_offset = struct.unpack_from("<I", data, eocd + 16)[0]
    cd_size = struct.unpack_from("<I", data, eocd + 12)[0]
    record = bytes(data[cd_offset:cd_offset + cd_size])
    second = bytearray(record)
    second[46:46 + 5] = b"b.txt"
    new_cd = record + bytes(second)
    rebuilt = bytearray(data[:cd_offset]) + new_cd + data[eocd:]
    new_eocd = len(data[:cd_offset]) + len(new_cd)
    struct.pack_into("<HHI", rebuilt, new_eocd + 8, 2, 2, len(new_cd))
    path = tmp_path / "overlap.zip"
    path.write_bytes(bytes(rebuilt))
    assert_refused(ingest(path), "overlap each other")


def test_deep_nesting_stops(tmp_path: Path) -> None:
    payload = zip_bytes({"deep.txt": b"bottom"})
    for level in range(6):
        payload = zip_bytes({f"level{level}.zip": payload})
    root = tmp_path / "p"
    root.mkdir()
    (root / "nest.zip").write_bytes(payload)
    inventory = ingest(root, Limits(max_depth=4))
    assert paths(inventory) == []
    [(where, problem)] = inventory.problems
    assert problem.code == "unsafe-archive" and "nested 4 levels deep" in problem.message
    assert where.count("!/") == 3


@pytest.mark.parametrize("content", [b"", b"plain text, not a zip", b"PK\x03\x04 truncated"])
def test_inputs_that_are_not_portfolios(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "portfolio.zip"
    path.write_bytes(content)
    with pytest.raises(InputError):
        ingest(path)
    with pytest.raises(InputError, match="does not exist"):
        ingest(tmp_path / "missing")


def test_damaged_nested_zip_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "evidence.zip").write_bytes(zip_bytes({"a.txt": b"a" * 5000})[:-30])
    (root / "b.txt").write_text("b")
    inventory = ingest(root)
    assert paths(inventory) == ["b.txt"]
    assert [p.code for _, p in inventory.problems] == ["file-unreadable"]


def test_ingest_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "a.txt").write_text("a")
    write_zip(root / "bundle.zip", {"b.txt": b"b"})
    old = 1_600_000_000
    for path in root.iterdir():
        os.utime(path, (old, old))
    before = {p.name: (p.stat().st_mtime, p.stat().st_atime, p.read_bytes()) for p in root.iterdir()}
    for path in root.iterdir():
        os.utime(path, (old, old))  # reading the bytes above touched atime; reset
    before = {name: (old, old, data) for name, (_, _, data) in before.items()}
    inventory = ingest(root)
    for item in inventory.files:
        with open_source(item.locator) as stream:
            stream.read()
    after = {p.name: (p.stat().st_mtime, p.stat().st_atime, p.read_bytes()) for p in root.iterdir()}
    assert {name: value[:2] for name, value in after.items()} == {name: value[:2] for name, value in before.items()}
    assert sorted(p.name for p in root.iterdir()) == ["a.txt", "bundle.zip"]


def test_nested_member_with_corrupt_deflate_data_is_a_file_not_a_crash(tmp_path: Path) -> None:
    # Found by fuzzing: peeking at a member to see whether it is a zip raised zlib.error.
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("photo.png", b"x" * 4000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Sam/inner.zip", inner.getvalue())
        archive.writestr("Sam/notes.txt", "Evidence notes\n" * 20)
    data = bytearray(buffer.getvalue())
    start = 30 + len("Sam/inner.zip")
    data[start:start + 16] = b"\xff" * 16  # deflate block type 3 does not exist
    (tmp_path / "portfolio.zip").write_bytes(bytes(data))
    inventory = ingest(tmp_path / "portfolio.zip")
    assert "notes.txt" in {f.path.rsplit("/", 1)[-1] for f in inventory.files}


class _CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    read_bytes = 0

    def readinto(self, buffer):  # type: ignore[no-untyped-def]
        count = super().readinto(buffer)
        _CountingFile.read_bytes += count or 0
        return count


def test_a_large_stored_member_is_read_in_place_so_a_long_recording_costs_no_more(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from contextlib import contextmanager

    import builders

    from portfolio_check.extract import runner
    from portfolio_check.ingest import inventory as inventory_module

    # A real clip with 24 MB of padding after it (an MP4 "free" box, as editors leave): a long recording.
    clip = builders.clip(tmp_path / "clip.mp4", 3.0).read_bytes()
    padding = 24 * 1024**2
    # Random padding: zeros would compress like a zip bomb, and the deflated copy would be refused.
    recording = clip + struct.pack(">I4s", 8 + padding, b"free") + random.Random(0).randbytes(padding)
    folder = tmp_path / "folder" / "Sam Patel 1234567899"
    folder.mkdir(parents=True)
    (folder / "walkthrough.mp4").write_bytes(recording)
    stored = write_zip(tmp_path / "stored.zip", {"Sam Patel 1234567899/walkthrough.mp4": recording}, zipfile.ZIP_STORED)
    deflated = write_zip(tmp_path / "deflated.zip", {"Sam Patel 1234567899/walkthrough.mp4": recording})
    monkeypatch.setattr(inventory_module, "IN_MEMORY_MEMBER_BYTES", 1024**2)

    @contextmanager
    def counting_disk(path: Path):  # type: ignore[no-untyped-def]
        with io.BufferedReader(_CountingFile(path)) as stream:
            yield stream

    monkeypatch.setattr(inventory_module, "_open_disk", counting_disk)
    read = {}
    records = {}
    for name, root in (("folder", folder), ("stored", stored), ("deflated", deflated)):
        [item] = ingest(root).files
        _CountingFile.read_bytes = 0
        records[name] = runner.extract_file(item, vision=False)
        read[name] = _CountingFile.read_bytes
    durations = {name: record.metadata.get("duration_seconds") for name, record in records.items()}
    assert durations["stored"] == durations["folder"] == durations["deflated"]
    assert durations["stored"] and 2.5 < durations["stored"] < 3.5
    assert records["stored"].sha256 == records["folder"].sha256 == records["deflated"].sha256
    # In place, the stored member costs what the file on disk does: its samples and headers, not its length.
    assert read["stored"] < 4 * 1024**2 and read["stored"] < 2 * read["folder"] + 1024**2
    # A compressed member can only be read from its start: what it costs is what this change does not touch.
    assert read["deflated"] > padding

    # Reads and seeks in place give the member's own bytes.
    [item] = ingest(stored).files
    with open_source(item.locator) as stream:
        for position in (0, len(clip) - 10, len(recording) - 100, 5):
            stream.seek(position)
            assert stream.read(64) == recording[position:position + 64]
        assert stream.seek(0, io.SEEK_END) == len(recording) and stream.read(10) == b""
