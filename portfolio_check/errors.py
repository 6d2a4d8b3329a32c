"""The project's exceptions: one root, so the command line can turn any of them into a clear message."""

from __future__ import annotations

from collections.abc import Iterable


class PortfolioCheckError(Exception):
    """Something the user can act on; the command line prints it without a traceback."""


class CatalogueError(PortfolioCheckError):
    """A catalogue file that cannot be used, naming the file and the offending entry."""

    def __init__(self, source: str, entry: str, problem: str) -> None:
        self.source = source
        self.entry = entry
        self.problem = problem
        where = f"{source}: {entry}" if entry else source
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[type[CatalogueError], tuple[str, str, str]]:
        # Exceptions pickle as cls(*args) by default, and args holds only the message.
        return (type(self), (self.source, self.entry, self.problem))


class UnknownChoiceError(PortfolioCheckError):
    """A standard, version, option or method the user named does not exist; lists those that do."""

    def __init__(self, what: str, given: str, available: Iterable[str], context: str = "") -> None:
        self.what = what
        self.given = given
        self.available = list(available)
        self.context = context
        listed = ", ".join(self.available) if self.available else "none"
        within = f" for {context}" if context else ""
        super().__init__(f"unknown {what} '{given}'{within}. Known: {listed}.")

    def __reduce__(self) -> tuple[type[UnknownChoiceError], tuple[str, str, list[str], str]]:
        # Exceptions pickle as cls(*args) by default, and args holds only the message.
        return (type(self), (self.what, self.given, self.available, self.context))
