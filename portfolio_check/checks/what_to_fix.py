"""The what-to-fix list: a portfolio's findings as numbered things to do, grouped by who acts.

Provider staff turn a report into an email to the apprentice and the employer. This builds, from an
`Assessment` and nothing else, the list they send: one item per finding, grouped by who acts
(`portfolio_check.checks.actors`), errors before warnings, each saying what is wrong, where (the
piece and the file) and how to fix it, with the standard's statement beside every KSB or duty code
so nobody needs the catalogue open. Pure: it decides nothing the rules did not; the report renders
it (the HTML report and the text output print the same items). A checklist line left unknown for
want of information (no English and maths given) is an item too, for the provider: what to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portfolio_check.catalogue.model import Standard
from portfolio_check.checks.actors import ACTORS, PROVIDER, actor_of
from portfolio_check.checks.model import Assessment
from portfolio_check.findings import Finding, Severity
from portfolio_check.mapper.text import shorten

#: A KSB or duty statement beside its code is cut to about this many characters.
STATEMENT_CHARS = 70
#: Something that may be a KSB or duty code (K12, S3, B4, D11); only codes the standard knows are expanded.
_CODE = re.compile(r"\b[A-Z]{1,2}\d{1,3}\b")
#: Quoted passages from the evidence are left as the apprentice wrote them.
_QUOTED = re.compile(r"(“[^”]*”)")


@dataclass(frozen=True)
class FixItem:
    """One thing to do: what is wrong, where, and how to put it right."""

    #: Errors must be fixed before Gateway; warnings are worth checking; None: a checklist line the tool
    #: could not decide for want of information, with what to add.
    severity: Severity | None
    #: The finding's code; for a line to decide, the rule's id.
    code: str
    what: str
    #: The piece and file it concerns (``Piece 7 (Contributor release forms); file a/b.pdf``), or None.
    where: str | None
    how: str


@dataclass(frozen=True)
class ActorGroup:
    """The items one person acts on."""

    #: ``apprentice``, ``employer`` or ``provider``.
    actor: str
    #: The group's heading (``For the apprentice``).
    title: str
    items: tuple[FixItem, ...]


@dataclass(frozen=True)
class WhatToFix:
    """The whole list, in the order it is read: groups by who acts, errors first within each."""

    groups: tuple[ActorGroup, ...]

    @property
    def items(self) -> tuple[FixItem, ...]:
        """Every item, in the list's order (numbered from 1 across the groups)."""
        return tuple(item for group in self.groups for item in group.items)

    @property
    def empty(self) -> bool:
        return not self.groups


def what_to_fix(assessment: Assessment) -> WhatToFix:
    """The ordered what-to-fix list of one assessment."""
    titles = {piece.id: piece.title for piece in assessment.pieces}
    by_actor: dict[str, list[FixItem]] = {}
    # Errors first; otherwise the checklist's order, which the findings already follow.
    findings = sorted(assessment.findings, key=lambda f: f.severity is not Severity.ERROR)
    for finding in findings:
        by_actor.setdefault(actor_of(finding), []).append(_item(finding, titles, assessment.standard))
    for outcome in assessment.outcomes:
        if outcome.to_decide:
            # The portfolio's details are the provider's to complete.
            by_actor.setdefault(PROVIDER, []).append(FixItem(
                None, outcome.rule, f"{outcome.title}: not decided yet ({outcome.figure.text}).",
                None, outcome.to_decide))
    order = list(ACTORS)
    groups = [ActorGroup(actor, ACTORS.get(actor, f"For the {actor}"), tuple(by_actor[actor]))
              for actor in sorted(by_actor, key=lambda a: order.index(a) if a in order else len(order))]
    return WhatToFix(tuple(groups))


def _item(finding: Finding, titles: dict[str, str], standard: Standard | None) -> FixItem:
    what = finding.message
    if finding.path and what.startswith(f"{finding.path}: "):
        what = what[len(finding.path) + 2:]  # the file is named under "where"
        what = what[:1].upper() + what[1:]
    places = []
    if finding.piece:
        title = titles.get(finding.piece)
        places.append(f"Piece {finding.piece}" + (f" ({title})" if title else ""))
    if finding.path:
        places.append(f"file {finding.path}" if places else finding.path)
    how = finding.fix or "See the finding's rule in the report's checklist."
    what, how = with_statements([what, how], standard)
    return FixItem(finding.severity, finding.code, what, "; ".join(places) or None, how)


def statement(standard: Standard, code: str) -> str | None:
    """The catalogue's statement of a KSB or duty code, shortened to sit beside the code; None if unknown."""
    ksb = standard.ksb(code)
    text = ksb.text if ksb is not None else next((d.text for d in standard.duties if d.code == code), None)
    if not text:
        return None
    return shorten(text.strip().rstrip("."), STATEMENT_CHARS)


def with_statements(texts: list[str], standard: Standard | None) -> list[str]:
    """``texts`` (read in order, as one item) with each KSB or duty code's statement beside its first
    mention, ``K12 (Industry regulations, codes of practice, …)``. A code the texts already give a
    statement for (``K1 (How structure ...)``) is left as it is; quoted evidence is never changed."""
    if standard is None:
        return texts
    explained = {match.group(0) for text in texts for match in re.finditer(_CODE.pattern + r"(?= \()", text)}
    done: set[str] = set()

    def expand(match: re.Match[str]) -> str:
        code = match.group(0)
        if code in done or code in explained or match.string[match.end():match.end() + 2] == " (":
            return code
        found = statement(standard, code)
        if found is None:
            return code
        done.add(code)
        return f"{code} ({found})"

    result = []
    for text in texts:
        parts = _QUOTED.split(text)
        result.append("".join(part if part.startswith("“") else _CODE.sub(expand, part) for part in parts))
    return result
