"""The manifest's claims read against the evidence: each (piece, code) judged on the piece's own text.

A piece's text is the text of its usable files, joined; it is read once against the standard by the
KSB mapper (`portfolio_check.mapper`), whatever number of codes the piece claims. The same readings
say which pieces, and which files no piece refers to, read like evidence for a code nothing covers.
These are facts for the rules and the report, derived once in `build_context`: the claims rule
decides the warnings, the coverage rule names the pieces, the report shows the verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from portfolio_check.catalogue.model import Standard
from portfolio_check.checks.model import Claim, Piece
from portfolio_check.extract.model import FileRecord
from portfolio_check.mapper import CONFIDENT, NOT_JUDGED, WEAK, ClaimJudgement, Reading, has_text, join_texts, read

#: A piece's text is read up to this many characters (about 10,000 words). Reading costs about 2 ms
#: per 1,000 characters, so a 100-page log would otherwise dominate a check; a claim not found in
#: the part read of a longer text is "not judged" rather than weak.
MAX_TEXT_CHARS = 60_000
#: At most this many pieces or files are named as reading like evidence for one uncovered code.
MAX_NAMED = 3


@dataclass(frozen=True)
class ReadsLike:
    """A piece, or a file no piece refers to, whose text reads like confident evidence for a code."""

    code: str
    #: The file to look at: the piece's first file with text, or the unmapped file.
    path: str
    #: The piece's id; None for a file no piece refers to.
    piece: str | None
    score: float


@dataclass(frozen=True)
class ClaimsReading:
    """Every claim's judgement, and what reads like evidence for each uncovered code."""

    claims: tuple[Claim, ...] = ()
    #: For each uncovered code, strongest first, at most `MAX_NAMED`.
    reads_like: tuple[ReadsLike, ...] = ()


def piece_files_with_text(piece: Piece, records: Mapping[str, FileRecord]) -> list[str]:
    """The piece's usable files that hold text, in manifest order."""
    return [path for path in piece.files
            if path not in piece.unusable_files and path in records and has_text(records[path].text)]


def _text(paths: Sequence[str], records: Mapping[str, FileRecord]) -> tuple[str | None, bool]:
    """The joined text of ``paths`` cut to `MAX_TEXT_CHARS`, and whether it was cut."""
    text = join_texts(records[path].text for path in paths)
    if text is None or len(text) <= MAX_TEXT_CHARS:
        return text, False
    return text[:MAX_TEXT_CHARS], True


def _no_text_reason(piece: Piece) -> str:
    if not piece.files:
        return "its files are not in the portfolio"
    if not piece.usable:
        return "its files cannot be opened"
    return "no text to read (a picture, audio or video, or a scan)"


def _judge(reading: Reading | None, code: str, cut: bool, piece: Piece) -> ClaimJudgement:
    if reading is None or not reading.judged:
        return ClaimJudgement(code.strip().upper(), NOT_JUDGED, None, None, None, None, _no_text_reason(piece))
    judgement = reading.judge(code)
    if cut and judgement.verdict == WEAK:
        # Only the start of a long text was read: the evidence may lie further on.
        return replace(judgement, verdict=NOT_JUDGED,
                       reason=f"not found in the first {MAX_TEXT_CHARS:,} characters read of a long text")
    return judgement


def read_claims(standard: Standard | None, option: str | None, pieces: Sequence[Piece],
                records: Mapping[str, FileRecord], missing: Iterable[str] = (),
                unmapped: Sequence[str] = ()) -> ClaimsReading:
    """Judge every claim of ``pieces`` on its piece's text, and find what reads like evidence for ``missing``.

    Nothing is read (and the mapper's index is not built) when there is no standard, or no claim
    and no uncovered code to look for.
    """
    missing = list(missing)
    if standard is None or not (any(p.codes for p in pieces) or missing):
        return ClaimsReading()
    readings: dict[str, Reading] = {}

    def reading_of(text: str | None) -> Reading | None:
        # Without text there is nothing to read (and no index to build: a photo-only portfolio costs
        # nothing); duplicate pieces and repeated files share one reading.
        if text is None:
            return None
        found = readings.get(text)
        if found is None:
            found = readings[text] = read(standard, text, option)
        return found

    claims: list[Claim] = []
    candidates: list[tuple[Reading, str, str | None]] = []
    for piece in pieces:
        paths = piece_files_with_text(piece, records)
        text, cut = _text(paths, records)
        if not piece.codes and not (missing and text):
            continue
        reading = reading_of(text)
        claims += [Claim(piece.id, _judge(reading, code, cut, piece)) for code in piece.codes]
        if reading is not None:
            candidates.append((reading, paths[0], piece.id))
    if missing:
        for path in unmapped:
            record = records.get(path)
            reading = reading_of(_text([path], records)[0]) if record is not None and has_text(record.text) else None
            if reading is not None:
                candidates.append((reading, path, None))
    reads_like: list[ReadsLike] = []
    for code in missing:
        found = []
        for reading, path, piece_id in candidates:
            scored = reading.score(code)
            if scored is not None and scored.score >= CONFIDENT:
                found.append(ReadsLike(code, path, piece_id, scored.score))
        found.sort(key=lambda r: -r.score)
        reads_like += found[:MAX_NAMED]
    return ClaimsReading(tuple(claims), tuple(reads_like))
