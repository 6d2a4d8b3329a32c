"""The Starlette application of ``portfolio-check serve``: the upload page, each run's progress and
report, its downloads, and the checks every request passes first (see `security`).

Routes: ``/`` the form and the session's runs; ``POST /runs`` an upload; ``/runs/ID`` where a run is,
then its report; ``/runs/ID/status`` the same as data, for the page's script; ``/runs/ID/files/NAME``
a file the run wrote; ``/static/serve.js`` the script.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portfolio_check.serve import pages
from portfolio_check.serve.runs import Run, RunQueue
from portfolio_check.serve.security import COMMON_HEADERS, PAGE_CSP, Guard, report_csp
from portfolio_check.serve.settings import ServeSettings
from portfolio_check.serve.uploads import UploadRefused, read_upload

_STATIC = Path(__file__).parent / "static"
#: A refused upload is read to its end (and dropped) up to this much, so the browser sees why it was refused.
DRAIN_BYTES = 256 * 1024**2
#: Seconds a PDF may take to be made from a report.
PDF_SECONDS = 60.0
_MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json", ".csv": "text/csv; charset=utf-8",
                ".pdf": "application/pdf",
                ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def pdf_available() -> bool:
    """Whether a PDF of a report can be made here: the report stage's PDF writer and a browser to print with."""
    try:
        if importlib.util.find_spec("portfolio_check.report.pdf") is None:
            return False
    except ImportError:
        return False
    from portfolio_check.report.pdf import find_browser

    return find_browser() is not None


class GuardMiddleware:
    """Refuses a request to a foreign Host, from a foreign Origin, or (with the network allowed)
    without the access token; adds the common headers and the page's Content-Security-Policy."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        refusal: Response | None = None
        if not self.guard.host_allowed(headers.get("host")):
            refusal = _refused(400, "Not this page's address",
                               "This page answers only at the address portfolio-check serve showed when it started.")
        elif not self.guard.origin_allowed(headers.get("origin")):
            refusal = _refused(403, "Refused", "A page on another site tried to use this page. Nothing was done.")
        elif self.guard.token is not None:
            refusal = self._access(scope, headers)
        if refusal is not None:
            if scope["method"] not in ("GET", "HEAD"):
                await _drop_body(receive)
            await _with_headers(refusal, PAGE_CSP)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", [])}
                extra = [(key.lower().encode(), value.encode()) for key, value in COMMON_HEADERS.items()
                         if key.lower().encode() not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _access(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        request = Request(scope)
        offered = request.query_params.get("token")
        if offered is not None and self.guard.access_valid(offered):
            # The link shown at start-up: keep the token in a cookie and take it out of the address bar.
            response = RedirectResponse(str(request.url.remove_query_params("token")), status_code=303)
            response.set_cookie(self.guard.access_cookie, offered, httponly=True, samesite="strict")
            return response
        bearer = headers.get("authorization", "")
        token = request.cookies.get(self.guard.access_cookie) or (bearer[7:] if bearer.lower().startswith("bearer ")
                                                                   else None)
        if self.guard.access_valid(token):
            return None
        return _refused(401, "Access link needed", "This page needs the access link shown where portfolio-check serve "
                                                   "was started (it ends with ?token=...). Open that link.")


async def _drop_body(receive: Receive) -> None:
    """Read (and drop) a refused request's body, up to `DRAIN_BYTES`, so the client still sending it
    gets the answer saying why rather than a broken connection."""
    drained = 0
    while drained <= DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        drained += len(message.get("body", b""))


def _refused(status: int, heading: str, message: str) -> Response:
    return HTMLResponse(pages.message_page(heading, message), status_code=status)


def _with_headers(response: Response, csp: str) -> Response:
    for key, value in COMMON_HEADERS.items():
        response.headers[key] = value
    response.headers["Content-Security-Policy"] = csp
    return response


class ServeApp:
    """The routes, over one `RunQueue`."""

    def __init__(self, queue: RunQueue, settings: ServeSettings, guard: Guard) -> None:
        self.queue = queue
        self.settings = settings
        self.guard = guard
        self._pdf_locks: dict[str, asyncio.Lock] = {}

    def starlette(self) -> ASGIApp:
        app = Starlette(routes=[
            Route("/", self.home),
            Route("/runs", self.upload, methods=["POST"]),
            Route("/runs/{run_id}", self.run_page),
            Route("/runs/{run_id}/status", self.status),
            Route("/runs/{run_id}/files/{name:path}", self.file),
            Route("/static/serve.js", self.script),
        ])
        return GuardMiddleware(app, self.guard)

    # -- sessions

    def _session(self, request: Request) -> tuple[str, bool]:
        """The browser's session id, and whether it is new (then the response sets its cookie)."""
        session = request.cookies.get(self.guard.session_cookie)
        if session and self.guard.session_valid(session):
            return session, False
        return self.guard.new_session(), True

    def _respond(self, response: Response, session: str, new: bool) -> Response:
        if new:
            response.set_cookie(self.guard.session_cookie, session, httponly=True, samesite="strict")
        return response

    def _run(self, request: Request) -> Run | None:
        session = request.cookies.get(self.guard.session_cookie)
        if not session or not self.guard.session_valid(session):
            return None
        return self.queue.get(request.path_params["run_id"], session)

    # -- pages

    async def home(self, request: Request) -> Response:
        session, new = self._session(request)
        runs = [(run, self.queue.snapshot(run)) for run in self.queue.runs_of(session)]
        html = pages.home_page(self.queue.catalogues.standards, self.guard.form_token(session),
                               self.settings.max_upload_bytes, self.settings.keep_seconds, runs)
        return self._respond(HTMLResponse(html), session, new)

    async def upload(self, request: Request) -> Response:
        session = request.cookies.get(self.guard.session_cookie)
        valid_session = bool(session) and self.guard.session_valid(session)
        handed_out: dict[Path, tuple[str, Path]] = {}

        def new_file(name: str) -> Path:
            run_id, folder = self.queue.new_folder()
            (folder / "upload").mkdir(mode=0o700)
            path = folder / "upload" / name
            handed_out[path] = (run_id, folder)
            return path

        def check_token(token: str) -> bool:
            return valid_session and self.guard.form_token_valid(str(session), token)

        body_read = False

        async def body() -> AsyncIterator[bytes]:
            nonlocal body_read
            async for chunk in request.stream():
                yield chunk
            body_read = True

        try:
            upload = await read_upload(body(), request.headers.get("content-type", ""),
                                       request.headers.get("content-length"), self.settings.max_upload_bytes,
                                       new_file, check_token)
        except UploadRefused as refused:
            _delete(handed_out)
            if not body_read:  # the rest of the body, after a refusal before its end
                await _drop_body(request.receive)
            heading = "Too large" if refused.status == 413 else "Not uploaded"
            return _refused(refused.status, heading, refused.message)
        except ClientDisconnect:
            _delete(handed_out)
            return PlainTextResponse("The upload was interrupted.", status_code=400)
        except BaseException:
            _delete(handed_out)
            raise
        flags = {key: upload.fields[key] for key in ("standard", "option") if upload.fields.get(key)}
        added: list[Run] = []
        for item in upload.files:
            run_id, folder = handed_out[item.path]
            run = Run(id=run_id, owner=str(session), name=item.name, folder=folder, upload=item.path,
                      size=item.size, flags=flags)
            try:
                self.queue.add(run)
            except Exception:
                # The server is stopping: the files not queued are deleted here, the queued ones with the queue.
                _delete({path: value for path, value in handed_out.items() if path not in {r.upload for r in added}})
                raise
            added.append(run)
        target = f"/runs/{added[0].id}" if len(added) == 1 else "/#your-runs"
        return RedirectResponse(target, status_code=303)

    async def run_page(self, request: Request) -> Response:
        run = self._run(request)
        if run is None:
            return _gone()
        html = pages.run_page(run, self.queue.snapshot(run), self.settings.keep_seconds, pdf_available())
        return HTMLResponse(html)

    async def status(self, request: Request) -> Response:
        run = self._run(request)
        if run is None:
            return JSONResponse({"state": "gone"}, status_code=404)
        return JSONResponse(pages.status_document(self.queue.snapshot(run)))

    async def file(self, request: Request) -> Response:
        run = self._run(request)
        name = request.path_params["name"]
        if run is None or not self.queue.offers(run, name):
            return _gone()
        root = run.output.resolve()
        path = (run.output / name).resolve()
        if root not in path.parents:
            return _gone()
        if name == "report.pdf" and not path.is_file():
            why = await self._make_pdf(run)
            if why is not None:
                return _refused(404, "No PDF", f"A PDF of this report could not be made: {why}. Open the report "
                                               "and print it to PDF from the browser instead.")
        if not path.is_file() or (run.output / name).is_symlink():
            return _gone()
        if path.suffix == ".html":
            html = path.read_text(encoding="utf-8", errors="replace")
            return _with_headers(HTMLResponse(html), report_csp(html))
        response = FileResponse(path, media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                                filename=path.name, content_disposition_type="attachment")
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    async def _make_pdf(self, run: Run) -> str | None:
        """Print the run's report.html to report.pdf with the report stage's PDF writer, once; None when
        made, else why not (in plain words)."""
        if run.kind != "portfolio":
            return "an export has a PDF for each portfolio's report, not one for all of them"
        lock = self._pdf_locks.setdefault(run.id, asyncio.Lock())
        async with lock:
            target = run.output / "report.pdf"
            if target.is_file():
                return None
            from starlette.concurrency import run_in_threadpool

            from portfolio_check.report.pdf import write_pdf

            try:
                printed = await run_in_threadpool(write_pdf, run.output / "report.html", target, PDF_SECONDS)
            finally:
                self._pdf_locks.pop(run.id, None)  # held only while printing: runs come and go
            if printed.made and target.is_file():
                self.queue.add_file(run, "report.pdf")
                return None
            return printed.reason or "the browser did not print it"

    async def script(self, request: Request) -> Response:
        return FileResponse(_STATIC / "serve.js", media_type="text/javascript; charset=utf-8")


def _gone() -> Response:
    return _refused(404, "Not here", "There is no such check here (or no longer). Reports are kept for a while after "
                                     "they are done, then deleted; upload the portfolio again to check it again.")


def _delete(handed_out: dict[Path, tuple[str, Path]]) -> None:
    for _, folder in handed_out.values():
        shutil.rmtree(folder, ignore_errors=True)


def build_app(queue: RunQueue, settings: ServeSettings, port: int) -> ASGIApp:
    """The application over ``queue``, answering at ``settings``' address on ``port``."""
    return ServeApp(queue, settings, Guard.for_settings(settings, port)).starlette()
