"""A problem found while reading the portfolio: a stable code and a message for a person.

It sits below the ingest and extract stages, which both report problems (an unsafe archive, an
unreadable file), so neither imports the other for them; the checks give each code a severity.
"""

from __future__ import annotations

from dataclasses import dataclass

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
#: Cut short: the file's own header promises more (pages, samples, picture data) than the file holds.
FILE_TRUNCATED = "file-truncated"
#: Readable, but damaged in a way readers repair as they open it (a PDF's rebuilt cross-reference table).
FILE_DAMAGED = "file-damaged"
#: Locked by digital rights management (DRM media, rights-managed Office files and PDFs): no password opens it.
FILE_PROTECTED = "file-protected"
#: A scanned page (an image-only PDF page, a picture of a document) whose text could not be read:
#: no OCR engine, no time left, or a page that would not decode. The file itself is fine.
SCAN_NOT_READ = "scan-not-read"
#: A clip whose pictures could not all be looked at for faces (damaged frames, the time ran out).
VIDEO_LOOK_INCOMPLETE = "video-look-incomplete"

#: How to fix the archive problems that ingest reports (the checks add general advice for every code).
ZIP_AGAIN_FIX = "Zip the portfolio again without a password."
UNSAFE_ARCHIVE_FIX = "Unzip it on a computer you trust, check its files and zip them again."
UNSAFE_NAME_FIX = "Unzip the archive on a computer you trust, check that file and zip the files again."
UNZIP_FIX = "Unzip it and add its files to the portfolio."


@dataclass(frozen=True)
class Problem:
    """Something found while reading a file, for a person: ``code`` is stable, ``message`` says what
    is wrong and ``fix`` how to put it right (None where the checks' general advice for the code serves)."""

    code: str
    message: str
    fix: str | None = None
