"""Media extraction: real clips made with ffmpeg, real-world files from the corpus, hostile input.

Durations are compared with ffprobe (Debian's ffmpeg package), an independent reader from the one
under test; cost is measured in bytes read, not time, so the tests do not depend on machine speed.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import subprocess
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest

from portfolio_check.extract import media
from portfolio_check.extract.media import extract
from portfolio_check.extract.model import (
    FILE_EMPTY,
    FILE_PROTECTED,
    FILE_TRUNCATED,
    FILE_UNREADABLE,
    Extraction,
    ExtractionProblem,
)

CLIP_SECONDS = 2
TOLERANCE_SECONDS = 0.5
NO_FFPROBE = "ffprobe not installed (apt-get install ffmpeg)"

VIDEO = ["-f", "lavfi", "-i", "testsrc=size=32x32:rate=5"]
AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000"]
BOTH = VIDEO + AUDIO

#: name -> (ffmpeg arguments, facts the extraction must report)
CLIPS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "av.mp4": (BOTH + ["-c:v", "libx264", "-c:a", "aac"],
               {"container": "mp4", "video_codec": "h264", "audio_codec": "aac"}),
    "mpeg4.mp4": (BOTH + ["-c:v", "mpeg4", "-c:a", "aac", "-movflags", "+faststart"],
                  {"container": "mp4", "video_codec": "mpeg4", "audio_codec": "aac"}),
    "av.mov": (BOTH + ["-c:v", "libx264", "-c:a", "aac"],
               {"container": "mov", "video_codec": "h264", "audio_codec": "aac"}),
    "vp8.webm": (BOTH + ["-c:v", "libvpx", "-c:a", "libvorbis"],
                 {"container": "webm", "video_codec": "vp8", "audio_codec": "vorbis"}),
    "vp9.webm": (BOTH + ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"],
                 {"container": "webm", "video_codec": "vp9", "audio_codec": "opus", "sample_rate": 48000}),
    "av.mkv": (BOTH + ["-c:v", "libx264", "-c:a", "flac"],
               {"container": "matroska", "video_codec": "h264", "audio_codec": "flac"}),
    "av.avi": (BOTH + ["-c:v", "mpeg4", "-c:a", "libmp3lame"],
               {"container": "avi", "video_codec": "mpeg4", "audio_codec": "mp3"}),
    "av.3gp": (BOTH + ["-c:v", "libx264", "-c:a", "libopencore_amrnb", "-ac", "1"],
               {"container": "3gp", "video_codec": "h264", "audio_codec": "amr_nb"}),
    "av.wmv": (BOTH + ["-c:v", "wmv2", "-c:a", "wmav2"],
               {"container": "asf", "video_codec": "wmv2", "audio_codec": "wmav2"}),
    "theora.ogv": (BOTH + ["-c:v", "libtheora", "-c:a", "libvorbis"],
                   {"container": "ogg", "video_codec": "theora", "audio_codec": "vorbis"}),
    "video-only.mp4": (VIDEO + ["-c:v", "libx264"], {"container": "mp4", "video_codec": "h264"}),
    "video-only.webm": (VIDEO + ["-c:v", "libvpx"], {"container": "webm", "video_codec": "vp8"}),
    # An audio file named .mp4 (brand isom): the tool must not call it a video.
    "audio-only.mp4": (AUDIO + ["-c:a", "aac"], {"container": "mp4", "audio_codec": "aac"}),
    "a.mp3": (AUDIO + ["-c:a", "libmp3lame"], {"container": "mp3", "audio_codec": "mp3"}),
    "a.m4a": (AUDIO + ["-c:a", "aac"], {"container": "m4a", "audio_codec": "aac"}),
    "a.wav": (AUDIO + ["-c:a", "pcm_s16le"], {"container": "wav", "audio_codec": "pcm_s16le"}),
    "a.ogg": (AUDIO + ["-c:a", "libvorbis"], {"container": "ogg", "audio_codec": "vorbis"}),
    "a.opus": (AUDIO + ["-c:a", "libopus"], {"container": "ogg", "audio_codec": "opus", "sample_rate": 48000}),
    "a.flac": (AUDIO + ["-c:a", "flac"], {"container": "flac", "audio_codec": "flac"}),
    "a.aiff": (AUDIO + ["-c:a", "pcm_s16be"], {"container": "aiff", "audio_codec": "pcm_s16be"}),
    "a.wma": (AUDIO + ["-c:a", "wmav2"], {"container": "asf", "audio_codec": "wmav2"}),
    "a.amr": (AUDIO + ["-c:a", "libopencore_amrnb", "-ac", "1"], {"container": "amr", "audio_codec": "amr_nb"}),
}

#: Ten minutes of almost nothing: files of a few megabytes whose headers are as small as a short clip's.
LONG_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=16x16:rate=1"]
LONG_CLIPS: dict[str, list[str]] = {
    "mp4": LONG_VIDEO + AUDIO + ["-c:v", "libx264", "-c:a", "alac"],  # ALAC: ten times quicker to make than AAC
    "webm": LONG_VIDEO + AUDIO + ["-c:v", "libvpx", "-c:a", "libopus"],
    "mp3": AUDIO + ["-c:a", "libmp3lame", "-b:a", "32k"],
    "wav": AUDIO + ["-c:a", "pcm_s16le"],
    "flac": AUDIO + ["-c:a", "flac"],
    "m4a": AUDIO + ["-c:a", "alac", "-movflags", "+faststart"],  # index first: a cut keeps it
}
#: The long clips whose cut-off halves are still read (an MP4 with its index last loses it).
CUT_KINDS = ["mp3", "wav", "flac", "m4a", "webm"]
LONG_SECONDS = 600

#: Corpus files whose true length differs from ffprobe's, with our expected value and why.
CORPUS_DURATION_EXCEPTIONS = {
    "quodlibet-mutagen/tests/data/example.opus": (
        11.355, "pre-skip of 65535 samples (1.37 s): decoding gives 11.35 s, ffprobe 5.1 reports 12.72 s"),
    "quodlibet-mutagen/tests/data/issue_29.wma": (
        40.613, "32 kB kept of a 681 kB file: its header promises 42 s less 1.58 s of preroll (exiftool: 42 s); "
                "ffprobe estimates 1.66 s from the bytes present, ffmpeg decodes 0.89 s"),
}
CORPUS_TIME_LIMIT_SECONDS = 5


# --- helpers -------------------------------------------------------------------------------------


class CountingReader:
    """A file object that records what a reader asked for, to measure cost without timing it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.bytes_read = 0
        self.seeks = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        self.seeks += 1
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()


def run_ffmpeg(ffmpeg: str, output: Path, arguments: list[str], seconds: float) -> Path:
    subprocess.run([ffmpeg, "-v", "error", "-y", *arguments, "-t", str(seconds), str(output)],
                   check=True, capture_output=True, timeout=60)
    return output


def extract_bytes(data: bytes) -> Extraction:
    return extract(io.BytesIO(data), len(data))


def extract_path(path: Path) -> Extraction:
    with path.open("rb") as stream:
        return extract(stream, path.stat().st_size)


def ffprobe_duration(path: Path) -> float | None:
    """The container duration ffprobe reports, or the end of its last packet when there is none."""
    ffprobe = shutil.which("ffprobe")
    assert ffprobe
    result = subprocess.run([ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                            capture_output=True, text=True, timeout=30)
    text = result.stdout.strip()
    if result.returncode != 0 or not text:
        return None
    if text != "N/A":
        return float(text)
    packets = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, timeout=30).stdout.split()
    ends = []
    for line in packets:
        pts, duration = (line.split(",") + ["", ""])[:2]
        if pts not in ("", "N/A"):
            ends.append(float(pts) + (float(duration) if duration not in ("", "N/A") else 0.0))
    return max(ends, default=None)


def void_matroska_duration(data: bytes) -> bytes:
    """The file as a live recorder writes it: the Duration element (8-byte float) becomes padding."""
    position = data.find(b"\x44\x89\x88", 0, 4096)
    assert position > 0, "no 8-byte Duration element in the Matroska header"
    return data[:position] + b"\xec\x89" + bytes(9) + data[position + 11:]


def mp4_box(data: bytes | bytearray, kind: bytes) -> int:
    """Offset of the first box of that kind (its size field); the tests' files are small and regular."""
    position = data.find(kind)
    assert position >= 4, f"no {kind!r} box"
    return position - 4


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ffmpeg() -> str:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    return imageio_ffmpeg.get_ffmpeg_exe()


@pytest.fixture(scope="module")
def clips(ffmpeg: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    with ThreadPoolExecutor() as pool:
        jobs = {name: pool.submit(run_ffmpeg, ffmpeg, folder / name, arguments, CLIP_SECONDS)
                for name, (arguments, _) in CLIPS.items()}
        made = {name: job.result() for name, job in jobs.items()}
    live = folder / "live.webm"
    live.write_bytes(void_matroska_duration(made["vp8.webm"].read_bytes()))
    made["live.webm"] = live
    return made


@pytest.fixture(scope="module")
def long_and_short(ffmpeg: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("lengths")
    with ThreadPoolExecutor() as pool:  # encoding ten minutes takes a second or two per format
        jobs = {kind: (pool.submit(run_ffmpeg, ffmpeg, folder / f"short.{kind}", arguments, CLIP_SECONDS),
                       pool.submit(run_ffmpeg, ffmpeg, folder / f"long.{kind}", arguments, LONG_SECONDS))
                for kind, arguments in LONG_CLIPS.items()}
        pairs = {kind: (short.result(), long.result()) for kind, (short, long) in jobs.items()}
    live = []  # a WebM without duration makes the reader look at the end of the file
    for source in pairs["webm"]:
        target = folder / f"{source.stem}-live.webm"
        target.write_bytes(void_matroska_duration(source.read_bytes()))
        live.append(target)
    pairs["live-webm"] = (live[0], live[1])
    return pairs


def corpus_media(corpus: Path) -> list[str]:
    """The corpus files SOURCES.md lists as audio or video, as paths relative to the corpus."""
    files, folder = [], None
    for line in (corpus / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\S+)/(\S+)\s*$", line)
        if heading:
            folder = f"{heading[1]}-{heading[2]}"
        entry = re.match(r"^\s+- `([^`]+)`.*\((audio|video)\)\s*$", line)
        if entry and folder:
            files.append(f"{folder}/{entry[1]}")
    return files


# --- generated clips -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_clip_details(clips: dict[str, Path], name: str) -> None:
    metadata = extract_path(clips[name]).metadata
    expected = CLIPS[name][1]
    for key, value in expected.items():
        assert metadata.get(key) == value, (key, metadata)
    has_video = "video_codec" in expected
    has_audio = "audio_codec" in expected
    assert metadata["has_video"] is has_video, metadata
    assert metadata["has_audio"] is has_audio, metadata
    if has_video:
        assert (metadata["width"], metadata["height"]) == (32, 32)
        assert metadata["frame_rate"] == pytest.approx(5.0)
    else:
        assert "width" not in metadata and "video_codec" not in metadata
    if has_audio:
        assert metadata["sample_rate"] == expected.get("sample_rate", 8000)
        assert metadata["channels"] == 1
    assert metadata["duration_seconds"] == pytest.approx(CLIP_SECONDS, abs=TOLERANCE_SECONDS)
    assert metadata["probe"] in ("mutagen", "pyav")
    assert "duration_suspect" not in metadata


@pytest.mark.parametrize("name", sorted([*CLIPS, "live.webm"]))
def test_clip_duration_matches_ffprobe(clips: dict[str, Path], name: str) -> None:
    if not shutil.which("ffprobe"):
        pytest.skip(NO_FFPROBE)
    reference = ffprobe_duration(clips[name])
    assert reference is not None
    assert extract_path(clips[name]).metadata["duration_seconds"] == pytest.approx(reference, abs=TOLERANCE_SECONDS)


def test_audio_reads_need_no_pyav(clips: dict[str, Path]) -> None:
    """mutagen answers for plain audio; PyAV is opened for video containers and what mutagen lacks."""
    for name in ("a.mp3", "a.m4a", "a.wav", "a.ogg", "a.opus", "a.flac", "a.aiff"):
        assert extract_path(clips[name]).metadata["probe"] == "mutagen", name
    for name in ("av.mp4", "vp8.webm", "av.avi", "a.amr", "theora.ogv"):
        assert extract_path(clips[name]).metadata["probe"] == "pyav", name


def test_live_webm_duration_is_read_from_the_last_cluster(clips: dict[str, Path]) -> None:
    import av

    with av.open(str(clips["live.webm"])) as container:
        assert container.duration is None  # the header really has no duration any more
    metadata = extract_path(clips["live.webm"]).metadata
    assert metadata["duration_seconds"] == pytest.approx(CLIP_SECONDS, abs=0.25)
    assert metadata["container"] == "webm"


def test_zip_member_stream(clips: dict[str, Path], tmp_path: Path) -> None:
    archive = tmp_path / "portfolio.zip"
    names = ("av.mp4", "live.webm", "a.mp3", "av.avi")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
        for name in names:
            writer.write(clips[name], name)
    with zipfile.ZipFile(archive) as reader:
        for name in names:
            with reader.open(name) as member:
                from_zip = extract(cast(BinaryIO, member), reader.getinfo(name).file_size)
            assert from_zip.metadata == extract_path(clips[name]).metadata, name


def test_audio_only_clips_say_so(clips: dict[str, Path]) -> None:
    """Sound without a moving picture is audio whatever the container: the extraction says so."""
    assert extract_path(clips["audio-only.mp4"]).kind == "audio"
    assert extract_path(clips["a.m4a"]).kind == "audio"
    for name in ("av.mp4", "video-only.webm", "vp8.webm", "av.mkv"):
        assert extract_path(clips[name]).kind is None, name


# --- cost ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*LONG_CLIPS, "live-webm"])
def test_cost_does_not_grow_with_length(long_and_short: dict[str, tuple[Path, Path]], kind: str) -> None:
    short, long = long_and_short[kind]
    reads = {}
    for path in (short, long):
        with path.open("rb") as stream:
            counter = CountingReader(stream)
            metadata = extract(cast(BinaryIO, counter), path.stat().st_size).metadata
        reads[path] = counter.bytes_read
        assert counter.seeks < 1000
    assert metadata["duration_seconds"] == pytest.approx(LONG_SECONDS, abs=TOLERANCE_SECONDS)
    long_size = long.stat().st_size
    assert long_size > 1_500_000  # big enough for the bounds below to mean something
    # Reading every packet would read the whole file; headers (an MP4's index grows slowly) do not.
    assert reads[long] < min(1024 * 1024, long_size / 5), reads
    assert reads[long] < reads[short] + 512 * 1024, reads


@pytest.mark.parametrize("kind", CUT_KINDS)
def test_cut_off_check_cost_does_not_grow_with_length(long_and_short: dict[str, tuple[Path, Path]], kind: str,
                                                     tmp_path: Path) -> None:
    """Cut in half, a 10-minute file is found cut off at about 5 minutes, reading no more than a short one."""
    reads = {}
    for path in long_and_short[kind]:
        data = path.read_bytes()
        cut = tmp_path / f"cut-{path.name}"
        cut.write_bytes(data[:len(data) * 3 // 4] if path.stem.startswith("short") else data[:len(data) // 2])
        with cut.open("rb") as stream:
            counter = CountingReader(stream)
            result = extract(cast(BinaryIO, counter), cut.stat().st_size)
        reads[path] = counter.bytes_read
        assert result.metadata["truncated"] is True, path
        assert [problem.code for problem in result.problems] == [FILE_TRUNCATED]
        assert result.metadata["duration_seconds"] < result.metadata["declared_duration_seconds"] - 0.3
    short, long = long_and_short[kind]
    with long.open("rb") as stream:
        whole = extract(stream, long.stat().st_size).metadata["duration_seconds"]
    assert whole == pytest.approx(LONG_SECONDS, abs=TOLERANCE_SECONDS)
    assert reads[long] < reads[short] + 512 * 1024, reads
    cut_long = extract_path(tmp_path / f"cut-{long.name}").metadata
    assert cut_long["declared_duration_seconds"] == pytest.approx(LONG_SECONDS, abs=1)
    assert cut_long["duration_seconds"] == pytest.approx(LONG_SECONDS / 2, rel=0.1)


def test_read_budget_stops_a_parser(clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard that ends hangs: a parser that reads past the budget gets nothing more."""
    monkeypatch.setattr(media, "READ_BUDGET_BYTES", 1000)
    with pytest.raises(ExtractionProblem) as raised:
        extract_path(clips["vp8.webm"])  # only PyAV reads WebM, and it wants more than 1000 bytes
    assert raised.value.code == FILE_UNREADABLE
    monkeypatch.setattr(media, "READ_BUDGET_BYTES", 32 * 1024 * 1024)
    monkeypatch.setattr(media, "READ_BUDGET_CALLS", 2)
    with pytest.raises(ExtractionProblem):
        extract_path(clips["a.mp3"])
    monkeypatch.setattr(media, "READ_BUDGET_CALLS", 100_000)
    monkeypatch.setattr(media, "READ_DEADLINE_SECONDS", -1.0)
    with pytest.raises(ExtractionProblem):
        extract_path(clips["av.mp4"])


@pytest.mark.parametrize(("claimed", "kept"), [(float("nan"), None), (float("inf"), None), (-5.0, -5.0)])
def test_impossible_lengths_are_suspect(claimed: float, kept: float | None) -> None:
    metadata = media._combine("mp3", {"duration_seconds": claimed, "has_audio": True}, None)
    assert metadata["duration_seconds"] == kept
    assert metadata["duration_suspect"] is True
    assert metadata["duration_suspect_reason"]


# --- the corpus ----------------------------------------------------------------------------------


def extract_with_time_limit(path: Path, seconds: float) -> tuple[bool, Extraction | BaseException | None]:
    """(finished, result or exception): a reader that hangs is left behind in a daemon thread."""
    outcome: list[Extraction | BaseException] = []

    def run() -> None:
        try:
            outcome.append(extract_path(path))
        except BaseException as caught:  # noqa: BLE001 - the test reports what escaped
            outcome.append(caught)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    return (not worker.is_alive(), outcome[0] if outcome else None)


def test_corpus_media(corpus: Path) -> None:
    files = corpus_media(corpus)
    assert len(files) > 40, "SOURCES.md lists fewer media files than expected"
    results: dict[str, Any] = {}
    failures = []
    for relative in files:
        finished, outcome = extract_with_time_limit(corpus / relative, CORPUS_TIME_LIMIT_SECONDS)
        if not finished:
            failures.append(f"{relative}: still reading after {CORPUS_TIME_LIMIT_SECONDS} s")
        elif isinstance(outcome, BaseException) and not isinstance(outcome, ExtractionProblem):
            failures.append(f"{relative}: {type(outcome).__name__}: {outcome}")
        else:
            results[relative] = outcome
    assert not failures, "\n".join(failures)

    read = {name: result for name, result in results.items() if isinstance(result, Extraction)}
    assert len(read) >= 38, sorted(set(results) - set(read))
    for name, result in read.items():
        duration = result.metadata["duration_seconds"]
        if duration is not None and duration > media.SUSPECT_DURATION_SECONDS:
            assert result.metadata.get("duration_suspect") is True, name
    # 47 hours promised, 11 microseconds held: reported as cut off, not read as a 47-hour clip.
    assert results["quodlibet-mutagen/tests/data/nero-chapters.m4b"].code == FILE_TRUNCATED
    # mutagen's test files cut short on purpose: what they hold, not what their headers promise.
    for name, held in (("quodlibet-mutagen/tests/data/variable-block.flac", 0.91),
                       ("quodlibet-mutagen/tests/data/52-too-short-block-size.flac", 0.52)):
        assert read[name].metadata["truncated"] is True, name
        assert read[name].metadata["duration_seconds"] == pytest.approx(held, abs=0.1), name
    assert read["Zulko-moviepy/media/no_duration.webm"].metadata["duration_seconds"] == pytest.approx(4.94, abs=0.25)
    assert read["gabriel-vasile-mimetype/testdata/ogg.ogv"].metadata["has_audio"] is True
    assert read["Zulko-moviepy/media/with-attached-pic.mp3"].metadata["has_video"] is False  # cover art
    for name, code in (("mindeng-nom-exif/testdata/compatible-brands-fail.mov", FILE_UNREADABLE),
                       ("quodlibet-mutagen/tests/data/emptyfile.mp3", FILE_EMPTY),
                       ("scanny-python-pptx/tests/test_files/dummy.mp4", FILE_UNREADABLE)):
        assert isinstance(results[name], ExtractionProblem) and results[name].code == code, name

    if not shutil.which("ffprobe"):
        pytest.skip(NO_FFPROBE)
    with ThreadPoolExecutor(max_workers=4) as pool:
        references = dict(zip(results, pool.map(lambda name: ffprobe_duration(corpus / name), results), strict=True))
    disagreements = []
    for name, result in results.items():
        reference = CORPUS_DURATION_EXCEPTIONS[name][0] if name in CORPUS_DURATION_EXCEPTIONS else references[name]
        if reference is None:  # ffprobe cannot read it either
            continue
        if isinstance(result, ExtractionProblem) and result.code == FILE_TRUNCATED:
            continue  # a header and no media: ffprobe repeats the header, nothing plays
        # ffprobe reports what the header promises; for a file cut off, that is our declared length.
        key = "declared_duration_seconds" if isinstance(result, Extraction) and result.metadata.get("truncated") \
            else "duration_seconds"
        ours = result.metadata[key] if isinstance(result, Extraction) else result.code
        if not isinstance(ours, float) or abs(ours - reference) > TOLERANCE_SECONDS:
            disagreements.append(f"{name}: ours {ours}, ffprobe {reference}")
    assert not disagreements, "\n".join(disagreements)


# --- damaged and hostile files -------------------------------------------------------------------


def test_empty_file() -> None:
    with pytest.raises(ExtractionProblem) as raised:
        extract_bytes(b"")
    assert raised.value.code == FILE_EMPTY


def test_mp4_cut_before_its_index(clips: dict[str, Path]) -> None:
    data = clips["av.mp4"].read_bytes()
    assert data.find(b"moov") > len(data) // 2  # ffmpeg writes the index last
    with pytest.raises(ExtractionProblem) as raised:
        extract_bytes(data[:len(data) // 2])
    assert raised.value.code == FILE_UNREADABLE
    assert "incomplete" in raised.value.message


def test_mp4_cut_after_its_index(clips: dict[str, Path]) -> None:
    """Index first (faststart), media cut short: readable, reported as cut off with what it holds."""
    data = clips["mpeg4.mp4"].read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")
    result = extract_bytes(data[:len(data) * 2 // 3])
    assert result.metadata["truncated"] is True
    assert result.metadata["declared_duration_seconds"] == pytest.approx(CLIP_SECONDS, abs=TOLERANCE_SECONDS)
    assert 0.5 < result.metadata["duration_seconds"] < CLIP_SECONDS - 0.3
    assert [problem.code for problem in result.problems] == [FILE_TRUNCATED]
    assert "cut off" in result.problems[0].message


@pytest.mark.parametrize("seed", range(6))
def test_random_bytes(seed: int) -> None:
    generator = random.Random(seed)
    data = bytes(generator.getrandbits(8) for _ in range(generator.choice([16, 500, 5000, 70000])))
    with pytest.raises(ExtractionProblem) as raised:
        extract_bytes(data)
    assert raised.value.code == FILE_UNREADABLE


MAGIC_PREFIXES = [b"ID3\x04\x00\x00\x00\x00\x02\x00", b"\xff\xfb\x90\x64", b"RIFF\x00\x01\x00\x00WAVEfmt ",
                  b"\x00\x00\x00\x18ftypisom", b"\x1a\x45\xdf\xa3", b"OggS\x00\x02", b"fLaC", b"FLV\x01",
                  bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")]


@pytest.mark.parametrize("prefix", MAGIC_PREFIXES)
def test_magic_bytes_then_garbage(prefix: bytes) -> None:
    data = prefix + random.Random(1).randbytes(4000)
    try:
        result = extract_bytes(data)
    except ExtractionProblem as problem:
        assert problem.code == FILE_UNREADABLE
    else:  # a reader may find a frame header in noise; it must still say something sane
        duration = result.metadata["duration_seconds"]
        assert duration is None or duration >= 0


def test_mp3_with_garbage_inside(clips: dict[str, Path]) -> None:
    data = bytearray(clips["a.mp3"].read_bytes())
    middle = len(data) // 2
    data[middle:middle + 2000] = random.Random(2).randbytes(2000)
    metadata = extract_bytes(bytes(data)).metadata
    assert metadata["duration_seconds"] == pytest.approx(CLIP_SECONDS, abs=TOLERANCE_SECONDS)


@pytest.mark.parametrize("seed", range(3))
def test_mutated_clips_fail_cleanly(clips: dict[str, Path], seed: int) -> None:
    """Damaged copies of every format: extraction either works or says the file is unreadable."""
    generator = random.Random(seed)
    for name in sorted(clips):
        original = clips[name].read_bytes()
        for _ in range(8):
            data = bytearray(original)
            for _ in range(generator.randrange(1, 30)):  # mostly in the headers, where parsers are exposed
                reach = min(len(data), generator.choice([64, 1024, len(data)]))
                data[generator.randrange(reach)] = generator.randrange(256)
            if generator.random() < 0.3:
                data = data[:generator.randrange(1, len(data))]
            try:
                extract_bytes(bytes(data))
            except ExtractionProblem as problem:
                assert problem.code in (FILE_UNREADABLE, FILE_EMPTY, FILE_TRUNCATED, FILE_PROTECTED), name


def claim_fifty_hours(data: bytes) -> bytes:
    """A video-only MP4 whose movie, track, media and sample-timing headers all claim 50 hours.

    Version-0 ``mvhd`` and ``mdhd`` payloads: version/flags, creation, modification, timescale, duration
    (4 bytes each); ``tkhd``: version/flags, creation, modification, track id, reserved, duration (in
    the movie's timescale). FFmpeg times the media from the sample table (``stts``), so it is patched too.
    """
    hours = 50 * 3600
    patched = bytearray(data)

    def u32(offset: int) -> int:
        return struct.unpack(">I", patched[offset:offset + 4])[0]

    def put(offset: int, value: int) -> None:
        patched[offset:offset + 4] = struct.pack(">I", value)

    mvhd = mp4_box(patched, b"mvhd") + 8
    assert patched[mvhd] == 0, "expected a version-0 mvhd"
    movie_timescale = u32(mvhd + 12)
    put(mvhd + 16, hours * movie_timescale)
    tkhd = mp4_box(patched, b"tkhd") + 8
    put(tkhd + 20, hours * movie_timescale)
    mdhd = mp4_box(patched, b"mdhd") + 8
    media_timescale = u32(mdhd + 12)
    put(mdhd + 16, hours * media_timescale)
    stts = mp4_box(patched, b"stts") + 8
    assert u32(stts + 4) == 1, "expected one stts entry (constant frame rate)"
    put(stts + 12, hours * media_timescale // u32(stts + 8))
    return bytes(patched)


def test_header_claiming_fifty_hours(ffmpeg: str, tmp_path: Path) -> None:
    clip = run_ffmpeg(ffmpeg, tmp_path / "plain.mp4", VIDEO + ["-c:v", "libx264", "-use_editlist", "0"], CLIP_SECONDS)
    metadata = extract_bytes(claim_fifty_hours(clip.read_bytes())).metadata
    assert metadata["duration_seconds"] == pytest.approx(180_000, rel=0.001)
    assert metadata["duration_suspect"] is True
    assert "50 h" in metadata["duration_suspect_reason"]


def test_movie_header_alone_lying(clips: dict[str, Path]) -> None:
    """Only mvhd claims 50 hours: mutagen believes it, FFmpeg times the samples; the disagreement shows."""
    patched = bytearray(clips["video-only.mp4"].read_bytes())
    mvhd = mp4_box(patched, b"mvhd") + 8
    timescale = struct.unpack(">I", patched[mvhd + 12:mvhd + 16])[0]
    patched[mvhd + 16:mvhd + 20] = struct.pack(">I", 50 * 3600 * timescale)
    metadata = extract_bytes(bytes(patched)).metadata
    assert metadata["duration_seconds"] == pytest.approx(CLIP_SECONDS, abs=TOLERANCE_SECONDS)
    assert metadata["probe"] == "pyav"
    assert metadata["duration_suspect"] is True
    assert "50 h" in metadata["duration_suspect_reason"] and "2.0 s was kept" in metadata["duration_suspect_reason"]


@pytest.mark.parametrize("name", ["a.wav", "a.flac", "a.mp3", "a.aiff", "vp8.webm", "av.mkv", "mpeg4.mp4"])
def test_clips_cut_short_are_cut_off(clips: dict[str, Path], name: str) -> None:
    """What a sync or a full disk leaves: the header intact, the last quarter missing."""
    data = clips[name].read_bytes()
    result = extract_bytes(data[:len(data) * 3 // 4])
    assert result.metadata["truncated"] is True
    declared = result.metadata["declared_duration_seconds"]
    assert declared == pytest.approx(CLIP_SECONDS, abs=TOLERANCE_SECONDS)  # MP3 frames pad 2 s to 2.16
    assert 0 < result.metadata["duration_seconds"] < declared - 0.3
    [problem] = result.problems
    assert problem.code == FILE_TRUNCATED
    assert "cut off: its header promises 2." in problem.message and "holds only about" in problem.message


def _header_end(name: str, data: bytes) -> int:
    """Where the media data starts: after the WAV data chunk header, the FLAC metadata, the ID3 tag,
    the MP4 mdat box header."""
    if name.endswith(".wav"):
        return data.find(b"data") + 8
    if name.endswith(".flac"):
        position = 4
        while not data[position] & 0x80:
            position += 4 + int.from_bytes(data[position + 1:position + 4], "big")
        return position + 4 + int.from_bytes(data[position + 1:position + 4], "big")
    if name.endswith(".mp3"):
        return 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    return data.find(b"mdat") + 4


@pytest.mark.parametrize("name", ["a.wav", "a.flac", "a.mp3", "mpeg4.mp4"])
def test_a_header_alone_is_no_recording(clips: dict[str, Path], name: str) -> None:
    """Cut right after the header (the tag, the index): nothing plays, and the message says so."""
    data = clips[name].read_bytes()
    keep = _header_end(name, data)
    assert 0 < keep < len(data) - 1000
    with pytest.raises(ExtractionProblem) as raised:
        extract_bytes(data[:keep])
    assert raised.value.code == FILE_TRUNCATED and "holds no audio or video" in raised.value.message


def test_complete_files_are_not_cut_off(clips: dict[str, Path]) -> None:
    for name, path in clips.items():
        result = extract_path(path)
        assert "truncated" not in result.metadata and result.problems == [], name


def test_fragmented_mp4(ffmpeg: str, tmp_path: Path) -> None:
    """Screen and browser recorders write fragmented MP4: samples listed per fragment, not in the index."""
    clip = run_ffmpeg(ffmpeg, tmp_path / "fragmented.m4a", AUDIO + [
        "-c:a", "aac", "-movflags", "frag_keyframe+empty_moov", "-frag_duration", "200000"], CLIP_SECONDS)
    data = clip.read_bytes()
    whole = extract_bytes(data)
    assert whole.problems == [] and whole.kind == "audio"
    assert whole.metadata["duration_seconds"] == pytest.approx(CLIP_SECONDS, abs=TOLERANCE_SECONDS)
    cut = extract_bytes(data[:len(data) // 2])
    assert [problem.code for problem in cut.problems] == [FILE_TRUNCATED]
    assert 0.5 < cut.metadata["duration_seconds"] < 1.5


def test_drm_protected_mp4_is_protected(ffmpeg: str, tmp_path: Path) -> None:
    """Common Encryption as packagers write it (encrypted sample entries): no player opens it without a key."""
    key = "00112233445566778899aabbccddeeff"
    clip = run_ffmpeg(ffmpeg, tmp_path / "protected.mp4", AUDIO + [
        "-c:a", "aac", "-encryption_scheme", "cenc-aes-ctr", "-encryption_key", key, "-encryption_kid", key],
        CLIP_SECONDS)
    with pytest.raises(ExtractionProblem) as raised:
        extract_path(clip)
    assert raised.value.code == FILE_PROTECTED and "CENC" in raised.value.message


def test_sound_with_cover_art_is_audio(ffmpeg: str, tmp_path: Path) -> None:
    """An attached picture (album art, a podcast's logo) is not video, in MP4 and in Matroska."""
    cover = run_ffmpeg(ffmpeg, tmp_path / "cover.png", ["-f", "lavfi", "-i", "color=red:size=32x32", "-frames:v", "1"],
                       1)
    for name, codec in (("with-cover.m4a", ["-c:a", "aac", "-c:v", "png"]),
                        ("with-cover.mp4", ["-c:a", "aac", "-c:v", "mjpeg"])):
        clip = run_ffmpeg(ffmpeg, tmp_path / name, AUDIO + ["-i", str(cover), "-map", "0:a", "-map", "1:v", *codec,
                                                            "-disposition:v", "attached_pic"], CLIP_SECONDS)
        result = extract_path(clip)
        assert (result.kind, result.metadata["has_video"], result.metadata["has_audio"]) == ("audio", False, True), name
    webm = run_ffmpeg(ffmpeg, tmp_path / "voice.webm", AUDIO + ["-c:a", "libopus"], CLIP_SECONDS)
    assert extract_path(webm).kind == "audio"


def test_audio_in_a_video_container_is_not_video(clips: dict[str, Path]) -> None:
    for name in ("audio-only.mp4", "a.m4a", "a.wma"):
        metadata = extract_path(clips[name]).metadata
        assert metadata["has_video"] is False and metadata["has_audio"] is True, name
