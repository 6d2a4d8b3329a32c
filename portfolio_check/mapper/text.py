"""Words and passages: tokens, stems and the passages a piece of evidence is read in.

Pure Python and standard library only, so importing the mapper costs almost nothing. The stemmer
is Porter's (1980) algorithm: evidence says "scheduled", "rescheduling" and "schedules" where a
KSB says "schedule", and a light plural-only stemmer missed most of those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that carry no meaning for matching evidence to a standard: common English function words,
#: months and days.
STOPWORDS = _word_set("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing done down during each either etc even ever
every few for from further get got had has have having he her here hers herself him himself his how
i if in into is it its itself just let like may me might more most much must my myself no nor not
now of off on once one only or other our ours ourselves out over own per please same shall she
should since so some such than that the their theirs them themselves then there these they this
those though through thus to too under until up upon us very via was we were what when where which
while who whom whose why will with within without would yes yet you your yours yourself
jan feb mar apr jun jul aug sep sept oct nov dec january february march april june july august
september october november december monday tuesday wednesday thursday friday saturday sunday
mon tue tues wed thu thur thurs fri sat sun am pm th st nd rd
""")

#: Words every piece of evidence uses whatever it evidences: job titles, the furniture of dates
#: and documents. Among a standard's statements a word like "junior" or "day" looks rare and so
#: telling; in evidence it is everywhere. Their weight in a profile is cut to `FURNITURE_WEIGHT`.
FURNITURE = _word_set("""
junior apprentice apprenticeship trainee coordinator production producer manager assistant company
ltd limited office date dated day days week weeks weekly hour hours month months year years name
page pages ref reference signed signature tel phone mobile email address
explain explains explained describe describes demonstrate demonstrates evaluate evaluates justify
justifies analyse analyses
""")
FURNITURE_WEIGHT = 0.1

#: Everyday words of workplace writing: they say little about which KSB a passage evidences, so
#: their weight in a profile is cut to `COMMON_WEIGHT` (phrases holding them keep theirs).
COMMON = _word_set("""
time times first last next back start started end ended make made making still number numbers one two
three four five six ten half light road park cover film filming series episode picture shot shots need
needed needs check checked checking note notes set ask asked work worked working team use used using
keep kept send sent everyone everything anyone something thing things way part good great new well
get got give gave take took told tell said say help helped put went go going come came look looked find
found know knew think thought want wanted see saw sure right lot lots little much many thank thanks
please hope really always never often today tomorrow yesterday morning afternoon evening night ok
also able already later early late long short full different same another whole main general
people person meet met meeting line list lists form forms details detail information info item items
issue issues
""")
COMMON_WEIGHT = 0.35

#: Hyphenated words whose first part is a prefix are one word ("co-ordinate" is "coordinate"), and so
#: are those with a function word in them ("get-in", "sign-off", "follow-up": one idea, which split
#: would lose its function word and read as "get", "sign", "follow"); other hyphens separate words,
#: so "post-production" matches "post production".
_JOINED_PREFIXES = frozenset({"co", "re", "pre", "e", "non", "sub", "un", "de", "multi", "cross"})

# \w rather than [^\W_]: the negated Unicode class takes 9 ms to compile; underscores are made spaces first.
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_TABLE_RULE = re.compile(r"^[\s|:+-]*$")

_STEMS: dict[str, str] = {}
#: The stem cache holds every distinct word seen; a bound keeps a long batch run's memory flat.
_STEM_CACHE_LIMIT = 200_000


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, possessives dropped, hyphenated words split or joined."""
    found: list[str] = []
    for word in _WORD.findall(text.lower().replace("_", " ")):
        if "'" in word or "’" in word:
            word = word.replace("’", "'")
            if word.endswith("'s"):
                word = word[:-2]
            word = word.replace("'", "")
        if "-" in word:
            parts = [p for p in word.split("-") if p]
            if parts and (parts[0] in _JOINED_PREFIXES or any(p in STOPWORDS for p in parts)):
                found.append("".join(parts))
            else:
                found.extend(parts)
        elif word:
            found.append(word)
    return found


def content_stems(text: str, roots: frozenset[str] | None = None) -> list[str]:
    """The stems of the words of ``text`` that carry meaning: no stopwords, no bare numbers.

    With ``roots`` (see `stem_roots`), a word that cannot stem to any stem an index knows is kept
    as it is: stemming is most of the cost of reading a piece, and most of its words match nothing.
    """
    stems = []
    for word in words(text):
        if word in STOPWORDS or len(word) < 2 or word.isdigit():
            continue
        if roots is None or _may_match(word, roots):
            stems.append(stem(word))
        else:
            stems.append(word)
    return stems


def stem_roots(stems: set[str]) -> frozenset[str]:
    """Each stem less its last letter. Porter's stemmer (with the spellings made one) only rewrites
    a word's ending, never before its stem's last letter: "happy" -> "happi", "hoping" -> "hope",
    "possibility" -> "possibl". So a word can stem to a known stem only if it starts with one of these.
    """
    return frozenset(s[:-1] for s in stems if len(s) > 1)


def _may_match(word: str, roots: frozenset[str]) -> bool:
    return any(word[:k] in roots for k in range(1, len(word) + 1))


_ISE = re.compile(r"(?<=.{3})is(e|ed|es|ing|ation|ations|er|ers)$")
#: British and American spellings of words common in evidence, spelt one way before stemming.
_SPELLINGS = (("licenc", "licens"), ("practis", "practic"), ("programme", "program"), ("catalogu", "catalog"))


def _one_spelling(word: str) -> str:
    # Both sides (catalogue vocabulary and evidence) pass through here, so any consistent choice works.
    for british, american in _SPELLINGS:
        if word.startswith(british):
            word = american + word[len(british):]
            break
    return _ISE.sub(r"iz\1", word)


def stem(word: str) -> str:
    """Porter's stem of a lower-case word (British and American spellings alike), cached."""
    found = _STEMS.get(word)
    if found is None:
        found = _porter(_one_spelling(word)) if len(word) > 2 and word.isalpha() else word
        if len(_STEMS) >= _STEM_CACHE_LIMIT:
            _STEMS.clear()
        _STEMS[word] = found
    return found


class Passage(NamedTuple):
    """A sentence, a table row or a line of a piece, with its stems."""

    text: str
    stems: tuple[str, ...]


def passages(text: str, roots: frozenset[str] | None = None) -> list[Passage]:
    """Split a piece's text into sentences and lines (table rows count as lines).

    Lines without words that carry meaning, and table rules (``|---|``), are left out.
    ``roots`` is passed to `content_stems`.
    """
    found: list[Passage] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or _TABLE_RULE.match(stripped):
            continue
        for sentence in _SENTENCE_END.split(stripped):
            stems = content_stems(sentence, roots)
            if stems:
                found.append(Passage(" ".join(sentence.replace("|", " | ").split()).strip(" |"), tuple(stems)))
    return found


def shorten(text: str, limit: int = 240) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—|") + "…"


def ngrams(stems: tuple[str, ...] | list[str], size: int) -> Iterator[tuple[str, ...]]:
    """Consecutive runs of ``size`` stems."""
    for i in range(len(stems) - size + 1):
        yield tuple(stems[i:i + size])


# --- Porter's stemmer ---------------------------------------------------------------------------
# Conditions are read from a pattern of the word's letters, "c" for a consonant and "v" for a
# vowel, built once per word: Porter's m (the number of vowel-consonant sequences) of a prefix is
# then the count of "vc" in the pattern's prefix.

def _pattern(word: str) -> str:
    letters: list[str] = []
    previous = "c"
    for ch in word:
        if ch in "aeiou":
            kind = "v"
        elif ch == "y":
            kind = "v" if previous == "c" and letters else "c"
        else:
            kind = "c"
        letters.append(kind)
        previous = kind
    return "".join(letters)


def _measure(pattern: str) -> int:
    return pattern.count("vc")


def _cvc(word: str, pattern: str) -> bool:
    # Ends consonant-vowel-consonant, the last not w, x or y (so "hop" -> "hope", not "tax").
    return pattern.endswith("cvc") and word[-1] not in "wxy"


_STEP2 = (("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
          ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
          ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
          ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
          ("logi", "log"))
_STEP3 = (("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""),
          ("ness", ""))
_STEP4 = ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
          "ism", "ate", "iti", "ous", "ive", "ize")


def _by_length(rules: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(rules, key=lambda rule: -len(rule[0])))


_STEP2_SORTED = _by_length(_STEP2)
_STEP3_SORTED = _by_length(_STEP3)
_STEP4_SORTED = tuple(sorted(_STEP4, key=len, reverse=True))
# Each step's suffixes all end in one of these letters: a word ending otherwise skips the step.
_STEP2_LAST = frozenset(suffix[-1] for suffix, _ in _STEP2)
_STEP3_LAST = frozenset(suffix[-1] for suffix, _ in _STEP3)
_STEP4_LAST = frozenset(suffix[-1] for suffix in _STEP4)


def _replace(word: str, rules: tuple[tuple[str, str], ...], minimum: int) -> str:
    # Porter: the longest matching suffix decides; if its condition fails no shorter one is tried.
    for suffix, replacement in rules:
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            return base + replacement if _measure(_pattern(base)) > minimum else word
    return word


def _porter(word: str) -> str:
    # Step 1a: plurals.
    if word.endswith("s"):
        if word.endswith("sses") or word.endswith("ies"):
            word = word[:-2]
        elif not word.endswith("ss"):
            word = word[:-1]
    # Step 1b: -eed, -ed, -ing.
    if word.endswith("eed"):
        if _measure(_pattern(word[:-3])) > 0:
            word = word[:-1]
    elif word.endswith("ed") or word.endswith("ing"):
        base = word[:-2] if word.endswith("ed") else word[:-3]
        if "v" in _pattern(base):
            word = base
            if word.endswith(("at", "bl", "iz")):
                word += "e"
            elif len(word) >= 2 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
                word = word[:-1]
            else:
                pattern = _pattern(word)
                if _measure(pattern) == 1 and _cvc(word, pattern):
                    word += "e"
    # Step 1c: y to i.
    if word.endswith("y") and "v" in _pattern(word[:-1]):
        word = word[:-1] + "i"
    if word[-1:] in _STEP2_LAST:
        word = _replace(word, _STEP2_SORTED, 0)
    if word[-1:] in _STEP3_LAST:
        word = _replace(word, _STEP3_SORTED, 0)
    # Step 4: drop a suffix when what remains is long enough (m > 1); -ion only after s or t.
    if word[-1:] in _STEP4_LAST:
        for suffix in _STEP4_SORTED:
            if word.endswith(suffix):
                base = word[: -len(suffix)]
                if _measure(_pattern(base)) > 1 and (suffix != "ion" or base.endswith(("s", "t"))):
                    word = base
                break
    # Step 5: a final e, and a double l.
    if word.endswith("e"):
        base = word[:-1]
        pattern = _pattern(base)
        m = _measure(pattern)
        if m > 1 or (m == 1 and not _cvc(base, pattern)):
            word = base
    if word.endswith("ll") and _measure(_pattern(word)) > 1:
        word = word[:-1]
    return word
