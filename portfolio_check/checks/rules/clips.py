"""What is in the clips: a person in view, a picture that can be seen and sound that can be heard.

Both rules read what the extract stage found by looking at a few sampled frames of each video file
(`FileRecord.faces`) and the clips' headers; they raise warnings only, since a machine cannot
decide who is on screen or whether a clip is good enough: the "check by hand" list asks a person.
"""

from __future__ import annotations

from portfolio_check.checks.context import Context
from portfolio_check.checks.model import Clip
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.extract.faces import ClipFaces
from portfolio_check.extract.model import FileRecord
from portfolio_check.findings import Finding, Severity
from portfolio_check.formatting import plural


def _looked_at(ctx: Context, clip: Clip) -> ClipFaces | None:
    """What the look at a video file's sampled frames found; None when none was looked at."""
    if clip.embedded_in is not None:
        return None
    record = ctx.records.get(clip.path)
    faces = record.faces if record is not None else None
    return faces if faces is not None and faces.frames_sampled > 0 else None


class VideoPersonRule(Rule):
    """The apprentice is in view in each clip: a face is seen in its sampled frames.

    ST0792 asks for video clips with the apprentice in view and identifiable. A few frames of each
    video file are sampled, evenly through it, and looked at for faces (frontal and profile). A
    clip in which no face is seen, or only faces too small to recognise anyone by (under a tenth
    of the picture's height), is a warning. The tool never says whose face it is: that is on the
    "check by hand" list, with a contact sheet of the sampled frames in the HTML report. Clips
    embedded in presentations and documents are not looked at.

    To fix a warning: check the clip; if the apprentice cannot be seen and recognised, record it
    again with the apprentice facing the camera, close enough to be recognised.
    """

    id = "video-person"
    title = "Apprentice in view in each clip"
    codes = {"video-person-not-seen": Severity.WARNING, "video-person-small": Severity.WARNING}

    def check(self, ctx: Context) -> Result:
        videos = [c for c in ctx.clips if c.kind == "video"]
        looked = [(clip, faces) for clip in videos if (faces := _looked_at(ctx, clip)) is not None and faces.has_video]
        if not videos:
            return Result(Figure("no video clips", unit="clips"))
        unseen = len(videos) - len(looked)
        note = f" ({plural(unseen, 'clip')} not looked at)" if unseen else ""
        if not looked:
            return Result(Figure(f"{plural(len(videos), 'clip')} not looked at", unit="clips"), clean=Status.UNKNOWN)
        findings: list[Finding] = []
        seen = 0
        for clip, faces in looked:
            if not faces.face_seen:
                findings.append(Finding(
                    "video-person-not-seen", Severity.WARNING,
                    f"{clip.path}: the standard needs the apprentice in view and identifiable: no face was seen in "
                    f"{plural(faces.frames_sampled, 'sampled frame')}.", path=clip.path,
                    fix="Watch the clip. If the apprentice cannot be seen and recognised in it, record it again with "
                        "the apprentice in view, facing the camera."))
                continue
            seen += 1
            if faces.only_small_faces:
                findings.append(Finding(
                    "video-person-small", Severity.WARNING,
                    f"{clip.path}: faces were seen in {faces.frames_with_face} of "
                    f"{plural(faces.frames_sampled, 'sampled frame')}, but none taller than "
                    f"{faces.largest_face:.0%} of the picture: too small to recognise anyone by.", path=clip.path,
                    fix="Watch the clip. If the apprentice cannot be recognised, record it again closer to the "
                        "camera, or with the apprentice filling more of the picture."))
        figure = Figure(f"faces seen in {seen} of {plural(len(looked), 'clip')}{note}", value=seen, high=len(looked),
                        unit="clips")
        return Result(figure, findings)


class VideoQualityRule(Rule):
    """Each clip can be seen and heard: it has a sound track, a legible picture, and moves.

    An assessor must hear what the apprentice says and see what they do. A video file or embedded
    clip without a sound track, or whose picture is smaller than the catalogue's ``min_video_height``
    (pixels of the picture's shorter side), is a warning. So is a "video" that is a still picture
    (one frame, or the same picture throughout) and a file named as a video that holds only sound
    or a picture.

    To fix a warning: export the clip again from the original recording, with its sound, at 720p
    or at least the catalogue's minimum size; submit a recording of sound as audio, and a picture
    as a picture.
    """

    id = "video-quality"
    title = "Clips can be seen and heard"
    codes = {"video-no-audio": Severity.WARNING, "video-small-picture": Severity.WARNING,
             "video-still-image": Severity.WARNING, "video-sound-only": Severity.WARNING}
    reads = ("min_video_height",)

    def check(self, ctx: Context) -> Result:
        minimum = ctx.standard.portfolio.min_video_height if ctx.standard is not None else None
        videos = [c for c in ctx.clips if c.kind == "video"]
        findings: list[Finding] = []
        flagged: set[str] = set()
        for clip in videos:
            faces = _looked_at(ctx, clip)
            has_audio, size = _sound_and_size(ctx, clip, faces)
            where = clip.embedded_in or clip.path
            if has_audio is False:
                flagged.add(clip.path)
                findings.append(Finding(
                    "video-no-audio", Severity.WARNING,
                    f"{clip.path} has no sound track, so an assessor cannot hear what is said in it.", path=where,
                    fix="Export the clip again from the original recording with its sound (or say in the manifest "
                        "why it is silent, e.g. a screen recording with captions)."))
            if minimum is not None and size is not None and min(size) < minimum:
                flagged.add(clip.path)
                findings.append(Finding(
                    "video-small-picture", Severity.WARNING,
                    f"{clip.path} is {size[0]}x{size[1]} pixels, smaller than the {minimum} pixels the catalogue "
                    "takes as legible: people and documents in it may be hard to make out.", path=where,
                    fix=f"Export the clip again from the original recording at {minimum}p or larger (720p is usual)."))
            if faces is not None and faces.still_image:
                flagged.add(clip.path)
                findings.append(Finding(
                    "video-still-image", Severity.WARNING,
                    f"{clip.path} is a video of a still picture: every sampled frame shows the same thing.",
                    path=where, fix="Submit the recording itself, or the picture as a picture."))
        for record in ctx.records.values():
            named = _named_as_video(record)
            if named is not None:
                findings.append(named)
        if not videos and not findings:
            return Result(Figure("no video clips", unit="clips"))
        looked = len(videos) - len(flagged)
        size_note = "" if minimum is not None or ctx.standard is None else " (no minimum picture size given)"
        figure = Figure(f"{looked} of {plural(len(videos), 'clip')} seen and heard{size_note}", value=looked,
                        high=len(videos), unit="clips")
        return Result(figure, findings)


def _sound_and_size(ctx: Context, clip: Clip, faces: ClipFaces | None) -> tuple[bool | None, tuple[int, int] | None]:
    """Whether the clip has sound, and its picture size (upright when its frames were looked at)."""
    if clip.embedded_in is not None:
        container = ctx.records.get(clip.embedded_in)
        media = next((m for m in container.embedded_media if m.part == clip.part), None) if container else None
        if media is None:
            return None, None
        size = (media.width, media.height) if media.width and media.height else None
        return media.has_audio, size
    record = ctx.records.get(clip.path)
    if record is None:
        return None, None
    if faces is not None and faces.width and faces.height:
        return faces.has_audio, (faces.width, faces.height)
    width, height = record.metadata.get("width"), record.metadata.get("height")
    has_audio = record.metadata.get("has_audio")
    size = (width, height) if isinstance(width, int) and isinstance(height, int) and width and height else None
    return has_audio if isinstance(has_audio, bool) else None, size


def _named_as_video(record: FileRecord) -> Finding | None:
    """A file named as a video (``.mp4``) that holds only sound or a picture."""
    if (record.metadata or {}).get("named_as") != "video" or record.error is not None:
        return None
    if record.kind == "audio":
        return Finding("video-sound-only", Severity.WARNING,
                       f"{record.path} is named as a video but holds only sound: there is nothing to see, so it "
                       "is counted as audio, not video.", path=record.path,
                       fix="If it should show the apprentice at work, export the video again with its picture; "
                           "otherwise name it as audio (e.g. .m4a).")
    return Finding("video-still-image", Severity.WARNING,
                   f"{record.path} is named as a video but holds a still picture.", path=record.path,
                   fix="Submit the recording itself, or name the picture as a picture (e.g. .jpg).")
