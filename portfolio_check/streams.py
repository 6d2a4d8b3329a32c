"""Read-only views on part of a stream, for readers that need to seek (PyAV, pypdf, mutagen).

A view copies nothing: its reads go to the stream beneath at the view's own position, so seeking in
it is free whatever the length (a long recording stored in a zip, a PDF given a new ending).
"""

from __future__ import annotations

import io
from typing import Any


class SeekableView(io.RawIOBase):
    """A seekable, read-only stream of ``length`` bytes whose reads `read_at` serves. Wrap it in an
    ``io.BufferedReader``: libraries read a few bytes at a time."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self._length, self._position = length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self._position < self._length:
            data = self.read_at(self._position, min(len(view) - filled, self._length - self._position))
            if not data:
                break
            view[filled:filled + len(data)] = data
            filled += len(data)
            self._position += len(data)
        return filled

    def read_at(self, position: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``position`` of the view (fewer only at the end of what lies beneath)."""
        raise NotImplementedError
