"""Does an audio or video file hold what its own header promises? Answered at constant cost.

A recording cut short by a sync, a full disk or an interrupted upload keeps its header, and general
readers (mutagen, FFmpeg's probe, exiftool) report the length that header promises: a 31-minute MP3
of which 0.2 s plays. Here each container's header claims are compared with what the file can hold,
reading only headers, index tables and a bounded window at the end of the file, never the media:

* ISO media (MP4, MOV, M4A, 3GP): the sample tables say where every sample lies. The file is cut off
  when the last sample ends past the end of the file. A box length running past the end proves
  nothing: writers leave an ``mdat`` header a few bytes too long although every sample is present.
  Encrypted sample entries (``encv``/``enca``, iTunes ``drms``) and ``pssh`` boxes mean DRM.
* FLAC: the last frame header in the file's tail carries the number of its first sample, so it says
  how many samples the file holds (and the length when STREAMINFO leaves the count at 0).
* WAV and AIFF: the data chunk's declared length against the bytes present; ADPCM lengths from the
  ``fact`` chunk or the block layout (mutagen times every WAV as if it were PCM).
* MP3: a Xing/Info/VBRI header's byte count against the bytes present; without one, the frames at a
  few places through the file give the mean frame size (the first frame's bit rate misleads on VBR).
* Matroska/WebM: the Segment's declared size against the file; ``ContentEncryption`` means DRM.
* ASF (WMV/WMA): the File Properties object's file size; content encryption objects mean DRM.
* AVI: the RIFF chunk sizes against the file.

Each function takes a seekable stream and returns a `Layout`; none raises on bad data (a damaged
header gives an empty `Layout`, and the readers that follow say what they can).
"""

from __future__ import annotations

import bisect
import contextlib
import struct
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol


class Source(Protocol):
    """What the readers need of a stream: ``read`` and absolute ``seek``."""

    def read(self, n: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...


@dataclass
class Layout:
    """What a container's structure says, beside the durations general readers report."""

    #: Whether the file has a moving-picture track, a sound track; None when the structure did not say.
    has_video: bool | None = None
    has_audio: bool | None = None
    #: The kind of protection when the media is encrypted ("CENC", "iTunes FairPlay", "WebM encryption"...).
    protected: str | None = None
    #: A length read from the structure that is better than the general readers' (ADPCM WAV, FLAC
    #: without a sample count, MP3 without a seek table); None keeps theirs.
    duration_seconds: float | None = None
    #: True when `duration_seconds` is an estimate (frames sampled at a few places).
    estimated: bool = False
    #: Cut off: the header promises more than the file holds.
    truncated: bool = False
    #: What the header promises, and what the file holds (None when it cannot be known).
    declared_seconds: float | None = None
    playable_seconds: float | None = None
    #: A header and no audio or video data at all, or no audio or video track at all.
    no_media: bool = False
    no_tracks: bool = False


def _read_at(stream: Source, offset: int, count: int) -> bytes:
    stream.seek(offset)
    return stream.read(count)


def _is_cut(declared: float | None, playable: float | None, missing_fraction: float) -> bool:
    """Whether what is missing matters: more than a tenth of a second and more than 1 % of the length.

    A last frame or two missing plays as a complete recording; a file that lost its end does not.
    """
    if declared is not None and playable is not None:
        missing = declared - playable
        return missing > 0.1 and missing > 0.01 * declared
    return missing_fraction > 0.01


# --- ISO base media (MP4, MOV, M4A, 3GP) ---------------------------------------------------------

#: Bounds: top-level boxes walked, the movie box (index) read into memory.
ISO_MAX_TOP_LEVEL_BOXES = 10_000
ISO_MAX_MOOV_BYTES = 16 * 1024 * 1024
#: Sample entries of encrypted tracks (ISO/IEC 23001-7 ``encv``/``enca``; iTunes FairPlay ``drms``/``drmi``).
ISO_PROTECTED_ENTRIES = {b"encv": "CENC", b"enca": "CENC", b"encs": "CENC", b"enct": "CENC",
                         b"drms": "iTunes FairPlay", b"drmi": "iTunes FairPlay", b"drmt": "iTunes FairPlay"}
_ISO_CONTAINER_BOXES = {b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"edts", b"dinf", b"moof", b"traf"}


class IsoIndexMissing(Exception):
    """An ISO media file without a movie box (``moov``): the index a player needs is not there."""


def iso_boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end clipped to ``data``) of the boxes in ``data[start:end]``."""
    end = len(data) if end is None else min(end, len(data))
    position = start
    while position + 8 <= end:
        box_size, box_type = struct.unpack_from(">I4s", data, position)
        header = 8
        if box_size == 1:
            if position + 16 > end:
                return
            box_size, header = struct.unpack_from(">Q", data, position + 8)[0], 16
        elif box_size == 0:
            box_size = end - position
        if box_size < header:
            return
        yield box_type, position + header, min(position + box_size, end)
        position += box_size


def _child(data: bytes, start: int, end: int, wanted: bytes) -> tuple[int, int] | None:
    for box_type, payload, payload_end in iso_boxes(data, start, end):
        if box_type == wanted:
            return payload, payload_end
    return None


def _path(data: bytes, start: int, end: int, *names: bytes) -> tuple[int, int] | None:
    span: tuple[int, int] | None = (start, end)
    for name in names:
        if span is None:
            return None
        span = _child(data, span[0], span[1], name)
    return span


@dataclass
class _Track:
    handler: str = ""
    timescale: int = 0
    duration: int = 0
    samples: int = 0
    protected: str | None = None
    #: The end of the last sample in the file, and the seconds of samples wholly inside it.
    data_end: int = 0
    playable: float | None = None


def iso_media(stream: Source, size: int, pin: Callable[[int, int], object] | None = None) -> Layout:
    """The layout of an MP4/MOV/M4A/3GP file from its top-level boxes and movie box.

    Raises `IsoIndexMissing` when there is no ``moov`` box (a copy cut before its index, written
    last). ``pin``, when given, is called as ``pin(offset, length)`` to keep the movie box in memory
    for the readers that follow.
    """
    moov: tuple[int, int] | None = None
    last_moof: int | None = None
    offset = 0
    for _ in range(ISO_MAX_TOP_LEVEL_BOXES):
        if offset + 8 > size:
            break
        header = _read_at(stream, offset, 16)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header[:8])
        header_length = 8
        if length == 1 and len(header) == 16:
            length, header_length = struct.unpack(">Q", header[8:16])[0], 16
        elif length == 0:  # the box runs to the end of the file
            length = size - offset
        if length < header_length or not all(32 <= byte < 127 for byte in kind):
            break  # not a box header: damaged from here on
        if kind == b"moov" and moov is None:
            moov = (offset + header_length, offset + length)
            if length <= ISO_MAX_MOOV_BYTES and pin is not None:
                pin(offset, length)  # now, on the way forward, not by seeking back later
        elif kind == b"moof":
            last_moof = offset
        offset += length
    if moov is None:
        raise IsoIndexMissing()
    moov_start, moov_end = moov
    if moov_end > size:
        # The index itself is cut off: players refuse the file, whatever media data follows.
        return Layout(truncated=True, no_media=True, playable_seconds=0.0)
    if moov_end - moov_start > ISO_MAX_MOOV_BYTES:
        return Layout()  # too big to hold: left to the readers that follow
    data = _read_at(stream, moov_start, moov_end - moov_start)
    return _iso_layout(stream, size, data, last_moof, box_overshoot=offset > size)


def _iso_layout(stream: Source, size: int, moov: bytes, last_moof: int | None, box_overshoot: bool) -> Layout:
    layout = Layout()
    movie_timescale = movie_duration = fragments_duration = 0
    fragmented = False
    tracks: list[_Track] = []
    for box_type, start, end in iso_boxes(moov):
        if box_type == b"mvhd" and end - start >= 20:
            if moov[start] == 1 and end - start >= 32:
                movie_timescale, movie_duration = struct.unpack_from(">IQ", moov, start + 20)
            else:
                movie_timescale, movie_duration = struct.unpack_from(">II", moov, start + 12)
        elif box_type == b"mvex":
            fragmented = True
            mehd = _child(moov, start, end, b"mehd")  # the whole length of a fragmented movie, when known
            if mehd is not None and mehd[1] - mehd[0] >= 8:
                wide = moov[mehd[0]] == 1 and mehd[1] - mehd[0] >= 12
                fragments_duration = struct.unpack_from(">Q" if wide else ">I", moov, mehd[0] + 4)[0]
        elif box_type == b"pssh":
            layout.protected = layout.protected or "CENC"
        elif box_type == b"trak":
            tracks.append(_iso_track(moov, start, end, size))
    for track in tracks:
        layout.protected = layout.protected or track.protected
    media = [t for t in tracks if t.handler in ("vide", "soun")]
    # A video track of one frame is a picture (cover art, a still behind a voice-over), not video.
    layout.has_video = any(t.handler == "vide" and (t.samples > 1 or fragmented) for t in tracks)
    layout.has_audio = any(t.handler == "soun" for t in tracks)
    if not media:
        layout.no_tracks = True
        return layout
    declared = max((t.duration / t.timescale for t in media if t.timescale), default=None) or None
    if declared is None and movie_timescale:
        declared = (max(movie_duration, fragments_duration) / movie_timescale) or None  # 0: not known
    layout.declared_seconds = declared
    with_samples = [t for t in media if t.samples]
    if fragmented and (last_moof is not None or not with_samples):
        # The samples are listed in the fragments (moof), not in the movie box.
        _check_last_fragment(stream, size, layout, media, last_moof, box_overshoot)
        return layout
    if not with_samples:
        layout.no_media = True
        layout.playable_seconds = 0.0
        return layout
    if max(t.data_end for t in with_samples) > size:
        playable = [t.playable for t in with_samples if t.playable is not None]
        layout.playable_seconds = max(playable) if playable else None
        layout.truncated = _is_cut(declared, layout.playable_seconds, 1.0)
        layout.no_media = layout.playable_seconds == 0
    return layout


def _iso_track(moov: bytes, start: int, end: int, size: int) -> _Track:
    track = _Track()
    mdia = _child(moov, start, end, b"mdia")
    if mdia is None:
        return track
    for box_type, box_start, box_end in iso_boxes(moov, *mdia):
        if box_type == b"mdhd" and box_end - box_start >= 20:
            if moov[box_start] == 1 and box_end - box_start >= 32:
                track.timescale, track.duration = struct.unpack_from(">IQ", moov, box_start + 20)
            else:
                track.timescale, track.duration = struct.unpack_from(">II", moov, box_start + 12)
        elif box_type == b"hdlr" and box_end - box_start >= 12:
            track.handler = moov[box_start + 8:box_start + 12].decode("latin-1")
    stbl = _path(moov, mdia[0], mdia[1], b"minf", b"stbl")
    if stbl is None:
        return track
    tables = {box_type: (box_start, box_end) for box_type, box_start, box_end in iso_boxes(moov, *stbl)}
    if b"stsd" in tables:
        track.protected = _protected_entry(moov, *tables[b"stsd"])
    # Damaged tables: leave the judgement to the readers that follow.
    with contextlib.suppress(struct.error, ValueError, IndexError, OverflowError):
        _sample_extent(moov, tables, track, size)
    return track


def _protected_entry(moov: bytes, start: int, end: int) -> str | None:
    """The protection of the first sample entry: its type, or a protection scheme box inside it."""
    for entry_type, entry_start, entry_end in iso_boxes(moov, start + 8, end):
        if entry_type in ISO_PROTECTED_ENTRIES:
            return ISO_PROTECTED_ENTRIES[entry_type]
        if b"sinf" in moov[entry_start:entry_end] and _has_scheme(moov, entry_start, entry_end):
            return "CENC"
        return None
    return None


def _has_scheme(moov: bytes, start: int, end: int) -> bool:
    position = moov.find(b"sinf", start, end)
    return position >= 4 and b"schm" in moov[position:end]


def _table(moov: bytes, span: tuple[int, int] | None, header: int, typecode: str, width: int) -> array:
    """A box's table of big-endian integers as a flat array: its entry count lies just before
    ``header`` bytes into the payload, each entry is ``width`` bytes."""
    values = array(typecode)
    if span is None:
        return values
    start, end = span
    count = struct.unpack_from(">I", moov, start + header - 4)[0]
    raw = moov[start + header:min(end, start + header + count * width)]
    values.frombytes(raw[:len(raw) - len(raw) % values.itemsize])
    if struct.pack("=I", 1) != struct.pack(">I", 1):
        values.byteswap()
    return values


def _sample_extent(moov: bytes, tables: dict[bytes, tuple[int, int]], track: _Track, size: int) -> None:
    """Where the track's last sample ends, and how many seconds of samples lie inside the file."""
    sizes, constant = _sample_sizes(moov, tables)
    samples = constant[1] if constant else len(sizes)
    track.samples = samples
    wide = b"co64" in tables
    offsets = _table(moov, tables[b"co64"], 8, "Q", 8) if wide else _table(moov, tables.get(b"stco"), 8, "I", 4)
    runs = _table(moov, tables.get(b"stsc"), 8, "I", 12)  # first chunk, samples per chunk, description
    if not samples or not offsets or len(runs) < 3:
        return

    def chunk_samples(chunk: int) -> tuple[int, int]:
        """(first sample, sample count) of a chunk, from the chunk runs (few entries in real files)."""
        first = 0
        for index in range(0, len(runs) - 2, 3):
            run_first, per_chunk = runs[index] - 1, runs[index + 1]
            run_end = runs[index + 3] - 1 if index + 3 < len(runs) else len(offsets)
            if chunk < run_end:
                start = first + (chunk - run_first) * per_chunk
                return start, max(0, min(per_chunk, samples - start))
            first += (run_end - run_first) * per_chunk
        return samples, 0

    def sample_bytes(first: int, count: int) -> int:
        if constant:
            return constant[0] * count
        return sum(sizes[first:first + count])

    last_chunk = offsets.index(max(offsets))  # chunks are normally in file order, but need not be
    first, count = chunk_samples(last_chunk)
    track.data_end = offsets[last_chunk] + sample_bytes(first, count)
    if track.data_end <= size:
        return
    # Cut off: the samples wholly inside the file, assuming chunks in file order (writers do so).
    chunk = bisect.bisect_right(offsets, size) - 1
    complete = 0
    if chunk >= 0:
        first, count = chunk_samples(chunk)
        position = offsets[chunk]
        complete = first
        for index in range(first, first + count):
            position += constant[0] if constant else sizes[index]
            if position > size:
                break
            complete = index + 1
    track.playable = _sample_time(moov, tables.get(b"stts"), complete) / track.timescale if track.timescale else None


def _sample_sizes(moov: bytes, tables: dict[bytes, tuple[int, int]]) -> tuple[array, tuple[int, int] | None]:
    """The sample size table, or (size, count) when every sample has the same size."""
    if b"stsz" in tables:
        start, _ = tables[b"stsz"]
        constant_size, count = struct.unpack_from(">II", moov, start + 4)
        if constant_size:
            return array("I"), (constant_size, count)
        return _table(moov, tables[b"stsz"], 12, "I", 4), None
    if b"stz2" in tables:  # compact sizes: 4, 8 or 16 bits each
        start, end = tables[b"stz2"]
        field_size, count = moov[start + 7], struct.unpack_from(">I", moov, start + 8)[0]
        raw = moov[start + 12:end]
        if field_size == 16:
            return array("I", (value for (value,) in struct.iter_unpack(">H", raw[:2 * count]))), None
        if field_size == 8:
            return array("I", raw[:count]), None
        if field_size == 4:
            nibbles = array("I", (nibble for byte in raw[:(count + 1) // 2] for nibble in (byte >> 4, byte & 15)))
            return nibbles[:count], None
    return array("I"), None


def _sample_time(moov: bytes, span: tuple[int, int] | None, sample: int) -> int:
    """The decoding time (in the track's timescale) at which ``sample`` starts, from ``stts``."""
    entries = _table(moov, span, 8, "I", 8)  # (sample count, sample duration)
    time = 0
    for index in range(0, len(entries) - 1, 2):
        count, delta = entries[index], entries[index + 1]
        if sample <= count:
            return time + sample * delta
        time += count * delta
        sample -= count
    return time


def _check_last_fragment(stream: Source, size: int, layout: Layout, media: list[_Track], last_moof: int | None,
                         box_overshoot: bool) -> None:
    """A fragmented file: its samples are listed in each fragment (``moof``), not in the movie box."""
    if last_moof is None:
        layout.no_media = True
        layout.playable_seconds = 0.0
        return
    if not box_overshoot:
        return
    header = _read_at(stream, last_moof, 8)
    length = struct.unpack(">I", header[:4])[0] if len(header) == 8 else 0
    if not 8 <= length <= ISO_MAX_MOOV_BYTES or last_moof + length > size:
        end, start_time = size + 1, None
    else:
        end, start_time = _fragment_extent(_read_at(stream, last_moof, length), last_moof)
    if end <= size:
        return
    timescale = next((t.timescale for t in media if t.timescale), 0)
    layout.playable_seconds = start_time / timescale if start_time is not None and timescale else None
    layout.truncated = _is_cut(layout.declared_seconds, layout.playable_seconds, 1.0)


def _fragment_extent(moof: bytes, moof_offset: int) -> tuple[int, int | None]:
    """(end of the last sample, decode time of the first sample) of a movie fragment's first track run."""
    end, start_time = 0, None
    for box_type, start, stop in iso_boxes(moof, 8):
        if box_type != b"traf":
            continue
        base = moof_offset
        default_size = 0
        for inner, inner_start, inner_stop in iso_boxes(moof, start, stop):
            flags = int.from_bytes(moof[inner_start + 1:inner_start + 4], "big")
            if inner == b"tfhd":
                position = inner_start + 8
                if flags & 0x01:
                    base = struct.unpack_from(">Q", moof, position)[0]
                    position += 8
                position += 4 if flags & 0x02 else 0
                position += 4 if flags & 0x08 else 0
                if flags & 0x10:
                    default_size = struct.unpack_from(">I", moof, position)[0]
            elif inner == b"tfdt":
                version = moof[inner_start]
                start_time = struct.unpack_from(">Q" if version == 1 else ">I", moof, inner_start + 4)[0]
            elif inner == b"trun":
                count = struct.unpack_from(">I", moof, inner_start + 4)[0]
                position = inner_start + 8
                data_offset = 0
                if flags & 0x01:
                    data_offset = struct.unpack_from(">i", moof, position)[0]
                    position += 4
                position += 4 if flags & 0x04 else 0
                fields = [bit for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit]
                total = 0
                for _ in range(min(count, 1_000_000)):
                    if position + 4 * len(fields) > inner_stop:
                        break
                    for bit in fields:
                        if bit == 0x200:
                            total += struct.unpack_from(">I", moof, position)[0]
                        position += 4
                    if not flags & 0x200:
                        total += default_size
                end = max(end, base + data_offset + total)
    return end, start_time


# --- FLAC ----------------------------------------------------------------------------------------

FLAC_TAIL_MIN_BYTES = 64 * 1024
FLAC_TAIL_MAX_BYTES = 1024 * 1024
FLAC_MAX_METADATA_BLOCKS = 1000
FLAC_MAX_SYNC_TRIES = 50_000


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _flac_frame(data: bytes, position: int) -> tuple[int, int, bool] | None:
    """(frame or sample number, block size, variable block size) of a FLAC frame header, or None."""
    if position + 6 > len(data) or data[position] != 0xFF or data[position + 1] not in (0xF8, 0xF9):
        return None
    variable = data[position + 1] == 0xF9
    block_code, rate_code = data[position + 2] >> 4, data[position + 2] & 0x0F
    channels, sample_size, reserved = data[position + 3] >> 4, (data[position + 3] >> 1) & 7, data[position + 3] & 1
    if block_code == 0 or rate_code == 15 or channels > 10 or sample_size == 3 or reserved:
        return None
    # The frame or sample number, coded like UTF-8 (up to 7 bytes for 36 bits).
    first = data[position + 4]
    extra = 0
    while extra < 7 and first & (0x80 >> extra):
        extra += 1
    if extra == 1 or extra > 7:
        return None
    length = 1 if extra == 0 else extra
    if position + 4 + length > len(data):
        return None
    number = first & (0x7F >> extra) if extra else first
    for byte in data[position + 5:position + 4 + length]:
        if byte & 0xC0 != 0x80:
            return None
        number = number << 6 | byte & 0x3F
    cursor = position + 4 + length
    if block_code == 6:
        block, cursor = data[cursor] + 1 if cursor < len(data) else 0, cursor + 1
    elif block_code == 7:
        block, cursor = (int.from_bytes(data[cursor:cursor + 2], "big") + 1, cursor + 2)
    elif block_code == 1:
        block = 192
    elif block_code <= 5:
        block = 576 << (block_code - 2)
    else:
        block = 256 << (block_code - 8)
    cursor += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if cursor >= len(data) or _crc8(data[position:cursor]) != data[cursor]:
        return None
    return number, block, variable


def flac(stream: Source, size: int) -> Layout:
    """The samples a FLAC file holds, from its STREAMINFO and the last frame headers in its tail."""
    head = _read_at(stream, 0, 16)
    start = 0
    if head.startswith(b"ID3") and len(head) >= 10:
        start = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
    position = start + 4
    first = _read_at(stream, position, 4)
    if len(first) < 4 or first[0] & 0x7F != 0 or int.from_bytes(first[1:4], "big") != 34:
        return Layout()  # no STREAMINFO where it must be: not a FLAC structure worth judging
    info = _read_at(stream, position + 4, 34)
    for _ in range(FLAC_MAX_METADATA_BLOCKS):
        block = _read_at(stream, position, 4)
        if len(block) < 4:
            return Layout(truncated=True, no_media=True, playable_seconds=0.0)  # cut inside the metadata
        position += 4 + int.from_bytes(block[1:4], "big")
        if block[0] & 0x80:
            break
    if len(info) < 18:
        return Layout()
    max_block = int.from_bytes(info[2:4], "big")
    max_frame = int.from_bytes(info[7:10], "big")
    packed = int.from_bytes(info[10:18], "big")
    rate, total = packed >> 44, packed & ((1 << 36) - 1)
    if not rate:
        return Layout()
    declared = total / rate if total else None
    if position >= size:
        return Layout(truncated=True, no_media=True, declared_seconds=declared, playable_seconds=0.0)
    window = min(max(FLAC_TAIL_MIN_BYTES, 2 * max_frame + 64), FLAC_TAIL_MAX_BYTES)
    tail_start = max(position, size - window)
    tail = _read_at(stream, tail_start, size - tail_start)
    held = _flac_samples_held(tail, max_block)
    if held is None:
        return Layout(declared_seconds=declared)
    layout = Layout(declared_seconds=declared)
    if not total:
        layout.duration_seconds = held / rate  # STREAMINFO left the count at 0 ("unknown")
    elif held < total:
        layout.playable_seconds = held / rate
        layout.truncated = _is_cut(declared, layout.playable_seconds, 1 - held / total)
    return layout


def _flac_samples_held(tail: bytes, max_block: int) -> int | None:
    """The sample count up to the end of the last frame whose header lies in ``tail``.

    A header is trusted when its CRC-8 holds and the frame before it (found the same way) ends
    where it starts, or when it is the only frame header in the window.
    """
    candidates: list[tuple[int, int]] = []  # (first sample, block size), last in the file first
    position = len(tail)
    for _ in range(FLAC_MAX_SYNC_TRIES):
        position = tail.rfind(b"\xff", 0, position)
        if position < 0 or len(candidates) >= 64:
            break
        frame = _flac_frame(tail, position)
        if frame is None:
            continue
        number, block, variable = frame
        first = number if variable else number * (max_block or block)
        candidates.append((first, block))
    if not candidates:
        return None
    for index, (first, block) in enumerate(candidates):
        if index + 1 < len(candidates):
            before_first, before_block = candidates[index + 1]
            if before_first + before_block == first:
                return first + block
        elif index == 0:
            return first + block
    return None


# --- WAV and AIFF --------------------------------------------------------------------------------

RIFF_MAX_CHUNKS = 256
#: WAVE format tags whose samples are a whole number of bytes (PCM, float, A-law, mu-law).
WAV_FIXED_SIZE_FORMATS = {1, 3, 6, 7}
WAV_ADPCM_FORMATS = {0x02, 0x11}
#: Streaming writers put a placeholder (0xFFFFFFFF, 0x7FFFFFFF...) where the data length goes.
WAV_PLACEHOLDER_SIZE = 0x7FFFF000


def wav(stream: Source, size: int) -> Layout:
    """Length and completeness of a WAV file from its ``fmt``, ``fact`` and ``data`` chunk headers."""
    head = _read_at(stream, 0, 12)
    if len(head) < 12 or head[8:12] != b"WAVE":
        return Layout()
    position = 12
    fmt = b""
    fact_samples = None
    data_size64 = None
    for _ in range(RIFF_MAX_CHUNKS):
        header = _read_at(stream, position, 8)
        if len(header) < 8:
            return Layout()
        chunk, length = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk == b"fmt ":
            fmt = _read_at(stream, position + 8, min(length, 64))
        elif chunk == b"fact" and length >= 4:
            fact_samples = struct.unpack("<I", _read_at(stream, position + 8, 4).ljust(4, b"\0"))[0]
        elif chunk == b"ds64" and length >= 24:
            data_size64 = struct.unpack("<Q", _read_at(stream, position + 16, 8).ljust(8, b"\0"))[0]
        elif chunk == b"data":
            if data_size64 is not None and length == 0xFFFFFFFF:
                length = data_size64
            return _wav_layout(fmt, fact_samples, position + 8, length, size)
        position += 8 + length + (length & 1)
    return Layout()


def _wav_layout(fmt: bytes, fact_samples: int | None, data_start: int, declared: int, size: int) -> Layout:
    if len(fmt) < 16:
        return Layout()
    tag, _, rate, byte_rate, block_align, _ = struct.unpack_from("<HHIIHH", fmt)
    if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID
        tag = struct.unpack_from("<H", fmt, 24)[0]
    if not rate or not block_align:
        return Layout()
    present = max(0, size - data_start)
    if declared == 0 or declared >= WAV_PLACEHOLDER_SIZE:  # a recorder that never went back to write the length
        declared = present
    held = min(declared, present)

    def seconds(byte_count: int) -> float | None:
        if tag in WAV_FIXED_SIZE_FORMATS:
            return byte_count // block_align / rate
        if tag in WAV_ADPCM_FORMATS and len(fmt) >= 20:
            per_block = struct.unpack_from("<H", fmt, 18)[0]
            if per_block:
                return byte_count // block_align * per_block / rate
        return byte_count / byte_rate if byte_rate else None

    layout = Layout(declared_seconds=seconds(declared), has_audio=True, has_video=False)
    if held == 0:
        layout.no_media, layout.playable_seconds = True, 0.0
        layout.truncated = declared > 0
        return layout
    if tag not in WAV_FIXED_SIZE_FORMATS:
        # The fact chunk counts the samples written (ADPCM pads its last block); mutagen ignores it.
        if fact_samples and declared <= present and tag != 1:
            layout.duration_seconds = fact_samples / rate
        else:
            layout.duration_seconds = seconds(held)
    if held < declared:
        layout.playable_seconds = seconds(held)
        layout.truncated = _is_cut(layout.declared_seconds, layout.playable_seconds, 1 - held / declared)
        layout.no_media = held < block_align
        layout.duration_seconds = None
    return layout


#: AIFF-C compression types whose frames are a whole number of bytes per channel sample.
AIFF_UNCOMPRESSED = {b"NONE", b"twos", b"sowt", b"raw ", b"fl32", b"FL32", b"fl64", b"FL64", b"in24", b"in32"}


def aiff(stream: Source, size: int) -> Layout:
    """Length and completeness of an AIFF/AIFF-C file from its ``COMM`` and ``SSND`` chunk headers."""
    head = _read_at(stream, 0, 12)
    if len(head) < 12 or head[8:12] not in (b"AIFF", b"AIFC"):
        return Layout()
    position = 12
    comm = b""
    for _ in range(RIFF_MAX_CHUNKS):
        header = _read_at(stream, position, 8)
        if len(header) < 8:
            break
        chunk, length = header[:4], struct.unpack(">I", header[4:])[0]
        if chunk == b"COMM":
            comm = _read_at(stream, position + 8, min(length, 64))
        elif chunk == b"SSND":
            return _aiff_layout(comm, head[8:12] == b"AIFC", position + 16, max(0, length - 8), size)
        position += 8 + length + (length & 1)
    if len(comm) >= 18:  # a description of the sound and no sound data
        return Layout(no_media=True, playable_seconds=0.0, has_audio=True)
    return Layout()


def _aiff_layout(comm: bytes, compressed: bool, data_start: int, declared: int, size: int) -> Layout:
    if len(comm) < 18:
        return Layout()
    channels, frames, bits = struct.unpack_from(">HIH", comm)
    rate = _extended_float(comm[8:18])
    if not rate or not channels:
        return Layout()
    layout = Layout(declared_seconds=frames / rate)
    present = max(0, size - data_start)
    if compressed and comm[18:22] not in AIFF_UNCOMPRESSED:
        return layout
    frame_bytes = channels * ((bits + 7) // 8)
    if not frame_bytes:
        return layout
    needed = frames * frame_bytes
    if frames == 0:
        layout.no_media = True
        layout.playable_seconds = 0.0
    elif present < needed:
        layout.playable_seconds = present // frame_bytes / rate
        layout.truncated = _is_cut(layout.declared_seconds, layout.playable_seconds, 1 - present / needed)
        layout.no_media = present < frame_bytes
    return layout


def _extended_float(data: bytes) -> float:
    """An 80-bit IEEE 754 extended float (AIFF's sample rate)."""
    if len(data) < 10:
        return 0.0
    exponent = int.from_bytes(data[:2], "big")
    mantissa = int.from_bytes(data[2:10], "big")
    sign = -1 if exponent & 0x8000 else 1
    exponent &= 0x7FFF
    if exponent == 0 or exponent == 0x7FFF:
        return 0.0
    try:
        return sign * mantissa * 2.0 ** (exponent - 16383 - 63)
    except OverflowError:
        return 0.0


# --- MPEG audio (MP3) ----------------------------------------------------------------------------

#: How far into a file the first frame is looked for (junk, padding or a second tag before it).
MP3_SYNC_SCAN_BYTES = 1024 * 1024
#: Frames in a row that make a sync certain.
MP3_FRAMES_TO_SYNC = 4
#: Read first to find the first frame; files up to this many audio bytes are read whole (an exact
#: frame count), larger ones are sampled.
MP3_FIRST_WINDOW_BYTES = 64 * 1024
MP3_READ_WHOLE_BYTES = MP3_FIRST_WINDOW_BYTES
#: Bytes that are neither tag nor frame in a file still called "tags only" (editors leave some filler).
MP3_MAX_FILLER_BYTES = 1024
MP3_SAMPLE_WINDOWS = 8
MP3_SAMPLE_WINDOW_BYTES = 8 * 1024

MP3_BITRATES = {  # (MPEG-1, layer) -> kbit/s for indexes 1..14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
MP3_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class MpegFrame:
    """One MPEG audio frame header: what it says about itself and the stream."""

    length: int
    version: int  # 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5
    layer: int
    sample_rate: int
    channels: int

    @property
    def samples(self) -> int:
        if self.layer == 1:
            return 384
        return 1152 if self.layer == 2 or self.version == 3 else 576

    def same_stream(self, other: MpegFrame) -> bool:
        return (self.version, self.layer, self.sample_rate) == (other.version, other.layer, other.sample_rate)


def mpeg_frame(data: bytes, position: int) -> MpegFrame | None:
    """The MPEG audio frame header at ``position``, or None when there is no sane one (free format too)."""
    if position + 4 > len(data) or data[position] != 0xFF or data[position + 1] & 0xE0 != 0xE0:
        return None
    version = (data[position + 1] >> 3) & 3
    layer = 4 - ((data[position + 1] >> 1) & 3)
    bitrate_index = data[position + 2] >> 4
    rate_index = (data[position + 2] >> 2) & 3
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    bitrate = MP3_BITRATES[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate = MP3_SAMPLE_RATES[version][rate_index]
    padding = (data[position + 2] >> 1) & 1
    if layer == 1:
        length = (12 * bitrate // rate + padding) * 4
    else:
        length = (144 if mpeg1 or layer == 2 else 72) * bitrate // rate + padding
    channels = 1 if data[position + 3] >> 6 == 3 else 2
    return MpegFrame(length, version, layer, rate, channels)


def find_mpeg_frames(data: bytes, start: int = 0, needed: int = MP3_FRAMES_TO_SYNC) -> int | None:
    """Where ``needed`` consistent MPEG audio frames in a row begin (fewer when the data ends first)."""
    position = data.find(b"\xff", start)
    while 0 <= position < len(data) - 3:
        frame = mpeg_frame(data, position)
        if frame is not None:
            count, cursor = 1, position + frame.length
            while count < needed and cursor < len(data):
                following_frame = mpeg_frame(data, cursor)
                if following_frame is None or not following_frame.same_stream(frame):
                    break
                count, cursor = count + 1, cursor + following_frame.length
            if count >= needed or (cursor >= len(data) and count >= 2):
                return position
        position = data.find(b"\xff", position + 1)
    return None


def _id3v2_end(stream: Source, size: int) -> int:
    """The end of the ID3v2 tags at the start of the file (some files carry two)."""
    position = 0
    for _ in range(8):
        header = _read_at(stream, position, 10)
        if len(header) < 10 or not header.startswith(b"ID3"):
            break
        length = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(header[6:10]))
        position += length + (10 if header[5] & 0x10 else 0)
        if position >= size:
            return size
    return position


def mpeg_audio(stream: Source, size: int) -> Layout:
    """Completeness of an MP3 from its Xing/Info/VBRI header, or its length from sampled frames."""
    tag_end = _id3v2_end(stream, size)
    end = size
    if size >= 128 and _read_at(stream, size - 128, 3) == b"TAG":
        end = size - 128  # the ID3v1 tag at the end
    if tag_end >= end:
        return Layout(no_media=True, playable_seconds=0.0)
    window = _read_at(stream, tag_end, min(end - tag_end, MP3_FIRST_WINDOW_BYTES))
    found = find_mpeg_frames(window)
    if found is None and end - tag_end > len(window):
        window = _read_at(stream, tag_end, min(end - tag_end, MP3_SYNC_SCAN_BYTES))  # junk before the frames
        found = find_mpeg_frames(window)
    if found is None:
        # Tags and padding only: a file with no sound. Anything bigger is damage for the readers to judge.
        rest = window.strip(b"\x00").strip(b"\xff")
        nothing = len(window) == end - tag_end and len(rest) <= MP3_MAX_FILLER_BYTES
        return Layout(no_media=True, playable_seconds=0.0) if nothing else Layout()
    first = tag_end + found
    frame = mpeg_frame(window, found)
    assert frame is not None
    present = end - first
    layout = Layout(has_audio=True, has_video=False)
    claimed_frames, claimed_bytes = _seek_header(window, found, frame)
    if claimed_frames:
        layout.declared_seconds = claimed_frames * frame.samples / frame.sample_rate
        # Some encoders count the tags in the byte total: only more than the whole file is a shortfall.
        room = end
        if not claimed_bytes:
            mean = _mean_frame_bytes(stream, first, end, window, found)
            claimed_bytes = int(claimed_frames * mean) if mean else 0
            room = int(end / 0.9)  # an estimate: ask for a clear shortfall
        if claimed_bytes > room:
            layout.playable_seconds = layout.declared_seconds * present / claimed_bytes
            layout.truncated = _is_cut(layout.declared_seconds, layout.playable_seconds, 1 - present / claimed_bytes)
        return layout
    if present <= MP3_READ_WHOLE_BYTES and len(window) >= end - tag_end:
        frames = _frame_run(window, found, len(window))  # every frame: an exact count
        layout.duration_seconds = len(frames) * frame.samples / frame.sample_rate
        return layout
    mean = _mean_frame_bytes(stream, first, end, window, found)
    if mean:
        layout.duration_seconds = present / mean * frame.samples / frame.sample_rate
        layout.estimated = True
    return layout


def _seek_header(window: bytes, position: int, frame: MpegFrame) -> tuple[int, int]:
    """(frames, bytes) from a Xing/Info or VBRI header in the first frame; 0 where not given."""
    side_info = (32 if frame.channels == 2 else 17) if frame.version == 3 else (17 if frame.channels == 2 else 9)
    xing = position + 4 + side_info
    if window[xing:xing + 4] in (b"Xing", b"Info") and xing + 8 <= len(window):
        flags = struct.unpack_from(">I", window, xing + 4)[0]
        cursor, frames, byte_count = xing + 8, 0, 0
        if flags & 1 and cursor + 4 <= len(window):
            frames = struct.unpack_from(">I", window, cursor)[0]
            cursor += 4
        if flags & 2 and cursor + 4 <= len(window):
            byte_count = struct.unpack_from(">I", window, cursor)[0]
        return frames, byte_count
    vbri = position + 36
    if window[vbri:vbri + 4] == b"VBRI" and vbri + 18 <= len(window):
        byte_count, frames = struct.unpack_from(">II", window, vbri + 10)
        return frames, byte_count
    return 0, 0


def _mean_frame_bytes(stream: Source, first: int, end: int, window: bytes, found: int) -> float | None:
    """The mean frame length: every frame of a small file, frames at a few places through a large one."""
    if first + MP3_READ_WHOLE_BYTES >= end and found + end - first <= len(window):
        lengths = _frame_run(window, found, len(window))
        return sum(lengths) / len(lengths) if lengths else None
    lengths = []
    span = end - first
    for index in range(MP3_SAMPLE_WINDOWS):
        start = first + span * index // MP3_SAMPLE_WINDOWS
        chunk = _read_at(stream, start, MP3_SAMPLE_WINDOW_BYTES)
        sync = find_mpeg_frames(chunk)
        if sync is not None:
            lengths += _frame_run(chunk, sync, len(chunk))
    return sum(lengths) / len(lengths) if lengths else None


def _frame_run(data: bytes, position: int, end: int) -> list[int]:
    """The lengths of the frames in a row from ``position`` that lie wholly before ``end``."""
    lengths: list[int] = []
    reference = mpeg_frame(data, position)
    while reference is not None and position < end:
        frame = mpeg_frame(data, position)
        if frame is None or not frame.same_stream(reference):
            # Junk between frames: look for the next run rather than stop.
            resumed = find_mpeg_frames(data, position + 1, 2)
            if resumed is None:
                break
            position = resumed
            continue
        if position + frame.length > end:
            break
        lengths.append(frame.length)
        position += frame.length
    return lengths


# --- Matroska / WebM -----------------------------------------------------------------------------

MKV_SEGMENT = b"\x18\x53\x80\x67"
MKV_TRACKS = b"\x16\x54\xae\x6b"
MKV_TRACK_ENTRY = b"\xae"
MKV_TRACK_TYPE = b"\x83"
MKV_TRACK_NUMBER = b"\xd7"
MKV_CONTENT_ENCODINGS = b"\x6d\x80"
MKV_CONTENT_ENCODING = b"\x62\x40"
MKV_CONTENT_ENCODING_TYPE = b"\x50\x33"
MKV_CONTENT_ENCRYPTION = b"\x50\x35"


def _ebml_id(data: bytes, position: int) -> bytes | None:
    if position >= len(data) or data[position] == 0:
        return None
    length = 9 - data[position].bit_length()
    if length > 4 or position + length > len(data):
        return None
    return data[position:position + length]


def _ebml_size(data: bytes, position: int) -> tuple[int, int] | None:
    """(value, bytes used); value -1 is "unknown size" (a live recording)."""
    if position >= len(data) or data[position] == 0:
        return None
    length = 9 - data[position].bit_length()
    if position + length > len(data):
        return None
    value = data[position] & ((1 << (8 - length)) - 1)
    for byte in data[position + 1:position + length]:
        value = value << 8 | byte
    return (-1 if value == (1 << (7 * length)) - 1 else value), length


def ebml_elements(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(id, data start, data size) of the elements in ``data[start:end]``, stopping at damage."""
    position = start
    while position < end:
        element = _ebml_id(data, position)
        if element is None:
            return
        sized = _ebml_size(data, position + len(element))
        if sized is None:
            return
        value, used = sized
        data_start = position + len(element) + used
        yield element, data_start, value
        if value < 0:
            return
        position = data_start + value


def matroska(head: bytes, size: int) -> Layout:
    """Track types, encryption and whether the Segment runs past the end of the file, from the head."""
    layout = Layout()
    for element, start, length in ebml_elements(head, 0, len(head)):
        if element != MKV_SEGMENT:
            continue
        if length >= 0 and start + length > size:
            layout.truncated = True  # the playable length comes from the last cluster (see media.py)
        end = len(head) if length < 0 else min(len(head), start + length)
        for child, child_start, child_length in ebml_elements(head, start, end):
            if child == MKV_TRACKS and child_length >= 0:
                _matroska_tracks(head, child_start, min(len(head), child_start + child_length), layout)
                break
        break
    return layout


def _matroska_tracks(head: bytes, start: int, end: int, layout: Layout) -> None:
    types = set()
    for entry, entry_start, entry_length in ebml_elements(head, start, end):
        if entry != MKV_TRACK_ENTRY or entry_length < 0:
            continue
        entry_end = min(end, entry_start + entry_length)
        for element, value_start, value_length in ebml_elements(head, entry_start, entry_end):
            if element == MKV_TRACK_TYPE and 0 < value_length <= 8:
                types.add(int.from_bytes(head[value_start:value_start + value_length], "big"))
            elif element == MKV_CONTENT_ENCODINGS and value_length >= 0 and _matroska_encrypted(
                    head, value_start, min(entry_end, value_start + value_length)):
                layout.protected = "WebM encryption"
    if types:
        layout.has_video = 1 in types
        layout.has_audio = 2 in types


def _matroska_encrypted(head: bytes, start: int, end: int) -> bool:
    for encoding, encoding_start, encoding_length in ebml_elements(head, start, end):
        if encoding != MKV_CONTENT_ENCODING or encoding_length < 0:
            continue
        for element, value_start, value_length in ebml_elements(head, encoding_start, encoding_start + encoding_length):
            if element == MKV_CONTENT_ENCRYPTION:
                return True
            if element == MKV_CONTENT_ENCODING_TYPE and head[value_start:value_start + value_length] == b"\x01":
                return True
    return False


# --- ASF (WMV, WMA) ------------------------------------------------------------------------------

ASF_HEADER_MAX_BYTES = 256 * 1024
_ASF_FILE_PROPERTIES = bytes.fromhex("a1dcab8c47a9cf118ee400c00c205365")
_ASF_CONTENT_ENCRYPTION = bytes.fromhex("fbb31122 23bdd211b4b700a0c955fc6e".replace(" ", ""))
_ASF_EXTENDED_CONTENT_ENCRYPTION = bytes.fromhex("14e68a292226174cb935dae07ee9289c")


def asf(stream: Source, size: int) -> Layout:
    """Encryption and completeness of a WMV/WMA from its header objects."""
    head = _read_at(stream, 0, 30)
    if len(head) < 30:
        return Layout()
    header_size = struct.unpack_from("<Q", head, 16)[0]
    if not 30 <= header_size <= ASF_HEADER_MAX_BYTES:
        return Layout()
    header = _read_at(stream, 0, header_size)
    layout = Layout()
    position = 30
    while position + 24 <= len(header):
        guid, length = header[position:position + 16], struct.unpack_from("<Q", header, position + 16)[0]
        if length < 24:
            break
        if guid in (_ASF_CONTENT_ENCRYPTION, _ASF_EXTENDED_CONTENT_ENCRYPTION):
            layout.protected = "Windows Media DRM"
        elif guid == _ASF_FILE_PROPERTIES and position + 104 <= len(header):
            declared_size, = struct.unpack_from("<Q", header, position + 40)
            play, _, preroll, flags = struct.unpack_from("<QQQI", header, position + 64)
            broadcast = flags & 1
            seconds = max(0.0, play / 1e7 - preroll / 1000)
            if not broadcast and declared_size > header_size and seconds:
                layout.declared_seconds = seconds
                if size < declared_size:
                    fraction = max(0, size - header_size) / (declared_size - header_size)
                    layout.playable_seconds = seconds * fraction
                    layout.truncated = _is_cut(seconds, layout.playable_seconds, 1 - fraction)
        position += length
    return layout


# --- AVI -----------------------------------------------------------------------------------------


def avi(stream: Source, size: int, declared_seconds: float | None) -> Layout:
    """Whether an AVI's RIFF chunks (one, or several in files over 1 GB) fit in the file."""
    position, declared_end = 0, 0
    for _ in range(RIFF_MAX_CHUNKS):
        header = _read_at(stream, position, 12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] not in (b"AVI ", b"AVIX"):
            break
        declared_end = position + 8 + struct.unpack_from("<I", header, 4)[0]
        position = declared_end + (declared_end & 1)
        if position >= size:
            break
    layout = Layout(declared_seconds=declared_seconds)
    if declared_end > size and declared_seconds:
        fraction = size / declared_end
        layout.playable_seconds = declared_seconds * fraction
        layout.truncated = _is_cut(declared_seconds, layout.playable_seconds, 1 - fraction)
    return layout


# --- Matroska without a duration, or cut off ----------------------------------------------------

MKV_INFO = b"\x15\x49\xa9\x66"
MKV_TIMESTAMP_SCALE = b"\x2a\xd7\xb1"
MKV_CLUSTER = b"\x1f\x43\xb6\x75"
MKV_CLUSTER_TIMESTAMP = b"\xe7"
MKV_SIMPLE_BLOCK = b"\xa3"
MKV_BLOCK_GROUP = b"\xa0"
MKV_BLOCK = b"\xa1"
MKV_BLOCK_DURATION = b"\x9b"
#: Segment-level elements that can follow the last cluster (cues, tags, chapters, attachments...).
MKV_TOP_LEVEL = {MKV_CLUSTER, b"\x1c\x53\xbb\x6b", b"\x12\x54\xc3\x67", b"\x10\x43\xa7\x70",
                 b"\x19\x41\xa4\x69", MKV_INFO, b"\x16\x54\xae\x6b", b"\x11\x4d\x9b\x74"}
DEFAULT_TIMESTAMP_SCALE_NS = 1_000_000
#: Where to look for the last cluster: a first window, then a wider one.
TAIL_FIRST_WINDOW_BYTES = 256 * 1024
TAIL_LAST_WINDOW_BYTES = 4 * 1024 * 1024


def _matroska_timestamp_scale(head: bytes) -> int:
    """Nanoseconds per timestamp tick, from the segment's Info element (default 1 ms)."""
    for element_id, start, size in ebml_elements(head, 0, len(head)):
        if element_id != MKV_SEGMENT:
            continue
        segment_end = len(head) if size < 0 else min(len(head), start + size)
        for child_id, child_start, child_size in ebml_elements(head, start, segment_end):
            if child_id == MKV_CLUSTER or child_size < 0:
                break
            if child_id == MKV_INFO:
                info_end = min(len(head), child_start + child_size)
                for info_id, value_start, value_size in ebml_elements(head, child_start, info_end):
                    if info_id == MKV_TIMESTAMP_SCALE and 0 < value_size <= 8:
                        scale = int.from_bytes(head[value_start:value_start + value_size], "big")
                        return scale or DEFAULT_TIMESTAMP_SCALE_NS
        break
    return DEFAULT_TIMESTAMP_SCALE_NS


def matroska_tail_seconds(stream: Source, size: int, head: bytes, start_seconds: float) -> float | None:
    """The time at which the last cluster's blocks end, reading only the end of the file.

    Gives the length of a live recording (no duration in its header) and the playable length of a
    file cut off. FFmpeg's own seek would scan every cluster of a file without an index, so the tail
    is read here: the last cluster that starts inside the window is the last one in the file.
    """
    scale = _matroska_timestamp_scale(head)
    tracks = _matroska_media_tracks(head)  # subtitles state long durations: only sound and picture count
    window = TAIL_FIRST_WINDOW_BYTES
    while True:
        start = max(0, size - window)
        tail = _read_at(stream, start, size - start)
        position = tail.rfind(MKV_CLUSTER)
        while position >= 0:
            ticks = _cluster_end_ticks(tail, position, tracks)
            if ticks is not None:
                seconds = ticks * scale / 1e9 - start_seconds
                return seconds if seconds > 0 else None
            position = tail.rfind(MKV_CLUSTER, 0, position)
        if start == 0 or window >= TAIL_LAST_WINDOW_BYTES:
            return None
        window = TAIL_LAST_WINDOW_BYTES


def _matroska_media_tracks(head: bytes) -> set[int]:
    """The numbers of the video and audio tracks (empty when the track list is not in the head)."""
    found: set[int] = set()
    for element, start, length in ebml_elements(head, 0, len(head)):
        if element != MKV_SEGMENT:
            continue
        end = len(head) if length < 0 else min(len(head), start + length)
        for child, child_start, child_length in ebml_elements(head, start, end):
            if child == MKV_CLUSTER or child_length < 0:
                break
            if child != MKV_TRACKS:
                continue
            for entry, entry_start, entry_length in ebml_elements(head, child_start, child_start + child_length):
                if entry != MKV_TRACK_ENTRY or entry_length < 0:
                    continue
                number = kind = 0
                for field, value_start, value_length in ebml_elements(head, entry_start, entry_start + entry_length):
                    raw = head[value_start:value_start + value_length] if 0 < value_length <= 8 else b""
                    value = int.from_bytes(raw, "big")
                    if field == MKV_TRACK_NUMBER:
                        number = value
                    elif field == MKV_TRACK_TYPE:
                        kind = value
                if number and kind in (1, 2):
                    found.add(number)
        break
    return found


def _cluster_end_ticks(data: bytes, position: int, tracks: set[int] | None = None) -> int | None:
    """The time (in ticks) at which the cluster at ``position`` ends, or None if it is not one.

    Four bytes that look like a cluster ID may be chance within compressed data, so a cluster only
    counts when its timestamp comes before its first block. Only blocks of ``tracks`` count, when given.
    """
    size = _ebml_size(data, position + len(MKV_CLUSTER))
    if size is None:
        return None
    value, used = size
    start = position + len(MKV_CLUSTER) + used
    end = len(data) if value < 0 else min(len(data), start + value)
    cluster_time = None
    latest = None
    for element_id, data_start, data_size in ebml_elements(data, start, end):
        if element_id in MKV_TOP_LEVEL:
            break
        if element_id == MKV_CLUSTER_TIMESTAMP:
            if not 0 < data_size <= 8 or data_start + data_size > len(data):
                return None
            cluster_time = int.from_bytes(data[data_start:data_start + data_size], "big")
            continue
        block: tuple[int, int] | None = None
        if element_id == MKV_SIMPLE_BLOCK:
            block = _block_offset(data, data_start)
        elif element_id == MKV_BLOCK_GROUP and data_size >= 0:
            block = _block_group_end(data, data_start, min(len(data), data_start + data_size))
        if block is None:
            continue
        if cluster_time is None:
            return None
        track, block_end = block
        if tracks and track not in tracks:
            continue
        block_time = cluster_time + block_end
        latest = block_time if latest is None else max(latest, block_time)
    return latest


def _block_offset(data: bytes, pos: int) -> tuple[int, int] | None:
    """(track number, time relative to its cluster) of a block: the time is a signed 16-bit count of ticks."""
    track = _ebml_size(data, pos)
    if track is None or pos + track[1] + 2 > len(data):
        return None
    return track[0], struct.unpack(">h", data[pos + track[1]:pos + track[1] + 2])[0]


def _block_group_end(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(track number, block time plus its duration when it states one) of a BlockGroup."""
    block = None
    duration = 0
    for element_id, data_start, data_size in ebml_elements(data, start, end):
        if element_id == MKV_BLOCK:
            block = _block_offset(data, data_start)
        elif element_id == MKV_BLOCK_DURATION and 0 < data_size <= 8 and data_start + data_size <= len(data):
            duration = int.from_bytes(data[data_start:data_start + data_size], "big")
    if block is None:
        return None
    return block[0], block[1] + duration
