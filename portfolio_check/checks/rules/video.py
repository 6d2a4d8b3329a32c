"""The video limit: all video, embedded clips included, within the standard's total."""

from __future__ import annotations

from portfolio_check.checks.context import Context
from portfolio_check.checks.outcome import Figure, Status
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Finding, Severity
from portfolio_check.formatting import format_duration

#: Totals within this many seconds of the limit count as at the limit (durations are rounded to ms,
#: and containers disagree by a frame or two about where a clip ends).
VIDEO_TOLERANCE_SECONDS = 0.05


class VideoLimitRule(Rule):
    """All the portfolio's video together is within the standard's limit.

    ST0792 allows at most 10 minutes of video clips in total. Every video file counts, and so does
    video embedded in presentations and documents. Lengths are read from the files' headers; a
    clip whose length cannot be read makes the limit impossible to verify, which is an error too.
    Audio is not video and does not count.

    To fix a failure: trim or remove clips (embedded ones included) until the total is within the
    limit; save again (e.g. as MP4) a clip whose length cannot be read.
    """

    id = "video-limit"
    title = "Video in total"
    codes = {"video-limit": Severity.ERROR, "video-duration-unknown": Severity.ERROR}
    reads = ("max_video_seconds",)

    def check(self, ctx: Context) -> Result:
        videos = [c for c in ctx.clips if c.kind == "video"]
        findings = [Finding("video-duration-unknown", Severity.ERROR,
                            f"The length of the video {c.path} could not be read, so the video limit cannot be verified.",
                            path=c.embedded_in or c.path,
                            fix="Save or export the video again (e.g. as MP4) so its length is recorded.")
                    for c in videos if c.seconds is None]
        total = round(sum(c.seconds or 0.0 for c in videos), 3)
        limit = ctx.standard.portfolio.max_video_seconds if ctx.standard is not None else None
        if limit is None:
            why = "standard not known" if ctx.standard is None else "no limit given"
            return Result(Figure(f"{format_duration(total)} of video ({why})", value=total, unit="seconds"),
                          findings, Status.UNKNOWN)
        over = total > limit + VIDEO_TOLERANCE_SECONDS
        figure = Figure(f"{format_duration(total)} of video (max {format_duration(limit)})", value=total, high=limit,
                        unit="seconds", beyond=round(total - limit, 3) if over else 0.0,
                        room=0.0 if over else round(max(0.0, limit - total), 3))
        if over:
            assert ctx.standard is not None
            clips = "; ".join(f"{c.path} {format_duration(c.seconds or 0)}"
                              + (" (embedded in a document)" if c.embedded_in else "")
                              for c in sorted(videos, key=lambda c: -(c.seconds or 0)))
            findings.append(Finding("video-limit", Severity.ERROR,
                                    f"The portfolio holds {format_duration(total)} of video ({total:.1f} s); "
                                    f"{ctx.standard.key} allows at most {format_duration(limit)} in total. Clips by "
                                    f"length: {clips}.",
                                    fix="Trim or remove clips (video embedded in presentations counts too) to bring the "
                                        f"total within {format_duration(limit)}."))
        return Result(figure, findings)
