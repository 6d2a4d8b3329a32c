"""KSB claims: what the manifest maps each piece to is borne out by what the piece says."""

from __future__ import annotations

from collections.abc import Sequence

from portfolio_check.checks.context import Context
from portfolio_check.checks.model import Claim, Piece
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Finding, Severity
from portfolio_check.mapper import NOT_JUDGED, SUPPORTED, WEAK, quantity_over_quality
from portfolio_check.mapper.text import shorten

#: A KSB statement quoted in a fix is cut to about this many characters.
STATEMENT_CHARS = 110


class ClaimsRule(Rule):
    """Each KSB a piece is mapped to is borne out by what the piece says.

    Assessors reject mappings that are generous rather than real (ST0792's assessment plan asks for
    a qualitative rather than a quantitative approach). The tool reads each piece's text (Word body
    and tables, slides and speaker notes, PDF text, spreadsheets, plain text), offline, against the
    standard's KSB statements, grading descriptors and the catalogue's vocabulary and passages of
    evidence, and judges each claim in the manifest: supported (the text reads like evidence for it), weak (the text says
    little or nothing about it) or not judged (no text to read: a photo, a video, audio or a scan).
    A weak claim is a warning that quotes what the piece does say; a piece mapped to many KSBs,
    most of them weak, gets one warning about quantity over quality instead of one per KSB. Claims
    that cannot be judged are never warned about. These are warnings only: an assessor decides what
    a piece evidences, and whether the portfolio is ready stays a matter of the other rules.

    To fix a warning: check that the piece shows the KSB; if it does, say where in the manifest's
    Location column; if not, map the piece to the KSBs it does show (``portfolio-check suggest FILE``
    lists them) and evidence the others with pieces that show them.
    """

    id = "ksb-claims"
    title = "KSB claims supported by the evidence"
    codes = {"ksb-claim-unsupported": Severity.WARNING, "ksb-claims-generous": Severity.WARNING}

    def title_for(self, ctx: Context) -> str:
        return "Duty claims supported by the evidence" if ctx.evidence_word == "duty" else self.title

    def check(self, ctx: Context) -> Result:
        if ctx.standard is None:
            return Result(Figure("standard not known"), clean=Status.UNKNOWN)
        if ctx.portfolio.manifest is None:
            return Result(Figure("no manifest: no claims to judge"), clean=Status.UNKNOWN)
        claims = ctx.claims.claims
        counts = {verdict: sum(1 for c in claims if c.judgement.verdict == verdict)
                  for verdict in (SUPPORTED, WEAK, NOT_JUDGED)}
        text = f"{counts[SUPPORTED]} of {len(claims)} claims supported"
        text += "".join(f", {counts[v]} {v}" for v in (WEAK, NOT_JUDGED) if counts[v])
        figure = Figure(text, value=counts[SUPPORTED], high=len(claims), unit="claims")
        findings: list[Finding] = []
        for piece in ctx.pieces:
            mine = [c for c in claims if c.piece == piece.id]
            if mine:
                findings += self._piece_findings(ctx, piece, mine)
        # Nothing judged (no claims, or none with text to read) leaves the line undecided, not passed.
        judged = counts[SUPPORTED] + counts[WEAK]
        return Result(figure, findings, Status.PASS if judged else Status.UNKNOWN)

    def _piece_findings(self, ctx: Context, piece: Piece, claims: Sequence[Claim]) -> list[Finding]:
        weak = [c.judgement for c in claims if c.judgement.verdict == WEAK]
        if not weak:
            return []
        word = ctx.evidence_word
        name = f"Piece {piece.id}" + (f" ({piece.title})" if piece.title else "")
        # What the piece does say is the same for each of its claims: one reading per piece.
        says = f" It says: “{weak[0].says}”." if weak[0].says else ""
        if quantity_over_quality(c.judgement for c in claims):
            supported = [c.code for c in claims if c.judgement.verdict == SUPPORTED]
            bears_out = (f"only {len(supported)} of them ({', '.join(supported)})" if supported else "none of them")
            plural = "duties" if word == "duty" else "KSBs"
            return [Finding(
                "ksb-claims-generous", Severity.WARNING,
                f"{name} is mapped to {len(claims)} {plural}, but its text bears out {bears_out}: "
                f"{', '.join(j.code for j in weak)} read weak.{says}",
                piece=piece.id,
                fix=f"Map the piece to the few {plural} it shows well and evidence the others with pieces that show "
                    f"them: assessors look for the quality of the evidence, not the number of {plural} mapped.")]
        findings = []
        for judgement in weak:
            reads_like = (f" It reads more like evidence for {judgement.reads_like}." if judgement.reads_like else "")
            findings.append(Finding(
                "ksb-claim-unsupported", Severity.WARNING,
                f"{name} is mapped to {judgement.code}, but {judgement.reason.replace('the text', 'its text')}."
                f"{says}{reads_like}",
                piece=piece.id, ksb=judgement.code,
                fix=f"Check that the piece shows {judgement.code}{self._statement(ctx, judgement.code)}. If it "
                    "does, say where in the manifest's Location column; if not, map it to what it does show."))
        return findings

    @staticmethod
    def _statement(ctx: Context, code: str) -> str:
        standard = ctx.standard
        if standard is None:
            return ""
        item = standard.ksb(code) or next((d for d in standard.duties if d.code == code), None)
        return f" ({shorten(item.text.rstrip('. '), STATEMENT_CHARS)})" if item is not None else ""
