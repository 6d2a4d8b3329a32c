"""The one Jinja2 environment the HTML reports share: autoescaped, strict, built once per process.

Building it once matters in batch runs, where compiling the templates again for every portfolio
cost about half of each report's rendering time.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Templates from the packaged ``reports/templates``; nothing taken from a portfolio becomes markup."""
    import jinja2

    from portfolio_check.resources import templates_dir

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
