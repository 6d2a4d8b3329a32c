"""Who may use the page, and from where: sessions, the upload form's anti-forgery token, the Host and
Origin checks, the access token for a page reachable from the network, and the response headers.

- **Host**: a request whose Host header is not a name of this server is refused, so a web page whose
  name is made to point at 127.0.0.1 (DNS rebinding) cannot read the local page.
- **Origin**: a request that says it comes from another site (any method) is refused, so a page on
  another site cannot drive the local server from the same browser.
- **Anti-forgery token**: the upload form carries a token derived (HMAC) from the browser's session
  cookie with a key made when the server starts; an upload without the matching pair is refused
  before any of its files is written. The session cookie is ``SameSite=Strict`` and ``HttpOnly``.
- **Access token** (only with ``--allow-network``): every request carries it, as the cookie the start-up
  link sets or as ``?token=``; compared in constant time.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from portfolio_check.serve.settings import ServeSettings, is_loopback

#: The report's Content-Security-Policy, for a report whose own cannot be read.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
#: The page's own: the report's, plus its script and status requests from this server only.
PAGE_CSP = (f"{REPORT_CSP}; script-src 'self'; connect-src 'self'; form-action 'self'; frame-src 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
#: Headers on every response.
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the upload form.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_WILDCARDS = ("0.0.0.0", "::", "")


def report_csp(html: str) -> str:
    """The Content-Security-Policy a report declares in its ``<meta>`` tag, framed by this page only."""
    import re

    found = re.search(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', html[:4096], re.I)
    policy = found.group(1) if found else REPORT_CSP
    return f"{policy}; frame-ancestors 'self'"


@dataclass(frozen=True)
class Guard:
    """The server's keys and the names it answers to."""

    #: Host header values accepted (lower case, with the port).
    hosts: frozenset[str]
    #: The key that binds a session to its anti-forgery token; made at start-up, never stored.
    key: bytes
    token: str | None
    port: int

    @classmethod
    def for_settings(cls, settings: ServeSettings, port: int) -> Guard:
        names = {"127.0.0.1", "localhost", "[::1]"}
        host = settings.host.strip("[]").lower()
        if host not in _WILDCARDS:
            names.add(f"[{host}]" if ":" in host else host)
        if settings.allow_network and not is_loopback(settings.host):
            names.update(_machine_names())
        names.update(name.lower() for name in settings.extra_hosts)
        hosts = {f"{name}:{port}" for name in names} | ({*names} if port == 80 else set())
        return cls(frozenset(hosts), secrets.token_bytes(32), settings.token if settings.allow_network else None, port)

    @property
    def session_cookie(self) -> str:
        # Cookies are shared between ports of one host: a name per port keeps two servers apart.
        return f"portfolio_check_session_{self.port}"

    @property
    def access_cookie(self) -> str:
        return f"portfolio_check_access_{self.port}"

    def host_allowed(self, host: str | None) -> bool:
        return host is not None and host.lower() in self.hosts

    def origin_allowed(self, origin: str | None) -> bool:
        """No Origin (not sent by a browser for this request), or this server's own."""
        if origin is None:
            return True
        parts = urlsplit(origin)
        return parts.scheme == "http" and parts.netloc.lower() in self.hosts

    def new_session(self) -> str:
        """A session id, signed so a cookie this server did not make is not taken for one."""
        value = secrets.token_urlsafe(24)
        return f"{value}.{self._sign('session', value)}"

    def session_valid(self, session: str | None) -> bool:
        if not session or "." not in session:
            return False
        value, signature = session.rsplit(".", 1)
        return hmac.compare_digest(signature, self._sign("session", value))

    def form_token(self, session: str) -> str:
        """The anti-forgery token of the upload form, for this session."""
        return self._sign("form", session)

    def form_token_valid(self, session: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.form_token(session))

    def access_valid(self, offered: str | None) -> bool:
        """Whether a request may use the page: always on this computer only, else with the access token."""
        if self.token is None:
            return True
        return offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:43]


def _machine_names() -> Iterable[str]:
    """This computer's own names, by which other computers on the network reach the page."""
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    with contextlib.suppress(OSError):  # a name that does not resolve: it is reached by the names above
        names.update(str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
    return {f"[{name}]" if ":" in name else name for name in names if name}
