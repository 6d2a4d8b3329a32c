"""Which standard and option a portfolio is for, and who it belongs to: stated, or inferred from the codes.

Flags win over ``portfolio.yaml``, which wins over the manifest's Portfolio sheet, which wins over
the folder name (batch exports name folders ``<apprentice> <ULN>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from portfolio_check.catalogue.model import CORE, Catalogues, Duty, Ksb, Standard
from portfolio_check.checks.context import Resolution
from portfolio_check.errors import PortfolioCheckError, UnknownChoiceError
from portfolio_check.findings import Finding, Severity

_FOLDER_NAME = re.compile(r"^(?P<name>.*?[^\d\s_-])[\s_-]+(?P<uln>\d{10})$")


class StandardNotDetermined(PortfolioCheckError):
    """Nothing says which standard the portfolio is for, and the codes do not tell."""


def merge_details(sources: Iterable[tuple[str, Mapping[str, str]]]) -> tuple[dict[str, str], dict[str, str]]:
    """Merge details from sources given strongest first; returns (details, where each came from)."""
    details: dict[str, str] = {}
    origin: dict[str, str] = {}
    for source, values in sources:
        for key, value in values.items():
            if value and key not in details:
                details[key] = str(value).strip()
                origin[key] = source
    return details, origin


def details_from_folder_name(name: str) -> dict[str, str]:
    """``Jane Smith 1234567890`` -> apprentice and ULN."""
    match = _FOLDER_NAME.match(name.strip())
    if not match:
        return {}
    return {"apprentice": match.group("name").strip(" _-"), "uln": match.group("uln")}


def uln_is_valid(uln: str) -> bool:
    """The Unique Learner Number check: 10 digits; the first nine weighted 10 down to 2, summed,
    mod 11 gives r; r = 0 is invalid, otherwise the tenth digit must be 10 - r."""
    if not re.fullmatch(r"\d{10}", uln):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(uln[:9], range(10, 1, -1), strict=True))
    remainder = total % 11
    return remainder != 0 and int(uln[9]) == 10 - remainder


def _option_id(standard: Standard, value: str) -> str | None:
    wanted = re.sub(r"[^a-z0-9]", "", value.lower())
    for option in standard.options:
        if wanted in (re.sub(r"[^a-z0-9]", "", option.id), re.sub(r"[^a-z0-9]", "", option.title.lower())):
            return option.id
    return None


def resolve(catalogues: Catalogues, details: Mapping[str, str], detail_sources: Mapping[str, str],
            codes_used: Iterable[str]) -> Resolution:
    """Settle the standard (version) and option. Flag values that do not exist raise
    `UnknownChoiceError`; values read from the portfolio that do not exist become findings, and a
    standard nothing determines leaves ``standard`` None with the reason in ``undetermined``."""
    codes = {c.upper() for c in codes_used}
    findings: list[Finding] = []
    inferred: list[str] = []
    standard: Standard | None = None
    reference = details.get("standard")
    if reference:
        try:
            standard = catalogues.get(reference, details.get("version"))
        except UnknownChoiceError as exc:
            if detail_sources.get("standard") == "flag" or detail_sources.get("version") == "flag":
                raise
            findings.append(Finding("standard-unknown", Severity.ERROR,
                                    f"The {detail_sources.get('standard', 'portfolio')} names standard "
                                    f"'{reference}' (version {details.get('version') or 'latest'}), which this tool has no "
                                    f"catalogue for: {exc}",
                                    fix="Correct the standard reference, or add its catalogue with --catalogues."))
    if standard is None:
        try:
            standard, strays = _infer_standard(catalogues, codes)
        except StandardNotDetermined as exc:
            return Resolution(standard=None, option=None, inferred=tuple(inferred), findings=tuple(findings),
                              undetermined=str(exc))
        if strays:
            inferred.append(f"standard {standard.reference} v{standard.version}, the catalogue that holds the codes "
                            f"the manifest uses, except {', '.join(strays)}")
        else:
            inferred.append(f"standard {standard.reference} v{standard.version}, the only catalogue that holds every "
                            f"code the manifest uses")
    option = None
    option_unknown: str | None = None
    stated = details.get("option")
    if stated:
        option = _option_id(standard, stated)
        if option is None:
            if detail_sources.get("option") == "flag":
                raise UnknownChoiceError("option", stated, [o.id for o in standard.options], standard.key)
            option_unknown = (f"The {detail_sources.get('option', 'portfolio')} gives option '{stated}', which "
                              f"{standard.key} does not have (its options: "
                              f"{', '.join(o.id for o in standard.options) or 'none'}).")
            findings.append(Finding("option-unknown", Severity.ERROR, option_unknown,
                                    fix="Correct the option in the portfolio details, or give it with --option."))
    if option is None and standard.options and option_unknown is None:
        option, option_unknown = _infer_option(standard, codes)
        if option:
            inferred.append(f"option {option}, from the option-specific codes the manifest uses")
        elif option_unknown:
            findings.append(Finding("option-unknown", Severity.ERROR, option_unknown + _unchecked(standard),
                                    fix=f"Give the option in the portfolio details (option: ...) or with --option "
                                        f"({', '.join(o.id for o in standard.options)})."))
    return Resolution(standard=standard, option=option, inferred=tuple(inferred), findings=tuple(findings),
                      option_unknown=option_unknown)


def _infer_standard(catalogues: Catalogues, codes: set[str]) -> tuple[Standard, list[str]]:
    """The standard whose codes the manifest uses, and the codes it does not hold.

    A manifest with a typo (``K99``) still belongs to its standard: the catalogue holding most of
    the codes wins when no other holds as many and it holds more than half; the strays are then
    reported by the unknown-code rule.
    """
    known = ", ".join(catalogues.references()) or "none"
    if not codes:
        raise StandardNotDetermined(
            "nothing says which standard the portfolio is for (no manifest codes, no portfolio details). "
            f"Give it with --standard (known: {known}).")
    held = {s.reference: max((v for v in catalogues.standards if v.reference == s.reference),
                             key=lambda v: (len(codes & set(v.evidence_codes())), v.version_sort_key))
            for s in catalogues.standards}
    scores = sorted(((len(codes & set(s.evidence_codes())), ref) for ref, s in held.items()), reverse=True)
    best_score, best = scores[0] if scores else (0, "")
    tied = [ref for score, ref in scores if score == best_score]
    if best_score * 2 <= len(codes):
        raise StandardNotDetermined(
            "no known standard has the codes the manifest uses "
            f"({', '.join(sorted(codes, key=_code_order))}). Give the standard with --standard (known: {known}).")
    if len(tied) > 1:
        raise StandardNotDetermined(
            f"the manifest's codes fit several standards ({', '.join(sorted(tied))}). Give it with --standard.")
    standard = held[best]
    return standard, sorted(codes - set(standard.evidence_codes()), key=_code_order)


def _code_order(code: str) -> tuple[str, int]:
    return code[0], int(code[1:]) if code[1:].isdigit() else 0


def _option_specific(standard: Standard) -> dict[str, set[str]]:
    """Each option's own codes (KSBs and duties of that option alone)."""
    specific: dict[str, set[str]] = {o.id: set() for o in standard.options}
    items: list[Ksb | Duty] = [*standard.ksbs, *standard.duties]
    for item in items:
        if CORE not in item.options and len(item.options) == 1:
            specific[item.options[0]].add(item.code)
    return specific


def _unchecked(standard: Standard) -> str:
    """What `check` leaves unchecked without an option, as a sentence to follow the reason."""
    unchecked = "; ".join(f"{option}: {', '.join(sorted(own, key=_code_order))}"
                          for option, own in _option_specific(standard).items() if own)
    what = standard.evidence_noun
    return f" Only the core {what} were checked; the option-specific {what} were not ({unchecked})." if unchecked else ""


def _infer_option(standard: Standard, codes: set[str]) -> tuple[str | None, str | None]:
    """The option the manifest's option-specific codes point to, or None and why it cannot be told."""
    seen = {option: sorted(codes & own, key=_code_order)
            for option, own in _option_specific(standard).items() if codes & own}
    if len(seen) == 1:
        return next(iter(seen)), None
    what = standard.evidence_noun
    if not seen:
        return None, (f"The portfolio does not say which option of {standard.key} the apprentice follows, and its "
                      f"pieces map only to core {what}, so it cannot be inferred.")
    mixed = "; ".join(f"{option}: {', '.join(found)}" for option, found in seen.items())
    return None, (f"The portfolio does not say which option of {standard.key} the apprentice follows, and its "
                  f"pieces map to {what} of more than one option ({mixed}).")
