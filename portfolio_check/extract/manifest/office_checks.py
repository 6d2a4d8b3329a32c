"""What the workbook and Word readers share: `office`'s package checks, told as a manifest's problem,
and the messages for a damaged or password-protected file."""

from __future__ import annotations

import zipfile
import zlib
from typing import BinaryIO

from portfolio_check.extract.manifest.model import MANIFEST_INVALID
from portfolio_check.extract.model import FILE_ENCRYPTED, ExtractionProblem

#: What reading a damaged zip raises: a bad CRC, a truncated or mis-sized stream, a local header whose
#: offset points before the start of the file (OSError from seek), a member with an empty name
#: (IndexError from ZipInfo.is_dir), a name the directory lists but cannot find (KeyError).
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError,
               IndexError, KeyError)


def _damaged(noun: str, application: str) -> ExtractionProblem:
    return ExtractionProblem(MANIFEST_INVALID, f"the {noun} is damaged: parts of it cannot be unpacked (a download or "
                                               f"copy that did not finish?). Copy it again, or open it in {application} "
                                               "and save it again.")


def _check_package(stream: BinaryIO, size: int, noun: str) -> None:
    """Office's package checks, with their messages told as the manifest's."""
    from portfolio_check.extract import office

    application = "Word" if noun.startswith("Word") else "Excel"
    try:
        office.check_package_safety(stream, size)
    except _ZIP_DAMAGE:
        raise _damaged(noun, application) from None
    except ExtractionProblem as problem:
        if problem.code == FILE_ENCRYPTED:
            raise _password_protected(noun, application) from None
        message = problem.message.replace("This Office file", f"This {noun}")
        raise ExtractionProblem(MANIFEST_INVALID, message[:1].lower() + message[1:]) from None


def _password_protected(noun: str, application: str) -> ExtractionProblem:
    return ExtractionProblem(MANIFEST_INVALID, f"the {noun} is password-protected, so it cannot be read. Open it in "
                                               f"{application}, remove the password (File > Info > Protect) and save "
                                               "it again.")
