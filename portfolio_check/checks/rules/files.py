"""Every file of the portfolio can be opened by an assessor."""

from __future__ import annotations

from portfolio_check.checks.context import Context
from portfolio_check.checks.files import SEVERITY, file_findings
from portfolio_check.checks.outcome import Figure
from portfolio_check.checks.rules.base import Result, Rule
from portfolio_check.findings import Severity
from portfolio_check.formatting import plural


class FilesRule(Rule):
    """Every file can be opened, and nothing in the portfolio is unsafe.

    An assessor cannot use a file that is unreadable, empty, damaged or password-protected, and an
    archive that was refused as unsafe hides what it holds: those are errors. Old formats, macros,
    links to outside content and extensions that do not match the content are warnings, and so
    are scanned pages whose text could not be read by OCR (no engine installed, no time left) and
    clips whose pictures could not all be looked at: the file is fine, but a person must read or
    watch it.

    To fix a failure: open the file on your own computer, save or export it again (without a
    password), and replace it in the portfolio.
    """

    id = "files"
    title = "Every file can be opened"
    codes = SEVERITY

    def check(self, ctx: Context) -> Result:
        findings = file_findings(ctx.records.values(), ctx.portfolio.archive_problems)
        unusable = {f.path for f in findings if f.severity is Severity.ERROR}
        read = len(ctx.records)
        if unusable and not read:
            text = "the portfolio could not be opened"
        elif unusable:
            text = f"{len(unusable)} of {plural(read, 'file')} cannot be used"
        else:
            text = f"{plural(read, 'file')} read"
        return Result(Figure(text, value=read - len(unusable & set(ctx.records)), high=read, unit="files"), findings)
