"""Audio and video facts (length, codecs, picture size) read from headers only.

A portfolio can hold hours of recordings, so nothing here decodes or demuxes the media itself: the
cost of reading a file must not grow with its length. The container is recognised from its first
bytes, then:

* `integrity` reads the container's structure (MP4 sample tables, FLAC frame headers, WAV chunks,
  an MP3's seek header...) to say whether the file holds what its header promises, whether it is
  DRM-protected, and which tracks it has;
* mutagen reads a duration straight from the header of most audio formats and of MP4;
* PyAV (FFmpeg), opened with a capped probe, gives video details (codec, width, height, frame rate)
  and reads containers mutagen does not know (Matroska/WebM, AVI, FLV, MPEG, AMR).

PyAV is only opened when mutagen cannot answer or the file may carry video. Both parsers are fed
through `_BoundedReader`, which stops one that reads too much or for too long, so a hostile file
turns into an ordinary failure instead of a hang, and through `_PinnedStream`, which keeps the
file's start and MP4 index in memory so an archive member is not decompressed again for each reader.

A file with sound and no moving picture (cover art and one-frame "videos" aside) is audio, whatever
its container: the extraction says so (`Extraction.kind`), so a call recording exported as MP4 or
WebM does not count towards a standard's video limit.
"""

from __future__ import annotations

import math
import struct
import time
from typing import Any, BinaryIO, TypeGuard

from portfolio_check.extract import integrity
from portfolio_check.extract.model import (
    FILE_EMPTY,
    FILE_PROTECTED,
    FILE_TRUNCATED,
    FILE_UNREADABLE,
    Extraction,
    ExtractionProblem,
    Problem,
)

#: Longer than this is almost certainly a header error, not a recording.
SUSPECT_DURATION_SECONDS = 24 * 3600
#: mutagen and PyAV disagreeing by more than this fraction (and by more than a frame or two of
#: slack) makes the duration suspect.
DISAGREEMENT_RATIO = 0.10
DISAGREEMENT_MIN_SECONDS = 0.5

#: Per reader. A long film's MP4 sample tables take a few megabytes; anything beyond this is abuse.
READ_BUDGET_BYTES = 32 * 1024 * 1024
READ_BUDGET_CALLS = 100_000
#: Generous: it is there to end hangs, not to hurry slow disks or archive members.
READ_DEADLINE_SECONDS = 30.0
#: How far FFmpeg may read to identify streams (its defaults are 5 MB and 5 s).
PROBE_SIZE_BYTES = 1_000_000
ANALYZE_DURATION_MICROSECONDS = 2_000_000

#: Kept in memory: enough to recognise any container, FFmpeg's first reads, a Matroska Info element.
HEAD_BYTES = 64 * 1024

ISO_CONTAINERS = ("mp4", "mov", "3gp", "m4a")
#: Containers that cannot carry video (cover art aside): mutagen's answer is enough when it has one.
AUDIO_ONLY_CONTAINERS = ("mp3", "aac", "wav", "flac", "aiff", "m4a", "amr")
MATROSKA_CONTAINERS = ("matroska", "webm")
#: Names FFmpeg gives containers, for files recognised only by PyAV.
FFMPEG_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "matroska"}

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
ASF_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
QUICKTIME_FIRST_BOXES = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")

WAV_CODECS = {3: "pcm_f{bits}le", 6: "pcm_alaw", 7: "pcm_mulaw", 0x55: "mp3", 2: "adpcm_ms", 0x11: "adpcm_ima_wav"}
MP4_AUDIO_CODECS = {"mp4a.69": "mp3", "mp4a.6b": "mp3", "alac": "alac", "ac-3": "ac3", "ec-3": "eac3",
                    "opus": "opus", "flac": "flac"}

MESSAGE_UNREADABLE = (
    "The file could not be read as audio or video: it may be damaged, incomplete or not really a "
    "media file."
)
FIX_UNREADABLE = (
    "Check that it plays in a media player; if it does not, export or copy it again from the original "
    "recording and submit it again."
)
MESSAGE_NO_MOOV = (
    "The video is incomplete (it was probably cut off while copying or uploading): the part of the "
    "file that tells a player how to play it is missing, so it will not open."
)
MESSAGE_CUT_OFF = (
    "The recording is cut off: {promise}, so it stops early or does not play at all (it was probably "
    "cut short while copying, syncing or uploading)."
)
MESSAGE_NO_MEDIA = (
    "The file holds no audio or video, only the header or tag that describes it (it was probably cut "
    "off while copying or uploading), so there is nothing to play."
)
#: How to fix a recording cut short or incomplete.
FIX_COPY_AGAIN = "Copy or export it again from the original recording and submit it again."
MESSAGE_NO_STREAMS = "The file contains no audio or video that a player could play."
FIX_NO_STREAMS = ("Check that the right file was submitted; if it was, export or copy it again from the "
                  "original recording.")
MESSAGE_PROTECTED = (
    "The recording is locked by digital rights management ({scheme}), so an assessor's player cannot "
    "play it."
)
FIX_PROTECTED = "Submit a copy without protection: export it again from the original recording."


def extract(stream: BinaryIO, size: int) -> Extraction:
    """Read an audio or video file's duration and stream details from its headers.

    Raises ``file-protected`` for DRM-protected media, ``file-truncated`` for a header without any
    media data, ``file-unreadable`` for what no reader opens; a file cut off part-way is read and
    carries a ``file-truncated`` problem with the length it really holds.
    """
    if size <= 0:
        raise ExtractionProblem(
            FILE_EMPTY,
            "The file is empty (0 bytes), so there is nothing to play.",
            fix="Submit the recording again.",
        )
    source = _PinnedStream(stream, size)
    head = source.pin(0, HEAD_BYTES)
    container = _sniff_container(source, head, size)
    if container is None and size > len(head):
        source.seek(0)  # MP3 frames after more junk than the head holds (a botched tag, an editor's leftovers)
        container = _mpeg_audio_after_junk(_BoundedReader(source).read(integrity.MP3_SYNC_SCAN_BYTES))
    if container is None and size >= 128:
        source.seek(size - 128)
        if source.read(3) == b"TAG":
            container = "mp3"  # an ID3v1 tag at the end: an MP3, whether or not it holds any frames
    layout = _read_layout(source, size, head, container)
    if layout.protected:
        raise ExtractionProblem(FILE_PROTECTED, MESSAGE_PROTECTED.format(scheme=layout.protected),
                                fix=FIX_PROTECTED)
    if layout.no_tracks:
        raise ExtractionProblem(FILE_UNREADABLE, MESSAGE_NO_STREAMS, fix=FIX_NO_STREAMS)
    if layout.no_media:
        raise ExtractionProblem(FILE_TRUNCATED, MESSAGE_NO_MEDIA, fix=FIX_COPY_AGAIN)

    from_mutagen = _read_with_mutagen(source, container, is_aifc=head[8:12] == b"AIFC")
    from_pyav = None
    if _needs_pyav(container, from_mutagen):
        from_pyav = _read_with_pyav(source, size, container)
    if from_pyav is not None and not (from_pyav["has_audio"] or from_pyav["has_video"]) and from_mutagen is None:
        raise ExtractionProblem(FILE_UNREADABLE, MESSAGE_NO_STREAMS, fix=FIX_NO_STREAMS)
    if from_mutagen is None and from_pyav is None:
        raise ExtractionProblem(FILE_UNREADABLE, MESSAGE_UNREADABLE, fix=FIX_UNREADABLE)

    metadata = _combine(container, from_mutagen, from_pyav)
    problems = _apply_layout(metadata, layout, source, size, head)
    has_video, has_audio = metadata.get("has_video"), metadata.get("has_audio")
    kind = "audio" if has_video is False and has_audio else None
    return Extraction(metadata=metadata, problems=problems, kind=kind)


def _read_layout(source: _PinnedStream, size: int, head: bytes, container: str | None) -> integrity.Layout:
    """The container's structure (see `integrity`); an empty layout where none is read or it is damaged."""
    reader = _BoundedReader(source)
    try:
        if container in ISO_CONTAINERS:
            return integrity.iso_media(reader, size, pin=source.pin)
        if container == "flac":
            return integrity.flac(reader, size)
        if container == "wav":
            return integrity.wav(reader, size)
        if container == "aiff":
            return integrity.aiff(reader, size)
        if container == "mp3":
            return integrity.mpeg_audio(reader, size)
        if container in MATROSKA_CONTAINERS:
            return integrity.matroska(head, size)
        if container == "asf":
            return integrity.asf(reader, size)
    except integrity.IsoIndexMissing:
        raise ExtractionProblem(FILE_UNREADABLE, MESSAGE_NO_MOOV, fix=FIX_COPY_AGAIN) from None
    # The structure readers check every length they use; damage that still slips through (or a
    # read guard tripping) leaves the judgement to mutagen and PyAV.
    except (_ReadLimitReached, struct.error, ValueError, IndexError, OverflowError, EOFError, OSError):
        pass
    return integrity.Layout()


def _apply_layout(metadata: dict[str, Any], layout: integrity.Layout, source: _PinnedStream, size: int,
                  head: bytes) -> list[Problem]:
    """Put what the structure says over the readers' answers: a better length, tracks, truncation."""
    if layout.has_video is not None:
        metadata["has_video"] = layout.has_video and bool(metadata.get("has_video", True))
    if layout.has_audio and not metadata.get("has_audio"):
        metadata["has_audio"] = True
    if layout.duration_seconds is not None and math.isfinite(layout.duration_seconds):
        metadata["duration_seconds"] = round(layout.duration_seconds, 3)
        metadata["probe"] = "headers"
        if layout.estimated:
            metadata["duration_estimated"] = True
    if metadata.get("container") in MATROSKA_CONTAINERS and layout.truncated:
        start = metadata.pop("start_seconds", 0.0)
        layout.playable_seconds = integrity.matroska_tail_seconds(source, size, head, start)
        declared = metadata.get("duration_seconds")
        layout.declared_seconds = declared
        if declared is not None and layout.playable_seconds is not None:
            layout.truncated = layout.playable_seconds < declared - max(0.1, 0.01 * declared)
    metadata.pop("start_seconds", None)
    if not layout.truncated:
        return []
    declared = layout.declared_seconds if layout.declared_seconds is not None else metadata.get("duration_seconds")
    playable = layout.playable_seconds
    metadata["truncated"] = True
    metadata["declared_duration_seconds"] = round(declared, 3) if declared is not None else None
    if playable is not None:
        metadata["duration_seconds"] = round(playable, 3)
        metadata.pop("duration_suspect", None)
        metadata.pop("duration_suspect_reason", None)
    if declared is not None and playable is not None:
        promise = (f"its header promises {_describe_seconds(declared)} but the file holds only about "
                   f"{_describe_seconds(playable)}")
    elif declared is not None:
        promise = f"its header promises {_describe_seconds(declared)} but the file holds less than that"
    else:
        promise = "the file is shorter than its own header says"
    return [Problem(FILE_TRUNCATED, MESSAGE_CUT_OFF.format(promise=promise), FIX_COPY_AGAIN)]


# --- recognising the container -------------------------------------------------------------------


def _sniff_container(stream: _PinnedStream, head: bytes, size: int) -> str | None:
    """The container named from magic bytes, so each reader is only asked about what it knows."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov"
        if brand.startswith(b"3g"):
            return "3gp"
        if brand in (b"M4A ", b"M4B ", b"M4P "):
            return "m4a"
        return "mp4"
    if head[4:8] in QUICKTIME_FIRST_BOXES:
        return "mov"
    if head.startswith(b"ID3") and len(head) >= 10:
        return _sniff_after_id3(stream, head, size)
    if head.startswith(b"RIFF") or head.startswith(b"RF64"):
        return {b"WAVE": "wav", b"AVI ": "avi"}.get(head[8:12])
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(EBML_MAGIC):
        return "webm" if b"webm" in head[:64] else "matroska"
    if head.startswith(ASF_GUID):
        return "asf"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"ADIF"):
        return "aac"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "mpeg"
    if len(head) > 376 and head[0] == head[188] == head[376] == 0x47:
        return "mpegts"
    return _mpeg_audio_kind(head) or _mpeg_audio_after_junk(head)


def _sniff_after_id3(stream: _PinnedStream, head: bytes, size: int) -> str:
    """ID3 tags can front MP3, AAC or FLAC: look past the tag."""
    tag_size = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | head[9] & 0x7F)
    if head[5] & 0x10:  # footer present
        tag_size += 10
    if tag_size + 4 > size:
        return "mp3"
    stream.seek(tag_size)
    after = stream.read(4)
    if after.startswith(b"fLaC"):
        return "flac"
    return _mpeg_audio_kind(after) or "mp3"


def _mpeg_audio_kind(head: bytes) -> str | None:
    """"mp3" or "aac" (ADTS) when the data starts with an MPEG audio frame sync."""
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    return "aac" if (head[1] >> 1) & 0x3 == 0 else "mp3"


def _mpeg_audio_after_junk(head: bytes) -> str | None:
    """"mp3" when MPEG audio frames follow padding or junk (an editor's leftovers, zeros, a broken tag)."""
    return "mp3" if integrity.find_mpeg_frames(head) is not None else None


# --- reading the stream --------------------------------------------------------------------------


class _PinnedStream:
    """The stream with a few regions held in memory: its start and, for MP4, the index (moov).

    An archive member (zipfile) can only seek backwards by decompressing again from the start, and
    each reader goes back to these regions, often from the end of the file; holding them means the
    file is decompressed about once. Other reads go straight to the stream, exactly as asked.
    """

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self._stream = stream
        self._size = size
        self._position = 0
        self._stream_position: int | None = None
        self._regions: list[tuple[int, bytes]] = []

    def pin(self, start: int, length: int) -> bytes:
        """Read a region once and serve it from memory from now on."""
        self.seek(start)
        data = self.read(length)
        self._regions.append((start, data))
        return data

    def read(self, n: int | None = -1) -> bytes:
        end = self._size if n is None or n < 0 else min(self._size, self._position + n)
        parts = []
        while self._position < end:
            piece = self._from_memory(end) or self._from_stream(end)
            if not piece:
                break
            parts.append(piece)
            self._position += len(piece)
        return b"".join(parts)

    def _from_memory(self, end: int) -> bytes:
        for start, data in self._regions:
            if start <= self._position < start + len(data):
                return data[self._position - start:end - start]
        return b""

    def _from_stream(self, end: int) -> bytes:
        stop = min([start for start, _ in self._regions if start > self._position] + [end])
        if self._stream_position != self._position:
            self._stream.seek(self._position)
        piece = self._stream.read(stop - self._position)
        self._stream_position = self._position + len(piece)
        return piece

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: self._size}.get(whence)
        if base is None or base + offset < 0:
            raise ValueError(f"invalid seek ({offset}, {whence})")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position


# --- guarding the parsers ------------------------------------------------------------------------


class _ReadLimitReached(Exception):
    """A parser read more bytes, more often or for longer than any real header needs."""


class _BoundedReader:
    """A read-only view of the stream that stops a parser reading too much or for too long.

    Parsers have looped forever on fuzzed files; every loop that touches the file passes through
    here. The limit raises once (PyAV keeps the first exception from its read callback and reports
    the rest on stderr), then the file looks ended so the parser gives up.
    """

    def __init__(self, stream: _PinnedStream) -> None:
        self._stream = stream
        self._deadline = time.monotonic() + READ_DEADLINE_SECONDS
        self._calls = 0
        self.bytes_read = 0
        self.limit_reached = False

    def _charge_call(self) -> None:
        self._calls += 1
        if self._calls > READ_BUDGET_CALLS or time.monotonic() > self._deadline:
            self._trip()

    def _trip(self) -> None:
        self.limit_reached = True
        raise _ReadLimitReached()

    def read(self, n: int | None = -1) -> bytes:
        if self.limit_reached:
            return b""
        self._charge_call()
        allowed = READ_BUDGET_BYTES - self.bytes_read
        if n is None or n < 0 or n > allowed:
            n = allowed + 1
        data = self._stream.read(n)
        self.bytes_read += len(data)
        if self.bytes_read > READ_BUDGET_BYTES:
            self._trip()
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self.limit_reached:
            self._charge_call()
        self._stream.seek(offset, whence)
        return self._stream.tell()

    def tell(self) -> int:
        return self._stream.tell()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True


def _as_seconds(value: Any) -> float | None:
    """A duration as float, None when missing; NaN and infinity are kept for `_combine` to judge."""
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _usable(seconds: float | None) -> TypeGuard[float]:
    return seconds is not None and math.isfinite(seconds)


# --- mutagen -------------------------------------------------------------------------------------


def _mutagen_kinds(container: str | None) -> list[type]:
    """The mutagen classes that may read this container; mutagen's own guessing is not trusted."""
    if container in ISO_CONTAINERS:
        from mutagen.mp4 import MP4

        return [MP4]
    if container == "mp3":
        from mutagen.mp3 import MP3

        return [MP3]
    if container == "aac":
        from mutagen.aac import AAC

        return [AAC]
    if container == "wav":
        from mutagen.wave import WAVE

        return [WAVE]
    if container == "flac":
        from mutagen.flac import FLAC

        return [FLAC]
    if container == "aiff":
        from mutagen.aiff import AIFF

        return [AIFF]
    if container == "asf":
        from mutagen.asf import ASF

        return [ASF]
    if container == "ogg":
        from mutagen.oggflac import OggFLAC
        from mutagen.oggopus import OggOpus
        from mutagen.oggspeex import OggSpeex
        from mutagen.oggtheora import OggTheora
        from mutagen.oggvorbis import OggVorbis

        return [OggVorbis, OggOpus, OggFLAC, OggSpeex, OggTheora]
    return []


def _read_with_mutagen(stream: _PinnedStream, container: str | None, is_aifc: bool) -> dict[str, Any] | None:
    """Duration and audio details from mutagen, or None when it cannot read the file."""
    kinds = _mutagen_kinds(container)
    if not kinds:
        return None
    import mutagen

    reader = _BoundedReader(stream)
    stream.seek(0)
    try:
        # The container is already known; mutagen.File's scoring would ignore an MP3 without ID3 tag.
        media = kinds[0](reader) if len(kinds) == 1 else mutagen.File(reader, options=kinds)
        info = media.info if media is not None else None
    # mutagen raises far more than MutagenError on damaged files; any failure means "ask PyAV".
    except (mutagen.MutagenError, _ReadLimitReached, struct.error, ValueError, IndexError, KeyError,
            OverflowError, EOFError, OSError, ZeroDivisionError, TypeError, AttributeError,
            MemoryError, RecursionError):
        return None
    if info is None or reader.limit_reached:
        return None

    kind = type(media).__name__
    facts: dict[str, Any] = {"duration_seconds": _as_seconds(getattr(info, "length", None))}
    if facts["duration_seconds"] == 0:
        facts["duration_seconds"] = None  # mutagen's "could not tell" (e.g. a broken Xing header)
    if kind == "OggTheora":
        facts.update(has_video=True, video_codec="theora")
        if getattr(info, "fps", 0):
            facts["frame_rate"] = float(info.fps)
    else:
        if kind != "MP4" or getattr(info, "channels", None):  # an MP4 may have no audio track
            facts["has_audio"] = True
        if container in AUDIO_ONLY_CONTAINERS or container == "ogg":
            facts["has_video"] = False
        codec = _mutagen_audio_codec(kind, info, is_aifc)
        if codec:
            facts["audio_codec"] = codec
    for key, attribute in (("bit_rate", "bitrate"), ("sample_rate", "sample_rate"), ("channels", "channels")):
        value = getattr(info, attribute, None)
        if isinstance(value, (int, float)) and value > 0:
            facts[key] = int(value)
    if kind == "OggOpus":
        facts["sample_rate"] = 48000  # Opus always decodes at 48 kHz; mutagen does not say so
    return facts


def _mutagen_audio_codec(kind: str, info: Any, is_aifc: bool) -> str | None:
    """FFmpeg's name for the audio codec mutagen found, so both readers speak the same names."""
    if kind == "MP3":
        return {1: "mp1", 2: "mp2", 3: "mp3"}.get(getattr(info, "layer", 0))
    if kind in ("FLAC", "OggFLAC"):
        return "flac"
    simple = {"OggVorbis": "vorbis", "OggOpus": "opus", "OggSpeex": "speex", "AAC": "aac"}
    if kind in simple:
        return simple[kind]
    bits = getattr(info, "bits_per_sample", 0)
    if kind == "WAVE":
        audio_format = getattr(info, "audio_format", 0)
        if audio_format in (1, 0xFFFE) and bits:  # PCM, or "extensible" which is PCM in practice
            return "pcm_u8" if bits == 8 else f"pcm_s{bits}le"
        return WAV_CODECS.get(audio_format, "").format(bits=bits) or None
    if kind == "AIFF" and bits and not is_aifc:  # AIFC may be compressed, and mutagen does not say how
        return "pcm_s8" if bits == 8 else f"pcm_s{bits}be"
    if kind == "MP4":
        codec = str(getattr(info, "codec", "")).lower()
        if codec.startswith("mp4a.40"):
            return "aac"
        return MP4_AUDIO_CODECS.get(codec)
    return None


# --- PyAV ----------------------------------------------------------------------------------------


def _needs_pyav(container: str | None, from_mutagen: dict[str, Any] | None) -> bool:
    """PyAV only when mutagen had no duration, or the container may hold video mutagen cannot describe.

    An MP4 without a video track still goes to PyAV: mutagen reads the media header's length, FFmpeg
    times the samples as players do, and the two differ on some files (a 3GP of 15 s that plays 16.3).
    """
    if from_mutagen is None or not _usable(from_mutagen.get("duration_seconds")):
        return True
    if container in AUDIO_ONLY_CONTAINERS:
        return False
    return not (container == "ogg" and not from_mutagen.get("has_video"))


_pyav_logging_silenced = False


def _silence_ffmpeg_logging() -> None:
    """FFmpeg complains on stderr about every damaged file; the user gets our message instead."""
    global _pyav_logging_silenced
    if not _pyav_logging_silenced:
        import av.logging

        av.logging.set_level(None)  # None: drop FFmpeg's messages without calling back into Python
        _pyav_logging_silenced = True


def _read_with_pyav(stream: _PinnedStream, size: int, container: str | None) -> dict[str, Any] | None:
    """Stream details from FFmpeg's header parsing (no frame is decoded), or None when it fails."""
    import av

    _silence_ffmpeg_logging()
    reader = _BoundedReader(stream)
    stream.seek(0)
    options = {"probesize": str(PROBE_SIZE_BYTES), "analyzeduration": str(ANALYZE_DURATION_MICROSECONDS)}
    try:
        with av.open(reader, mode="r", container_options=options) as media:
            facts = _pyav_facts(media)
            start_seconds = media.start_time / 1_000_000 if media.start_time else 0.0
    except (av.FFmpegError, _ReadLimitReached, OSError, ValueError, EOFError, IndexError,
            OverflowError, ZeroDivisionError, MemoryError):
        return None
    if reader.limit_reached:
        return None
    if not _usable(facts["duration_seconds"]) and container in MATROSKA_CONTAINERS:
        # A live recording (browser, OBS) has no duration in its header: read the last cluster's time.
        stream.seek(0)
        head = stream.read(HEAD_BYTES)  # pinned: served from memory
        facts["duration_seconds"] = integrity.matroska_tail_seconds(stream, size, head, start_seconds)
    facts["start_seconds"] = start_seconds
    return facts


def _pyav_facts(media: Any) -> dict[str, Any]:
    """What an opened PyAV container says about itself and its first audio and video streams."""
    from av.stream import Disposition

    facts: dict[str, Any] = {"container_name": media.format.name}
    if media.bit_rate and media.bit_rate > 0:
        facts["bit_rate"] = int(media.bit_rate)
    video = [s for s in media.streams.video if not int(s.disposition) & int(Disposition.attached_pic)]
    audio = list(media.streams.audio)
    facts["has_video"] = bool(video)
    facts["has_audio"] = bool(audio)
    if video:
        stream = video[0]
        context = stream.codec_context
        if context is not None:
            facts["video_codec"] = _codec_name(context)
            if context.width > 0 and context.height > 0:
                facts["width"], facts["height"] = int(context.width), int(context.height)
        rate = round(float(stream.average_rate or 0), 3)
        if rate > 0:
            facts["frame_rate"] = rate
    if audio:
        context = audio[0].codec_context
        if context is not None:
            facts["audio_codec"] = _codec_name(context)
            if context.sample_rate and context.sample_rate > 0:
                facts["sample_rate"] = int(context.sample_rate)
            if context.channels and context.channels > 0:
                facts["channels"] = int(context.channels)

    duration = None
    if media.duration is not None and media.duration > 0:
        duration = media.duration / 1_000_000
    else:
        stream_durations = [
            float(s.duration * s.time_base)
            for s in [*video, *audio]
            if s.duration is not None and s.duration > 0 and s.time_base
        ]
        duration = max(stream_durations, default=None)
    facts["duration_seconds"] = _as_seconds(duration)
    return facts


def _codec_name(context: Any) -> str | None:
    """FFmpeg's codec name ("mp3"), not its decoder's ("mp3float")."""
    try:
        return context.codec.canonical_name
    except (AttributeError, ValueError):
        return context.name or None


# --- combining the answers -----------------------------------------------------------------------


def _combine(container: str | None, from_mutagen: dict[str, Any] | None,
             from_pyav: dict[str, Any] | None) -> dict[str, Any]:
    """One metadata mapping: PyAV's stream details over mutagen's, the duration checked for sense."""
    mutagen_facts = dict(from_mutagen or {})
    pyav_facts = dict(from_pyav or {})
    pyav_container = pyav_facts.pop("container_name", None)
    mutagen_seconds = mutagen_facts.pop("duration_seconds", None)
    pyav_seconds = pyav_facts.pop("duration_seconds", None)

    metadata: dict[str, Any] = {}
    if container is None and pyav_container:
        container = FFMPEG_CONTAINERS.get(pyav_container, pyav_container.split(",")[0])
    if container:
        metadata["container"] = container
    metadata.update(mutagen_facts)
    metadata.update(pyav_facts)

    reasons = []
    not_numbers = [s for s in (mutagen_seconds, pyav_seconds) if s is not None and not math.isfinite(s)]
    if not_numbers:
        reasons.append("The file's header gives a length that is not a number.")
    # PyAV's value wins a disagreement: it times the media itself, as FFmpeg-based players do.
    if _usable(pyav_seconds):
        duration, probe = pyav_seconds, "pyav"
    elif _usable(mutagen_seconds):
        duration, probe = mutagen_seconds, "mutagen"
    else:
        duration, probe = None, "pyav" if from_pyav is not None else "mutagen"
    metadata["duration_seconds"] = round(duration, 3) if duration is not None else None
    metadata["probe"] = probe

    if duration is not None and not 0 <= duration <= SUSPECT_DURATION_SECONDS:
        reasons.append(
            f"The file's header claims a length of {_describe_seconds(duration)}, "
            "which is unlikely for a recording."
        )
    if _usable(mutagen_seconds) and _usable(pyav_seconds) and _disagree(mutagen_seconds, pyav_seconds):
        kept = _describe_seconds(pyav_seconds)
        reasons.append(
            f"The file's headers disagree about its length ({_describe_seconds(mutagen_seconds)} or {kept}); "
            f"{kept} was kept, as a player would show it."
        )
    if reasons:
        metadata["duration_suspect"] = True
        metadata["duration_suspect_reason"] = " ".join(reasons)
    return metadata


def _disagree(first: float, second: float) -> bool:
    """Two readings further apart than rounding, edit lists or a missing last frame explain."""
    gap = abs(first - second)
    return gap > DISAGREEMENT_MIN_SECONDS and gap > DISAGREEMENT_RATIO * max(abs(first), abs(second))


def _describe_seconds(seconds: float) -> str:
    """"2 h 05 min" or "42.5 s": lengths as a person reads them."""
    if abs(seconds) < 60:
        return f"{seconds:.1f} s"
    minutes = int(abs(seconds) // 60)
    sign = "-" if seconds < 0 else ""
    if minutes < 60:
        return f"{sign}{minutes} min {int(abs(seconds) % 60):02d} s"
    return f"{sign}{minutes // 60} h {minutes % 60:02d} min"
