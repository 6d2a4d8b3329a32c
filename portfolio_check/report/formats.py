"""The output formats each command offers; the command line takes its choices from here.

Kept free of heavy imports: the command line imports it to build ``--help``.
"""

from __future__ import annotations

#: ``check`` and ``inspect``: a summary for people, or the JSON report.
REPORT_FORMATS = ("text", "json")
#: ``catalogues list`` and ``catalogues show``.
CATALOGUE_FORMATS = ("text", "json")
#: ``rules``: for people, for the README, for machines.
RULES_FORMATS = ("text", "markdown", "json")
#: `manifest init --layout`: a KSBs column of codes, or one column per KSB.
MANIFEST_LAYOUTS = ("list", "grid")
#: ``suggest``: per file, the KSBs its text reads like evidence for.
SUGGEST_FORMATS = ("text", "json")
