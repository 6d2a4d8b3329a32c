"""What extraction hands on: plain data about one file. No rule is decided here.

Every extractor has the signature ``extract(stream, size) -> Extraction``: ``stream`` is a seekable
binary file object positioned at 0 (a real file, or a member of an archive), ``size`` its length in
bytes. An extractor raises `ExtractionProblem` for a condition it recognises (encrypted, truncated,
unsafe); any other exception is caught by the runner and reported as ``file-unreadable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The kinds of file the tool distinguishes.
KINDS = ("word", "powerpoint", "pdf", "video", "audio", "image", "spreadsheet", "text", "link", "archive", "other")

#: Problem codes extraction can report (the checks give them a severity).
FILE_UNREADABLE = "file-unreadable"
FILE_EMPTY = "file-empty"
FILE_ENCRYPTED = "file-encrypted"
UNSUPPORTED_FORMAT = "unsupported-format"
EXTENSION_MISMATCH = "extension-mismatch"
LEGACY_FORMAT = "legacy-format"
MACRO_ENABLED = "macro-enabled"
EXTERNAL_LINK = "external-link"
UNSAFE_FILE = "unsafe-file"
UNSAFE_ARCHIVE = "unsafe-archive"


@dataclass(frozen=True)
class Problem:
    """Something found while reading a file, for a person: ``code`` is stable, ``message`` says what."""

    code: str
    message: str


class ExtractionProblem(Exception):
    """Raised by an extractor for a condition it recognises; the file gets this problem, the run goes on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class EmbeddedPart:
    """A media part inside an Office package (``ppt/media/media1.mp4``), to be probed on its own."""

    part: str
    size: int


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
    #: Media inside Word/PowerPoint files: ``{"part", "size", "kind", "format", "duration_seconds"}``.
    embedded_media: list[dict[str, Any]] = field(default_factory=list)
    #: The code of the problem that stopped extraction (``file-unreadable``...), if any.
    error: str | None = None
    #: A small preview image as a data URI, where one was cheap to get.
    thumbnail: str | None = None

    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        """The JSON form: identity first, then the format's facts flattened in."""
        data: dict[str, Any] = {
            "path": self.path, "kind": self.kind, "format": self.format, "description": self.description,
            "size": self.size, "sha256": self.sha256, "modified": self.modified,
        }
        for key, value in self.metadata.items():
            data.setdefault(key, value)
        if self.embedded_media:
            data["embedded_media"] = self.embedded_media
        data["error"] = self.error
        data["problems"] = [{"code": p.code, "message": p.message} for p in self.problems]
        if include_text:
            data["text"] = self.text
        return data
