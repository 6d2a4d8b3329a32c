"""Converts the Institute for Apprenticeships and Technical Education's standards data into catalogues.

The ``apprenticeshipstandards`` data is a JSON array of standard versions (or one standard object).
It carries KSB statements, options and duties, but no K1/S1/B1 labels, no assessment methods and no
portfolio rules:

- labels are the 1-based position in each list (``knowledges[0]`` is K1), the convention the
  Department for Education's own services use;
- a KSB is core when a core duty maps it, and belongs to an option when a duty mapped to it lists
  that option; a KSB no duty maps is taken as core, and the catalogue's notes say so;
- methods and portfolio rules come from a rules file (``--rules``) or stay unknown, so the checks
  say which rule is unknown instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portfolio_check.catalogue.loader import parse_standard
from portfolio_check.catalogue.model import CORE
from portfolio_check.errors import CatalogueError

_STATUS_WORDS = (
    ("approved", "approved"),
    ("proposal", "proposal"),
    ("development", "in development"),
    ("retired", "retired"),
    ("withdrawn", "withdrawn"),
)
_KSB_LISTS = (("knowledges", "knowledgeId", "K"), ("skills", "skillId", "S"), ("behaviours", "behaviourId", "B"))


@dataclass
class ImportedCatalogue:
    """One converted standard version: the catalogue document and what the user should know about it."""

    reference: str
    version: str
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"{self.reference}-v{self.version}.yaml"


def convert(data: Any, source: str, reference: str | None = None, version: str | None = None,
            rules: Mapping[str, Any] | None = None, rules_source: str = "") -> list[ImportedCatalogue]:
    """Convert standards data (a list or one object) into validated catalogue documents.

    ``reference`` and ``version`` keep only the matching standard versions. Rules belong to one
    assessment plan, so with ``rules`` the selection must be a single version. Raises
    `CatalogueError` naming the entry and the missing field when a standard lacks what a catalogue needs.
    """
    entries = data if isinstance(data, list) else [data]
    if not entries or not all(isinstance(e, Mapping) for e in entries):
        raise CatalogueError(source, "", "expected a standard object or a JSON array of standard objects")
    selected = []
    for index, entry in enumerate(entries):
        ref = str(entry.get("referenceNumber") or "").strip().upper()
        if reference and ref != reference.strip().upper():
            continue
        if version and _version_text(entry.get("version", "")) != version.strip().lstrip("vV"):
            continue
        where = f"[{index}] ({ref or 'no reference'})" if isinstance(data, list) else f"({ref or 'no reference'})"
        selected.append((entry, where))
    if not selected:
        wanted = " ".join(part for part in ((reference or "").upper(), f"v{version}" if version else "") if part)
        found = sorted({f"{e.get('referenceNumber')} v{_version_text(e.get('version', '?'))}" for e in entries})
        what = f"no standard {wanted} in the file" if wanted else "no standards in the file"
        raise CatalogueError(source, "", f"{what} (it holds: {', '.join(found) or 'none'})")
    if rules is not None and len(selected) > 1:
        names = ", ".join(f"{e.get('referenceNumber')} v{_version_text(e.get('version', '?'))}" for e, _ in selected)
        raise CatalogueError(rules_source or "rules file", "",
                             f"rules belong to one standard version, but {len(selected)} were selected ({names}); "
                             "choose one with --reference and --version")
    return [_convert_one(entry, source, where, rules, rules_source) for entry, where in selected]


def _require(entry: Mapping[str, Any], key: str, source: str, where: str) -> Any:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CatalogueError(source, where, f"missing field '{key}', which a catalogue needs")
    return value


def _version_text(value: Any) -> str:
    # Older exports carry the version as a number (1 or 1.2); newer ones as text ("1.2").
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}.0"
    return str(value).strip().lstrip("vV")


def _status(value: Any) -> str:
    text = str(value or "").lower()
    for word, status in _STATUS_WORDS:
        if word in text:
            return status
    return "approved" if "delivery" in text else "in development"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "option"


def _convert_one(entry: Mapping[str, Any], source: str, where: str,
                 rules: Mapping[str, Any] | None, rules_source: str) -> ImportedCatalogue:
    reference = str(_require(entry, "referenceNumber", source, where)).strip().upper()
    version = _version_text(_require(entry, "version", source, where))
    title = str(_require(entry, "title", source, where)).strip()
    level_raw = _require(entry, "level", source, where)
    try:
        level = int(str(level_raw).strip())
    except ValueError:
        raise CatalogueError(source, where, f"field 'level' is not a number: {level_raw!r}") from None
    warnings: list[str] = []

    # KSB statements, labelled by position.
    code_by_id: dict[str, str] = {}
    ksbs: list[dict[str, Any]] = []
    for list_key, id_key, prefix in _KSB_LISTS:
        items = entry.get(list_key) or []
        if not isinstance(items, list):
            raise CatalogueError(source, where, f"field '{list_key}' must be a list")
        for position, item in enumerate(items, start=1):
            item_where = f"{where} {list_key}[{position - 1}]"
            if not isinstance(item, Mapping):
                raise CatalogueError(source, item_where, "expected an object with 'detail'")
            detail = _require(item, "detail", source, item_where)
            code = f"{prefix}{position}"
            if item.get(id_key) is not None:
                code_by_id[str(item[id_key])] = code
            ksbs.append({"code": code, "text": " ".join(str(detail).split())})
    if not ksbs and not entry.get("duties"):
        raise CatalogueError(source, where, "missing field 'knowledges' (no KSBs and no duties to map evidence to)")

    option_by_id: dict[str, str] = {}
    options: list[dict[str, str]] = []
    for index, item in enumerate(entry.get("options") or []):
        item_where = f"{where} options[{index}]"
        if not isinstance(item, Mapping):
            raise CatalogueError(source, item_where, "expected an object with 'optionId' and 'title'")
        option_title = str(_require(item, "title", source, item_where)).strip()
        option_id = _slug(option_title)
        while option_id in option_by_id.values() or option_id == CORE:
            option_id += "-2"
        option_by_id[str(item.get("optionId", option_title))] = option_id
        options.append({"id": option_id, "title": option_title})

    duties: list[dict[str, Any]] = []
    ksb_scopes: dict[str, set[str]] = {}
    for position, item in enumerate(entry.get("duties") or [], start=1):
        item_where = f"{where} duties[{position - 1}]"
        if not isinstance(item, Mapping):
            raise CatalogueError(source, item_where, "expected an object with 'dutyDetail'")
        detail = _require(item, "dutyDetail", source, item_where)
        is_core = _truthy(item.get("isThisACoreDuty"))
        duty_options = []
        for option_ref in item.get("mappedOptions") or []:
            mapped_option = option_by_id.get(str(option_ref))
            if mapped_option is None:
                warnings.append(f"duty D{position} lists option '{option_ref}', which the standard does not define; ignored")
            else:
                duty_options.append(mapped_option)
        scope = [CORE] if is_core or not duty_options else duty_options
        mapped_codes = []
        for mapped_key in ("mappedKnowledge", "mappedSkills", "mappedBehaviour"):
            for ksb_ref in item.get(mapped_key) or []:
                mapped_code = code_by_id.get(str(ksb_ref))
                if mapped_code is None:
                    warnings.append(f"duty D{position} maps '{ksb_ref}' in {mapped_key}, which is not a KSB of the "
                                    "standard; ignored")
                    continue
                mapped_codes.append(mapped_code)
                ksb_scopes.setdefault(mapped_code, set()).update(scope)
        duties.append({"code": f"D{position}", "text": " ".join(str(detail).split()),
                       "options": scope, "ksbs": mapped_codes})

    unmapped = []
    for ksb in ksbs:
        ksb_scope = ksb_scopes.get(ksb["code"])
        if not ksb_scope:
            unmapped.append(ksb["code"])
            ksb["options"] = [CORE]
        elif CORE in ksb_scope:
            ksb["options"] = [CORE]
        else:
            ksb["options"] = [o["id"] for o in options if o["id"] in ksb_scope]
    if unmapped and duties:
        warnings.append(f"no duty maps {', '.join(unmapped)}; taken as core")

    notes = ("Imported from the Institute for Apprenticeships and Technical Education standards data. "
             "KSB codes are positions in its lists (K1 is the first knowledge statement).")
    document: dict[str, Any] = {
        "schema": 1,
        "reference": reference,
        "version": version,
        "title": title,
        "level": level,
        "status": _status(entry.get("status")),
        "route": (str(entry["route"]).strip() or None) if entry.get("route") else None,
        "source": str(entry.get("assessmentPlanUrl") or "").strip()
        or "Institute for Apprenticeships and Technical Education standards data",
        "notes": notes,
        "options": options,
        "methods": [],
        "ksbs": ksbs,
        "duties": duties,
        "portfolio": {"evidence_codes": "ksbs" if ksbs else "duties"},
    }
    if rules:
        _apply_rules(document, rules, rules_source or "rules file")
    else:
        document["notes"] += (" The data carries no assessment methods and no portfolio rules: add them"
                              " (or import again with --rules) before checking portfolios, or the checks"
                              " will report those rules as unknown.")
        warnings.append("no portfolio rules given (--rules): piece range, video limit, attribution statement and "
                        "evidence method are unknown until you add them")
    if document["route"] is None:
        del document["route"]
    parse_standard(document, f"{source} {where}".strip())  # the result must be a valid catalogue
    return ImportedCatalogue(reference=reference, version=version, document=document, warnings=warnings)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y")
    return bool(value)


def _apply_rules(document: dict[str, Any], rules: Mapping[str, Any], source: str) -> None:
    """Add methods (with the KSBs each assesses), portfolio rules and pre-Gateway requirements from a rules file."""
    unknown = sorted(set(rules) - {"methods", "portfolio", "gateway"})
    if unknown:
        raise CatalogueError(source, "", f"unknown field '{unknown[0]}' (fields here: methods, portfolio, gateway)")
    codes = {k["code"]: k for k in document["ksbs"]}
    methods = []
    for index, raw in enumerate(rules.get("methods") or []):
        if not isinstance(raw, Mapping):
            raise CatalogueError(source, f"methods[{index}]", "expected a mapping with id and title")
        method = {k: v for k, v in raw.items() if k != "ksbs"}
        methods.append(method)
        assessed = raw.get("ksbs") or []
        if isinstance(assessed, str):
            assessed = re.split(r"[,;\s]+", assessed)
        for code in assessed:
            ksb = codes.get(str(code).strip().upper())
            if ksb is None:
                raise CatalogueError(source, f"methods[{index}].ksbs", f"'{code}' is not a KSB of {document['reference']}")
            ksb.setdefault("methods", []).append(method.get("id"))
    document["methods"] = methods
    portfolio = dict(rules.get("portfolio") or {})
    portfolio.setdefault("evidence_codes", document["portfolio"]["evidence_codes"])
    document["portfolio"] = portfolio
    if rules.get("gateway") is not None:
        # Checked with the rest of the document by `parse_standard`.
        document["gateway"] = rules["gateway"]
    document["notes"] += f" Assessment methods and portfolio rules were added from {source}."
