"""Whether a person is seen in a video clip, and what the clip is: a bounded look at a few frames.

ST0792 wants "the apprentice in view and identifiable" in each clip. This module samples at most
`FRAMES_PER_CLIP` frames, evenly through the clip, by seeking to the keyframe before each point
and decoding the one frame found there, so the cost does not grow with the clip's length (the
benchmark in ``bench/vision.py`` checks that a 10-minute clip costs about what a 1-minute one
does). Faces are looked for with OpenCV's bundled Haar cascades (frontal, then profile facing
either way, then small frontal faces at a higher resolution; see `DETECT_HEIGHT`). It says where faces
are and how large; it never says whose they are: that stays a person's judgement, helped by the
optional contact sheet of the sampled frames with the faces boxed.

The grey copy is not histogram-equalised: on the test clips equalising found no more faces and
lost every face of a clip where the face was 4.6% of the frame height.

Alongside: whether the clip has sound, its upright picture size, and whether the "video" is a
still picture (a single frame, a cover picture only, or every sampled frame the same).
"""

from __future__ import annotations

import base64
import io
import math
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from portfolio_check.extract.model import FILE_UNREADABLE, ExtractionProblem, Problem

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

#: Frames sampled from one clip.
FRAMES_PER_CLIP = 8
#: Frames on the contact sheet, each at most `THUMBNAIL_WIDTH` pixels across, all within
#: `CONTACT_SHEET_MAX_BYTES` as data URIs (the HTML report's size budget).
CONTACT_SHEET_FRAMES = 4
THUMBNAIL_WIDTH = 160
CONTACT_SHEET_MAX_BYTES = 40_000
#: Faces are looked for in two passes, each on a grey copy no larger than the frame: first at
#: `DETECT_HEIGHT` lines (16:9 wide at most), which finds faces down to the cascades' 20-pixel
#: window, 8.3% of the height; then, only in frames where none was found, at `SMALL_FACE_HEIGHT`
#: lines for the faces too small for the first pass (down to 2.8% of the height). OpenCV's cost
#: grows with pixels and with finer scale steps: on this project's 2-core machine the first
#: pass takes about 40 ms of processor time a frame, the second 100 to 200 ms.
DETECT_HEIGHT = 240
SMALL_FACE_HEIGHT = 720
CASCADE_WINDOW = 20
SCALE_STEP = 1.2
MIN_NEIGHBOURS = 5
#: A face less tall than this share of the frame is "small": in a 720p clip, under 72 pixels.
SMALL_FACE_FRACTION = 0.10
#: Packets read after a seek to find a frame to decode; a clip that needs more is damaged.
MAX_PACKETS_PER_SEEK = 300
#: Default time budget for one clip, within the extract stage's 30 s per file.
DEFAULT_SECONDS = 10.0
#: Two frames are the same picture when fewer than this share of pixels differ by more than
#: `STILL_PIXEL_LEVELS` grey levels (video compression alone changes a few by a level or two).
STILL_CHANGED_SHARE = 0.002
STILL_PIXEL_LEVELS = 12
STILL_SAMPLE_WIDTH = 96
#: FFmpeg's reading of the header, as in `media`: enough to find the streams, bounded.
PROBE_SIZE_BYTES = 1_000_000
ANALYZE_DURATION_MICROSECONDS = 2_000_000

CASCADES = ("haarcascade_frontalface_alt2.xml", "haarcascade_profileface.xml")

#: Problem code: fewer frames were looked at than planned (time ran out, length unknown, bad frames).
LOOK_INCOMPLETE = "video-look-incomplete"

UNREADABLE_MESSAGE = (
    "The clip could not be opened to look at its pictures: it may be damaged or not really a "
    "video."
)
UNREADABLE_FIX = "Check that it plays, and export it again if it does not."


@dataclass(frozen=True)
class FaceBox:
    """A face found in a frame, as fractions of the upright frame's width and height."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class SampledFrame:
    """One sampled frame: when it is shown (seconds from the start) and the faces found in it."""

    seconds: float
    faces: tuple[FaceBox, ...]


@dataclass(frozen=True)
class ClipFaces:
    """What a look at a clip's sampled frames found. Plain data: it crosses worker processes."""

    #: Distinct frames looked at (seeks that land on the same keyframe count once).
    frames_sampled: int
    #: Of those, frames in which at least one face was found.
    frames_with_face: int
    #: The tallest face found, as a share of the frame height; 0.0 when none was found.
    largest_face: float
    #: Each sampled frame with its faces, in time order.
    frames: tuple[SampledFrame, ...]
    #: Whether the file has a picture at all (a cover picture of a sound file does not count).
    has_video: bool
    #: Whether the file has a sound track.
    has_audio: bool
    #: The picture's size as it is shown (a phone clip stored sideways is turned upright), or None.
    width: int | None
    height: int | None
    duration_seconds: float | None
    #: The "video" is a still picture: one frame, only a cover picture, or every sampled frame the same.
    still_image: bool
    #: Up to `CONTACT_SHEET_FRAMES` JPEG data URIs of sampled frames with faces boxed; only when asked.
    contact_sheet: tuple[str, ...] = ()
    #: Wall-clock seconds the look took.
    seconds: float = 0.0
    #: What could not be done, for a person (e.g. the time ran out after some frames).
    problems: tuple[Problem, ...] = ()

    @property
    def face_seen(self) -> bool:
        return self.frames_with_face > 0

    def to_dict(self) -> dict[str, Any]:
        """The figures for ``report.json``: never the contact sheet (pictures of people stay in the HTML)."""
        return {"frames_sampled": self.frames_sampled, "frames_with_face": self.frames_with_face,
                "largest_face": self.largest_face, "has_video": self.has_video, "has_audio": self.has_audio,
                "width": self.width, "height": self.height, "still_image": self.still_image,
                "problems": [{"code": p.code, "message": p.message} for p in self.problems]}

    @property
    def only_small_faces(self) -> bool:
        """Faces were found, but none as tall as `SMALL_FACE_FRACTION` of the frame."""
        return self.face_seen and self.largest_face < SMALL_FACE_FRACTION


def faces_in_clip(source: str | os.PathLike[str] | BinaryIO, *, frames: int = FRAMES_PER_CLIP,
                  contact_sheet: bool = False, seconds: float = DEFAULT_SECONDS,
                  duration_seconds: float | None = None) -> ClipFaces:
    """Sample up to ``frames`` frames of a clip and look for faces in them.

    ``source`` is a path or a seekable binary stream. ``duration_seconds`` is used when the
    container does not state its length (a live WebM recording); without either, only the first
    frame is looked at. With ``contact_sheet``, small JPEGs of the sampled frames are made.
    Raises `ExtractionProblem` when the file cannot be opened as media; anything that goes wrong
    later (a frame that will not decode, the time running out) is a problem on the result.
    """
    import av

    started = time.monotonic()
    _silence_ffmpeg()
    if hasattr(source, "seek"):
        source.seek(0)
    options = {"probesize": str(PROBE_SIZE_BYTES), "analyzeduration": str(ANALYZE_DURATION_MICROSECONDS)}
    try:
        container = av.open(source, mode="r", container_options=options)
    except (av.FFmpegError, OSError, ValueError, EOFError, IndexError, OverflowError, MemoryError) as error:
        raise ExtractionProblem(FILE_UNREADABLE, UNREADABLE_MESSAGE, fix=UNREADABLE_FIX) from error
    with container:
        return _look(container, started, frames=frames, contact_sheet=contact_sheet, seconds=seconds,
                     duration_hint=duration_seconds)


def _look(container: Any, started: float, *, frames: int, contact_sheet: bool, seconds: float,
          duration_hint: float | None) -> ClipFaces:
    from av.stream import Disposition

    has_audio = bool(container.streams.audio)
    pictures = list(container.streams.video)
    video = [s for s in pictures if not int(s.disposition) & int(Disposition.attached_pic)]
    duration = _duration(container, video[0] if video else None) or duration_hint
    if not video:
        # A sound file with a cover picture, or no picture at all: nothing to look at.
        return ClipFaces(0, 0, 0.0, (), has_video=False, has_audio=has_audio, width=None, height=None,
                         duration_seconds=duration, still_image=bool(pictures),
                         seconds=time.monotonic() - started)
    stream = video[0]
    problems: list[Problem] = []
    targets = [(index + 0.5) * duration / frames for index in range(frames)] if duration else [0.0]
    if not duration:
        problems.append(Problem(LOOK_INCOMPLETE, "the clip does not state its length, so only its first "
                                                 "frame was looked at."))
    sampled: list[_Sample] = []
    seen_pts: set[int] = set()
    upright: tuple[int, int] | None = None
    unusable, last_error = 0, ""
    for target in targets:
        if time.monotonic() - started > seconds:
            problems.append(Problem(LOOK_INCOMPLETE, f"only {len(sampled)} frames were looked at: the time "
                                                     f"for this clip ({seconds:g} s) ran out."))
            break
        try:
            frame = _frame_at(container, stream, target)
        except (ArithmeticError, ValueError, OSError, EOFError, MemoryError, _av_error()):
            frame = None
        if frame is None or frame.pts in seen_pts:
            continue  # the same keyframe as an earlier point, or nothing decodable there
        if frame.pts is not None:
            seen_pts.add(frame.pts)
        try:
            sample = _examine(frame, stream, contact_sheet)
        except Exception as error:  # noqa: BLE001 - a frame that cannot be converted is skipped; the others count
            unusable += 1
            last_error = f"{type(error).__name__}: {error}"
            continue
        upright = upright or sample.size
        sampled.append(sample)
    if unusable:
        problems.append(Problem(LOOK_INCOMPLETE, f"{unusable} sampled frames could not be looked at ({last_error})."))
    if not sampled and not problems:
        problems.append(Problem(FILE_UNREADABLE, "no frame of the clip could be decoded.", UNREADABLE_FIX))
    width, height = upright or _stored_size(stream)
    found = [s for s in sampled if s.faces]
    largest = max((box.height for s in sampled for box in s.faces), default=0.0)
    sheet = _contact_sheet(sampled) if contact_sheet else ()
    return ClipFaces(
        frames_sampled=len(sampled), frames_with_face=len(found), largest_face=round(largest, 4),
        frames=tuple(SampledFrame(round(s.seconds, 3), s.faces) for s in sampled),
        has_video=True, has_audio=has_audio, width=width, height=height, duration_seconds=duration,
        still_image=_is_still(stream, sampled), contact_sheet=sheet,
        seconds=time.monotonic() - started, problems=tuple(problems))


def _av_error() -> type[Exception]:
    import av

    return av.FFmpegError


def _silence_ffmpeg() -> None:
    """FFmpeg complains on stderr about damaged files; the result says what matters instead."""
    import av.logging

    av.logging.set_level(None)


def _duration(container: Any, stream: Any) -> float | None:
    if container.duration and container.duration > 0:
        return float(container.duration) / 1_000_000
    if stream is not None and stream.duration and stream.time_base:
        value = float(stream.duration * stream.time_base)
        return value if value > 0 else None
    return None


def _stored_size(stream: Any) -> tuple[int | None, int | None]:
    context = stream.codec_context
    if context is None or context.width <= 0 or context.height <= 0:
        return None, None
    return int(context.width), int(context.height)


def _frame_at(container: Any, stream: Any, seconds: float) -> Any:
    """The first frame decoded after seeking to the keyframe at or before ``seconds``, or None.

    Decoding starts at a keyframe, so it costs one frame's decoding wherever in the clip the point is.
    """
    time_base = stream.time_base
    start = stream.start_time or 0
    if seconds > 0 and time_base:
        container.seek(start + int(seconds / float(time_base)), stream=stream, any_frame=False, backward=True)
    elif seconds > 0:
        container.seek(int(seconds * 1_000_000), any_frame=False, backward=True)
    for count, packet in enumerate(container.demux(stream)):
        if count >= MAX_PACKETS_PER_SEEK:
            return None
        for frame in packet.decode():
            return frame
    return None


@dataclass
class _Sample:
    seconds: float
    faces: tuple[FaceBox, ...]
    size: tuple[int, int]
    #: A small grey copy, to tell whether the picture changes.
    signature: np.ndarray
    #: A small colour copy for the contact sheet, when one was asked for.
    thumbnail: Image.Image | None


def _examine(frame: Any, stream: Any, contact_sheet: bool) -> _Sample:
    """Faces in one decoded frame, turned upright first (phones store portrait clips sideways)."""
    import numpy as np

    turns = _quarter_turns(frame)
    stored_width, stored_height = int(frame.width), int(frame.height)
    upright_width, upright_height = (stored_height, stored_width) if turns % 2 else (stored_width, stored_height)
    scale = min(1.0, SMALL_FACE_HEIGHT / upright_height, SMALL_FACE_HEIGHT * 16 / 9 / upright_width)
    width, height = max(1, round(stored_width * scale)), max(1, round(stored_height * scale))
    grey = np.rot90(frame.reformat(width=width, height=height, format="gray").to_ndarray(), turns)
    grey = np.ascontiguousarray(grey)
    faces = _detect(grey)
    signature_height = max(1, round(STILL_SAMPLE_WIDTH * grey.shape[0] / grey.shape[1]))
    signature = _resize(grey, STILL_SAMPLE_WIDTH, signature_height)
    thumbnail = None
    if contact_sheet:
        thumb_w = min(THUMBNAIL_WIDTH, upright_width)
        thumb_h = max(1, round(thumb_w * upright_height / upright_width))
        stored_w, stored_h = (thumb_h, thumb_w) if turns % 2 else (thumb_w, thumb_h)
        rgb = frame.reformat(width=stored_w, height=stored_h, format="rgb24").to_ndarray()
        from PIL import Image

        thumbnail = Image.fromarray(np.ascontiguousarray(np.rot90(rgb, turns)))
    start = stream.start_time or 0
    seconds = float((frame.pts - start) * stream.time_base) if frame.pts is not None and stream.time_base else 0.0
    return _Sample(max(0.0, seconds), faces, (upright_width, upright_height), signature, thumbnail)


def _quarter_turns(frame: Any) -> int:
    """Anticlockwise quarter turns that show the frame upright, from its display matrix."""
    try:
        rotation = float(getattr(frame, "rotation", 0) or 0)
    except (TypeError, ValueError):
        return 0
    return round(rotation / 90) % 4


def _resize(grey: np.ndarray, width: int, height: int) -> np.ndarray:
    cv2 = _cv2()
    result: np.ndarray = cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA)
    return result


# --------------------------------------------------------------------------- face detection


def _cv2() -> Any:
    """OpenCV, imported on first use: it costs 0.2 s, which the command line must not pay."""
    import cv2

    return cv2


class _Cascades:
    """The cascades, loaded once per process (each file takes tens of milliseconds to parse)."""

    loaded: ClassVar[list[Any]] = []

    @classmethod
    def get(cls) -> list[Any]:
        if not cls.loaded:
            cv2 = _cv2()
            folder = cv2.data.haarcascades
            for name in CASCADES:
                cascade = cv2.CascadeClassifier(os.path.join(folder, name))
                if cascade.empty():
                    raise RuntimeError(f"OpenCV's {name} could not be loaded from {folder}")
                cls.loaded.append(cascade)
        return cls.loaded


def _detect(grey: np.ndarray) -> tuple[FaceBox, ...]:
    """Faces in an upright grey frame: frontal, else profiles (both ways), else small frontal faces."""
    cv2 = _cv2()
    frontal, profile = _Cascades.get()
    height, width = grey.shape[:2]
    scale = min(1.0, DETECT_HEIGHT / height, DETECT_HEIGHT * 16 / 9 / width)
    small = grey if scale == 1.0 else cv2.resize(grey, (max(1, round(width * scale)), max(1, round(height * scale))),
                                                 interpolation=cv2.INTER_AREA)
    settings: dict[str, Any] = {"scaleFactor": SCALE_STEP, "minNeighbors": MIN_NEIGHBOURS,
                                "minSize": (CASCADE_WINDOW, CASCADE_WINDOW)}
    found = [_scaled(box, 1 / scale) for box in frontal.detectMultiScale(small, **settings)]
    if not found:
        found = [_scaled(box, 1 / scale) for box in profile.detectMultiScale(small, **settings)]
        mirrored = profile.detectMultiScale(cv2.flip(small, 1), **settings)
        found += [_scaled((small.shape[1] - x - w, y, w, h), 1 / scale) for x, y, w, h in mirrored]
    if not found and scale < 0.75:
        # Only the faces the first pass could not see: smaller than its window at its scale.
        largest = math.ceil(1.1 * CASCADE_WINDOW / scale)
        found = [_scaled(box, 1.0) for box in frontal.detectMultiScale(grey, **settings, maxSize=(largest, largest))]
    return tuple(FaceBox(round(x / width, 4), round(y / height, 4), round(w / width, 4), round(h / height, 4))
                 for x, y, w, h in _without_overlaps(found))


def _scaled(box: Any, factor: float) -> tuple[int, int, int, int]:
    x, y, w, h = (int(v) for v in box)
    return round(x * factor), round(y * factor), round(w * factor), round(h * factor)


def _without_overlaps(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Largest first, dropping a box mostly inside one already kept (a profile seen both ways)."""
    kept: list[tuple[int, int, int, int]] = []
    for box in sorted(boxes, key=lambda b: b[2] * b[3], reverse=True):
        area = box[2] * box[3]
        if all(_overlap(box, other) < 0.5 * area for other in kept):
            kept.append(box)
    return kept


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, width) * max(0, height)


# --------------------------------------------------------------------------- still pictures


def _is_still(stream: Any, sampled: list[_Sample]) -> bool:
    """One frame in all, or at least two distinct sampled frames that all show the same picture."""
    if stream.frames == 1:
        return True
    if len(sampled) < 2:
        return False  # one keyframe reachable: too little to tell a still from a slow clip
    import numpy as np

    first = sampled[0].signature.astype(np.int16)
    for sample in sampled[1:]:
        if sample.signature.shape != first.shape:
            return False
        changed = np.count_nonzero(np.abs(sample.signature.astype(np.int16) - first) > STILL_PIXEL_LEVELS)
        if changed > STILL_CHANGED_SHARE * first.size:
            return False
    return True


# --------------------------------------------------------------------------- contact sheet


def _contact_sheet(sampled: list[_Sample]) -> tuple[str, ...]:
    """Up to `CONTACT_SHEET_FRAMES` frames as JPEG data URIs, faces boxed, within the byte budget.

    Frames with faces are preferred (who is on screen is the question), spread through the clip,
    then frames without; they are shown in time order.
    """
    with_faces = [s for s in sampled if s.faces and s.thumbnail is not None]
    without = [s for s in sampled if not s.faces and s.thumbnail is not None]
    chosen = _spread(with_faces, CONTACT_SHEET_FRAMES)
    chosen += _spread(without, CONTACT_SHEET_FRAMES - len(chosen))
    chosen.sort(key=lambda s: s.seconds)
    for quality in (70, 55, 40, 25):
        uris = tuple(_data_uri(_boxed(s), quality) for s in chosen)
        if sum(len(u) for u in uris) <= CONTACT_SHEET_MAX_BYTES:
            return uris
    return ()


def _spread(samples: list[_Sample], count: int) -> list[_Sample]:
    if count <= 0 or not samples:
        return []
    if len(samples) <= count:
        return list(samples)
    return [samples[round(i * (len(samples) - 1) / (count - 1))] if count > 1 else samples[len(samples) // 2]
            for i in range(count)]


def _boxed(sample: _Sample) -> Image.Image:
    from PIL import ImageDraw

    assert sample.thumbnail is not None
    image = sample.thumbnail.copy()
    draw = ImageDraw.Draw(image)
    for box in sample.faces:
        left, top = box.left * image.width, box.top * image.height
        draw.rectangle((left, top, left + box.width * image.width, top + box.height * image.height),
                       outline=(255, 214, 0), width=2)
    return image


def _data_uri(image: Image.Image, quality: int) -> str:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
