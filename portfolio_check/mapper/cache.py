"""Keeps each standard's built index between runs, in the user's cache folder.

Building ST0792's index takes about 80 ms (its 672 passages of evidence most of it), most of a
`check`'s cost of reading the claims; loading it back takes about 5 ms. Entries live in
``~/.cache/portfolio-check/mapper`` (or under ``$XDG_CACHE_HOME``, or ``%LOCALAPPDATA%`` on
Windows), named by a digest of the standard's whole content, its examples file and the code that
builds indexes, so an edited catalogue or examples file, or a new version of the tool, builds
afresh. Entries are pickles, which can run code when loaded, so, as for the compiled report
templates, the folder is used only when it belongs to the user and nobody else can write to it;
without a usable folder nothing is cached, and any entry that cannot be read is built again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from portfolio_check.catalogue.model import Standard
from portfolio_check.resources import private_cache_folder

if TYPE_CHECKING:
    from portfolio_check.mapper.index import StandardIndex

#: Where entries are kept; None: the user's cache folder (see the module docstring).
CACHE_DIRECTORY: str | None = None
#: The modules whose code decides what an index holds: a change to either makes new entries.
_BUILDERS = ("index.py", "text.py")


def folder() -> Path | None:
    """The private folder for indexes, made if needed; None when there is none to use."""
    return private_cache_folder("mapper", CACHE_DIRECTORY)


def _entry(standard: Standard) -> Path | None:
    place = folder()
    if place is None:
        return None
    digest = hashlib.sha256(pickle.dumps(standard, protocol=pickle.HIGHEST_PROTOCOL))
    here = Path(__file__).parent
    try:
        for name in _BUILDERS:
            digest.update((here / name).read_bytes())
        if standard.examples_file is not None:  # the standard names the file; its passages are in the index
            digest.update(Path(standard.examples_file).read_bytes())
    except OSError:
        return None
    return place / f"{standard.reference}-{digest.hexdigest()[:32]}.pickle"


def load(standard: Standard) -> StandardIndex | None:
    """The index kept for exactly this standard, or None."""
    from portfolio_check.mapper.index import StandardIndex

    entry = _entry(standard)
    if entry is None:
        return None
    try:
        index = pickle.loads(entry.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return index if isinstance(index, StandardIndex) and index.standard == standard.key else None


def store(standard: Standard, index: StandardIndex) -> None:
    """Keep ``index`` for later runs; a folder that cannot be written to only costs the next run time."""
    entry = _entry(standard)
    if entry is None:
        return
    temporary = entry.with_name(f".{entry.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, entry)  # readers see a whole entry or none
    except OSError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
