"""Renders what ``suggest`` found: per file, the KSBs its text reads like evidence for, best first.

The JSON document for machines and a short text for people. Scores are the mapper's, shown as they
are; "likely" and "possible" are the mapper's own threshold (`portfolio_check.mapper.CONFIDENT`).
"""

from __future__ import annotations

import shutil
import textwrap
from typing import TYPE_CHECKING, Any

from portfolio_check.formatting import terminal_safe
from portfolio_check.mapper.model import CONFIDENT

if TYPE_CHECKING:
    from portfolio_check.catalogue.model import Standard
    from portfolio_check.pipeline import SuggestedKsbs

#: The widest a code is printed (``K12``, ``D11``), so statements line up.
_CODE_WIDTH = 4


def suggestions_to_dict(found: SuggestedKsbs) -> dict[str, Any]:
    """``{"standard": "ST0792", "option": ..., "files": [{"path": ..., "suggestions": [...]}]}``; a file
    with nothing suggested says why in ``note``."""
    files = []
    for item in found.files:
        entry: dict[str, Any] = {"path": item.path, "suggestions": [s.to_dict() for s in item.suggestions]}
        if item.note:
            entry["note"] = item.note
        files.append(entry)
    return {"standard": found.standard.reference, "option": found.option, "files": files}


def likelihood(score: float) -> str:
    """``likely`` (an assessor would likely accept it) or ``possible``."""
    return "likely" if score >= CONFIDENT else "possible"


def _statement(standard: Standard, code: str) -> str:
    ksb = standard.ksb(code)
    if ksb is not None:
        return ksb.text
    duty = next((d for d in standard.duties if d.code == code), None)
    return duty.text if duty else ""


def render_suggestions_text(found: SuggestedKsbs, width: int | None = None) -> str:
    """Per file: each code with its score, likely or possible, its statement, and the passage behind it."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    standard = found.standard
    option = f", option {found.option}" if found.option else ""
    what = standard.evidence_noun
    out = [f"{standard.reference} v{standard.version} {standard.title}{option}"]
    out += [f"Note: {note}" for note in found.notes]
    out += textwrap.wrap(
        f"The {what} each file's text reads like evidence for, best first, scored from 0 to 1: {CONFIDENT} or "
        "more is likely (an assessor would likely accept it), below that possible. Read offline; a suggestion to "
        "check, not a decision: the assessor decides.", width)
    indent = " " * (2 + _CODE_WIDTH + 1)
    for item in found.files:
        out += ["", item.path]
        if not item.suggestions:
            out.append(f"  {item.note or 'nothing to suggest'}")
            continue
        for suggestion in item.suggestions:
            head = f"  {suggestion.code:<{_CODE_WIDTH}} {suggestion.score:.2f} {likelihood(suggestion.score)}: "
            out += textwrap.wrap(head + _statement(standard, suggestion.code), width,
                                 subsequent_indent=indent)
            if suggestion.excerpt:
                out += textwrap.wrap(f"“{suggestion.excerpt}”", width, initial_indent=indent,
                                     subsequent_indent=indent + " ")
    return terminal_safe("\n".join(out)) + "\n"
