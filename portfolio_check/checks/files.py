"""File problems found while reading the portfolio, as findings with a severity.

An assessor cannot open an unreadable, empty or encrypted file, and an archive that was refused
hides its contents: those are errors. The rest inform the provider (warnings).
"""

from __future__ import annotations

from collections.abc import Iterable

from portfolio_check.extract import model
from portfolio_check.extract.model import FileRecord, Problem
from portfolio_check.findings import Finding, Severity

SEVERITY: dict[str, Severity] = {
    model.FILE_UNREADABLE: Severity.ERROR,
    model.FILE_EMPTY: Severity.ERROR,
    model.FILE_ENCRYPTED: Severity.ERROR,
    model.FILE_PROTECTED: Severity.ERROR,
    model.FILE_TRUNCATED: Severity.ERROR,
    model.UNSAFE_ARCHIVE: Severity.ERROR,
    model.UNSAFE_FILE: Severity.ERROR,
    model.UNSUPPORTED_FORMAT: Severity.WARNING,
    model.EXTENSION_MISMATCH: Severity.WARNING,
    model.LEGACY_FORMAT: Severity.WARNING,
    model.MACRO_ENABLED: Severity.WARNING,
    model.EXTERNAL_LINK: Severity.WARNING,
    model.FILE_DAMAGED: Severity.WARNING,
    model.SCAN_NOT_READ: Severity.WARNING,
    model.VIDEO_LOOK_INCOMPLETE: Severity.WARNING,
}


def file_findings(records: Iterable[FileRecord], archive_problems: Iterable[tuple[str, Problem]] = ()) -> list[Finding]:
    """One finding per problem recorded on a file or on an archive of the portfolio."""
    found = [Finding(p.code, SEVERITY.get(p.code, Severity.WARNING), p.message, path=path)
             for path, p in archive_problems]
    for record in records:
        found += [Finding(p.code, SEVERITY.get(p.code, Severity.WARNING), p.message, path=record.path)
                  for p in record.problems]
    return found
