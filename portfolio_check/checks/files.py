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

#: How to fix each problem, where the reader that found it gave no advice of its own (data, one per code).
FIX: dict[str, str] = {
    model.FILE_UNREADABLE: "Open the file on your own computer, save or export it again, and replace it in the portfolio.",
    model.FILE_EMPTY: "Replace it with the real file.",
    model.FILE_ENCRYPTED: "Remove the password, save the file again and replace it in the portfolio.",
    model.FILE_PROTECTED: "Ask the file's owner for a copy without protection and replace it in the portfolio.",
    model.FILE_TRUNCATED: "Copy the file again from the original and replace it in the portfolio.",
    model.UNSAFE_ARCHIVE: "Unzip the archive on a computer you trust, check its files and add them to the portfolio.",
    model.UNSAFE_FILE: "Check the file on a computer you trust; if it is genuine, save it again from the program "
                       "that made it, otherwise remove it.",
    model.UNSUPPORTED_FORMAT: "Save it as Word, PowerPoint, PDF, video, audio or a photo, or remove it if it is not "
                              "evidence.",
    model.EXTENSION_MISMATCH: "Rename the file with the extension of what it really is, or save it again in the format "
                              "its name says.",
    model.LEGACY_FORMAT: "Open it and save it in the current format (.docx, .pptx, .xlsx).",
    model.MACRO_ENABLED: "Save it again without macros (.docx, .pptx, .xlsx) and replace it in the portfolio.",
    model.EXTERNAL_LINK: "Add the linked content to the portfolio itself, or embed it in the file.",
    model.FILE_DAMAGED: "Open the file, save or export it again, and replace it in the portfolio.",
    model.SCAN_NOT_READ: "Read the scan by hand to check it is legible and says what it should.",
    model.VIDEO_LOOK_INCOMPLETE: "Watch the clip by hand to check the apprentice is in view and identifiable.",
}


def file_finding(path: str, problem: Problem) -> Finding:
    """The finding for one problem found on ``path``: what is wrong in ``message``, how to fix it in ``fix``."""
    return Finding(problem.code, SEVERITY.get(problem.code, Severity.WARNING), problem.message, path=path,
                   fix=problem.fix or FIX.get(problem.code, FIX[model.FILE_UNREADABLE]))


def file_findings(records: Iterable[FileRecord], archive_problems: Iterable[tuple[str, Problem]] = ()) -> list[Finding]:
    """One finding per problem recorded on a file or on an archive of the portfolio."""
    found = [file_finding(path, p) for path, p in archive_problems]
    for record in records:
        found += [file_finding(record.path, p) for p in record.problems]
    return found
