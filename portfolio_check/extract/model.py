"""What extraction hands on: plain data about one file. No rule is decided here.

Every extractor has the signature ``extract(stream, size) -> Extraction``: ``stream`` is a seekable
binary file object positioned at 0 (a real file, or a member of an archive), ``size`` its length in
bytes. An extractor raises `ExtractionProblem` for a condition it recognises (encrypted, truncated,
unsafe); any other exception is caught by the runner and reported as ``file-unreadable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portfolio_check.extract.faces import ClipFaces

from portfolio_check.problems import (  # noqa: F401 - the extract stage's names for them
    EXTENSION_MISMATCH,
    EXTERNAL_LINK,
    FILE_DAMAGED,
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_PROTECTED,
    FILE_TRUNCATED,
    FILE_UNREADABLE,
    LEGACY_FORMAT,
    MACRO_ENABLED,
    SCAN_NOT_READ,
    UNSAFE_ARCHIVE,
    UNSAFE_FILE,
    UNSUPPORTED_FORMAT,
    VIDEO_LOOK_INCOMPLETE,
    Problem,
)


class ExtractionProblem(Exception):
    """Raised by an extractor for a condition it recognises; the file gets this problem, the run goes on.

    It is also returned, as a value, from the sandbox's worker processes, so it must survive pickling:
    an exception is unpickled by calling its class with ``self.args``, and this class's arguments are
    not the message alone, hence `__reduce__`.
    """

    def __init__(self, code: str, message: str, where: str | None = None, fix: str | None = None) -> None:
        super().__init__(code, message, where, fix)
        self.code = code
        self.message = message
        #: The place in the file, for a person (``line 4, column 3``, ``sheet 'Evidence', row 7``), when known.
        self.where = where
        #: How to fix it, for a person, kept apart from ``message`` (which says what is wrong).
        self.fix = fix

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.where, self.fix), self.__dict__)


@dataclass(frozen=True)
class EmbeddedPart:
    """A media part inside an Office package (``ppt/media/media1.mp4``), to be probed on its own."""

    part: str
    size: int


@dataclass(frozen=True)
class EmbeddedMedia:
    """An audio or video part of a Word or PowerPoint file, as probed on its own."""

    part: str
    size: int
    #: "video" or "audio" (what the part holds, not what its name says); None when it could not be told.
    kind: str | None = None
    format: str | None = None
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    has_audio: bool | None = None
    has_video: bool | None = None
    #: Why the part could not be probed (a problem code, with the exception's name for unexpected ones).
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the part, size, kind, format and duration always; other facts when known."""
        data: dict[str, Any] = {"part": self.part, "size": self.size, "kind": self.kind, "format": self.format,
                                "duration_seconds": self.duration_seconds}
        for key in ("width", "height", "has_audio", "has_video", "error"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class Extraction:
    """What an extractor found in one file."""

    #: Format-specific facts, JSON-ready: ``pages``, ``slides``, ``duration_seconds``, ``author``...
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Text content where the format has any (kept for later checks such as the attribution statement).
    text: str | None = None
    #: Problems that did not stop extraction (e.g. a macro-enabled document).
    problems: list[Problem] = field(default_factory=list)
    #: Audio and video parts embedded in Word or PowerPoint files.
    embedded_media: list[EmbeddedPart] = field(default_factory=list)
    #: The kind the content showed the file to be where identification could not tell from its start:
    #: a WebM or MP4 holding only sound (cover art aside) is "audio". None keeps the identified kind.
    kind: str | None = None


@dataclass
class FileRecord:
    """Everything extraction learned about one file of the portfolio, as plain data."""

    path: str
    size: int
    sha256: str | None
    kind: str
    format: str
    description: str
    modified: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    problems: list[Problem] = field(default_factory=list)
    #: Audio and video parts inside Word/PowerPoint files, each probed on its own.
    embedded_media: list[EmbeddedMedia] = field(default_factory=list)
    #: The code of the problem that stopped extraction (``file-unreadable``...), if any.
    error: str | None = None
    #: A small preview image as a data URI, where one was cheap to get.
    thumbnail: str | None = None
    #: For a video file: what a look at its sampled frames found (faces, sound, picture size).
    faces: ClipFaces | None = None

    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        """The JSON form: identity first, then the format's facts flattened in."""
        data: dict[str, Any] = {
            "path": self.path, "kind": self.kind, "format": self.format, "description": self.description,
            "size": self.size, "sha256": self.sha256, "modified": self.modified,
        }
        for key, value in self.metadata.items():
            data.setdefault(key, value)
        if self.embedded_media:
            data["embedded_media"] = [media.to_dict() for media in self.embedded_media]
        if self.faces is not None:
            data["faces"] = self.faces.to_dict()
        data["error"] = self.error
        data["problems"] = [{"code": p.code, "message": p.message, "fix": p.fix} for p in self.problems]
        if include_text:
            data["text"] = self.text
        return data
