"""The one Jinja2 environment the HTML reports share: autoescaped, strict, built once per process.

Building it once matters in batch runs, where compiling the templates again for every portfolio
cost about half of each report's rendering time. Compiled templates are also kept between runs in
Jinja's bytecode cache, in the user's cache folder (``~/.cache/portfolio-check/templates``, or
``$XDG_CACHE_HOME``, or ``%LOCALAPPDATA%`` on Windows): a single `check` otherwise spends about
0.1 s compiling report.html.j2 from source. Each entry records its template's source checksum, so
an edited template is compiled again. Cached entries are code, so the folder is used only when it
belongs to the user and nobody else can write to it; without a usable folder nothing is cached.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolio_check.resources import private_cache_folder, templates_dir

if TYPE_CHECKING:
    import jinja2

CACHE_PATTERN = "%s.cache"
#: Where compiled templates are kept; None: the user's cache folder (see the module docstring).
CACHE_DIRECTORY: str | None = None


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Templates from the packaged ``reports/templates``; nothing taken from a portfolio becomes markup."""
    import jinja2  # imported when a report is rendered, not at start-up

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              bytecode_cache=_bytecode_cache())


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    import jinja2

    class QuietCache(jinja2.FileSystemBytecodeCache):
        """A cache that cannot be read or written (read-only or full disk) only costs time."""

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, ValueError, EOFError):
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            # A cache that cannot be written only costs time on the next run.
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    folder = cache_folder()
    return QuietCache(str(folder), pattern=CACHE_PATTERN) if folder else None


def cache_folder() -> Path | None:
    """The private folder for compiled templates, made if needed; None when there is none to use."""
    return private_cache_folder("templates", CACHE_DIRECTORY)
