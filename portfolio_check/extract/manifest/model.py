"""What a manifest and ``portfolio.yaml`` are read into: the plain data the readers return, and the
limits, codes and note kinds they share."""

from __future__ import annotations

from dataclasses import dataclass, field

MANIFEST_INVALID = "manifest-invalid"
#: Pieces read at most; a manifest is one row per piece, so this is generous.
MAX_ROWS = 5000
#: Table rows (or YAML/JSON items) read at most, pieces over several rows included; readers hand on
#: this many and the rows a header may be preceded by, so a longer table is known to be cut.
MAX_TABLE_ROWS = MAX_ROWS * 4
_READ_ROWS = MAX_TABLE_ROWS + 16
MAX_BYTES = 20 * 1024**2
#: Columns read per row: a grid of every KSB of a standard needs about 80.
MAX_COLUMNS = 300
#: Cells a sheet may span before it is read (calamine holds a sheet as one dense grid, so a cell
#: typed at XFD1048576 would make it ask for 17 billion; it aborts rather than raising).
MAX_SHEET_CELLS = 5_000_000
#: The widest range read as a run of codes (``K1-K50``); wider ones are typing slips.
MAX_RANGE_SPAN = 50
#: References a YAML document may make to the same node in all: anchors and aliases can make a
#: small file describe a huge tree (a "billion laughs"), and a manifest has no use for them.
MAX_YAML_NODES = 200_000
DETAILS_MAX_BYTES = 1024**2

#: Suffixes of files that may be manifests, best first for ties (see `choose_manifest`).
MANIFEST_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".yaml", ".yml", ".json", ".docx")

#: Note kinds (`ManifestNote.kind`).
NOTE_PIECE_NUMBER_REUSED = "piece-number-reused"
NOTE_CONTINUATION_TITLED = "continuation-titled"
NOTE_KSB_UNREADABLE = "ksb-unreadable"
NOTE_DATE_UNREADABLE = "date-unreadable"
NOTE_SHEET_IGNORED = "sheet-ignored"


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class ManifestNote:
    """Something in the manifest the checks may warn about; the manifest is still used.

    ``kind`` is one of:

    - ``piece-number-reused``: two rows give the same piece number with different titles. They
      were kept as one piece; ``rows`` names the first row of the piece and the row that differs,
      ``text`` the second title.
    - ``continuation-titled``: a row without a piece number, with a title of its own, was read as
      part of the piece above (``rows``: that piece's first row and this row; ``text``: its title).
    - ``ksb-unreadable``: ``text`` in a KSB (or duty) cell, or a grid cell, is not a code or a mark;
      it was ignored (for a range across letters such as ``K19-S3``, its two ends were read).
    - ``date-unreadable``: the date ``text`` could not be read as a date (``12/31/2025``,
      ``Mar-25``, ``2025-13-45``); the piece keeps the text.
    - ``sheet-ignored``: another sheet of the workbook (``text``) also looks like a manifest; only
      the first was read.
    """

    kind: str
    #: Where, for messages: ``row 7``, ``pieces[2] (line 9)``, ``sheet 'Old'``.
    where: str
    #: What is wrong, in plain words for a provider, naming the place and the text.
    message: str
    #: The piece concerned, when there is one.
    piece: str | None = None
    #: The text quoted: the unreadable token or date, the second title, the other sheet's name.
    text: str | None = None
    #: Every place concerned (``("row 7", "row 12")`` for a reused number).
    rows: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManifestRow:
    """One piece of evidence as the manifest states it, over one row or several."""

    #: Where it is in the manifest, for messages: ``row 7``, ``rows 7-9``, ``table 1, row 3``, ``pieces[3]``.
    where: str
    piece: str
    title: str
    #: File names as the manifest gives them, cells split into names (see `split_files`).
    files: tuple[str, ...]
    codes: tuple[str, ...]
    #: The date: ISO when it reads as one, else the text as written (see ``date_iso``/``date_text``).
    date: str | None = None
    description: str | None = None
    witness: str | None = None
    location: str | None = None
    #: The places it was read from, one per row: ``("row 7", "row 8")``.
    rows: tuple[str, ...] = ()
    #: The Files cells as written, one per row that has one (for messages and for the matcher).
    file_cells: tuple[str, ...] = ()
    #: The first date given, as written, and its ISO form when it reads as a date.
    date_text: str | None = None
    date_iso: str | None = None


@dataclass
class Manifest:
    """A manifest's pieces, its layout, details it carries, and why rows could not be used."""

    layout: str
    rows: list[ManifestRow] = field(default_factory=list)
    #: Portfolio details (apprentice, uln, employer, standard, option, dates) found in the manifest.
    details: dict[str, str] = field(default_factory=dict)
    #: Person-readable reasons a row or the layout is unusable (``manifest-invalid``).
    invalid: list[str] = field(default_factory=list)
    #: What the checks may warn about (see `ManifestNote`).
    notes: list[ManifestNote] = field(default_factory=list)
    #: What it was read as: ``xlsx``, ``xls``, ``ods``, ``csv``, ``docx``, ``yaml``, ``json``...
    format: str = ""
    #: The sheet (or Word table) the pieces came from, for messages.
    sheet: str | None = None


@dataclass(frozen=True)
class CodeReading:
    """The codes in one KSB cell, in order without repeats, and the text that is not a code."""

    codes: tuple[str, ...]
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetAside:
    """A manifest candidate not used, and why (``a copy ("(1)" in its name)``)."""

    path: str
    reason: str


@dataclass(frozen=True)
class ManifestChoice:
    """Which of the files that look like manifests to read."""

    #: The preferred manifest, or None when no file looks like one.
    chosen: str | None
    #: Candidates marked as copies, older versions or drafts, or weaker than a spreadsheet (a Word
    #: document beside a spreadsheet manifest): not read, and not evidence either.
    set_aside: tuple[SetAside, ...] = ()
    #: Other candidates as good as ``chosen`` (unmarked). The caller compares their content with the
    #: chosen one's: identical files are harmless copies; different ones make it ``manifest-ambiguous``.
    rivals: tuple[str, ...] = ()
    #: Every candidate, best first.
    ranked: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """True when rivals remain: the caller must compare contents before trusting ``chosen``."""
        return bool(self.rivals)


@dataclass(frozen=True)
class DetailsNote:
    """Something in ``portfolio.yaml`` the checks may warn about; the rest of the file is used.

    ``kind``: ``not-text`` (a list or mapping where one value is expected; the key is ignored),
    ``unknown-key`` (a key the tool does not know that looks like a slip for one it does, named in
    the message), ``repeated-key`` (given twice; the first is used).
    """

    kind: str
    key: str
    line: int | None
    message: str


@dataclass(frozen=True)
class PortfolioDetails:
    """What ``portfolio.yaml`` says: the details the tool uses, the rest kept as written, and notes."""

    #: ``apprentice``, ``uln``, ``employer``, ``standard``, ``version``, ``option``, ``start_date``, ``gateway_date``,
    #: and the pre-Gateway details ``english``, ``maths``, ``english_maths``, ``declaration_signed``,
    #: ``reasonable_adjustments``, ``special_considerations``.
    values: dict[str, str] = field(default_factory=dict)
    #: The line each value is on.
    lines: dict[str, int] = field(default_factory=dict)
    #: Keys the tool does not use (``training_provider``), as written, with their text.
    other: dict[str, str] = field(default_factory=dict)
    notes: tuple[DetailsNote, ...] = ()
