"""`read_manifest`: chooses the reader by the file's content (its name breaks ties for text)."""

from __future__ import annotations

from typing import BinaryIO

from portfolio_check.extract.manifest.model import MANIFEST_INVALID, MAX_BYTES, Manifest
from portfolio_check.extract.manifest.office_checks import _password_protected
from portfolio_check.extract.manifest.text_formats import decode_text, read_csv, read_json, read_yaml
from portfolio_check.extract.manifest.word import read_word_table
from portfolio_check.extract.manifest.workbooks import _WORKBOOK_FORMATS, read_workbook
from portfolio_check.extract.model import ExtractionProblem

_READABLE = ".xlsx, .xls, .ods or .csv (or a table in a Word .docx, or .yaml or .json)"


def read_manifest(stream: BinaryIO, size: int, name: str) -> Manifest:
    """Read a manifest, choosing the reader by the file's content (its name breaks ties for text).

    Raises `ExtractionProblem` (``manifest-invalid``) with a message for a person when the file
    cannot be read as a manifest at all; never any other exception for what the file holds.
    """
    from portfolio_check.extract.identify import identify, with_article

    if size > MAX_BYTES:
        raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is {size / 1024**2:.0f} MB, far larger than a "
                                                  "mapping of pieces to KSBs; check you chose the right file")
    if size == 0:
        raise ExtractionProblem(MANIFEST_INVALID, "the manifest is empty (0 bytes). Save it again from the program "
                                                  "it was made in.")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    identity = identify(stream, size, name)
    stream.seek(0)
    found = identity.format
    if identity.encrypted or found == "office-encrypted":
        word = suffix in ("docx", "doc") or identity.kind == "word"
        raise _password_protected("Word document" if word else "workbook", "Word" if word else "Excel")
    if found in _WORKBOOK_FORMATS:
        return read_workbook(stream, size, found)
    if found == "xlsb":
        raise ExtractionProblem(MANIFEST_INVALID, "the manifest is a binary Excel workbook (.xlsb), which the tool does "
                                                  "not read. Open it in Excel and save it as .xlsx.")
    if found in ("docx", "docm"):
        return read_word_table(stream, size)
    if identity.kind == "text" and found not in ("rtf", "html", "url"):
        text = decode_text(stream.read(MAX_BYTES))
        if suffix == "json" or (found == "json" and suffix not in ("csv", "tsv", "yaml", "yml")):
            return read_json(text)
        if suffix in ("yaml", "yml") or (found == "yaml" and suffix not in ("csv", "tsv")):
            return read_yaml(text)
        manifest = read_csv(text, "csv" if suffix in ("csv", "tsv") else "txt")
        if manifest.layout == "unknown" and suffix in ("xlsx", "xlsm", "xls", "ods", "xlsb", "docx"):
            raise ExtractionProblem(
                MANIFEST_INVALID, f"the file is not a {'Word document' if suffix == 'docx' else 'workbook'}: it holds "
                f"plain text, though its name ends in .{suffix}. Save the mapping again from the program it was "
                f"made in, as {_READABLE}.")
        if manifest.layout == "unknown" and suffix not in ("csv", "tsv"):
            raise ExtractionProblem(
                MANIFEST_INVALID, "the file is plain text, not a table the tool can read: a text manifest needs a "
                "header row (Piece, Title, Files, KSBs) and columns separated by commas or tabs. Save the "
                f"mapping as {_READABLE}.")
        return manifest
    if suffix in ("xlsx", "xlsm", "xls", "ods", "xlsb") and found in ("zip", "unknown", "ooxml", "ole", "odf"):
        raise ExtractionProblem(
            MANIFEST_INVALID, "the file is not a workbook that can be opened: it is damaged or cut short (a "
            "download or copy that did not finish). Copy it again, or open it in Excel and save it again as .xlsx.")
    if suffix == "docx" and found in ("zip", "unknown", "ooxml", "ole"):
        raise ExtractionProblem(MANIFEST_INVALID, "the file is not a Word document that can be opened: it is damaged "
                                                  "or cut short. Copy it again, or open it in Word and save it again.")
    if found in ("doc", "odt", "rtf"):
        raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is {with_article(identity.description)}; only the "
                                                  "current Word format is read. Open it in Word and save it as .docx, "
                                                  "or keep the table in a spreadsheet (.xlsx).")
    described = "a file the tool does not recognise" if found == "unknown" else with_article(identity.description)
    raise ExtractionProblem(MANIFEST_INVALID, f"the manifest is {described}, not a table of pieces. Save the "
                                              f"mapping as {_READABLE}.")
