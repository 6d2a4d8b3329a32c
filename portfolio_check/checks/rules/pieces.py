"""The number of discrete pieces of evidence."""

from __future__ import annotations

from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Finding, Severity
from portfolio_check.formatting import plural, range_text


class PieceCountRule(Rule):
    """The portfolio holds the number of discrete pieces of evidence the standard asks for.

    The assessment plan sets a range (ST0792: 18 to 20 pieces). A piece may have several files and
    may evidence several KSBs; a piece whose files are exactly those of another counts once.
    Without a usable manifest the count is estimated as one piece per evidence file, which can
    show a portfolio is outside the range but cannot confirm it is inside.

    To fix a failure: add pieces, or combine or remove pieces, so the count is within the range.
    """

    id = "piece-count"
    title = "Discrete pieces of evidence"
    codes = {"piece-count": Severity.ERROR, "portfolio-empty": Severity.ERROR, "duplicate-evidence": Severity.WARNING,
             "piece-unusable": Severity.WARNING}
    reads = ("min_pieces", "max_pieces")

    def check(self, ctx: Context) -> Result:
        if ctx.holds_nothing:
            return _nothing_to_count(ctx)
        findings = [Finding("duplicate-evidence", Severity.WARNING,
                            f"Piece {p.id} ('{p.title}') has exactly the same files as piece {p.duplicate_of}; it "
                            "counts once.", piece=p.id, fix="Replace it with a different piece of evidence, or remove "
                                                             "the repeat.")
                    for p in ctx.pieces if p.duplicate_of]
        count, estimated = ctx.piece_count()
        findings += _unusable_pieces(ctx, count)
        estimate = " (estimated: one per evidence file)" if estimated else ""
        standard = ctx.standard
        low = standard.portfolio.min_pieces if standard is not None else None
        high = standard.portfolio.max_pieces if standard is not None else None
        if low is None and high is None:
            why = "standard not known" if standard is None else "range not given"
            return Result(Figure(f"{plural(count, 'piece')}{estimate} ({why})", value=count, unit="pieces"),
                          findings, Status.UNKNOWN)
        wanted = range_text(low, high)
        below = low is not None and count < low
        beyond = (low - count) if below and low is not None else max(0, count - high) if high is not None else 0
        figure = Figure(f"{plural(count, 'piece')}{estimate} ({wanted})", value=count, low=low, high=high,
                        unit="pieces", beyond=float(beyond))
        if beyond:
            assert standard is not None
            how = " (estimated as one piece per evidence file, as there is no usable manifest)" if estimated else ""
            advice = "Add pieces" if below else "Combine or remove pieces"
            findings.append(Finding("piece-count", Severity.ERROR,
                                    f"The portfolio has {plural(count, 'discrete piece')} of evidence{how}; "
                                    f"{standard.key} requires {wanted}.",
                                    fix=f"{advice} so there are {wanted}; one piece may evidence several KSBs."))
        return Result(figure, findings, Status.UNKNOWN if estimated else Status.PASS)


def _unusable_pieces(ctx: Context, count: int) -> list[Finding]:
    """Pieces with no file an assessor can open: not counted, and what each would add once fixed.

    The file's own problem (or the missing file) is the error; this says what it costs the portfolio.
    """
    found = []
    covered_elsewhere = set(ctx.coverage.pieces_by_code)
    for piece in ctx.pieces:
        if piece.usable or piece.duplicate_of:
            continue
        why = "; ".join([f"{path} cannot be opened" for path in piece.unusable_files]
                        + [f"{name} is not in the portfolio" for name in piece.missing_files]) or "it names no file"
        gain = [code for code in piece.codes if code not in covered_elsewhere]
        adds = f"1 more piece ({count + 1} in all)"
        if gain:
            adds += f" and evidence for {', '.join(gain)}, which no other piece covers"
        found.append(Finding("piece-unusable", Severity.WARNING,
                             f"Piece {piece.id} ('{piece.title}') is not counted, because {why}. Once fixed it adds "
                             f"{adds}.", piece=piece.id,
                             fix="Replace or add the piece's file so an assessor can open it (see the file's own "
                                 "finding)."))
    return found


def _nothing_to_count(ctx: Context) -> Result:
    """An empty portfolio is one error; one that could not be opened at all is the files line's error."""
    figure = Figure("no evidence files", value=0, unit="pieces")
    if ctx.portfolio.archive_problems and not ctx.records:
        return Result(figure, clean=Status.UNKNOWN)
    portfolio = ctx.portfolio
    found = [f"{plural(len(portfolio.ignored), 'file')} ignored as junk"] if portfolio.ignored else []
    found += [f"{path} (a portfolio document, not evidence)" for path in ctx.documents]
    what = f" It holds only: {'; '.join(found)}." if found else ""
    return Result(figure, [Finding(
        "portfolio-empty", Severity.ERROR, f"The portfolio {portfolio.name} holds no evidence files.{what}",
        fix="Check that you chose the portfolio's folder or zip (not a folder above or beside it), and that its "
            "evidence files were copied in.")])
