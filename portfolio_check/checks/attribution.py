"""The employer and apprentice statement that the evidence is valid and attributable to the apprentice.

Most standards with a portfolio (ST0792 among them) require it in the portfolio. Providers write it
in many ways (a Word declaration with a sign-off table, a PDF form, a paragraph at the end of the
manifest, a scanned signed page), so it is recognised by what its text *says*, never by its file
name alone. The reading has two halves:

- **Confirming sentences.** Each sentence is scored by the families of words it holds: a
  confirming verb (*confirm, declare, certify, attest, agree, verify*), what is confirmed (the
  *evidence* or *portfolio*; weaker: *work, documents*), the property confirmed (*valid,
  authentic, genuine, attributable, own work, produced by, true record*), a party (*employer,
  line manager, apprentice, learner, candidate, my own*) and a stated speaker (*I confirm, the
  employer confirms*). A sentence only confirms when it states the property of the evidence
  itself (or says the work "is my own" / "attributable"), and is not a rule being quoted
  ("must be valid"), a request ("please confirm") or a question. This keeps witness statements
  ("I confirm this is a true account of what Sam did"), call sheets and manifests out.
- **Sign-off blocks.** ``Name`` / ``Print name`` / ``Signed`` / ``Signature`` / ``Date`` labels near
  a party ("Apprentice", "Employer", "Line manager"), in the layouts Word tables take when
  flattened to text: cells on separate lines (blank cells vanish), tab-separated cells, a header
  row of labels with a row per party, a column per party, or a party row of bare values.

Everything here is pure: it reads `FileRecord` objects and returns data and findings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from portfolio_check.dates import find_date
from portfolio_check.extract.model import FileRecord
from portfolio_check.findings import Finding, Severity

EMPLOYER = "employer"
APPRENTICE = "apprentice"
PARTIES = (EMPLOYER, APPRENTICE)

#: Kinds of file whose text is read.
TEXT_KINDS = frozenset({"word", "pdf", "text", "powerpoint", "spreadsheet"})
#: Kinds of file that may hold a statement only as a picture (a scan or a photo).
PICTURE_KINDS = frozenset({"pdf", "image", "word", "powerpoint"})

#: A file is a statement when it has a confirming sentence and scores at least this (see `_score`).
STATEMENT_MIN_SCORE = 3.5
#: Points a sentence needs to count as confirming.
SENTENCE_MIN_POINTS = 3.0
#: Text read from one file: its start and its end (a statement closing a long document).
HEAD_CHARS = 200_000
TAIL_CHARS = 100_000
#: Longer sentences are read as overlapping windows of words, so a paragraph without full stops
#: (a CV, a flattened table) does not collect every family of words by chance.
WINDOW_WORDS = 50
EXCERPT_CHARS = 300
#: Longer lines are prose, never a sign-off entry (this also bounds the label scan).
MAX_CELL_CHARS = 300

# Weights of the word families within one sentence (documented in `_sentence_points`).
VERB_POINTS = 1.0
SPEAKER_POINTS = 0.5
STRONG_OBJECT_POINTS = 1.0
WEAK_OBJECT_POINTS = 0.5
PROPERTY_POINTS = 1.5
PARTY_POINTS = 0.5
#: Two adjacent sentences ("We confirm the following. The evidence is ...") score less than one.
PAIR_PENALTY = 0.5
# Weights of what surrounds the sentences (documented in `_score`).
SIGN_OFF_POINTS = 0.5
HEADING_POINTS = 0.5
PATH_POINTS = 0.25
WITNESS_PENALTY = 1.5

# --------------------------------------------------------------------------------------------------
# Vocabulary

_EMPLOYER_TERMS = (r"employer(?:'s)?(?:\s+representative)?|line[\s-]+manager(?:'s)?|workplace\s+(?:mentor|supervisor)"
                   r"|manager(?:'s)?|supervisor(?:'s)?|company\s+representative"
                   r"|on\s+behalf\s+of\s+(?:the\s+)?(?:employer|company|organi[sz]ation|business)")
_APPRENTICE_TERMS = r"apprentices?(?:'s)?|learners?(?:'s)?|candidates?(?:'s)?|trainees?(?:'s)?"
_EMPLOYER = re.compile(rf"\b(?:{_EMPLOYER_TERMS})\b", re.I)
_APPRENTICE = re.compile(rf"\b(?:{_APPRENTICE_TERMS})\b", re.I)
#: "the apprentice's line manager" names the employer's side, not the apprentice.
_APPRENTICE_POSSESSIVE = re.compile(r"\b(?:apprentice|learner|candidate|trainee)'s\b", re.I)

_VERB = re.compile(r"\b(?:confirm(?:s|ed)?|declare[sd]?|certif(?:y|ies|ied)|attest(?:s|ed)?|agree[sd]?"
                   r"|verif(?:y|ies|ied)|hereby)\b", re.I)
#: Someone is stated to confirm: "I confirm", "We, the undersigned, declare", "The employer confirms".
_SPEAKER = re.compile(
    r"\b(?:I|we)\b(?:\s*,[^,]{1,80},)?\s+(?:hereby\s+|can\s+|do\s+|fully\s+|also\s+)*"
    r"(?:confirm|declare|certify|attest|agree|verify)\b"
    rf"|\b(?:{_EMPLOYER_TERMS}|{_APPRENTICE_TERMS}|undersigned|both\s+parties)\s+(?:both\s+|hereby\s+|jointly\s+)*"
    r"(?:confirms?|declares?|certif(?:y|ies)|attests?|agrees?|verif(?:y|ies))\b",
    re.I)
#: Training provider and assessment staff: their declarations are not the employer's or the apprentice's.
_PROVIDER = re.compile(r"\b(?:assessors?|tutors?|trainers?|(?:skills\s+)?coach(?:es)?|training\s+provider|IQA"
                       r"|internal\s+quality|EPAO|lecturers?|teachers?)\b", re.I)
PROVIDER = "provider"
_FIRST_PERSON = re.compile(r"\bI\b")
_WE = re.compile(r"\b(?:we|us|both|jointly|undersigned)\b", re.I)
_STRONG_OBJECT = re.compile(r"\b(?:evidence|e-?portfolio|portfolio)\b", re.I)
_WEAK_OBJECT = re.compile(r"\b(?:work|documents?|materials?|submissions?|contents|it|this|these|above)\b", re.I)
_OWN = (r"\b(?:is|are|was|were|be|being|been|as|remains?)\s+(?:entirely\s+|wholly\s+|all\s+|solely\s+)?"
        r"(?:my|our|their|his|her|the\s+(?:apprentice|learner|candidate)'?s|[A-Z][\w-]+'s)\s+own\b")
_BY_ME = (r"\b(?:produced|completed|created|carried\s+out|undertaken|written|compiled|prepared|done)\s+"
          r"(?:\w+\s+)?by\s+(?:me|myself)\b")
#: Properties that name whose the work is, so they need no "evidence" or "portfolio" beside them.
_SELF_CONTAINED = re.compile(rf"{_OWN}|{_BY_ME}|\battributable\b", re.I)
_PROPERTY = re.compile(
    rf"{_OWN}|{_BY_ME}|\battributable\b|\bvalid(?:ity)?\b|\bauthentic(?:ity)?\b|\bgenuine(?:ly)?\b|\boriginal\b"
    r"|\bown\s+(?:work|efforts?)\b"
    r"|\btrue(?:\s+and\s+(?:accurate|complete|fair|correct))?\s+"
    r"(?:record|account|reflection|representation|cop(?:y|ies))\b"
    r"|\btrue\s+and\s+accurate\b"
    r"|\b(?:produced|completed|created|carried\s+out|undertaken|generated|written|compiled|prepared|performed)\s+"
    r"(?:solely\s+|entirely\s+|wholly\s+|independently\s+|personally\s+)?by\b"
    r"|\bnot\s+(?:been\s+)?(?:plagiari[sz]ed|copied)\b|\bfree\s+(?:from|of)\s+plagiarism\b",
    re.I)
_MY_OWN = re.compile(r"\bmy\s+own\b|\bby\s+me\b|\bmyself\b"
                     r"|\bI\s+(?:have\s+)?(?:produced|completed|created|carried\s+out)\b", re.I)
#: A rule being quoted, a request or an instruction: not someone confirming.
_NOT_A_CONFIRMATION = re.compile(
    r"\b(?:must|should|shall|needs?\s+to|(?:is|are)\s+required|required\s+to|will\s+need|please|ensure|make\s+sure"
    r"|can\s+you|could\s+you|would\s+you|cannot|can't|unable\s+to)\b",
    re.I)
_TITLE = re.compile(r"\b(?:declarations?|authenticity|attribution|(?:learner|apprentice|employer)\s+statement"
                    r"|statement\s+of\s+(?:authenticity|attribution|validity|originality))\b", re.I)
_WITNESS_TITLE = re.compile(r"\s*(?:witness\s+(?:statement|testimony|account)|observation\s+record|testimonial)\b",
                            re.I)

_PATH_HINT = re.compile(r"declar|authentic|attribut|statement|sign(?:ed|ature|[\s_-]*off)", re.I)
_PATH_STRONG = re.compile(r"declar|authentic|attribut", re.I)
_PATH_STATEMENT = re.compile(r"statement", re.I)
_PATH_NOT_STATEMENT = re.compile(r"witness|testimon|observ|personal|reflect|mission|bank", re.I)
_PATH_SIGNED = re.compile(r"sign(?:ed|ature|[\s_-]*off)", re.I)
_PATH_PARTY = re.compile(r"employer|manager|apprentice|learner|candidate", re.I)
#: Words that may sit beside "signed" in the name of a signed statement without making it evidence.
_PATH_FILLER = re.compile(r"\b(?:scan(?:ned)?|photo|image|img|copy|page|final|portfolio|doc(?:ument)?|form|and|dated?"
                          r"|v\d*|pdf|jpe?g|png|heic|docx?|\d+)\b", re.I)

# --------------------------------------------------------------------------------------------------
# Sign-off labels and values

_FIELD_NAMES = (
    ("name", r"(?:print(?:ed)?|full|your|first)\s+name|name\s+in\s+(?:block\s+)?capitals|name"),
    ("date", r"date\s+signed|dated|date"),
    ("signature", r"e-?signature|signature|signed(?:\s+by)?"),
)
_PARTY_WORDS = rf"(?:the\s+)?(?:{_EMPLOYER_TERMS}|{_APPRENTICE_TERMS})"
_LABEL = re.compile(
    rf"(?P<prefix>{_PARTY_WORDS}(?:\s*/\s*{_PARTY_WORDS})?\s*(?:'s\s*)?)?"
    r"\b(?P<field>" + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _FIELD_NAMES) + ")"
    rf"(?P<suffix>\s*\(\s*{_PARTY_WORDS}\s*\)|\s+(?:of|by|for)?\s*{_PARTY_WORDS})?"
    r"(?=\s*[:：]|\s*\t|\s*$|\s*[_.…]{2,}|\s*[\[(<])",
    re.I)
_LABEL_SEPARATOR = re.compile(r"(?:\s{2,}|\t|[_.…]{2,}\s*|[|–—-]\s*|[,;]\s*)$")
_PLACEHOLDER = re.compile(
    r"^[\s_.\-–—…/\\|*]*$|^[\[<{(].*[\]>})]$|^(?:click|tap|enter|insert|type|add|write|print|sign)\b"
    r"|^(?:dd|mm|yy)\W|^(?:n/?a|tbc|tba|xx+|none|name|signature|signed|date)$",
    re.I)
_COMPANY = re.compile(r"\b(?:ltd|limited|plc|llp|inc|cic|group|company|co\.|productions?|studios?|media)\b", re.I)
#: "Jo Bloggs, Line Manager", "Sam Lee (apprentice)": a name followed by the party's role.
_ROLE = re.compile(rf"^(?P<name>[^,(/]+?)\s*(?:,|\(|\s[–—-]\s|/)\s*"
                   rf"(?P<role>.*?\b(?:{_EMPLOYER_TERMS}|{_APPRENTICE_TERMS})\b.*)$", re.I)
#: A filling-in instruction before a value: "Name (in capitals): ...".
_INSTRUCTION = re.compile(r"^\((?:print|in\s+capitals|block\s+capitals|dd/mm/yy(?:yy)?|please\s+print)[^)]*\)", re.I)
_PARTY_LINE = re.compile(rf"^\s*(?:signed\s+)?{_PARTY_WORDS}\b", re.I)

# --------------------------------------------------------------------------------------------------
# Public data


@dataclass(frozen=True)
class PartyConfirmation:
    """What the statement shows for one party (the employer or the apprentice)."""

    party: str
    #: A confirming sentence attributable to the party, or a sign-off block for the party.
    confirmed: bool
    #: The person's name in their sign-off block ("Name:", "Print name", or a name after "Signed:").
    name: str | None
    #: ISO date (``2026-03-14``) when it reads as a date, else the text as written.
    date: str | None
    #: A name (or mark) typed after "Signed"/"Signature", or a signed PDF signature field for the party.
    signed: bool
    #: A signed PDF signature field is attributed to the party: it records who signed and when.
    signed_digitally: bool = False
    #: The text has a sign-off block for the party (labels such as "Signature" or "Date"), filled or not.
    sign_off: bool = False

    @property
    def complete(self) -> bool:
        """Confirmed, with a name and a date (a digital signature stands for both)."""
        return self.confirmed and (self.signed_digitally or (self.name is not None and self.date is not None))

    def missing(self) -> list[str]:
        """What is missing, in words: ``confirmation``, ``name``, ``date``."""
        gaps = [] if self.confirmed else ["confirmation"]
        if not self.signed_digitally:
            gaps += [item for item, value in (("name", self.name), ("date", self.date)) if value is None]
        return gaps

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "confirmed": self.confirmed, "name": self.name, "date": self.date,
                "signed": self.signed, "signed_digitally": self.signed_digitally, "sign_off": self.sign_off}


@dataclass(frozen=True)
class AttributionStatement:
    """A file whose text reads as the employer and apprentice statement.

    ``score`` adds up, in points: the best confirming sentence (up to 4.5: verb 1, stated speaker
    0.5, "evidence"/"portfolio" 1 or "work"/"documents" 0.5, the property confirmed 1.5, a party
    0.5; two adjacent sentences read together lose 0.5), plus 0.5 for each party with a sign-off
    block, 0.5 for a title such as "Declaration of authenticity", 0.25 when the file name says
    declaration/statement/authenticity/attribution/signed, minus 1.5 when the text opens with a
    "Witness statement" title (and has no declaration title).

    A file is a statement when it has at least one confirming sentence and scores at least
    `STATEMENT_MIN_SCORE` (3.5): a confirming sentence with a verb ("I confirm that the evidence
    ... is valid") reaches it alone; one without ("The evidence in this portfolio is valid and
    attributable to the apprentice.", 3 points) also needs a title or a sign-off block.
    """

    path: str
    score: float
    #: Always two: the employer, then the apprentice.
    parties: tuple[PartyConfirmation, ...]
    #: The sentence(s) that made it a statement, for the report.
    excerpt: str
    #: Some sign-off entries are blank in the text while the file holds pictures or fillable PDF
    #: fields: the signatures may be drawn, or the entries typed into fields the text does not show.
    drawn: bool = False

    def party(self, name: str) -> PartyConfirmation:
        return next(p for p in self.parties if p.party == name)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "score": self.score, "parties": [p.to_dict() for p in self.parties],
                "excerpt": self.excerpt, "drawn": self.drawn}


@dataclass(frozen=True)
class AttributionResult:
    """The statement found in a portfolio, if any, and the files that may be one."""

    statement: AttributionStatement | None
    #: Likely statements that cannot be read as text (scans, photos), and a found statement whose
    #: signatures appear to be drawn: an assessor must check these by hand.
    unverified: tuple[str, ...] = ()
    #: Other files that read as statements, best first (e.g. separate employer and apprentice ones).
    candidates: tuple[str, ...] = ()
    #: The statements at ``candidates``, in the same order: a party may confirm in a file of its own.
    others: tuple[AttributionStatement, ...] = ()

    def statements(self) -> list[AttributionStatement]:
        """Every statement found, best first."""
        return ([self.statement] if self.statement else []) + list(self.others)

    def to_dict(self) -> dict[str, Any]:
        return {"statement": self.statement.to_dict() if self.statement else None,
                "unverified": list(self.unverified), "candidates": list(self.candidates),
                "others": [s.to_dict() for s in self.others]}


# --------------------------------------------------------------------------------------------------
# Finding the statement


#: A scanned statement is a page or two; a longer image-only PDF is scanned evidence.
SCANNED_STATEMENT_MAX_PAGES = 4


def find_attribution(records: Sequence[FileRecord], mapped: Collection[str] = ()) -> AttributionResult:
    """Read every file's text for the statement; note likely statements that are only pictures.

    A picture is a likely statement when its name says so, and a scanned PDF of a few pages is one
    whatever its name (scanners name files ``Scan_20260306_0912.pdf``) unless the manifest maps it
    as evidence (``mapped``): the verdict must not hinge on a file name.

    The best statement is the one where most parties confirm with name and date, then the one
    with the highest score. Files are read as text when they are Word, PDF, text, PowerPoint or
    spreadsheet files with text; a file whose extraction failed and left no text is skipped (its
    own problem is reported elsewhere).
    """
    statements: list[AttributionStatement] = []
    pictures: list[str] = []
    for record in records:
        text = record.text if isinstance(record.text, str) else ""
        if record.error and not text.strip():
            continue
        if _is_picture_only(record, text):
            if _path_suggests_statement(record.path) or (record.path not in mapped and _is_short_scan(record)):
                pictures.append(record.path)
            continue
        if (record.kind not in TEXT_KINDS and not read_by_ocr(record)) or not text.strip():
            continue
        statement = read_statement(record)
        if statement is not None:
            statements.append(statement)
    statements.sort(key=_rank)
    best = statements[0] if statements else None
    unverified = list(pictures)
    if best is not None and best.drawn:
        unverified.append(best.path)
    return AttributionResult(statement=best, unverified=tuple(unverified),
                             candidates=tuple(s.path for s in statements[1:]), others=tuple(statements[1:]))


def statement_paths(result: AttributionResult) -> set[str]:
    """The files that are portfolio documents rather than evidence.

    These are the statement, the likely statements that are only pictures, and any other statement
    that supplies a party's confirmation the best one lacks (separate employer and apprentice
    files). Later checks must neither count them as evidence pieces nor flag them as unmapped.
    """
    paths = set(result.unverified)
    if result.statement is not None:
        paths.add(result.statement.path)
        paths.update(_chosen_statement(result, party).path for party in PARTIES)
    return paths


def read_statement(record: FileRecord) -> AttributionStatement | None:
    """One file's text read as a statement, or None when it does not read as one."""
    reading = _Reading(_bounded(record.text or ""))
    if not reading.confirming:
        return None
    fields = _Fields(reading.cells)
    signature_fields = _signature_fields((record.metadata or {}).get("signature_fields"))
    blocks = {party: fields.sign_off(party) for party in PARTIES}
    title = any(_TITLE.search(line) and len(line) <= 100 for line in reading.lines)
    witness = not title and any(_WITNESS_TITLE.match(line) and len(line) <= 100 for line in reading.lines[:10])
    score = _score(reading, blocks, signature_fields, title, witness, record.path)
    if score < STATEMENT_MIN_SCORE:
        return None

    confirmed_by: set[str] = set()
    for sentence in reading.confirming:
        confirmed_by |= _speakers(sentence, reading, fields)
    if confirmed_by == {PROVIDER} and not any(blocks[p].is_sign_off or signature_fields.get(p) for p in PARTIES):
        return None  # an assessor's or tutor's declaration, not the employer's and apprentice's
    parties = []
    for party in PARTIES:
        block = blocks[party]
        digital = signature_fields.get(party, False)
        parties.append(PartyConfirmation(
            party=party,
            confirmed=party in confirmed_by or block.is_sign_off or digital,
            name=block.name or (fields.name_elsewhere(party) if block.is_sign_off or digital else None),
            date=block.date,
            signed=block.signed or digital,
            signed_digitally=digital,
            sign_off=block.is_sign_off or digital,
        ))
    blank_entries = any(p.sign_off and not p.signed_digitally and (not p.signed or p.name is None or p.date is None)
                        for p in parties)
    return AttributionStatement(
        path=record.path, score=round(score, 2), parties=tuple(parties),
        excerpt=_excerpt(reading.confirming),
        drawn=blank_entries and _may_hide_entries(record, signature_fields),
    )


def _rank(statement: AttributionStatement) -> tuple[Any, ...]:
    parties = statement.parties
    return (-sum(p.confirmed for p in parties), -sum(p.complete for p in parties),
            -sum(3 - len(p.missing()) for p in parties), -statement.score, statement.path)


def _chosen_statement(result: AttributionResult, party: str) -> AttributionStatement:
    """The statement that shows most for a party: the best one unless another does better."""
    statements = result.statements()
    return min(statements, key=lambda s: (len(s.party(party).missing()), statements.index(s)))


def read_by_ocr(record: FileRecord) -> bool:
    """Its text was read from scanned pages (OCR), not taken from a text layer."""
    return (record.metadata or {}).get("text_source") == "ocr"


def _is_picture_only(record: FileRecord, text: str) -> bool:
    """A picture, a scanned PDF, or a document with no text: it cannot be read for a statement.

    A scan whose pages were read by OCR is read like any other document: what it says decides.
    """
    if read_by_ocr(record) and text.strip():
        return False
    if record.kind == "image":
        return True
    if record.kind == "pdf":
        metadata = record.metadata or {}
        return bool(metadata.get("image_only")) or metadata.get("has_text_layer") is False or not text.strip()
    return record.kind in PICTURE_KINDS and not text.strip()


def _is_short_scan(record: FileRecord) -> bool:
    """A PDF of a few pages with no text layer: what a scanner makes of a signed page."""
    pages = (record.metadata or {}).get("pages")
    return record.kind == "pdf" and isinstance(pages, int) and 0 < pages <= SCANNED_STATEMENT_MAX_PAGES


def _path_suggests_statement(path: str) -> bool:
    """Whether a file name reads like a statement: "Declaration - signed.pdf", "signed declaration.jpg".

    "Statement" counts unless it is a witness or personal statement; "signed" counts alone or with
    a party ("employer signed.jpg"), not beside other evidence words ("signed call sheet.jpg").
    """
    name = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", path.rsplit("!/", 1)[-1].rsplit("/", 1)[-1])
    if _PATH_STRONG.search(name):
        return True
    if _PATH_STATEMENT.search(name):
        return not _PATH_NOT_STATEMENT.search(name)
    if _PATH_SIGNED.search(name):
        if _PATH_PARTY.search(name):
            return True
        rest = _PATH_FILLER.sub(" ", _PATH_SIGNED.sub(" ", re.sub(r"[_\-.()\[\]]+", " ", name)))
        return not rest.strip()
    return False


def _may_hide_entries(record: FileRecord, signature_fields: dict[str, bool]) -> bool:
    """Pictures (drawn signatures) or fillable PDF fields (their values are not in the text)."""
    metadata = record.metadata or {}
    pictures = metadata.get("images")
    fillable = (metadata.get("form_fields") or 0) - len(metadata.get("signature_fields") or [])
    return (isinstance(pictures, int) and pictures > 0) or (record.kind == "pdf" and fillable > 0)


def _signature_fields(entries: Any) -> dict[str, bool]:
    """Parties with a signed PDF signature field: the field's name must say whose it is.

    A signed field whose name mentions no party ("Signature1") is counted for neither: which
    signature it is cannot be told from the file, and guessing could hide a missing signature.
    """
    signed: dict[str, bool] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not entry.get("signed"):
            continue
        name = str(entry.get("name") or "").lower()
        if re.search(r"apprentice|learner|candidate|student|trainee|employee", name):
            signed[APPRENTICE] = True
        elif re.search(r"employer|manager|supervisor|company|mentor|\bemp\b|(?:^|[^a-z])lm(?:[^a-z]|$)", name):
            signed[EMPLOYER] = True
    return signed


def _bounded(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def _score(reading: _Reading, blocks: dict[str, _Block], signature_fields: dict[str, bool], title: bool,
           witness: bool, path: str) -> float:
    """The statement score: see `AttributionStatement`."""
    score = max(s.points for s in reading.confirming)
    score += SIGN_OFF_POINTS * sum(1 for party in PARTIES if blocks[party].is_sign_off or signature_fields.get(party))
    score += HEADING_POINTS if title else 0.0
    score += PATH_POINTS if _PATH_HINT.search(path.rsplit("/", 1)[-1]) else 0.0
    score -= WITNESS_PENALTY if witness else 0.0
    return score


def _excerpt(sentences: list[_Sentence]) -> str:
    chosen: list[str] = []
    for sentence in sorted(sentences, key=lambda s: (-s.points, s.line))[:2]:
        if sentence.text not in chosen:
            chosen.append(sentence.text)
    chosen.sort(key=lambda text: next(s.line for s in sentences if s.text == text))
    text = " … ".join(chosen)
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text[: EXCERPT_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[EXCERPT_CHARS // 2:] else cut).rstrip(" ,;:") + "…"


# --------------------------------------------------------------------------------------------------
# Sentences


@dataclass
class _Sentence:
    text: str
    #: Index of the line it starts on, and of the line it ends on.
    line: int
    end: int
    points: float = 0.0
    #: The part before the confirming verb: who speaks.
    subject: str = ""
    confirming: bool = False


class _Reading:
    """A text cut into lines, cells (tab-separated parts of lines) and sentences, with the confirming ones."""

    def __init__(self, text: str) -> None:
        text = (text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n").replace("\f", "\n")
                .replace("\u00a0", " ").replace("\u2019", "'").replace("\u2018", "'")
                .replace("\u201c", '"').replace("\u201d", '"'))
        self.lines = [line.strip() for line in text.split("\n")]
        self.cells: list[tuple[str, int]] = [(cell.strip(), number) for number, line in enumerate(self.lines)
                                             for cell in line.split("\t") if cell.strip()]
        self.sentences = _sentences(self.lines)
        self.confirming = _confirming(self.sentences)
        #: Lines that head a party's section, with the parties they name.
        self.party_headings = [(number, {PROVIDER} if _is_provider_heading(line) else _parties_in(line))
                               for number, line in enumerate(self.lines)
                               if _is_party_heading(line) or _is_provider_heading(line)]


def _sentences(lines: list[str]) -> list[_Sentence]:
    """Sentences, with lines a PDF wrapped joined again (a line continues when the next starts in lower case)."""
    paragraphs: list[tuple[str, int, int]] = []
    for number, line in enumerate(lines):
        if not line:
            continue
        if (paragraphs and paragraphs[-1][2] == number - 1 and re.match(r"[a-z(]", line)
                and not re.search(r"[.!?]$", paragraphs[-1][0])):
            text, start, _ = paragraphs[-1]
            paragraphs[-1] = (f"{text} {line}", start, number)
        else:
            paragraphs.append((line, number, number))
    sentences: list[_Sentence] = []
    for text, start, end in paragraphs:
        for part in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])", text.replace("\t", " ")):
            words = part.split()
            if len(words) <= WINDOW_WORDS + WINDOW_WORDS // 2:
                sentences.append(_Sentence(part.strip(), start, end))
                continue
            for first in range(0, len(words) - WINDOW_WORDS // 2, WINDOW_WORDS // 2):
                sentences.append(_Sentence(" ".join(words[first:first + WINDOW_WORDS]), start, end))
    return sentences


def _families(text: str) -> dict[str, Any]:
    verb = _VERB.search(text)
    return {
        "verb": verb,
        "speaker": _SPEAKER.search(text),
        "strong": bool(_STRONG_OBJECT.search(text)),
        "weak": bool(_WEAK_OBJECT.search(text)),
        "property": bool(_PROPERTY.search(text)),
        "self_contained": bool(_SELF_CONTAINED.search(text)),
        "party": bool(_EMPLOYER.search(text) or _APPRENTICE.search(text) or _MY_OWN.search(text)),
        "refused": bool(_NOT_A_CONFIRMATION.search(text) or text.rstrip().endswith("?")),
    }


def _sentence_points(found: dict[str, Any]) -> float:
    """Verb 1, stated speaker 0.5, evidence/portfolio 1 (work/documents 0.5), property 1.5, party 0.5."""
    points = VERB_POINTS if found["verb"] else 0.0
    points += SPEAKER_POINTS if found["speaker"] else 0.0
    points += STRONG_OBJECT_POINTS if found["strong"] else WEAK_OBJECT_POINTS if found["weak"] else 0.0
    points += PROPERTY_POINTS if found["property"] else 0.0
    points += PARTY_POINTS if found["party"] else 0.0
    return points


def _confirms(found: dict[str, Any], points: float) -> bool:
    """States the property of the evidence itself, is no quoted rule, request or question, and scores enough."""
    if not found["property"] or not (found["strong"] or found["self_contained"]):
        return False
    if found["refused"] and not found["speaker"]:
        return False
    return points >= SENTENCE_MIN_POINTS


def _confirming(sentences: list[_Sentence]) -> list[_Sentence]:
    found_by_sentence = [_families(s.text) for s in sentences]
    confirming: list[_Sentence] = []
    for index, (sentence, found) in enumerate(zip(sentences, found_by_sentence, strict=True)):
        points = _sentence_points(found)
        if _confirms(found, points):
            sentence.points, sentence.confirming = points, True
            sentence.subject = _subject(sentence.text, found)
            confirming.append(sentence)
            continue
        # "We confirm the following: ..." then the property in the next sentence.
        if (found["verb"] and not found["property"] and not found["refused"] and index + 1 < len(sentences)
                and sentences[index + 1].line - sentence.end <= 1):
            following = found_by_sentence[index + 1]
            if following["verb"] or following["refused"]:
                continue
            joined = {key: (found[key] or following[key]) if key not in ("verb", "speaker") else found[key]
                      for key in found}
            pair_points = _sentence_points(joined) - PAIR_PENALTY
            if _confirms(joined, pair_points):
                confirming.append(_Sentence(f"{sentence.text} {sentences[index + 1].text}", sentence.line,
                                            sentences[index + 1].end, pair_points,
                                            _subject(sentence.text, found), True))
    return confirming


def _subject(text: str, found: dict[str, Any]) -> str:
    """The words up to the confirming verb: "The employer and apprentice confirm", "As line manager, I confirm"."""
    if found["speaker"]:
        return text[: found["speaker"].end()]
    return text[: found["verb"].start()] if found["verb"] else ""


def _parties_in(text: str) -> set[str]:
    found = set()
    if _EMPLOYER.search(text):
        found.add(EMPLOYER)
    if _APPRENTICE.search(_APPRENTICE_POSSESSIVE.sub(" ", text)) or (
            not found and _APPRENTICE_POSSESSIVE.search(text)):
        found.add(APPRENTICE)
    return found


def _is_party_heading(line: str) -> bool:
    """A short line naming a party: "EMPLOYER DECLARATION", "Apprentice", "Line manager sign-off:"."""
    if not line or len(line) > 70 or len(line.split()) > 8 or line.endswith("."):
        return False
    head, _, value = line.partition(":")
    if value.strip() or "\t" in line or _labels(line)[0]:
        return False
    if _VERB.search(head) or (_PROPERTY.search(head) and not _TITLE.search(head)):
        return False
    return bool(_PARTY_LINE.match(head)) or bool(_parties_in(head) and _TITLE.search(head))


def _is_provider_heading(line: str) -> bool:
    """"Assessor declaration", "Tutor sign-off": a section the provider's staff complete."""
    return 0 < len(line) <= 70 and not line.endswith(".") and bool(re.match(rf"\s*(?:the\s+)?{_PROVIDER.pattern}",
                                                                             line, re.I))


def _speakers(sentence: _Sentence, reading: _Reading, fields: _Fields) -> set[str]:
    """The parties a confirming sentence is attributable to.

    By its subject first ("We confirm" is both; "As line manager, I confirm" the employer; "The
    apprentice confirms"); an "I" who calls the work "my own" is the apprentice. Otherwise by
    where it stands, under one party's heading; an "I" who speaks of "the apprentice" is the
    employer; then under a heading naming both, or before the sign-off blocks that follow it.
    """
    subject, text = sentence.subject, sentence.text
    if _PROVIDER.search(subject.rsplit(",", 1)[-1]):
        return {PROVIDER}
    if _WE.search(subject):
        return set(PARTIES)
    first_person = bool(_FIRST_PERSON.search(subject) or (not subject and _FIRST_PERSON.search(text)))
    # "As agreed with my employer, I confirm": the speaker is in the last clause.
    named = _parties_in(subject.rsplit(",", 1)[-1]) or (set() if first_person else _parties_in(subject))
    if named:
        return named
    if first_person:
        if _MY_OWN.search(text):
            return {APPRENTICE}
        if _EMPLOYER.search(text):
            return {EMPLOYER}
    heading = next((parties for number, parties in reversed(reading.party_headings)
                    if sentence.line - 6 <= number < sentence.line), set())
    if len(heading) == 1:
        return set(heading)
    if first_person and _APPRENTICE.search(text):
        return {EMPLOYER}
    if heading:
        return set(heading)
    later = [s.line for s in reading.confirming if s.line > sentence.end]
    until = min(later) if later else len(reading.lines)
    return {f.party for f in fields.fields if sentence.end < f.line < until and f.kind in ("signature", "date")}


# --------------------------------------------------------------------------------------------------
# Sign-off blocks


@dataclass
class _Field:
    party: str
    #: ``name``, ``signature``, ``date``, or ``hint`` (a name after a bare party label: "Employer: Jo Bloggs").
    kind: str
    value: str
    line: int


@dataclass
class _Block:
    """One party's sign-off block: the entries near each other holding a signature or date label."""

    is_sign_off: bool = False
    name: str | None = None
    date: str | None = None
    signed: bool = False


@dataclass
class _Label:
    kind: str
    party: str | None
    start: int
    end: int
    value: str = ""


class _Fields:
    """The sign-off entries of a text, each attributed to a party."""

    def __init__(self, cells: list[tuple[str, int]]) -> None:
        self.fields: list[_Field] = []
        self._read(cells)

    def sign_off(self, party: str) -> _Block:
        """The party's last group of entries holding a signature or date label (else none)."""
        groups: list[list[_Field]] = []
        for entry in (f for f in self.fields if f.party == party):
            if groups and entry.line - groups[-1][-1].line <= 4:
                groups[-1].append(entry)
            else:
                groups.append([entry])
        sign_offs = [g for g in groups if any(f.kind in ("signature", "date") for f in g)]
        if not sign_offs:
            return _Block()
        group = sign_offs[-1]
        names = [f.value for f in group if f.kind == "name" and _is_name(f.value)]
        signatures = [f.value for f in group if f.kind == "signature" and f.value]
        dates = [f.value for f in group if f.kind == "date" and f.value]
        signed_names = [_role_free(v) for v in signatures if _is_name(_role_free(v))]
        hints = [f.value for f in group if f.kind == "hint" and _is_name(f.value)]
        return _Block(
            is_sign_off=True,
            name=next(iter(names or signed_names or hints), None),
            date=parse_date(dates[0]) if dates else None,
            signed=any(not find_date(v) for v in signatures),
        )

    def name_elsewhere(self, party: str) -> str | None:
        """A name given for the party outside its sign-off block (a details table at the top)."""
        return next((f.value for f in self.fields if f.party == party and f.kind in ("name", "hint")
                     and _is_name(f.value)), None)

    # -- reading

    def _add(self, party: str | None, kind: str, value: str, line: int) -> None:
        value = _clean_value(value)
        role = _ROLE.match(value) if value else None
        if role and kind in ("name", "signature", "hint"):
            roles = _parties_in(role.group("role"))
            party = next(iter(roles)) if len(roles) == 1 else party
            value = role.group("name").strip()
        if party in PARTIES:
            self.fields.append(_Field(party, kind, value, line))

    def _read(self, cells: list[tuple[str, int]]) -> None:
        current: str | None = None
        header: list[str] | None = None
        columns: list[str] | None = None
        kinds = [_cell_kind(text) for text, _ in cells]
        index = 0
        while index < len(cells):
            text, line = cells[index]
            kind = kinds[index]
            if kind == "party":
                run = _run(kinds, index, "party")
                run_parties = [_single_party(cells[i][0]) for i in range(index, index + run)]
                if run >= 2 and None not in run_parties and len(set(run_parties)) == len(run_parties):
                    columns, header, current = [p for p in run_parties if p], None, None
                    index += run
                    continue
                parties = _parties_in(text)
                current = next(iter(parties)) if len(parties) == 1 else None
                hint = re.split(r"[:：]", text, maxsplit=1)
                if current and len(hint) == 2 and hint[1].strip():
                    self._add(current, "hint", hint[1], line)
                values = _run(kinds, index + 1, "value", limit=4)
                row = [cells[i][0] for i in range(index + 1, index + 1 + values)]
                if current and header and row:
                    self._row(current, header, row, line)
                    index += 1 + values
                    continue
                if current and any(find_date(v) for v in row):
                    self._row(current, ["name", "signature", "date"], row, line)
                    index += 1 + values
                    continue
                index += 1
                continue
            if kind == "labels":
                labels, before = _labels(text)
                bare = len(labels) == 1 and labels[0].party is None and not labels[0].value and not before
                if bare:
                    run = _run(kinds, index, "labels")
                    run_labels = [_labels(cells[i][0]) for i in range(index, index + run)]
                    all_bare = all(len(ls) == 1 and ls[0].party is None and not ls[0].value and not b
                                   for ls, b in run_labels)
                    if (run >= 2 and all_bare and columns is None and index + run < len(cells)
                            and kinds[index + run] == "party"):
                        header = [ls[0].kind for ls, _ in run_labels]
                        index += run
                        continue
                    if columns:
                        values = _run(kinds, index + 1, "value", limit=len(columns))
                        for offset, party in enumerate(columns):
                            value = cells[index + 1 + offset][0] if offset < values else ""
                            self._add(party, labels[0].kind, value, line)
                        index += 1 + values
                        continue
                before_parties = _parties_in(before) if before else set()
                if len(before_parties) == 1:
                    current = next(iter(before_parties))
                consumed = 0
                for position, label in enumerate(labels):
                    value = label.value
                    last = position == len(labels) - 1
                    if not _clean_value(value) and last and index + 1 < len(cells) and kinds[index + 1] == "value":
                        value = cells[index + 1][0]
                        consumed = 1
                    if label.party:
                        current = label.party
                    self._add(label.party or current, label.kind, value, line)
                index += 1 + consumed
                continue
            if kind == "text":
                header = columns = None
            index += 1

    def _row(self, party: str, header: list[str], row: list[str], line: int) -> None:
        """A table row of bare values under a header of labels: dates go to the date column, the
        rest in order to the other columns (Word drops blank cells, so positions cannot be trusted)."""
        dates = [v for v in row if find_date(v)]
        others = [v for v in row if not find_date(v) and not _PLACEHOLDER.match(v)]
        for kind in header:
            if kind == "date":
                self._add(party, "date", dates.pop(0) if dates else "", line)
            else:
                self._add(party, kind, others.pop(0) if others else "", line)


def _run(kinds: list[str], start: int, kind: str, limit: int = 12) -> int:
    count = 0
    while start + count < len(kinds) and kinds[start + count] == kind and count < limit:
        count += 1
    return count


def _single_party(text: str) -> str | None:
    parties = _parties_in(text)
    return next(iter(parties)) if len(parties) == 1 and len(text) <= 40 else None


def _cell_kind(text: str) -> str:
    """``labels``, ``party`` (a heading naming a party), ``value`` (short: a name, date or blank) or ``text``."""
    if len(text) > MAX_CELL_CHARS:
        return "text"
    labels, _ = _labels(text)
    if labels:
        return "labels"
    if _is_party_heading(text) or _is_party_with_value(text):
        return "party"
    if _PLACEHOLDER.match(text) or find_date(text):
        return "value"
    short = len(text) <= 60 and len(text.split()) <= 8
    if short and not _VERB.search(text) and not re.search(r"\w{3,}[.!?](?:\s|$)", text):
        return "value"
    return "text"


def _is_party_with_value(text: str) -> bool:
    """A party label with a value: "Employer: Acme Ltd", "Line manager: Jo Bloggs"."""
    head, colon, value = text.partition(":")
    return (bool(colon) and bool(value.strip()) and len(head) <= 50 and bool(_PARTY_LINE.match(head))
            and not _VERB.search(text))


def _labels(cell: str) -> tuple[list[_Label], str]:
    """The sign-off labels of a cell with the value after each, and the text before the first."""
    found: list[_Label] = []
    for match in _LABEL.finditer(cell):
        start = match.start()
        if start > 0:
            before = cell[:start]
            colon = re.match(r"\s*[:：]", cell[match.end():]) is not None
            if not (_LABEL_SEPARATOR.search(before) or (colon and (found or re.search(r"[.!?]\s*$", before)))):
                continue
        if found and start < found[-1].end:
            continue
        party_text = " ".join(filter(None, (match.group("prefix"), match.group("suffix"))))
        parties = _parties_in(party_text) if party_text else set()
        kind = next(k for k, _ in _FIELD_NAMES if match.group(k))
        found.append(_Label(kind, next(iter(parties)) if len(parties) == 1 else None, start, match.end()))
    if not found:
        return [], cell
    for label, following in zip(found, [*found[1:], None], strict=True):
        label.value = cell[label.end: following.start if following else len(cell)]
    return found, cell[: found[0].start].strip()


def _clean_value(value: str) -> str:
    value = value.strip()
    value = _INSTRUCTION.sub("", value)
    value = value.strip().lstrip(":：-–—").strip()
    value = re.sub(r"[\s_.…]{2,}$|_+$", "", value).strip().rstrip(",;").strip()
    value = re.sub(r"^[_.…]{2,}\s*", "", value).strip()
    return "" if _PLACEHOLDER.match(value) else value[:80]


def _role_free(value: str) -> str:
    role = _ROLE.match(value)
    return role.group("name").strip() if role else value


def _is_name(value: str | None) -> bool:
    """A person's name: a few words with letters, not a date, a company, a role or a placeholder."""
    if not value or len(value) > 60 or len(value.split()) > 6 or _PLACEHOLDER.match(value):
        return False
    if sum(c.isalpha() for c in value) < 2 or re.search(r"\d", value) or _COMPANY.search(value):
        return False
    if _VERB.search(value) or _LABEL.fullmatch(value.strip()):
        return False
    return not re.fullmatch(rf"\s*{_PARTY_WORDS}\s*", value, re.I)


# --------------------------------------------------------------------------------------------------
# Dates


def parse_date(text: str) -> str | None:
    """A signing date as ISO (``2026-03-14``) when it reads as one (day first: 14/03/2026, 14.03.26,
    14 March 2026, 14th March 2026, 2026-03-14), else the text as written; None when blank."""
    text = _clean_value(text)
    if not text:
        return None
    parsed = find_date(text)
    return parsed.isoformat() if parsed else text


# --------------------------------------------------------------------------------------------------
# Findings

_PARTY_NAMES = {EMPLOYER: "the employer", APPRENTICE: "the apprentice"}
_WHAT = ("a statement from the employer and the apprentice confirming that the evidence is valid and the "
         "apprentice's own")
MISSING_FIX = ("Add a declaration signed and dated by both the employer and the apprentice (a Word or PDF document "
               "is fine), stating that the evidence is valid and the apprentice's own work.")


def attribution_findings(result: AttributionResult, required: bool | None) -> list[Finding]:
    """Findings about the statement, when the standard requires one.

    Nothing is reported when the standard does not require it (``False``) or does not say
    (``None``: unknown rules are reported elsewhere). A party may confirm in a file of its own
    (separate employer and apprentice declarations): each party is judged by the statement that
    shows most for it. Names or dates that are blank in a statement whose signatures may be
    drawn (it holds pictures or fillable fields), or when a scanned likely statement exists
    beside it, are left to be checked by hand (a warning) rather than reported missing.
    """
    if required is not True:
        return []
    statement = result.statement
    if statement is None:
        if not result.unverified:
            return [Finding("attribution-missing", Severity.ERROR,
                            "No statement from the employer and the apprentice confirming the evidence is valid and "
                            "attributable to the apprentice was found in the portfolio.", fix=MISSING_FIX)]
        return [_scan_finding(path) for path in result.unverified]

    scans = [p for p in result.unverified if p not in {s.path for s in result.statements()}]
    missing_by_path: dict[str, dict[str, list[str]]] = {}
    by_hand: dict[str, dict[str, list[str]]] = {}
    for party in PARTIES:
        chosen = _chosen_statement(result, party)
        confirmation = chosen.party(party)
        gaps = confirmation.missing()
        details = [gap for gap in gaps if gap != "confirmation"]
        drawn = chosen.drawn and confirmation.sign_off
        unsigned = ["signature"] if drawn and not confirmation.signed else []
        if details and "confirmation" not in gaps and (drawn or scans):
            by_hand.setdefault(chosen.path, {})[party] = details + unsigned
            gaps = []
        elif unsigned:
            by_hand.setdefault(chosen.path, {})[party] = unsigned
        path = chosen.path if confirmation.confirmed else statement.path
        if gaps:
            missing_by_path.setdefault(path, {})[party] = gaps

    findings = []
    for path, gaps_by_party in missing_by_path.items():
        shown = next(s for s in result.statements() if s.path == path)
        findings.append(Finding(
            "attribution-incomplete", Severity.ERROR,
            f"{path} is {_WHAT}, but it is incomplete: {_describe_gaps(shown, gaps_by_party)}.",
            path=path, fix=_incomplete_fix(gaps_by_party),
            # The employer usually completes the statement; when only the apprentice's part is missing,
            # the apprentice is the one to act.
            actor=APPRENTICE if set(gaps_by_party) == {APPRENTICE} else None))
    for path, unread in by_hand.items():
        findings.append(_drawn_finding(path, unread, scans))
    return findings


def _describe_gaps(statement: AttributionStatement, gaps_by_party: dict[str, list[str]]) -> str:
    """"the employer's name and date are missing; the apprentice's confirmation, name and date are present"."""
    parts = []
    for party in PARTIES:
        who = _PARTY_NAMES[party]
        gaps = gaps_by_party.get(party)
        if gaps:
            parts.append(f"{who}'s {_join(gaps)} {'is' if len(gaps) == 1 else 'are'} missing")
            continue
        shown = statement.party(party)
        present = [item for item, ok in (("confirmation", shown.confirmed), ("name", shown.name),
                                         ("date", shown.date)) if ok]
        if shown.signed_digitally:
            present.append("digital signature")
        if present:
            parts.append(f"{who}'s {_join(present)} {'is' if len(present) == 1 else 'are'} present")
    return "; ".join(parts)


def _incomplete_fix(gaps_by_party: dict[str, list[str]]) -> str:
    steps = []
    for party in PARTIES:
        gaps = gaps_by_party.get(party)
        if not gaps:
            continue
        who = _PARTY_NAMES[party]
        if "confirmation" in gaps:
            steps.append(f"add a sentence in which {who} confirms that the evidence is valid and the apprentice's "
                         f"own work, with {who}'s name and the date signed")
        else:
            wanted = " and ".join({"name": "their name", "date": "the date they signed"}[g] for g in gaps)
            steps.append(f"have {who} add {wanted}")
    text = "; ".join(steps)
    return text[0].upper() + text[1:] + ". Then add the completed statement to the portfolio again."


def _scan_finding(path: str) -> Finding:
    return Finding(
        "attribution-unverified", Severity.WARNING,
        f"{path} looks like the statement from the employer and the apprentice, but it is a scan or photo "
        "without readable text, so the tool cannot check that it confirms the evidence is valid and the "
        "apprentice's own, or that both signed and dated it. Check it by hand.",
        path=path,
        fix="Check by hand that it is signed and dated by both the employer and the apprentice. To have it checked "
            "automatically, also add a typed version (Word or PDF), or save the scan with text recognition (OCR).")


def _drawn_finding(path: str, unread: dict[str, list[str]], scans: list[str]) -> Finding:
    what = "; ".join(f"{_PARTY_NAMES[party]}'s {_join(items)}" for party, items in unread.items())
    if scans:
        why = f"they may be on the signed scan ({', '.join(scans)}), which the tool cannot read"
    else:
        why = ("the signatures may be drawn pictures, or the entries typed into form fields, which the tool "
               "cannot read")
    return Finding(
        "attribution-unverified", Severity.WARNING,
        f"{path} is {_WHAT}, but some of it cannot be read as text ({what}): {why}. Check it by hand.",
        path=path,
        fix="Check by hand that both the employer and the apprentice signed it, with their names and dates. Typing "
            "the names and dates next to the signatures lets the tool check them.")


def _join(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
