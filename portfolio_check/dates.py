"""Dates as people type them in manifests, details and statements, read one way across the package.

English providers write day first (14/03/2026, 14.03.26, 14 March 2026, 14th March 2026), Excel
gives real dates, and ISO dates (2026-03-14) come from tools. American month-first dates
(12/31/2025) and two-part dates such as ``Mar-25`` (March 2025, or 25 March?) are not read: a
guess could put a piece inside or outside the programme by mistake, so the caller keeps the text
and says it could not be read. Impossible dates (2025-13-45, 31/02/2026) are never read either.
This module sits below extract and checks so both use the same reading.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime

MONTHS: dict[str, int] = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
#: Full dates, in the order they are tried; each names its day, month (number or name) and year.
DATE_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<num>\d{1,2})-(?P<day>\d{1,2})(?![0-9])"),
    re.compile(r"\b(?P<year>\d{4})\s*[/.]\s*(?P<num>\d{1,2})\s*[/.]\s*(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})\s*[/.\-]\s*(?P<num>\d{1,2})\s*[/.\-]\s*(?P<year>\d{4}|\d{2})\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}}|\d{{2}})\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.IGNORECASE),
)
#: A month of a four-digit year, the whole text: "March 2026", "Mar-2026", "03/2026".
_MONTH_YEAR = re.compile(rf"^(?:{_MONTH}|(?P<num>\d{{1,2}}))\s*[\s/.\-,]\s*(?P<year>\d{{4}})$", re.IGNORECASE)


def find_date(text: str) -> date | None:
    """The first real date written anywhere in ``text`` (day first), or None."""
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = _from_groups(match.groupdict())
            if found is not None:
                return found
    return None


def parse_date(text: str | None) -> str | None:
    """An ISO date (``2026-03-14``) from a date written in ``text``, else None.

    A month and a four-digit year alone ("March 2026") reads as the first of the month.
    """
    if not text:
        return None
    return _parse_date(str(text).strip())


@functools.lru_cache(maxsize=4096)  # a manifest repeats its dates row after row
def _parse_date(text: str) -> str | None:
    found = find_date(text)
    if found is None:
        match = _MONTH_YEAR.match(text)
        found = _from_groups({**match.groupdict(), "day": "1"}) if match else None
    return found.isoformat() if found else None


@dataclass(frozen=True)
class DateText:
    """A date as written and, when it reads as a real date, the ISO form."""

    #: As written (for a real date value from a spreadsheet, its ISO form).
    text: str
    #: ``2026-03-14``, or None when the text is not a date the tool can read.
    iso: str | None

    @property
    def readable(self) -> bool:
        return self.iso is not None


def read_date(value: object) -> DateText | None:
    """A `DateText` from a cell or YAML value (text, a date or a datetime); None when blank."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return DateText(value.date().isoformat(), value.date().isoformat())
    if isinstance(value, date):
        return DateText(value.isoformat(), value.isoformat())
    text = str(value).strip()
    if not text:
        return None
    return DateText(text, parse_date(text))


def _from_groups(groups: dict[str, str | None]) -> date | None:
    month_name = (groups.get("month") or "").lower().rstrip(".")
    month = MONTHS.get(month_name) if month_name else None
    if month is None and groups.get("num"):
        month = int(groups["num"] or 0)
    year = int(groups["year"] or 0)
    year += 2000 if year < 100 else 0
    try:
        return date(year, month or 0, int(groups["day"] or 0))
    except ValueError:
        return None
