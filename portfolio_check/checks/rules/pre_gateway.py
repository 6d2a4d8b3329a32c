"""What the apprentice needs before Gateway besides the portfolio: training time, English and maths,
a signed Gateway declaration, and reasonable adjustments or special considerations declared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio_check.catalogue.model import GatewayRules, Requirement, Standard
from portfolio_check.checks import pre_gateway as facts
from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.checks.rules.details import to_date
from portfolio_check.findings import Finding, Severity

#: Each requirement's finding code when a hard minimum is not met (an error); ``-typical`` is its warning.
TRAINING, ENGLISH_MATHS, DECLARATION, ADJUSTMENTS = (
    "training-short", "english-maths-not-met", "gateway-declaration-unsigned", "adjustments-undeclared")


def code_for(code: str, requirement: Requirement) -> str:
    """``training-short`` for a hard minimum, ``training-short-typical`` for a typical one."""
    return code if requirement == "hard" else f"{code}-typical"


def severity_for(requirement: Requirement) -> Severity:
    return Severity.ERROR if requirement == "hard" else Severity.WARNING


@dataclass(frozen=True)
class Part:
    """One requirement as this portfolio meets it: met, not met (a finding) or not known (what to add)."""

    #: For the figure: ``19 months of training (typically at least 12)``.
    text: str
    met: bool = False
    #: What to add to the details so the requirement can be decided (``'maths: achieved'``), when not known.
    add: str | None = None
    finding: Finding | None = None
    #: Nothing in the details or the portfolio says anything about it.
    absent: bool = False


class PreGatewayRule(Rule):
    """The apprentice has what the standard asks for before Gateway besides the portfolio.

    Standards set requirements an apprentice must meet before Gateway (ST0792's Pre-Gateway checks:
    typically at least 12 months of training, Level 2 English and maths achieved, a signed Gateway
    declaration, and any reasonable adjustments and special considerations declared). They come from
    the catalogue's ``gateway`` section, each marked *typical* (not meeting it is a warning) or *hard*
    (an error). The answers come from the portfolio details (``portfolio.yaml``, the manifest's Portfolio
    sheet): the start and Gateway dates, ``english`` and ``maths`` (or ``english_maths``),
    ``declaration_signed`` and ``reasonable_adjustments``. An English or maths certificate in the portfolio
    (Functional Skills, GCSE grade 4/C or above...) is recognised by what it says and counts too. A
    requirement nothing answers is not passed: the line is unknown and says which detail to add.

    To fix a failure: plan Gateway once the training time is met; achieve English and maths at the
    level required (or record an exemption); sign the Gateway declaration; declare any reasonable
    adjustments (``reasonable_adjustments: none`` when there are none). To fix an unknown line: add the
    details it names to ``portfolio.yaml``.
    """

    id = "pre-gateway"
    title = "Pre-Gateway requirements"
    codes = {**{code: Severity.ERROR for code in (TRAINING, ENGLISH_MATHS, DECLARATION, ADJUSTMENTS)},
             **{f"{code}-typical": Severity.WARNING for code in (TRAINING, ENGLISH_MATHS, DECLARATION, ADJUSTMENTS)}}

    def check(self, ctx: Context) -> Result:
        standard = ctx.standard
        if standard is None:
            return Result(Figure("standard not known"), clean=Status.UNKNOWN)
        rules = standard.gateway
        if rules.empty:
            why = f". {rules.notes}" if rules.notes else ""
            return Result(Figure(f"none set in the {standard.reference} catalogue{why}"), clean=Status.UNKNOWN)
        parts = _parts(ctx, standard, rules)
        findings = [p.finding for p in parts if p.finding is not None]
        text = "; ".join(p.text for p in parts)
        adds = [p.add for p in parts if p.add]
        to_decide = None
        if adds:
            to_decide = f"Add to {_details_place(ctx)}: {'; '.join(adds)}."
        months, low = _training_measure(ctx, rules)
        figure = Figure(text, value=months, low=low, unit="months of training" if low is not None else "")
        clean = Status.PASS if all(p.met for p in parts) else Status.UNKNOWN
        return Result(figure, findings, clean, to_decide)


def _parts(ctx: Context, standard: Standard, rules: GatewayRules) -> list[Part]:
    parts: list[Part] = []
    if rules.training is not None:
        parts.append(_training(ctx, standard, rules.training.months, rules.training.requirement))
    if rules.english_maths is not None:
        parts += _english_maths(ctx, standard, rules.english_maths.level, rules.english_maths.requirement)
    if rules.declaration is not None:
        parts.append(_declaration(ctx, standard, rules.declaration.requirement))
    if rules.adjustments is not None:
        parts.append(_adjustments(ctx, standard, rules.adjustments.requirement))
    return parts


# --- where the answers come from --------------------------------------------------------------------

def _details_place(ctx: Context) -> str:
    """Where a provider adds a detail: the details file they have, else the one the tool reads first."""
    portfolio = ctx.portfolio
    if portfolio.details_path:
        return portfolio.details_path
    if portfolio.manifest is not None and portfolio.manifest.details:
        where = "Portfolio sheet" if portfolio.manifest.sheet else "portfolio details"
        return f"the manifest's {where} (or portfolio.yaml)"
    return "portfolio.yaml in the portfolio's top folder"


def _source(ctx: Context, key: str) -> tuple[str, str | None]:
    """Where a detail was read, for a message, and the file to point a finding at."""
    source = ctx.portfolio.detail_sources.get(key, "portfolio details")
    if source == "portfolio.yaml":
        return ctx.portfolio.details_path or "portfolio.yaml", ctx.portfolio.details_path
    if source == "manifest":
        return "the manifest's details", ctx.portfolio.manifest_path
    if source == "flag":
        return "the command line", None
    return f"the {source}", None


def _quoted(ctx: Context, key: str) -> str:
    where, _path = _source(ctx, key)
    return f"'{key}: {ctx.portfolio.details[key]}' (in {where})"


def _finding(ctx: Context, code: str, requirement: Requirement, message: str, fix: str, key: str | None) -> Finding:
    path = _source(ctx, key)[1] if key else None
    return Finding(code_for(code, requirement), severity_for(requirement), message, path=path, fix=fix)


# --- training time ----------------------------------------------------------------------------------

def _programme(ctx: Context) -> tuple[date | None, date | None, bool]:
    """The start and Gateway dates, and whether a date was given but cannot be used (the details line says why)."""
    details = ctx.portfolio.details
    start, end = to_date(details.get("start_date")), to_date(details.get("gateway_date"))
    unusable = (bool(details.get("start_date")) and start is None) or (bool(details.get("gateway_date")) and end is None)
    if start is not None and end is not None and end < start:
        return None, None, True
    return start, end, unusable


def _training_measure(ctx: Context, rules: GatewayRules) -> tuple[float | None, float | None]:
    if rules.training is None:
        return None, None
    start, end, _unusable = _programme(ctx)
    months = facts.whole_months(start, end)[0] if start is not None and end is not None else None
    return (float(months) if months is not None else None), float(rules.training.months)


def _duration(months: int, days: int) -> str:
    text = f"{months} month{'s' if months != 1 else ''}"
    return text + (f" {days} day{'s' if days != 1 else ''}" if days else "")


def _training(ctx: Context, standard: Standard, minimum: int, requirement: Requirement) -> Part:
    bound = f"{'typically ' if requirement == 'typical' else ''}at least {minimum}"
    start, end, unusable = _programme(ctx)
    if unusable:
        return Part(f"training time not known (the start or Gateway date cannot be used: see the apprentice "
                    f"details line; {bound} months needed)")
    if start is None or end is None:
        # The apprentice details line asks for the dates already (and says they decide the length of
        # training too): asking again here would put the same thing twice on the what-to-fix list.
        return Part(f"training time not known (no start or Gateway date: see the apprentice details line; "
                    f"{bound} months needed)")
    months, days = facts.whole_months(start, end)
    earliest = facts.add_months(start, minimum)
    text = f"{_duration(months, days)} of training ({bound})"
    if end >= earliest:
        return Part(text, met=True)
    period = f"from the start on {start.isoformat()} to the Gateway date {end.isoformat()}"
    if requirement == "typical":
        message = (f"The apprentice will have trained for {_duration(months, days)} {period}; {standard.reference} "
                   f"apprentices typically train for at least {minimum} months before Gateway.")
        fix = (f"Check the start and Gateway dates. If they are right, the employer and the provider should be sure "
               f"the apprentice is ready after a shorter training and be ready to say why to the EPAO; otherwise plan "
               f"Gateway for {earliest.isoformat()} or later.")
    else:
        message = (f"The apprentice will have trained for {_duration(months, days)} {period}; {standard.reference} "
                   f"requires at least {minimum} months of training before Gateway.")
        fix = f"Plan Gateway for {earliest.isoformat()} or later, or correct the start or Gateway date if one is wrong."
    return Part(text, finding=_finding(ctx, TRAINING, requirement, message, fix, "gateway_date"))


# --- English and maths ------------------------------------------------------------------------------

_QUALIFYING = {1: "Functional Skills Level 1 or GCSE grade 3/D", 2: "Functional Skills Level 2 or GCSE grade 4/C",
               3: "an A level"}


def _english_maths(ctx: Context, standard: Standard, level: int, requirement: Requirement) -> list[Part]:
    certificates = ctx.certificates
    states: dict[str, Part] = {}
    for subject in facts.SUBJECTS:
        states[subject] = _subject(ctx, standard, subject, level, requirement,
                                   [c for c in certificates if c.subject == subject])
    english, maths = states["english"], states["maths"]
    if english.absent and maths.absent:
        # Nothing says anything of either: one line says so, and one hint names both keys.
        return [Part(f"Level {level} English and maths not known",
                     add="'english: achieved' and 'maths: achieved' (or 'exempt'), or put the certificates in the "
                         "portfolio")]
    return [english, maths]


def _subject(ctx: Context, standard: Standard, subject: facts.Subject, level: int, requirement: Requirement,
             certificates: list[facts.Certificate]) -> Part:
    name = facts.SUBJECT_NAMES[subject]
    label = f"Level {level} {name}"
    enough = [c for c in certificates if c.level >= level]
    if enough:
        best = enough[0]
        return Part(f"{label}: {best.qualification} certificate ({best.path})", met=True)
    details = ctx.portfolio.details
    key = subject if details.get(subject) else "english_maths" if details.get("english_maths") else None
    below = f"; {certificates[0].path} shows {certificates[0].qualification} only" if certificates else ""
    if key is None:
        return Part(f"{label} not known{below}", add=f"'{subject}: achieved' (or 'exempt')", absent=not certificates)
    reading = facts.read_english_maths(details[key], level)
    if reading.answer == "yes":
        return Part(f"{label}: {reading.note or 'achieved'} ({_source(ctx, key)[0]})", met=True)
    if reading.answer == "unreadable":
        return Part(f"{label} not known ({_quoted(ctx, key)} cannot be read){below}",
                    add=f"'{subject}: achieved' (or 'exempt', or the qualification, e.g. 'GCSE grade 5')")
    said = f"{_quoted(ctx, key)}" + (f": {reading.note}" if reading.note else "")
    typically = f"; {standard.reference} apprentices typically have it before Gateway" if requirement == "typical" \
        else f"; {standard.reference} requires it before Gateway"
    message = f"{label} is not achieved: the details say {said}{below}{typically}."
    fix = (f"The apprentice needs {name} at Level {level} ({_QUALIFYING.get(level, f'Level {level}')} or above) "
           f"before Gateway. When it is achieved, put the certificate in the portfolio or write '{subject}: "
           f"achieved'; if the apprentice is exempt, write '{subject}: exempt'.")
    return Part(f"{label} not achieved", finding=_finding(ctx, ENGLISH_MATHS, requirement, message, fix, key))


# --- declaration and adjustments --------------------------------------------------------------------

def _declaration(ctx: Context, standard: Standard, requirement: Requirement) -> Part:
    key = "declaration_signed"
    value = ctx.portfolio.details.get(key)
    add = "'declaration_signed: yes' (or the date it was signed, e.g. '2026-03-06')"
    if not value:
        return Part("Gateway declaration not known", add=add)
    reading = facts.read_yes_no(value)
    if reading.answer == "yes":
        return Part(f"Gateway declaration {reading.note or 'signed'}", met=True)
    if reading.answer == "unreadable":
        return Part(f"Gateway declaration not known ({_quoted(ctx, key)} cannot be read)", add=add)
    rule = "typically needs" if requirement == "typical" else "needs"
    message = (f"The Gateway declaration is not signed: the details say {_quoted(ctx, key)}; {standard.reference} "
               f"{rule} a signed declaration before Gateway.")
    fix = ("The employer, the provider and the apprentice sign the Gateway declaration before Gateway; then write "
           "'declaration_signed: yes' (or the date it was signed).")
    return Part("Gateway declaration not signed", finding=_finding(ctx, DECLARATION, requirement, message, fix, key))


def _adjustments(ctx: Context, standard: Standard, requirement: Requirement) -> Part:
    details = ctx.portfolio.details
    given = [key for key in ("reasonable_adjustments", "special_considerations") if details.get(key)]
    add = "'reasonable_adjustments: none' (or what the apprentice needs, e.g. 'extra time')"
    if not given:
        return Part("reasonable adjustments not known", add=add)
    readings = {key: facts.read_declared(details[key]) for key in given}
    undecided = [key for key, reading in readings.items() if reading.answer != "yes"]
    if not undecided:
        notes = {r.note for r in readings.values()}
        return Part("reasonable adjustments: none declared" if notes == {"none"} else
                    "reasonable adjustments declared", met=True)
    key = undecided[0]
    rule = "typically asks" if requirement == "typical" else "asks"
    message = (f"Reasonable adjustments and special considerations are not yet declared: the details say "
               f"{_quoted(ctx, key)}; {standard.reference} {rule} for them to be declared before Gateway.")
    fix = ("Ask the apprentice whether they need reasonable adjustments or special considerations and apply to the "
           "EPAO before Gateway; then write 'reasonable_adjustments: none' or what was asked for.")
    return Part("reasonable adjustments not declared", finding=_finding(ctx, ADJUSTMENTS, requirement, message, fix, key))
