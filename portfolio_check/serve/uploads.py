"""An upload form streamed to disk: each file straight into a run's private folder as it arrives,
never held whole in memory and never copied to the system's temporary folder on the way.

The form's small fields (the anti-forgery token, standard, option) come before its files, and no
file is written until the token has been checked. The size limit counts every byte of every file
as it arrives: past it the upload stops and whatever was written is deleted by the caller.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

#: Longest value of a plain form field (a token, a standard's reference, an option's id).
MAX_FIELD_BYTES = 1024
#: Most files one upload may hold (each is a run of its own).
MAX_FILES = 50
#: Fields the form has; any other is ignored.
FIELDS = ("csrf", "standard", "option")


class UploadRefused(Exception):
    """The upload is not accepted: ``status`` is the HTTP status, ``message`` says why and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class UploadedFile:
    #: The name it was uploaded with, made safe as a file name.
    name: str
    path: Path
    size: int


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)


def size_text(size: float) -> str:
    """``2 GB``, ``350 MB``, ``12 KB``: sizes as a person reads them (powers of 1024)."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}".replace(".0 ", " ") if value < 100 else f"{value:.0f} {unit}"
    return f"{int(size)} bytes"


def too_large(limit: int, size: int | None = None) -> UploadRefused:
    """The refusal of an upload over the limit, saying how to get past it."""
    what = (f"The upload is {size_text(size)}; this page takes at most {size_text(limit)} at once" if size is not None
            else f"The upload is larger than {size_text(limit)}, the most this page takes at once")
    return UploadRefused(413, f"{what}. Upload fewer portfolios at a time, or ask whoever started the page to "
                              "start it again with a larger --max-upload-mb.")


def shown_name(raw: str) -> str:
    """The file name an upload gives, without any folder, made safe as a file name."""
    from portfolio_check.batch.discovery import safe_folder_name

    name = re.split(r"[/\\]", raw)[-1]
    return safe_folder_name(name)


class _FormReader:
    """python-multipart's callbacks: headers of each part, then its data to a field or a file."""

    def __init__(self, new_file: Callable[[str], Path], check_token: Callable[[str], bool], limit: int) -> None:
        self.new_file = new_file
        self.check_token = check_token
        self.limit = limit
        self.upload = Upload()
        self.total = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._field: str | None = None
        self._field_value = bytearray()
        self._file: IO[bytes] | None = None
        self._file_path: Path | None = None
        self._file_name = ""
        self._file_size = 0

    # header callbacks
    def on_part_begin(self) -> None:
        self._headers = {}
        self._field, self._file, self._field_value = None, None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self._field = name if name in FIELDS else ""
            return
        raw_name = options[b"filename"].decode("utf-8", "replace")
        if not raw_name:
            self._field = ""  # a file input left empty: nothing to check
            return
        if not self.check_token(self.upload.fields.get("csrf", "")):
            raise UploadRefused(403, "This form has expired or did not come from this page. Go back to the page, "
                                     "reload it and choose the files again.")
        if len(self.upload.files) >= MAX_FILES:
            raise UploadRefused(413, f"One upload takes at most {MAX_FILES} files. Put an export's portfolios "
                                     "in one zip, or upload them in several goes.")
        self._file_name = shown_name(raw_name)
        self._file_path = self.new_file(self._file_name)
        descriptor = os.open(self._file_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        self._file = os.fdopen(descriptor, "wb")
        self._file_size = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        if self._file is not None:
            self.total += size
            if self.total > self.limit:
                raise too_large(self.limit)
            self._file.write(data[start:end])
            self._file_size += size
        elif self._field:
            self._field_value += data[start:end]
            if len(self._field_value) > MAX_FIELD_BYTES:
                raise UploadRefused(400, "A field of the form is too long. Reload the page and try again.")

    def on_part_end(self) -> None:
        if self._file is not None and self._file_path is not None:
            self._file.close()
            self.upload.files.append(UploadedFile(self._file_name, self._file_path, self._file_size))
            self._file = None
        elif self._field:
            self.upload.fields[self._field] = self._field_value.decode("utf-8", "replace").strip()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


async def read_upload(chunks: AsyncIterator[bytes], content_type: str, content_length: str | None, limit: int,
                      new_file: Callable[[str], Path], check_token: Callable[[str], bool]) -> Upload:
    """Read a ``multipart/form-data`` body from ``chunks``, writing each file where ``new_file(name)`` says.

    Raises `UploadRefused` (nothing is deleted here: the caller removes the folders it handed out).
    """
    from python_multipart.multipart import MultipartParser, parse_options_header

    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, "Upload the portfolio with the form on this page.")
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise UploadRefused(400, "The upload's length could not be read. Try again.") from None
        # The body holds a little more than the files (field values, part headers): a body larger
        # than the limit plus that is refused before a byte of it is read.
        if declared > limit + 64 * 1024:
            raise too_large(limit, declared)
    reader = _FormReader(new_file, check_token, limit)
    callbacks = {name: getattr(reader, name) for name in (
        "on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
        "on_part_data", "on_part_end")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    finally:
        reader.close()
    if not reader.check_token(reader.upload.fields.get("csrf", "")):
        raise UploadRefused(403, "This form has expired or did not come from this page. Go back to the page, "
                                 "reload it and choose the files again.")
    if not reader.upload.files:
        raise UploadRefused(400, "No file was chosen. Choose a portfolio zip (or several) and press Check.")
    return reader.upload
