"""Faces in video: real photographs made into clips with ffmpeg, a test pattern, hostile input.

Clips are built once per session: a portrait panned and zoomed with the zoompan filter, with
sound; a landscape and ffmpeg's test pattern; the portrait shrunk to 3% of a 720p frame; a clip
without sound; a clip stored sideways as phones store portrait video; still pictures.
"""

from __future__ import annotations

import base64
import io
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
from PIL import Image

from portfolio_check.extract.faces import (
    CONTACT_SHEET_FRAMES,
    CONTACT_SHEET_MAX_BYTES,
    FRAMES_PER_CLIP,
    LOOK_INCOMPLETE,
    SMALL_FACE_FRACTION,
    THUMBNAIL_WIDTH,
    ClipFaces,
    FaceBox,
    SampledFrame,
    faces_in_clip,
)
from portfolio_check.extract.model import FILE_UNREADABLE, ExtractionProblem, Problem

SINE = "sine=frequency=220:sample_rate=44100:duration={seconds}"
#: Phones write a keyframe every second or two; the clips here every 2 s at 25 frames a second.
ENCODE = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p"]


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg, or pip install imageio-ffmpeg)")
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def make(path: Path, *args: str) -> Path:
    if not path.exists():
        subprocess.run([ffmpeg(), "-y", "-loglevel", "error", *args, str(path)], check=True)
    return path


def panned(photo: Path, out: Path, seconds: int = 20, audio: bool = True, zoom_to: float = 1.5) -> Path:
    """A still photograph panned and zoomed towards its upper middle (where a portrait's face is)."""
    frames = seconds * 25
    video = (f"[0]scale=1280:1280:force_original_aspect_ratio=increase,crop=1280:720:0:40,"
             f"zoompan=z='1+{zoom_to - 1}*on/{frames}':x='iw*0.41-iw/zoom/2':y='ih*0.42-ih/zoom/2'"
             f":d=1:s=640x360:fps=25,format=yuv420p[v]")
    sound = ["-f", "lavfi", "-i", SINE.format(seconds=seconds)] if audio else []
    mapping = ["-map", "[v]", "-map", "1:a", "-c:a", "aac", "-b:a", "48k"] if audio else ["-map", "[v]", "-an"]
    return make(out, "-loop", "1", "-framerate", "25", "-i", str(photo), *sound, "-filter_complex", video,
                *mapping, "-t", str(seconds), *ENCODE)


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    from conftest import CORPUS

    folder = CORPUS / "faces"
    if not (folder / "astronaut.png").is_file():
        pytest.skip("the shared corpus (../shared/corpus/faces beside the repository) is not present")
    return folder


@pytest.fixture(scope="session")
def portrait_clip(clips: Path, faces_dir: Path) -> Path:
    return panned(faces_dir / "astronaut.png", clips / "portrait.mp4")


@pytest.fixture(scope="session")
def portrait(portrait_clip: Path) -> ClipFaces:
    return faces_in_clip(portrait_clip, contact_sheet=True)


# --------------------------------------------------------------------------- who is in view


def test_a_panned_and_zoomed_portrait_is_seen(portrait: ClipFaces) -> None:
    assert portrait.frames_sampled >= FRAMES_PER_CLIP - 2  # keyframes every 2 s: 8 distinct points in 20 s
    assert portrait.frames_with_face >= 0.75 * portrait.frames_sampled
    assert portrait.face_seen and not portrait.only_small_faces
    assert 0.25 < portrait.largest_face < 0.8
    assert portrait.has_video and portrait.has_audio and not portrait.still_image
    assert (portrait.width, portrait.height) == (640, 360)
    assert portrait.duration_seconds == pytest.approx(20, abs=0.5)
    times = [frame.seconds for frame in portrait.frames]
    assert times == sorted(times) and times[-1] - times[0] >= 12  # spread through the clip
    for frame in portrait.frames:
        for box in frame.faces:  # the face stays in the upper middle as the camera zooms
            assert 0.2 < box.left + box.width / 2 < 0.8 and box.top < 0.5


def test_a_landscape_shows_no_face(clips: Path, faces_dir: Path) -> None:
    result = faces_in_clip(panned(faces_dir / "rocket.jpg", clips / "rocket.mp4", seconds=10, zoom_to=1.2))
    assert result.frames_sampled >= 4 and result.frames_with_face == 0 and result.largest_face == 0.0
    assert not result.face_seen


def test_a_test_pattern_shows_no_face(clips: Path) -> None:
    clip = make(clips / "testsrc.mp4", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=20",
                "-f", "lavfi", "-i", SINE.format(seconds=20), *ENCODE, "-c:a", "aac", "-shortest")
    result = faces_in_clip(clip)
    assert result.frames_sampled == FRAMES_PER_CLIP and result.frames_with_face == 0
    assert result.has_audio and not result.still_image


def test_a_tiny_face_is_seen_but_only_as_a_small_one(clips: Path, faces_dir: Path) -> None:
    """The portrait scaled to 3% of a 1280x720 frame (166 px square), drifting across a wall."""
    clip = make(clips / "tiny.mp4", "-f", "lavfi", "-i", "color=c=0x506070:size=1280x720:rate=25:duration=20",
                "-loop", "1", "-framerate", "25", "-i", str(faces_dir / "astronaut.png"),
                "-f", "lavfi", "-i", SINE.format(seconds=20),
                "-filter_complex", "[1]scale=166:166[p];[0][p]overlay=x='200+t*20':y=300:shortest=1,format=yuv420p[v]",
                "-map", "[v]", "-map", "2:a", "-t", "20", *ENCODE, "-c:a", "aac")
    result = faces_in_clip(clip)
    assert result.frames_with_face >= result.frames_sampled // 2
    assert result.only_small_faces
    assert 0.02 < result.largest_face < SMALL_FACE_FRACTION
    assert (result.width, result.height) == (1280, 720)


# --------------------------------------------------------------------------- what the clip is


def test_a_clip_without_sound_is_said_to_have_none(clips: Path) -> None:
    clip = make(clips / "silent.mp4", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=4", *ENCODE)
    result = faces_in_clip(clip)
    assert not result.has_audio and result.has_video
    assert (result.width, result.height) == (320, 180)


def test_a_phone_clip_stored_sideways_is_looked_at_upright(clips: Path, portrait_clip: Path) -> None:
    sideways = make(clips / "sideways.mp4", "-i", str(portrait_clip), "-t", "8", "-vf", "transpose=1",
                    *ENCODE, "-c:a", "copy")
    # The display matrix a phone writes: turn the picture back a quarter to show it.
    tagged = make(clips / "tagged.mp4", "-i", str(sideways), "-c", "copy", "-metadata:s:v:0", "rotate=90")
    upright = faces_in_clip(tagged)
    assert (upright.width, upright.height) == (640, 360)
    assert upright.frames_with_face >= upright.frames_sampled - 1 >= 2
    lying = faces_in_clip(sideways)  # the same pictures without the tag: faces on their side are not faces
    assert (lying.width, lying.height) == (360, 640)
    assert lying.frames_with_face < upright.frames_with_face


def test_a_still_picture_made_into_a_video_is_said_to_be_one(clips: Path, faces_dir: Path) -> None:
    still = make(clips / "still.mp4", "-loop", "1", "-framerate", "25", "-i", str(faces_dir / "coffee.png"),
                 "-f", "lavfi", "-i", SINE.format(seconds=12), "-t", "12", "-vf", "scale=640:-2", *ENCODE,
                 "-c:a", "aac", "-shortest")
    assert faces_in_clip(still).still_image
    one_frame = make(clips / "one-frame.mp4", "-i", str(faces_dir / "coffee.png"), "-frames:v", "1",
                     "-vf", "scale=640:-2", *ENCODE)
    single = faces_in_clip(one_frame)
    assert single.still_image and single.frames_sampled == 1


def test_a_moving_picture_is_not_a_still(portrait: ClipFaces, clips: Path) -> None:
    assert not portrait.still_image
    slow = make(clips / "slow.mp4", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=12", *ENCODE)
    assert not faces_in_clip(slow).still_image


def test_a_sound_file_with_cover_art_is_not_a_video(clips: Path, faces_dir: Path) -> None:
    audio = make(clips / "interview.mp4", "-f", "lavfi", "-i", SINE.format(seconds=5), "-c:a", "aac")
    result = faces_in_clip(audio)
    assert not result.has_video and result.has_audio and result.frames_sampled == 0 and not result.still_image
    covered = make(clips / "covered.m4a", "-f", "lavfi", "-i", SINE.format(seconds=5), "-i",
                   str(faces_dir / "rocket.jpg"), "-map", "0", "-map", "1", "-c:a", "aac", "-c:v", "mjpeg",
                   "-disposition:v:0", "attached_pic")
    with_cover = faces_in_clip(covered)
    assert not with_cover.has_video and with_cover.still_image and with_cover.frames_sampled == 0


def test_a_recording_that_does_not_state_its_length(clips: Path) -> None:
    """A browser's live WebM recording has no duration in its header: written here through a pipe."""
    out = clips / "live.webm"
    if not out.exists():
        data = subprocess.run([ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i",
                               "testsrc=size=160x90:rate=10:duration=6", "-c:v", "libvpx", "-g", "10",
                               "-f", "webm", "pipe:1"], capture_output=True, check=True).stdout
        out.write_bytes(data)
    unknown = faces_in_clip(out)
    assert unknown.duration_seconds is None and unknown.frames_sampled == 1
    assert [p.code for p in unknown.problems] == [LOOK_INCOMPLETE] and "length" in unknown.problems[0].message
    told = faces_in_clip(out, duration_seconds=6.0)  # the length the media reader measured from the tail
    assert told.frames_sampled >= 4 and not told.problems and told.duration_seconds == 6.0


def test_a_clip_read_from_a_stream_gives_the_same_answer(portrait_clip: Path, portrait: ClipFaces) -> None:
    with open(portrait_clip, "rb") as stream:
        from_stream = faces_in_clip(stream, contact_sheet=True)
    assert from_stream.frames == portrait.frames and from_stream.contact_sheet == portrait.contact_sheet


# --------------------------------------------------------------------------- the contact sheet


def test_the_contact_sheet_is_small_boxed_and_only_made_when_asked(portrait: ClipFaces, portrait_clip: Path) -> None:
    sheet = portrait.contact_sheet
    assert len(sheet) == CONTACT_SHEET_FRAMES
    assert sum(len(uri) for uri in sheet) <= CONTACT_SHEET_MAX_BYTES
    for uri in sheet:
        assert uri.startswith("data:image/jpeg;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")
        assert image.width == THUMBNAIL_WIDTH and image.height == 90
        pixels = numpy.asarray(image)
        yellow = (pixels[..., 0] > 200) & (pixels[..., 1] > 170) & (pixels[..., 2] < 90)
        assert yellow.sum() > 40  # the face's box is drawn
    assert faces_in_clip(portrait_clip).contact_sheet == ()


# --------------------------------------------------------------------------- bad input and plumbing


def test_a_file_that_is_not_media_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ExtractionProblem) as raised:
        faces_in_clip(io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8))
    assert raised.value.code == FILE_UNREADABLE


def test_a_cut_off_clip_does_not_crash(portrait_clip: Path) -> None:
    data = portrait_clip.read_bytes()
    try:
        result = faces_in_clip(io.BytesIO(data[: len(data) // 3]))
    except ExtractionProblem as problem:  # the index (moov) is at the end: nothing to open
        assert problem.code == FILE_UNREADABLE
    else:
        assert result.frames_sampled <= FRAMES_PER_CLIP


def test_the_time_budget_is_kept(portrait_clip: Path) -> None:
    result = faces_in_clip(portrait_clip, seconds=0.0)
    assert result.frames_sampled == 0
    assert [p.code for p in result.problems] == [LOOK_INCOMPLETE]


def test_results_pickle(portrait: ClipFaces) -> None:
    assert pickle.loads(pickle.dumps(portrait)) == portrait
    made = ClipFaces(2, 1, 0.31, (SampledFrame(1.0, (FaceBox(0.4, 0.1, 0.2, 0.31),)), SampledFrame(3.0, ())),
                     has_video=True, has_audio=False, width=1280, height=720, duration_seconds=4.0,
                     still_image=False, problems=(Problem(LOOK_INCOMPLETE, "time ran out"),))
    assert pickle.loads(pickle.dumps(made)) == made


def test_importing_the_module_loads_no_vision_library() -> None:
    """Start-up time: OpenCV costs 0.2 s to import, so only looking at a clip may load it."""
    code = ("import sys, portfolio_check.extract.faces; "
            "print(sorted(m for m in ('cv2', 'av', 'numpy', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
