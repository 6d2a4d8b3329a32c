"""Portfolio details from ``portfolio.yaml`` (`read_portfolio_details`, `read_details`)."""

from __future__ import annotations

import difflib
from typing import BinaryIO

from portfolio_check.extract.manifest.model import DETAILS_MAX_BYTES, MANIFEST_INVALID, DetailsNote, PortfolioDetails
from portfolio_check.extract.manifest.rows import DETAIL_KEYS, _detail_name, normalise_header
from portfolio_check.extract.manifest.text_formats import _yaml_tree, decode_text
from portfolio_check.extract.model import ExtractionProblem


def read_portfolio_details(stream: BinaryIO, size: int, name: str = "portfolio.yaml") -> PortfolioDetails:
    """Portfolio details from ``portfolio.yaml``: ``key: value`` lines, at the top level or under ``portfolio``.

    Values are kept as written (``uln: 0123456789`` keeps its leading zero, ``version: 1.10`` stays
    1.10). A YAML error raises `ExtractionProblem` naming the line and column and what to do; a list
    or mapping where one value belongs, a repeated key, and an unknown key that looks like a slip
    for a known one are `DetailsNote`s, and the rest of the file is used.
    """
    import yaml

    if size > DETAILS_MAX_BYTES:
        raise ExtractionProblem(MANIFEST_INVALID, f"{name} is larger than 1 MB; it should hold a few details")
    text = decode_text(stream.read(size))
    root = _yaml_tree(text, name)
    if isinstance(root, yaml.MappingNode):
        inner = next((value for key, value in root.value if isinstance(key, yaml.ScalarNode)
                      and normalise_header(key.value) in ("portfolio", "portfoliodetails", "details")
                      and isinstance(value, yaml.MappingNode)), None)
        root = inner or root
    if not isinstance(root, yaml.MappingNode):
        what = "is empty" if root is None or (isinstance(root, yaml.ScalarNode) and not str(root.value).strip()) \
            else "does not hold 'key: value' lines"
        raise ExtractionProblem(MANIFEST_INVALID, f"{name} {what}. Write one detail a line, such as 'apprentice: "
                                                  "Sam Patel', 'uln: 1234567890', 'standard: ST0792'.")
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    other: dict[str, str] = {}
    notes: list[DetailsNote] = []
    known = [synonym for synonyms in DETAIL_KEYS.values() for synonym in synonyms]
    for key_node, value_node in root.value[:500]:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        detail = _detail_name(key)
        if detail is None:
            if isinstance(value_node, yaml.ScalarNode):
                other.setdefault(key, str(value_node.value))
            close = difflib.get_close_matches(normalise_header(key), known, n=1, cutoff=0.75)
            if close:
                meant = _detail_name(close[0]) or close[0]
                notes.append(DetailsNote("unknown-key", key, line, f"line {line}: '{key}' is not a detail the tool "
                                         f"knows; did you mean '{meant}'? It was ignored."))
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            shape = "a list" if isinstance(value_node, yaml.SequenceNode) else "a group of keys"
            notes.append(DetailsNote("not-text", key, line, f"line {line}: '{key}' holds {shape}, where one value is "
                                     f"expected; it was ignored. Write it on one line, such as '{key}: ...'."))
            continue
        value = "" if value_node.tag == "tag:yaml.org,2002:null" else str(value_node.value).strip()
        if not value:
            continue
        if detail in values:
            notes.append(DetailsNote("repeated-key", key, line, f"line {line}: '{key}' gives the {detail.replace('_', ' ')} "
                                     f"again (first on line {lines[detail]}); the first was used."))
            continue
        values[detail], lines[detail] = value, line
    return PortfolioDetails(values=values, lines=lines, other=other, notes=tuple(notes))


def read_details(stream: BinaryIO, size: int) -> dict[str, str]:
    """Portfolio details from ``portfolio.yaml`` as a mapping (see `read_portfolio_details`)."""
    return dict(read_portfolio_details(stream, size).values)
