"""What ``portfolio-check serve`` was asked for, and the checks that refuse an unsafe start."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from portfolio_check.errors import PortfolioCheckError

#: The port the page is served on unless ``--port`` says otherwise.
DEFAULT_PORT = 8765
#: Uploads larger than this (all files of one upload together) are refused unless ``--max-upload-mb`` allows them.
DEFAULT_MAX_UPLOAD_MB = 2048
#: Minutes a run's reports stay on the page (and on disk) after it is done.
DEFAULT_KEEP_MINUTES = 60.0
#: An access token shorter than this is refused: it must not be guessable.
MIN_TOKEN_LENGTH = 16
_LOOPBACK_NAMES = ("localhost",)


class ServeError(PortfolioCheckError):
    """The server cannot start as asked (an unsafe address, a missing token, a bad limit)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer only (127.0.0.0/8, ::1 or ``localhost``)."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeSettings:
    """Where the page listens, who may use it, and the limits on uploads, runs and kept reports."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    #: Listening on an address other computers can reach was asked for explicitly (``--allow-network``).
    allow_network: bool = False
    #: The access token every request must carry when the network is allowed (shown on start-up).
    token: str | None = None
    #: Portfolios checked at once, as ``batch --jobs`` (default: one per core).
    jobs: int | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024**2
    #: Seconds a finished run's reports are kept before its folder is deleted.
    keep_seconds: float = DEFAULT_KEEP_MINUTES * 60
    #: Seconds one file may take (``--time-limit``), and one portfolio (``--portfolio-time-limit``).
    seconds_per_file: float = 30.0
    portfolio_seconds: float = 1800.0
    #: The folder the server's private temporary folder is made in (default: the system's).
    temp_parent: str | None = None
    #: Further names the page may be reached by (the Host header), with the network allowed.
    extra_hosts: tuple[str, ...] = ()

    @property
    def workers(self) -> int:
        """How many portfolios are checked at once: ``jobs``, else one per core (as ``batch``)."""
        return max(1, self.jobs or os.cpu_count() or 1)

    def check(self) -> None:
        """Raise `ServeError` when the server must not start like this."""
        if not 0 <= self.port <= 65535:
            raise ServeError(f"--port {self.port} is not a port number (1 to 65535)")
        if self.max_upload_bytes < 1:
            raise ServeError("--max-upload-mb must be at least 1")
        if self.keep_seconds <= 0:
            raise ServeError("--keep-minutes must be more than 0: a report deleted at once could not be read")
        if is_loopback(self.host):
            return
        if not self.allow_network:
            raise ServeError(
                f"--host {self.host} lets other computers reach the page, and the portfolios on it; "
                "it is only allowed with --allow-network (which then needs an access token). Leave out "
                "--host to use the page on this computer only")
        if not self.token or len(self.token) < MIN_TOKEN_LENGTH:
            raise ServeError(
                f"--host {self.host} lets other computers reach the page, so every visitor needs an access "
                f"token of at least {MIN_TOKEN_LENGTH} characters: leave out --token to have one made and "
                "shown when the server starts")
