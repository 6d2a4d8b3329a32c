"""Pre-Gateway facts: what the portfolio details answer, and English and maths certificates recognised by their text.

Providers write these details as they would on a form (``maths: achieved``, ``English: GCSE grade 5``,
``declaration signed: 06/03/2026``, ``reasonable adjustments: none``), so each answer is read loosely
but never guessed: an answer the tool cannot read is kept as written and reported as not known.
Certificates are read from the text the extract stage already took out of each file; nothing here
opens a file.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from portfolio_check.dates import find_date
from portfolio_check.extract.model import FileRecord

Subject = Literal["english", "maths"]
SUBJECTS: tuple[Subject, ...] = ("english", "maths")
SUBJECT_NAMES: dict[Subject, str] = {"english": "English", "maths": "maths"}

#: What an answer says: it is met (yes, achieved, a date), it is not (no, not yet), or it cannot be read.
Answer = Literal["yes", "no", "unreadable"]


@dataclass(frozen=True)
class Reading:
    """One detail's answer as the check reads it, with what it was read from."""

    answer: Answer
    #: As the provider wrote it.
    text: str
    #: For a person: ``exempt``, ``Level 1 (below Level 2)``, ``signed 2026-03-06``, ``none``.
    note: str = ""


# --- answers ----------------------------------------------------------------------------------------

_YES = re.compile(r"^(?:yes|y|true|1|x|ok|done|✓|✔|✔️|☑|✅)$")
_NO = re.compile(r"^(?:no|n|false|0|none|nil|-|–|×|✗|✘)$")
_AFFIRM = re.compile(r"\b(?:yes|achieved|passed|pass|met|held|complete|completed|confirmed|signed|received|"
                     r"submitted|obtained|gained|awarded|certificated|done)\b")
_NOT_YET = re.compile(r"\b(?:not|no|none|never|pending|outstanding|awaiting|waiting|working towards|in progress|tbc|"
                      r"to be confirmed|to follow|booked|resit|re-sit|retake|re-take|fail|failed|unsigned|due)\b")
_EXEMPT = re.compile(r"\bexempt(?:ion|ed)?\b|\bnot required\b|\bnot needed\b")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def read_yes_no(text: str) -> Reading:
    """A yes-or-no detail such as ``declaration_signed``: yes, signed, a date it was signed on; no, not yet."""
    folded = _fold(text)
    if _NO.match(folded) or _NOT_YET.search(folded):
        return Reading("no", text)
    signed_on = find_date(text)
    if _YES.match(folded) or _AFFIRM.search(folded) or signed_on is not None:
        return Reading("yes", text, f"signed {signed_on.isoformat()}" if signed_on else "")
    return Reading("unreadable", text)


def read_english_maths(text: str, level: int) -> Reading:
    """An English or maths detail: achieved or exempt; a qualification at or above ``level``; not yet."""
    folded = _fold(text)
    if _EXEMPT.search(folded):
        return Reading("yes", text, "exempt")
    if _NO.match(folded) or _NOT_YET.search(folded):
        return Reading("no", text)
    found = qualifications_in(folded)
    if found:
        best = max(found, key=lambda q: q.level)
        if best.level >= level:
            return Reading("yes", text, "achieved" if best.name.startswith("Level") else best.name)
        return Reading("no", text, f"{best.name}, below Level {level}")
    if _YES.match(folded) or _AFFIRM.search(folded) or find_date(text) is not None:
        return Reading("yes", text, "achieved")
    return Reading("unreadable", text)


_UNDECIDED = re.compile(r"^\?+$|\b(?:tbc|to be confirmed|to follow|pending|unknown|not yet|not declared|undeclared|"
                        r"awaiting|not known|not asked|to check)\b")
_NOTHING = re.compile(r"^(?:none|no|n|nil|n/?a|false|-|–|0)$|\bnone\b|\bnothing to declare\b|\bnot (?:required|needed|"
                      r"applicable)\b|\bno (?:adjustments?|special considerations?|reasonable adjustments?)\b")


def read_declared(text: str) -> Reading:
    """Reasonable adjustments or special considerations: ``none`` declares none; any account of them declares them."""
    folded = _fold(text)
    if _UNDECIDED.search(folded):
        return Reading("no", text)
    if _NOTHING.search(folded):
        return Reading("yes", text, "none")
    return Reading("yes", text, "declared")


# --- qualifications and certificates ------------------------------------------------------------------

@dataclass(frozen=True)
class Qualification:
    """A qualification named in a text, with the level it stands at (0 for Entry level)."""

    name: str
    level: int
    #: Where in the text it was found (character offset), to pair it with a subject.
    at: int


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "1": 1, "2": 2, "3": 3}
_LEVEL = re.compile(r"\b(?P<entry>entry\s+)?level\s*(?P<n>[123]|one|two|three)\b")
_GCSE = re.compile(r"\b(?:i?gcses?|international gcse|general certificate of secondary education|o[\s-]?levels?|"
                   r"gce o|ordinary level)\b")
_A_LEVEL = re.compile(r"\b(?:a[\s-]?levels?|as[\s-]?levels?|advanced (?:subsidiary )?level|gce a)\b")
_FUNCTIONAL = re.compile(r"\b(?:functional skills?|essential skills?|key skills?)\b")
_GRADE = re.compile(r"\bgrades?\s*(?:[:=–-]\s*)?(?P<g>a\*|[a-g]|[1-9])(?![\w*])")


def _grade_level(grade: str) -> int:
    """GCSE and O level grades: 9 to 4 and A* to C are Level 2; 3 to 1 and D to G Level 1."""
    if grade.isdigit():
        return 2 if int(grade) >= 4 else 1
    return 2 if grade in ("a*", "a", "b", "c") else 1


def _level_name(level: int) -> str:
    return "Entry level" if level == 0 else f"Level {level}"


def _nearest(matches: Iterable[re.Match[str]], at: int) -> re.Match[str] | None:
    return min(matches, key=lambda m: abs(m.start() - at), default=None)


def qualifications_in(folded: str) -> list[Qualification]:
    """English and maths qualifications a folded text names, with their levels, where a level can be told."""
    found: list[Qualification] = []
    for match in _A_LEVEL.finditer(folded):
        found.append(Qualification("A level", 3, match.start()))
    grades = list(_GRADE.finditer(folded))
    for match in _GCSE.finditer(folded):
        grade = _nearest((g for g in grades if abs(g.start() - match.start()) <= 160), match.start())
        if grade is not None:
            value = grade.group("g")
            found.append(Qualification(f"GCSE grade {value.upper()}", _grade_level(value), grade.start()))
    levels = list(_LEVEL.finditer(folded))
    for match in _FUNCTIONAL.finditer(folded):
        near = _nearest((m for m in levels if abs(m.start() - match.start()) <= 160), match.start())
        if near is not None:
            found.append(_level_qualification(match.group(0).title(), near))
    if not found:
        # "Level 2 Certificate in English", "Level 1": a level on its own.
        found += [_level_qualification("", m) for m in levels]
    return found


def _level_qualification(name: str, match: re.Match[str]) -> Qualification:
    level = 0 if match.group("entry") else _NUMBER_WORDS[match.group("n")]
    written = f"Entry level {_NUMBER_WORDS[match.group('n')]}" if level == 0 else _level_name(level)
    label = f"{name} {written}".strip()
    return Qualification(label, level, match.start())


@dataclass(frozen=True)
class Certificate:
    """An English or maths certificate found in the portfolio: which file, subject, qualification and level."""

    path: str
    subject: Subject
    qualification: str
    level: int


#: A certificate says so near its top, or beside the subject (results slips list many subjects). The word
#: "certificate" alone is not enough: a CV lists certificates too.
_CERTIFICATE = re.compile(
    r"\bcertif(?:y|ies|ied)\b|\bhas (?:been )?awarded\b|\bawarded to\b|\bhas (?:achieved|passed)\b|statement of "
    r"(?:provisional )?results|\bresults? slip\b|record of achievement|certificate (?:number|no\b)|candidate "
    r"(?:number|no\b)|date of award|general certificate of secondary education|functional skills qualification|"
    r"\b(?:pearson|edexcel|aqa|ocr|wjec|eduqas|city (?:&|and) guilds|ncfe|highfield|open awards|skillsfirst)\b")
_SUBJECT_WORDS: dict[Subject, re.Pattern[str]] = {
    "english": re.compile(r"\benglish(?: language| literature)?\b"),
    "maths": re.compile(r"\b(?:maths|math|mathematics|application of number)\b"),
}
#: Certificates are short; a long text naming GCSE maths is a CV or an account, not a certificate.
MAX_CERTIFICATE_CHARS = 6000
#: How far from a subject its qualification and grade are looked for, in characters.
_WINDOW = 220
_DIRECT_GRADE = re.compile(r"^\s*(?:\(9\s*[-–]\s*1\)\s*)?[:|–-]?\s*(?P<g>a\*|[a-g]|[1-9])(?![\w*])")


def certificates_in(path: str, text: str) -> list[Certificate]:
    """The English and maths qualifications a certificate's text shows, one per subject (its best)."""
    if not text or len(text) > MAX_CERTIFICATE_CHARS:
        return []
    folded = _fold(text)
    head = folded[:500]
    found: dict[Subject, Certificate] = {}
    for subject, pattern in _SUBJECT_WORDS.items():
        for mention in pattern.finditer(folded):
            start, end = max(0, mention.start() - _WINDOW), mention.end() + _WINDOW
            window = folded[start:end]
            if not (_CERTIFICATE.search(head) or _CERTIFICATE.search(window)):
                continue
            level = _level_beside(window, mention.start() - start, mention.end() - start)
            if level is None:
                continue
            name, value = level
            best = found.get(subject)
            if best is None or value > best.level:
                found[subject] = Certificate(path, subject, name, value)
    return list(found.values())


def _level_beside(window: str, at: int, end: int) -> tuple[str, int] | None:
    """The qualification nearest the subject mention ``window[at:end]``, and its level."""

    def gap(match: re.Match[str]) -> int:
        return match.start() - end if match.start() >= end else max(0, at - match.end())

    after = window[end:end + 24]
    options: list[tuple[int, str, int]] = []
    if _GCSE.search(window):
        # A results table: "Mathematics  6" or "English Language: B", with no "grade" beside it.
        direct = _DIRECT_GRADE.match(after)
        if direct is not None:
            value = direct.group("g")
            return f"GCSE grade {value.upper()}", _grade_level(value)
        options += [(gap(g), f"GCSE grade {g.group('g').upper()}", _grade_level(g.group("g")))
                    for g in _GRADE.finditer(window)]
    functional = _FUNCTIONAL.search(window)
    name = functional.group(0).title() if functional else ""
    for match in _LEVEL.finditer(window):
        found = _level_qualification(name, match)
        options.append((gap(match), found.name, found.level))
    options += [(gap(m), "A level", 3) for m in _A_LEVEL.finditer(window)]
    if not options:
        return None
    _distance, label, level = min(options)
    return label, level


def find_certificates(records: Iterable[FileRecord], skip: Iterable[str] = ()) -> list[Certificate]:
    """Every English and maths certificate among ``records`` (their extracted text), in path order."""
    left_out = set(skip)
    found: list[Certificate] = []
    for record in sorted(records, key=lambda r: r.path):
        if record.path in left_out or record.error is not None or not record.text:
            continue
        found += certificates_in(record.path, record.text)
    return found


# --- training time ----------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 Jan + 1 = 28 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months(start: date, end: date) -> tuple[int, int]:
    """Whole months from ``start`` to ``end``, and the days left over."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days
