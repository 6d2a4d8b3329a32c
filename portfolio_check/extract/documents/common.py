"""What the readers of this package share: the text kept from a file, the check for an empty file,
`quiet` for a library's warnings, and `_clean` for a metadata value."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from portfolio_check.extract.model import FILE_EMPTY, ExtractionProblem

#: Text kept from any one file.
MAX_TEXT_CHARS = 1_000_000


def _require_content(size: int, what: str) -> None:
    if size <= 0:
        raise ExtractionProblem(
            FILE_EMPTY,
            f"The {what} is empty (0 bytes): it may not have saved or uploaded properly.",
            fix="Submit the file again.",
        )


@contextmanager
def quiet(logger_name: str) -> Iterator[None]:
    """Silence a library's warnings about the file it reads: they mean nothing to an assessor."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _clean(value: Any) -> str | None:
    """A metadata value as tidy text, or None when it holds nothing."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = " ".join(str(value).replace("\x00", " ").split())
    return text or None
