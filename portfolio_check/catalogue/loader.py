"""Reads catalogue files (YAML or JSON) into `Standard` objects, validating every entry.

A malformed catalogue raises `CatalogueError` naming the file and the entry (``ksbs[4] (K5)``), so
a provider editing one by hand is told exactly what to fix. The schema is documented in
``ksb_catalogues/README.md``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from portfolio_check.catalogue.model import (
    CORE,
    KSB_KINDS,
    MANUAL_CHECK_SCOPES,
    REQUIREMENTS,
    AssessmentMethod,
    Catalogues,
    Declared,
    Descriptor,
    Duty,
    EnglishMaths,
    GatewayRules,
    Ksb,
    ManualCheckItem,
    Option,
    PortfolioRules,
    Requirement,
    Standard,
    Theme,
    TrainingMinimum,
)
from portfolio_check.errors import CatalogueError
from portfolio_check.resources import catalogue_dir

#: Extra catalogue folders, separated like PATH.
CATALOGUES_ENV = "PORTFOLIO_CHECK_CATALOGUES"
CATALOGUE_SUFFIXES = (".yaml", ".yml", ".json")
SCHEMA_VERSION = 1

STATUSES = ("approved", "proposal", "in development", "retired", "withdrawn")
KSB_CODE = re.compile(r"^[KSB][1-9][0-9]*$")
DUTY_CODE = re.compile(r"^D[1-9][0-9]*$")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Mapper vocabulary: each entry a short phrase, so a long sentence pasted by mistake is caught.
MAX_PHRASE_WORDS = 6
_ANY_CODE = re.compile(r"^[KSBD][1-9][0-9]*$", re.IGNORECASE)
#: A catalogue's passages of evidence live in this folder beside it, in a file of the same name.
EXAMPLES_FOLDER = "examples"
#: An evidence example is a passage of evidence: a sentence or two at least, a paragraph at most.
MIN_EXAMPLE_WORDS = 8
MAX_EXAMPLE_WORDS = 150
_CODE_IN_TEXT = re.compile(r"\b[KSBD][1-9][0-9]?\b")


class _Entry:
    """A mapping being read, with the path to it for error messages."""

    def __init__(self, data: Any, source: str, where: str, allowed: Sequence[str]) -> None:
        if not isinstance(data, Mapping):
            raise CatalogueError(source, where, f"expected a mapping of fields, found {_describe(data)}")
        unknown = sorted(str(k) for k in data if k not in allowed)
        if unknown:
            raise CatalogueError(
                source, where,
                f"unknown field '{unknown[0]}' (fields here: {', '.join(allowed)})",
            )
        self.data = data
        self.source = source
        self.where = where

    def error(self, key: str, problem: str) -> CatalogueError:
        return CatalogueError(self.source, f"{self.where}.{key}" if self.where else key, problem)

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, "missing (a text value is required)")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(key, f"expected text, found {_describe(value)}")
        text = " ".join(str(value).split())
        if required and not text:
            raise self.error(key, "is empty")
        return text or None

    def integer(self, key: str, minimum: int = 0) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected a whole number, found {_describe(value)}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, found {value}")
        return value

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise self.error(key, f"expected a number of seconds (0 or more), found {_describe(value)}")
        return float(value)

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self.error(key, f"expected true or false, found {_describe(value)}")

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, found {_describe(value)}")
        return value

    def words(self, key: str) -> tuple[str, ...]:
        """A list of short ids or codes; a single string is accepted as a list of one."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise self.error(key, f"expected a list of ids, found {_describe(value)}")
        return tuple(str(v).strip() for v in value)

    def phrases(self, key: str) -> tuple[str, ...]:
        """Mapper vocabulary: a list of short phrases, each with a letter, none a code, none twice."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error(key, f"expected a list of words or short phrases, found {_describe(value)}")
        found: list[str] = []
        seen: set[str] = set()
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            if isinstance(item, bool) or not isinstance(item, str):
                raise self.error(where, f"expected a word or short phrase, found {_describe(item)}")
            phrase = " ".join(item.split())
            if not re.search(r"[^\W\d_]", phrase):
                raise self.error(where, f"'{phrase}' has no letters")
            if len(phrase.split()) > MAX_PHRASE_WORDS:
                raise self.error(where, f"'{phrase[:40]}…' is longer than {MAX_PHRASE_WORDS} words; "
                                        "give short phrases, one idea each")
            # A code would match manifests and labels that quote codes, never the evidence itself.
            if _ANY_CODE.fullmatch(phrase):
                raise self.error(where, f"'{phrase}' is a code; give the words evidence uses instead")
            folded = phrase.casefold()
            if folded in seen:
                raise self.error(where, f"'{phrase}' appears more than once")
            seen.add(folded)
            found.append(phrase)
        return tuple(found)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    kind = {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(type(value))
    if kind is None:
        kind = "a number" if isinstance(value, (int, float)) else type(value).__name__
    shown = repr(value)
    return f"{kind} ({shown[:40]}{'…' if len(shown) > 40 else ''})" if kind != "a mapping" else kind


_TOP_FIELDS = (
    "schema", "reference", "version", "title", "level", "status", "route", "source", "notes",
    "options", "methods", "themes", "ksbs", "duties", "ksb_categories", "portfolio", "gateway",
    "manual_checks",
)
_PORTFOLIO_FIELDS = (
    "min_pieces", "max_pieces", "max_video_seconds", "min_video_height", "attribution_statement_required",
    "evidence_method", "evidence_codes", "assumptions",
)
_GATEWAY_FIELDS = ("source", "notes", "training", "english_maths", "declaration", "adjustments")
#: English and maths levels a standard may ask for (Entry level is not an apprenticeship requirement).
ENGLISH_MATHS_LEVELS = (1, 2, 3)


def parse_standard(data: Any, source: str) -> Standard:
    """Validate one catalogue document and build its `Standard`."""
    top = _Entry(data, source, "", _TOP_FIELDS)
    schema = top.integer("schema")
    if schema is not None and schema != SCHEMA_VERSION:
        raise top.error("schema", f"this tool reads schema {SCHEMA_VERSION}, the file says {schema}")
    reference = top.text("reference") or ""
    if not re.fullmatch(r"ST[0-9]{4}", reference.upper()):
        raise top.error("reference", f"expected a standard reference such as ST0792, found '{reference}'")
    reference = reference.upper()
    status = (top.text("status") or "").lower()
    if status not in STATUSES:
        raise top.error("status", f"expected one of {', '.join(STATUSES)}, found '{status}'")

    options = tuple(_parse_options(top))
    option_ids = {o.id for o in options}
    methods = tuple(_parse_methods(top))
    method_ids = {m.id for m in methods}
    themes = tuple(_parse_themes(top, option_ids, method_ids))
    ksbs = tuple(_parse_ksbs(top, option_ids, method_ids, {t.id for t in themes}))
    ksb_codes = {k.code for k in ksbs}
    for theme_index, theme in enumerate(themes):
        for descriptor in theme.pass_descriptors + theme.distinction_descriptors:
            stray = [code for code in descriptor.ksbs if code not in ksb_codes]
            if stray:
                raise CatalogueError(source, f"themes[{theme_index}] ({theme.id})",
                                     f"a descriptor names {stray[0]}, which is not among the ksbs")
    duties = tuple(_parse_duties(top, option_ids, ksb_codes))
    categories = tuple(
        _Entry({"name": c}, source, f"ksb_categories[{i}]", ("name",)).text("name") or ""
        for i, c in enumerate(top.items("ksb_categories"))
    )
    portfolio = _parse_portfolio(top, method_ids, bool(ksbs), bool(duties))
    gateway = _parse_gateway(top)
    manual_checks = tuple(_parse_manual_checks(top))
    return Standard(
        reference=reference,
        version=top.text("version") or "",
        title=top.text("title") or "",
        level=top.integer("level", minimum=1),
        status=status,
        route=top.text("route", required=False),
        source=top.text("source", required=False),
        notes=top.text("notes", required=False),
        options=options,
        methods=methods,
        themes=themes,
        ksbs=ksbs,
        duties=duties,
        ksb_categories=categories,
        portfolio=portfolio,
        gateway=gateway,
        manual_checks=manual_checks,
        origin=source,
    )


def _unique(entry: _Entry, key: str, seen: set[str], value: str, where: str) -> None:
    if value in seen:
        raise CatalogueError(entry.source, where, f"{key} '{value}' appears more than once")
    seen.add(value)


def _check_id(entry: _Entry, value: str) -> str:
    if not ID.fullmatch(value):
        raise entry.error("id", f"'{value}' is not a valid id (lower-case letters, digits and '-')")
    return value


def _parse_options(top: _Entry) -> Iterable[Option]:
    seen: set[str] = {CORE}
    for i, raw in enumerate(top.items("options")):
        entry = _Entry(raw, top.source, f"options[{i}]", ("id", "title"))
        option_id = _check_id(entry, entry.text("id") or "")
        _unique(entry, "option id", seen, option_id, entry.where)
        yield Option(id=option_id, title=entry.text("title") or "")


def _parse_methods(top: _Entry) -> Iterable[AssessmentMethod]:
    seen: set[str] = set()
    for i, raw in enumerate(top.items("methods")):
        entry = _Entry(raw, top.source, f"methods[{i}]", ("id", "title", "underpinned_by_portfolio"))
        method_id = _check_id(entry, entry.text("id") or "")
        _unique(entry, "method id", seen, method_id, entry.where)
        yield AssessmentMethod(
            id=method_id,
            title=entry.text("title") or "",
            underpinned_by_portfolio=bool(entry.flag("underpinned_by_portfolio")),
        )


def _known(entry: _Entry, key: str, values: Iterable[str], allowed: set[str], what: str) -> tuple[str, ...]:
    values = tuple(values)
    for value in values:
        if value not in allowed:
            known = ", ".join(sorted(allowed)) or "none defined"
            raise entry.error(key, f"unknown {what} '{value}' (known: {known})")
    return values


def _parse_descriptors(entry: _Entry, key: str) -> tuple[Descriptor, ...]:
    descriptors = []
    for i, raw in enumerate(entry.items(key)):
        item = _Entry(raw, entry.source, f"{entry.where}.{key}[{i}]", ("ksbs", "text"))
        codes = tuple(code.upper() for code in item.words("ksbs"))
        if not codes:
            raise item.error("ksbs", "a descriptor must name the KSBs it grades")
        descriptors.append(Descriptor(ksbs=codes, text=item.text("text") or ""))
    return tuple(descriptors)


def _parse_themes(top: _Entry, option_ids: set[str], method_ids: set[str]) -> Iterable[Theme]:
    seen: set[str] = set()
    fields = ("id", "title", "method", "options", "pass", "distinction")
    for i, raw in enumerate(top.items("themes")):
        entry = _Entry(raw, top.source, f"themes[{i}]", fields)
        theme_id = _check_id(entry, entry.text("id") or "")
        entry.where = f"themes[{i}] ({theme_id})"
        _unique(entry, "theme id", seen, theme_id, entry.where)
        method = entry.text("method", required=False)
        if method is not None:
            _known(entry, "method", [method], method_ids, "method")
        yield Theme(
            id=theme_id,
            title=entry.text("title") or "",
            method=method,
            options=_known(entry, "options", entry.words("options") or (CORE,), option_ids | {CORE}, "option"),
            pass_descriptors=_parse_descriptors(entry, "pass"),
            distinction_descriptors=_parse_descriptors(entry, "distinction"),
        )


def _parse_ksbs(top: _Entry, option_ids: set[str], method_ids: set[str], theme_ids: set[str]) -> Iterable[Ksb]:
    seen: set[str] = set()
    fields = ("code", "text", "kind", "options", "methods", "theme", "evidence_terms", "typical_evidence")
    for i, raw in enumerate(top.items("ksbs")):
        entry = _Entry(raw, top.source, f"ksbs[{i}]", fields)
        code = (entry.text("code") or "").upper()
        if not KSB_CODE.fullmatch(code):
            raise entry.error("code", f"'{code}' is not a KSB code (K, S or B followed by a number)")
        entry.where = f"ksbs[{i}] ({code})"
        _unique(entry, "KSB code", seen, code, entry.where)
        kind = KSB_KINDS[code[0]]
        declared_kind = entry.text("kind", required=False)
        if declared_kind is not None and declared_kind.lower() != kind:
            raise entry.error("kind", f"{code} is a {kind} statement by its code, the file says '{declared_kind}'")
        theme = entry.text("theme", required=False)
        if theme is not None:
            _known(entry, "theme", [theme], theme_ids, "theme")
        options = _known(entry, "options", entry.words("options") or (CORE,), option_ids | {CORE}, "option")
        if CORE in options and len(options) > 1:
            raise entry.error("options", "a KSB is either core or belongs to options, not both")
        yield Ksb(
            code=code,
            kind=kind,
            text=entry.text("text") or "",
            options=options,
            methods=_known(entry, "methods", entry.words("methods"), method_ids, "method"),
            theme=theme,
            evidence_terms=entry.phrases("evidence_terms"),
            typical_evidence=entry.phrases("typical_evidence"),
        )


def _parse_duties(top: _Entry, option_ids: set[str], ksb_codes: set[str]) -> Iterable[Duty]:
    seen: set[str] = set()
    fields = ("code", "text", "options", "ksbs", "off_the_job_days", "evidence_terms", "typical_evidence")
    for i, raw in enumerate(top.items("duties")):
        entry = _Entry(raw, top.source, f"duties[{i}]", fields)
        code = (entry.text("code") or "").upper()
        if not DUTY_CODE.fullmatch(code):
            raise entry.error("code", f"'{code}' is not a duty code (D followed by a number)")
        entry.where = f"duties[{i}] ({code})"
        _unique(entry, "duty code", seen, code, entry.where)
        yield Duty(
            code=code,
            text=entry.text("text") or "",
            options=_known(entry, "options", entry.words("options") or (CORE,), option_ids | {CORE}, "option"),
            ksbs=_known(entry, "ksbs", (c.upper() for c in entry.words("ksbs")), ksb_codes, "KSB"),
            off_the_job_days=entry.integer("off_the_job_days"),
            evidence_terms=entry.phrases("evidence_terms"),
            typical_evidence=entry.phrases("typical_evidence"),
        )


def _parse_portfolio(top: _Entry, method_ids: set[str], has_ksbs: bool, has_duties: bool) -> PortfolioRules:
    raw = top.data.get("portfolio")
    if raw is None:
        raw = {}
    entry = _Entry(raw, top.source, "portfolio", _PORTFOLIO_FIELDS)
    min_pieces = entry.integer("min_pieces", minimum=1)
    max_pieces = entry.integer("max_pieces", minimum=1)
    if min_pieces is not None and max_pieces is not None and min_pieces > max_pieces:
        raise entry.error("min_pieces", f"{min_pieces} is more than max_pieces ({max_pieces})")
    method = entry.text("evidence_method", required=False)
    if method is not None:
        _known(entry, "evidence_method", [method], method_ids, "method")
    evidence_codes = entry.text("evidence_codes", required=False) or "ksbs"
    if evidence_codes not in ("ksbs", "duties"):
        raise entry.error("evidence_codes", f"expected 'ksbs' or 'duties', found '{evidence_codes}'")
    if evidence_codes == "ksbs" and not has_ksbs and has_duties:
        raise entry.error("evidence_codes", "the standard has no KSBs: set evidence_codes to 'duties'")
    if evidence_codes == "duties" and not has_duties:
        raise entry.error("evidence_codes", "evidence is mapped to duties, but the standard lists none")
    assumptions_raw = entry.data.get("assumptions") or {}
    if not isinstance(assumptions_raw, Mapping):
        raise entry.error("assumptions", "expected a mapping of rule name to the reason it is assumed")
    assumptions = {}
    for rule, why in assumptions_raw.items():
        if rule not in _PORTFOLIO_FIELDS or rule == "assumptions":
            raise entry.error("assumptions", f"'{rule}' is not a portfolio rule")
        assumptions[str(rule)] = " ".join(str(why).split())
    return PortfolioRules(
        min_pieces=min_pieces,
        max_pieces=max_pieces,
        max_video_seconds=entry.number("max_video_seconds"),
        min_video_height=entry.integer("min_video_height", minimum=1),
        attribution_statement_required=entry.flag("attribution_statement_required"),
        evidence_method=method,
        evidence_codes=evidence_codes,  # type: ignore[arg-type]
        assumptions=assumptions,
    )


def _parse_gateway(top: _Entry) -> GatewayRules:
    """The pre-Gateway requirements; each one left out (or ``null``) is one the standard does not state."""
    raw = top.data.get("gateway")
    if raw is None:
        return GatewayRules()
    entry = _Entry(raw, top.source, "gateway", _GATEWAY_FIELDS)

    def part(key: str, fields: tuple[str, ...]) -> _Entry | None:
        value = entry.data.get(key)
        if value is None:
            return None
        return _Entry(value, entry.source, f"gateway.{key}", ("requirement", *fields))

    training = english_maths = declaration = adjustments = None
    item = part("training", ("min_months",))
    if item is not None:
        months = item.integer("min_months", minimum=1)
        if months is None:
            raise item.error("min_months", "missing (the least number of months from the start to Gateway, e.g. 12)")
        training = TrainingMinimum(months=months, requirement=_requirement(item))
    item = part("english_maths", ("level",))
    if item is not None:
        level = item.integer("level", minimum=1)
        if level not in ENGLISH_MATHS_LEVELS:
            found = "nothing" if level is None else str(level)
            raise item.error("level", f"expected the English and maths level, 1, 2 or 3 (e.g. 2 for Functional Skills "
                                      f"Level 2 or GCSE grade 4/C), found {found}")
        english_maths = EnglishMaths(level=level, requirement=_requirement(item))
    item = part("declaration", ())
    if item is not None:
        declaration = Declared(requirement=_requirement(item))
    item = part("adjustments", ())
    if item is not None:
        adjustments = Declared(requirement=_requirement(item))
    return GatewayRules(training=training, english_maths=english_maths, declaration=declaration,
                        adjustments=adjustments, source=entry.text("source", required=False),
                        notes=entry.text("notes", required=False))


def _requirement(item: _Entry) -> Requirement:
    """``typical`` or ``hard``: each requirement must say which, since it decides warning or error."""
    value = (item.text("requirement", required=False) or "").lower()
    if value not in REQUIREMENTS:
        found = f"'{value}'" if value else "nothing"
        raise item.error("requirement", f"expected 'typical' (not meeting it is a warning) or 'hard' (an error), "
                                        f"found {found}")
    return cast(Requirement, value)


def _parse_manual_checks(top: _Entry) -> Iterable[ManualCheckItem]:
    seen: set[str] = set()
    for i, raw in enumerate(top.items("manual_checks")):
        entry = _Entry(raw, top.source, f"manual_checks[{i}]", ("id", "item", "why", "per"))
        item_id = _check_id(entry, entry.text("id") or "")
        _unique(entry, "id", seen, item_id, f"manual_checks[{i}]")
        per = entry.text("per", required=False) or "portfolio"
        if per not in MANUAL_CHECK_SCOPES:
            raise entry.error("per", f"expected one of {', '.join(MANUAL_CHECK_SCOPES)}, found '{per}'")
        yield ManualCheckItem(id=item_id, item=entry.text("item") or "", why=entry.text("why") or "",
                              per=per)  # type: ignore[arg-type]


def read_document(path: Path) -> Any:
    """Parse a YAML or JSON file into plain data, wrapping parser errors with the file name."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(str(path), "", f"cannot be read ({exc})") from exc
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CatalogueError(str(path), f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from exc
    import yaml  # only catalogue and manifest reading needs it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(str(path), where, f"not valid YAML: {problem}") from exc


def load_catalogue_file(path: Path) -> Standard:
    """Load and validate one catalogue file (its examples file, if any, is only found, not read)."""
    standard = parse_standard(read_document(path), str(path))
    examples = path.parent / EXAMPLES_FOLDER / path.name
    return dataclasses.replace(standard, examples_file=str(examples)) if examples.is_file() else standard


def load_examples(standard: Standard) -> dict[str, tuple[str, ...]]:
    """The passages of evidence kept for each code of ``standard`` (none without an examples file).

    The file maps codes of the standard to lists of passages, each 8-150 words, naming no code, none
    twice. Raises `CatalogueError` naming the file and the entry of any problem."""
    if standard.examples_file is None:
        return {}
    source = standard.examples_file
    document = read_document(Path(source))
    if not isinstance(document, dict):
        raise CatalogueError(source, "", f"expected a mapping of codes to lists of passages, found {_describe(document)}")
    codes = {k.code for k in standard.ksbs} | {d.code for d in standard.duties}
    found: dict[str, tuple[str, ...]] = {}
    for key, value in document.items():
        code = str(key).upper()
        if code not in codes:
            raise CatalogueError(source, str(key), f"{standard.key} has no code '{key}'")
        found[code] = _passages(value, source, code)
    return found


def _passages(value: Any, source: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CatalogueError(source, where, f"expected a list of passages of evidence, found {_describe(value)}")
    found: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        entry = f"{where}[{i}]"
        if isinstance(item, bool) or not isinstance(item, str):
            raise CatalogueError(source, entry, f"expected a passage of evidence, found {_describe(item)}")
        passage = item.strip()
        words = passage.split()
        if not MIN_EXAMPLE_WORDS <= len(words) <= MAX_EXAMPLE_WORDS:
            raise CatalogueError(source, entry, f"'{passage[:40]}…' has {len(words)} words; give a passage of "
                                                f"{MIN_EXAMPLE_WORDS} to {MAX_EXAMPLE_WORDS}, as evidence would word it")
        code = _CODE_IN_TEXT.search(passage)
        if code:
            raise CatalogueError(source, entry, f"'{passage[:40]}…' names the code {code.group()}; an example is what "
                                                "evidence says, and evidence does not name codes")
        folded = " ".join(words).casefold()
        if folded in seen:
            raise CatalogueError(source, entry, f"'{passage[:40]}…' appears more than once")
        seen.add(folded)
        found.append(passage)
    return tuple(found)


def builtin_catalogue_dir() -> Path:
    """The catalogues installed with the package."""
    return catalogue_dir()


def catalogue_dirs(extra: Sequence[str | os.PathLike[str]] = ()) -> list[Path]:
    """Where catalogues are looked for, built-in first; later folders override earlier ones."""
    dirs = [builtin_catalogue_dir()]
    env = os.environ.get(CATALOGUES_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in extra]
    return dirs


def discover(extra_dirs: Sequence[str | os.PathLike[str]] = ()) -> Catalogues:
    """Load every catalogue from the built-in folder, the environment variable and ``extra_dirs``.

    A folder that does not exist, or a file that is malformed, is recorded in ``errors`` and the
    rest still load. A later catalogue with the same reference and version replaces an earlier one.
    """
    found: dict[tuple[str, str], Standard] = {}
    result = Catalogues()
    for folder in catalogue_dirs(extra_dirs):
        if not folder.is_dir():
            result.errors.append(CatalogueError(str(folder), "", "catalogue folder not found"))
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in CATALOGUE_SUFFIXES or not path.is_file():
                continue
            try:
                standard = load_catalogue_file(path)
            except CatalogueError as exc:
                result.errors.append(exc)
                continue
            found[(standard.reference, standard.version)] = standard
    result.standards = sorted(found.values(), key=lambda s: (s.reference, s.version_sort_key))
    return result
