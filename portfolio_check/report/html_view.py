"""What the HTML report shows, as plain data for its template: labels, figures, groups, widths.

Presentation only: every verdict, status and count comes from the `Assessment` (or the JSON
report built from it); this module formats durations and sizes, groups KSBs by theme and findings
by severity, and splits wide tables so they fit an A4 page. The template only loops and prints.
Jinja2 is imported when a report is rendered, not when this module loads.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from portfolio_check.catalogue.model import Standard
from portfolio_check.checks.model import Assessment, Clip
from portfolio_check.checks.outcome import Status
from portfolio_check.checks.what_to_fix import what_to_fix
from portfolio_check.extract.model import FileRecord
from portfolio_check.findings import Severity
from portfolio_check.formatting import format_duration, human_size, plural
from portfolio_check.mapper.model import SUPPORTED
from portfolio_check.mapper.text import shorten
from portfolio_check.report.check_view import FIX_LABELS, NOTHING_TO_FIX, counts_line, verdict_text, what_to_fix_lines
from portfolio_check.report.inspect_view import key_figure

TEMPLATE = "report.html.j2"
#: Piece columns per coverage table: more would not fit the width of an A4 page, so the matrix splits.
MATRIX_PIECES_PER_TABLE = 20
#: Piece ids longer than this are printed sideways in the matrix header.
MATRIX_UPRIGHT_ID_CHARS = 3
#: Each claim's mark in the coverage matrix: a shape (not only a colour) and its words, per verdict.
CLAIM_MARKS = {"supported": ("✓", "supported"), "weak": ("?", "weak"), "not judged": ("○", "not judged")}
#: A KSB row's strongest excerpt is cut to about this many characters, so rows stay a few lines high.
MATRIX_EXCERPT_CHARS = 150
#: Only previews the extract stage made (small JPEG or PNG) are shown; anything else is dropped.
_THUMBNAIL_URI = re.compile(r"^data:image/(?:jpeg|png);base64,[A-Za-z0-9+/=]+$")
#: Contact sheets in one report, all clips together: each is at most 40 KB (extract/faces.py), and a
#: report of many clips must still open and print quickly; clips beyond this say their sheet was left out.
CONTACT_SHEETS_MAX_BYTES = 480_000

STATUS_LABELS = {Status.PASS: "Pass", Status.FAIL: "Fail", Status.WARNING: "Warning", Status.UNKNOWN: "Unknown",
                 Status.ASSUMED: "Pass (assumed rule)"}
KIND_LABELS = {"word": "Word", "powerpoint": "PowerPoint", "pdf": "PDF", "video": "Video", "audio": "Audio",
               "image": "Picture", "spreadsheet": "Spreadsheet", "text": "Text", "link": "Link",
               "archive": "Archive", "other": "Other"}
#: The letter on a file-type icon drawn where a file has no preview (the report's CSS draws the icon).
ICON_MARKS = {"word": "W", "powerpoint": "P", "spreadsheet": "X", "pdf": "PDF", "video": "▶", "audio": "♪",
              "image": "▣", "text": "T", "link": "↗", "archive": "Z"}

def format_checked_at(iso: str | None) -> str:
    """``2026-12-02T19:20:14+00:00`` -> ``2 December 2026, 19:20 UTC``."""
    if not iso:
        return "unknown"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = moment.strftime("%Z") if moment.tzinfo else ""
    zone = "UTC" if zone in ("UTC", "UTC+00:00") else zone
    return f"{moment.day} {moment:%B %Y, %H:%M}" + (f" {zone}" if zone else "")


def report_view(assessment: Assessment, report: dict[str, Any]) -> dict[str, Any]:
    """Everything the template prints, section by section."""
    records = {r.path: r for r in assessment.portfolio.records}
    return {
        "header": _header(assessment, report),
        "verdict": _verdict(assessment, report),
        "what_to_fix": _what_to_fix(assessment),
        "checklist": _checklist(assessment),
        "manual": _manual(assessment),
        "findings": _findings(assessment),
        "inventory": _inventory(assessment, records),
        "coverage": _coverage(assessment),
        "video": _video(assessment, records),
        "attribution": _attribution(assessment),
    }


def render_report_html(assessment: Assessment, report: dict[str, Any]) -> str:
    """The self-contained HTML report (autoescaped: nothing taken from the portfolio becomes markup)."""
    from portfolio_check.report.templating import environment

    return environment().get_template(TEMPLATE).render(view=report_view(assessment, report))


# --------------------------------------------------------------------------------------------------
# Header and verdict


def _header(assessment: Assessment, report: dict[str, Any]) -> dict[str, Any]:
    standard = assessment.standard
    details = assessment.portfolio.details
    sources = assessment.portfolio.detail_sources
    option = standard.option(assessment.option) if standard is not None and assessment.option else None

    def detail(label: str, key: str) -> dict[str, str] | None:
        value = details.get(key)
        if not value:
            return None
        source = sources.get(key)
        return {"label": label, "value": value, "source": f"from the {source}" if source and source != "flag" else ""}

    rows = [detail("Apprentice", "apprentice"), detail("ULN", "uln"), detail("Employer", "employer"),
            _standard_row(standard),
            {"label": "Option", "value": option.title if option else (assessment.option or "none"),
             "source": f"({assessment.option})" if option else ""},
            detail("Start date", "start_date"), detail("Gateway date", "gateway_date"),
            {"label": "Portfolio", "value": assessment.portfolio.name, "source": ""},
            {"label": "Checked", "value": format_checked_at(report.get("checked_at")), "source": ""},
            {"label": "Tool", "value": f"portfolio-check {report['tool']['version']}", "source": ""}]
    return {"title": details.get("apprentice") or assessment.portfolio.name,
            "rows": [row for row in rows if row],
            "checked": format_checked_at(report.get("checked_at")),
            "tool": f"portfolio-check {report['tool']['version']}",
            "inferred": list(assessment.inferred),
            "notes": standard.notes if standard is not None else None}


def _standard_row(standard: Standard | None) -> dict[str, str]:
    if standard is None:
        return {"label": "Standard", "value": "not known", "source": ""}
    level = f", level {standard.level}" if standard.level else ""
    return {"label": "Standard", "value": f"{standard.reference} {standard.title}, version {standard.version}{level}",
            "source": "" if standard.status == "approved" else f"status: {standard.status}"}


def _verdict(assessment: Assessment, report: dict[str, Any]) -> dict[str, Any]:
    judgement = assessment.judgement
    summary = report["summary"]
    estimate = " (estimated)" if assessment.piece_count_estimated else ""
    return {"ready": judgement.ready, "assumed": judgement.assumed,
            "text": verdict_text(assessment),
            "counts": f"{plural(judgement.errors, 'error')}, {plural(judgement.warnings, 'warning')}",
            "line": counts_line(assessment),
            "figures": [plural(assessment.piece_count, "piece") + " of evidence" + estimate,
                        f"{format_duration(assessment.video_seconds())} of video",
                        plural(summary["files"], "file") + " read"]}


def _what_to_fix(assessment: Assessment) -> dict[str, Any]:
    """The what-to-fix list, numbered across its groups, and the same list as plain text to copy."""
    fixes = what_to_fix(assessment)
    groups = []
    number = 0
    for group in fixes.groups:
        items = []
        for item in group.items:
            number += 1
            severity = item.severity.value if item.severity is not None else "unknown"
            items.append({"number": number, "severity": severity, "label": FIX_LABELS[item.severity],
                          "tag": {"error": "fail", "warning": "warning"}.get(severity, "unknown"),
                          "what": item.what, "where": item.where, "how": item.how})
        groups.append({"actor": group.actor, "title": group.title, "start": items[0]["number"], "entries": items})
    text = "\n".join(what_to_fix_lines(assessment, fixes))
    return {"groups": groups, "nothing": NOTHING_TO_FIX if fixes.empty else None, "text": text,
            "rows": min(12, text.count("\n") + 1)}


def _checklist(assessment: Assessment) -> list[dict[str, Any]]:
    return [{"rule": o.rule, "title": o.title, "status": o.status.value, "label": STATUS_LABELS[o.status],
             "figure": o.figure.text, "assumed": o.assumed, "assumption": o.assumption, "to_decide": o.to_decide}
            for o in assessment.outcomes]


def _manual(assessment: Assessment) -> list[dict[str, Any]]:
    """The "check by hand" list: a row per check, with a link to its clip's contact sheet where there is one."""
    sheets = {sheet["name"]: sheet["anchor"] for sheet in _contact_sheets(assessment)[0]}
    return [{"item": check.item, "subject": check.subject, "why": check.why, "note": check.note,
             "sheet": sheets.get(check.subject or "")}
            for check in assessment.manual_checks]


def _findings(assessment: Assessment) -> list[dict[str, Any]]:
    titles = {piece.id: piece.title for piece in assessment.pieces}
    groups = []
    for severity, title in ((Severity.ERROR, "Errors"), (Severity.WARNING, "Warnings")):
        chosen = [f for f in assessment.findings if f.severity is severity]
        items = [{"code": f.code, "message": f.message, "fix": f.fix, "path": f.path,
                  "piece": (f"Piece {f.piece}" + (f" ({titles[f.piece]})" if titles.get(f.piece) else ""))
                  if f.piece else None}
                 for f in chosen]
        groups.append({"severity": severity.value, "title": title, "count": len(items), "entries": items,
                       "none": f"No {title.lower()}."})
    return groups


# --------------------------------------------------------------------------------------------------
# Evidence inventory


def _file(path: str, records: dict[str, FileRecord]) -> dict[str, Any]:
    name = path.rsplit("/", 1)[-1]
    folder = path[: -len(name)] if len(name) < len(path) else ""
    record = records.get(path)
    if record is None:
        return {"path": path, "name": name, "folder": folder, "kind": "Not found", "description": "",
                "figure": "", "size": "", "thumbnail": None, "badge": "?", "icon": None, "mark": "?",
                "problems": [], "found": False}
    thumbnail = record.thumbnail if record.thumbnail and _THUMBNAIL_URI.match(record.thumbnail) else None
    return {"path": path, "name": name, "folder": folder, "kind": KIND_LABELS.get(record.kind, record.kind),
            "description": record.description, "figure": key_figure(record), "size": human_size(record.size),
            "thumbnail": thumbnail, "found": True, "badge": _badge(record),
            "icon": record.kind if record.kind in ICON_MARKS else "other", "mark": ICON_MARKS.get(record.kind, "?"),
            "problems": list(dict.fromkeys(p.code for p in record.problems))}


def _badge(record: FileRecord) -> str:
    """What stands in for a preview: the format (``PDF``, ``MP4``), short enough for a small box."""
    label = record.format if record.format not in ("unknown", "empty") else record.kind
    return label[:4].upper()


def _inventory(assessment: Assessment, records: dict[str, FileRecord]) -> dict[str, Any]:
    pieces = []
    for piece in assessment.pieces:
        facts = [(label, value) for label, value in (("Date", piece.date), ("Where to look", piece.location),
                                                     ("Witness", piece.witness), ("Manifest", piece.where)) if value]
        pieces.append({"id": piece.id, "title": piece.title, "description": piece.description,
                       "facts": [{"label": label, "value": value} for label, value in facts],
                       "files": [_file(path, records) for path in piece.files],
                       "missing": list(piece.missing_files), "codes": ", ".join(piece.codes) or "none",
                       "duplicate_of": piece.duplicate_of})
    portfolio = assessment.portfolio
    attribution = assessment.attribution
    statement_paths = {s.path for s in attribution.statements()} | set(attribution.unverified)
    certificates: dict[str, str] = {}
    for certificate in assessment.certificates:
        subjects = certificates.get(certificate.path)
        named = certificate.subject.capitalize()
        certificates[certificate.path] = named if not subjects or subjects == named else "English and maths"

    def role(path: str) -> str:
        if path == portfolio.manifest_path:
            return "KSB mapping manifest"
        if path == portfolio.details_path:
            return "Portfolio details"
        if path in statement_paths:
            return "Employer and apprentice statement"
        if path in portfolio.other_manifests:
            return "Another manifest (not used)"
        if path in certificates:
            return f"{certificates[path]} certificate (pre-Gateway)"
        return "Portfolio document"

    return {"pieces": pieces,
            "unmapped": [_file(path, records) for path in assessment.unmapped_files],
            "documents": [{**_file(path, records), "role": role(path)} for path in assessment.documents],
            "ignored": [{"path": i.path, "reason": i.reason} for i in portfolio.ignored],
            "count": plural(len(pieces), "piece"),
            "estimated": assessment.piece_count_estimated}


# --------------------------------------------------------------------------------------------------
# KSB coverage matrix


def _code_key(code: str) -> tuple[str, int, str]:
    match = re.match(r"([A-Z]+)(\d+)$", code)
    return (match.group(1), int(match.group(2)), "") if match else ("~", 0, code)


def _coverage(assessment: Assessment) -> dict[str, Any]:
    standard = assessment.standard
    coverage = assessment.coverage
    outcome = assessment.outcome("coverage")
    if standard is None:
        return {"what": "KSBs", "singular": "KSB", "groups": [], "tables": [], "heading": "KSB coverage",
                "caption": "KSBs against pieces of evidence", "column": "KSB",
                "scope": "The standard is not known, so neither are the KSBs the portfolio must evidence.",
                "summary": outcome.figure.text, "claims": None, "missing": [], "has_pieces": bool(assessment.pieces)}
    duties = standard.portfolio.evidence_codes == "duties"
    pieces_by_code = coverage.pieces_by_code
    required = list(coverage.required)
    missing = set(coverage.missing)
    other_option = set(coverage.other_option)

    verdicts = {(claim.piece, claim.code): claim.judgement for claim in assessment.claims}

    def mark(piece: str, code: str) -> dict[str, str]:
        judgement = verdicts.get((piece, code))
        symbol, words = CLAIM_MARKS.get(judgement.verdict if judgement else "", ("●", "mapped"))
        score = f", score {judgement.score:.2f}" if judgement and judgement.score is not None else ""
        return {"symbol": symbol, "state": words.replace(" ", "-"),
                "label": f"evidenced by piece {piece}: {words}{score}"}

    def row(code: str, is_required: bool) -> dict[str, Any]:
        evidenced = set(pieces_by_code.get(code, ()))
        if is_required:
            state, label = ("missing", "Not covered") if code in missing else ("covered", "Covered")
        else:
            state, label = "extra", ("Another option" if code in other_option
                                     else _assessed_elsewhere(standard, code) or "Not required")
        # The strongest passage any supported claim offers: what an assessor would read first.
        excerpt: dict[str, str] | None = None
        best = -1.0
        for piece in pieces_by_code.get(code, ()):
            judgement = verdicts.get((piece, code))
            if judgement and judgement.verdict == SUPPORTED and judgement.excerpt and (judgement.score or 0.0) > best:
                best = judgement.score or 0.0
                excerpt = {"piece": piece, "text": shorten(judgement.excerpt, MATRIX_EXCERPT_CHARS)}
        return {"code": code, "text": _code_text(standard, code), "required": is_required, "state": state,
                "label": label, "pieces": evidenced, "count": len(evidenced),
                "marks": {p: mark(p, code) for p in evidenced}, "excerpt": excerpt}

    groups: list[dict[str, Any]] = []
    if duties:
        groups.append({"title": "Duties", "rows": [row(code, True) for code in required]})
    else:
        by_theme: dict[str | None, list[str]] = {}
        for code in required:
            ksb = standard.ksb(code)
            by_theme.setdefault(ksb.theme if ksb else None, []).append(code)
        order = [t.id for t in standard.themes if t.id in by_theme] + [t for t in by_theme if not standard.theme(t or "")]
        for theme_id in order:
            theme = standard.theme(theme_id) if theme_id else None
            groups.append({"title": theme.title if theme else "Other KSBs",
                           "rows": [row(code, True) for code in by_theme[theme_id]]})
    extra = sorted((code for code in pieces_by_code if code not in required), key=_code_key)
    if extra:
        groups.append({"title": "Also mapped, not required for this portfolio",
                       "rows": [row(code, False) for code in extra]})

    columns = [{"id": p.id, "title": p.title} for p in assessment.pieces]
    tables = []
    for start in range(0, max(len(columns), 1), MATRIX_PIECES_PER_TABLE):
        chunk = columns[start:start + MATRIX_PIECES_PER_TABLE]
        part = (f" (pieces {chunk[0]['id']} to {chunk[-1]['id']})"
                if chunk and len(columns) > MATRIX_PIECES_PER_TABLE else "")
        tables.append({"columns": chunk, "part": part,
                       "sideways": any(len(c["id"]) > MATRIX_UPRIGHT_ID_CHARS for c in chunk)})
    what = "duties" if duties else "KSBs"
    method = standard.method(standard.portfolio.evidence_method or "")
    option = standard.option(assessment.option) if assessment.option else None
    scope = "core" + (f" and the {option.title.lower()} option" if option else
                      " only, as the apprentice's option is not known" if coverage.unchecked_option_codes else "")
    assessed = f", assessed by the {method.title[0].lower() + method.title[1:]}" if method and not duties else ""
    return {"what": what, "singular": "duty" if duties else "KSB", "groups": groups, "tables": tables,
            "heading": "Duty coverage" if duties else "KSB coverage",
            "caption": f"{'Duties' if duties else 'KSBs'} against pieces of evidence",
            "column": "Duty" if duties else "KSB",
            "scope": f"Required {what}: {scope}{assessed}.",
            "summary": outcome.figure.text,
            "claims": assessment.outcome("ksb-claims").figure.text if assessment.claims else None,
            "missing": list(coverage.missing), "has_pieces": bool(columns)}


def _assessed_elsewhere(standard: Standard, code: str) -> str | None:
    """``Assessed in the presentation, not the portfolio`` for a KSB only other assessment methods
    assess (from the catalogue's methods); None when the catalogue does not say so."""
    ksb = standard.ksb(code)
    portfolio_method = standard.portfolio.evidence_method
    if ksb is None or not ksb.methods or portfolio_method in ksb.methods:
        return None
    names = [method.replace("-", " ") for method in ksb.methods]
    return f"Assessed in the {' or the '.join(names)}, not the portfolio"


def _code_text(standard: Standard, code: str) -> str:
    ksb = standard.ksb(code)
    if ksb is not None:
        return ksb.text
    duty = next((d for d in standard.duties if d.code == code), None)
    return duty.text if duty else "Not a code of this standard"


# --------------------------------------------------------------------------------------------------
# Video budget


def _clip_row(clip: Clip, records: dict[str, FileRecord], scale: float, limit: float | None) -> dict[str, Any]:
    seconds = clip.seconds
    container = records.get(clip.embedded_in) if clip.embedded_in else None
    embedded = ""
    if clip.embedded_in:
        embedded = {"powerpoint": "in a presentation", "word": "in a document"}.get(
            container.kind if container else "", "in a document")
    return {"name": clip.part if clip.embedded_in else clip.path, "embedded_in": clip.embedded_in,
            "embedded": embedded, "kind": clip.kind,
            "length": format_duration(seconds) if seconds is not None else "unknown",
            "share": f"{seconds / limit:.0%}" if seconds is not None and limit else "",
            # its part of the budget bar (which spans `scale`), and its own bar: its share of the limit
            "segment": f"{min(100.0, 100 * seconds / scale):.2f}" if seconds and scale else "0",
            "width": f"{min(100.0, 100 * seconds / (limit or scale)):.2f}" if seconds and (limit or scale) else "0"}


def _video(assessment: Assessment, records: dict[str, FileRecord]) -> dict[str, Any]:
    """The video budget, from the figure the video rule produced: its total, its limit, and its judgement."""
    figure = assessment.outcome("video-limit").figure
    limit = figure.high
    total = figure.value or 0.0
    videos = sorted((c for c in assessment.clips if c.kind == "video"), key=lambda c: -(c.seconds or 0))
    audio = [c for c in assessment.clips if c.kind != "video"]
    sheets, left_out = _contact_sheets(assessment)
    # The bar spans the limit, or the total when that is longer, so every clip fits and the limit is marked.
    scale = max(total, limit or 0.0)
    over = figure.beyond > 0
    if limit is None:
        summary = f"{format_duration(total)} of video; the catalogue gives no limit"
    elif over:
        summary = (f"{format_duration(total)} of video, {format_duration(figure.beyond)} over the limit of "
                   f"{format_duration(limit)}")
    else:
        summary = (f"{format_duration(total)} of video of the {format_duration(limit)} allowed "
                   f"({format_duration(figure.room)} left)")
    return {"limit": format_duration(limit) if limit is not None else None,
            "limit_position": f"{100 * limit / scale:.2f}" if limit and scale else None,
            "total": format_duration(total), "over": over, "summary": summary,
            "share": f"{total / limit:.0%}" if limit else "",
            "clips": [_clip_row(c, records, scale, limit) for c in videos],
            "audio": [_clip_row(c, records, 0.0, None) for c in audio],
            "audio_total": format_duration(assessment.audio_seconds()),
            "sheets": sheets, "sheets_left_out": left_out}


def _contact_sheets(assessment: Assessment) -> tuple[list[dict[str, Any]], list[str]]:
    """Each video file's contact sheet (made only with ``-o``), within `CONTACT_SHEETS_MAX_BYTES`
    in all; and the clips whose sheets were left out to keep the report small."""
    shown: list[dict[str, Any]] = []
    left_out: list[str] = []
    spent = 0
    for record in assessment.portfolio.records:
        faces = record.faces
        if record.kind != "video" or faces is None or not faces.contact_sheet:
            continue
        frames = [uri for uri in faces.contact_sheet if _THUMBNAIL_URI.match(uri)]
        size = sum(len(uri) for uri in frames)
        if spent + size > CONTACT_SHEETS_MAX_BYTES:
            left_out.append(record.path)
            continue
        spent += size
        seen = (f"a face in {faces.frames_with_face} of {plural(faces.frames_sampled, 'sampled frame')}"
                if faces.face_seen else f"no face in {plural(faces.frames_sampled, 'sampled frame')}")
        shown.append({"name": record.path, "anchor": f"sheet-{len(shown) + 1}", "frames": frames,
                      "seen": seen})
    return shown, left_out


# --------------------------------------------------------------------------------------------------
# Attribution statement


def _party(party: Any) -> dict[str, Any]:
    if party.signed_digitally:
        signed = "Signed digitally (PDF signature)"
    elif party.signed:
        signed = "Signed (typed)"
    else:
        signed = "Not signed in the text"
    return {"party": party.party.capitalize(), "confirmed": "Yes" if party.confirmed else "No",
            "name": party.name or "not found", "date": party.date or "not found", "signed": signed,
            "complete": party.complete, "missing": ", ".join(party.missing())}


def _attribution(assessment: Assessment) -> dict[str, Any]:
    result = assessment.attribution
    outcome = assessment.outcome("attribution")
    required = None if outcome.status is Status.UNKNOWN else outcome.figure.low is not None
    statements = [{"path": s.path, "excerpt": s.excerpt, "drawn": s.drawn, "parties": [_party(p) for p in s.parties]}
                  for s in result.statements()]
    return {"required": {True: "Required by the standard", False: "Not required by the standard",
                         None: "The catalogue does not say whether it is required"}[required],
            "statements": statements, "unverified": list(result.unverified)}
