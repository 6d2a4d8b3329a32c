"""Writes catalogue documents as YAML that reads well when a provider opens it to edit."""

from __future__ import annotations

from typing import Any


def dump_catalogue(document: dict[str, Any], header: str = "") -> str:
    """YAML text for a catalogue document: block style, short id lists inline, keys in schema order."""
    import yaml  # only writing catalogues needs it

    class _Dumper(yaml.SafeDumper):
        pass

    def represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
        inline = bool(data) and all(isinstance(x, str) and len(x) < 40 for x in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=inline)

    _Dumper.add_representer(list, represent_list)
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + body
