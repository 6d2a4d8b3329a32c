"""Starting and stopping the local web server: uvicorn (its pure-Python HTTP/1.1 parser, h11) on a
socket bound here first, so the address the page is reached by is known before anything is served.
"""

from __future__ import annotations

import importlib
import signal
import socket
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from portfolio_check.catalogue.model import Catalogues
from portfolio_check.serve.runs import RunQueue
from portfolio_check.serve.settings import ServeError, ServeSettings, is_loopback


def bind(settings: ServeSettings) -> socket.socket:
    """A listening socket at the settings' address (port 0: any free port). Raises `ServeError`."""
    settings.check()
    host = settings.host.strip("[]")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, settings.port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ServeError(f"--host {settings.host} is not an address of this computer ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if settings.port and exc.errno in (98, 48, 10048):  # address in use (Linux, macOS, Windows)
            raise ServeError(f"port {settings.port} is in use (another portfolio-check serve?); start with "
                             f"--port {settings.port + 1}, or stop the other one") from None
        raise ServeError(f"could not listen at {settings.host}:{settings.port} ({exc.strerror or exc})") from None
    sock.set_inheritable(True)
    return sock


def page_url(settings: ServeSettings, port: int) -> str:
    """The address to open: with the network allowed, the computer's name and the access token."""
    host = settings.host.strip("[]")
    if host in ("0.0.0.0", "::"):
        host = socket.gethostname()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if settings.allow_network and not is_loopback(settings.host) and settings.token:
        url += f"?token={settings.token}"
    return url


def preload() -> None:
    """Import what checking and reporting need before any worker forks, so no run pays for it."""
    from portfolio_check.batch.running import PRELOADED

    for name in PRELOADED:
        with suppress(Exception):  # a missing optional library only costs time later
            importlib.import_module(name)


def serve(settings: ServeSettings, catalogues: Catalogues, on_ready: Callable[[str], None],
          open_browser: bool = False) -> None:
    """Serve the page until interrupted (Ctrl+C or SIGTERM); ``on_ready(url)`` once it answers.

    Raises `ServeError` when it cannot start as asked. Every run's folder is deleted when it stops.
    """
    import uvicorn

    from portfolio_check.serve.app import build_app

    sock = bind(settings)
    port = sock.getsockname()[1]
    preload()
    queue = RunQueue.in_private_folder(catalogues, settings)
    try:
        config = uvicorn.Config(build_app(queue, settings, port), lifespan="off", log_level="warning",
                                access_log=False, server_header=False, date_header=False, http="h11",
                                ws="none", timeout_graceful_shutdown=5)
        server = uvicorn.Server(config)
        url = page_url(settings, port)

        def announce() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.02)
            if server.started:
                on_ready(url)
                if open_browser:
                    with suppress(Exception):  # no browser to open: the address was printed
                        webbrowser.open(url)

        threading.Thread(target=announce, name="serve-announce", daemon=True).start()
        # uvicorn shuts down on Ctrl+C or SIGTERM, then passes the signal on: it ends here.
        with _stop_signals_interrupt(), suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        sock.close()
        queue.close()


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM as Ctrl+C: uvicorn sends the signal on again after it shuts down, and SIGTERM's default
    action would end the process before the runs' folders are deleted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
