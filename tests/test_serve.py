"""``portfolio-check serve`` over HTTP: the real server, started as a user starts it, on a free local port.

The safety properties: a foreign Host or Origin is refused, an upload needs the form's token, an
upload over the limit is refused with a clear message and leaves nothing on disk, hostile zips end
as findings while the server keeps serving, a run's folder is gone after its retention, another
browser session cannot reach a run, and a page reachable from the network needs an access token.
The browser side is in ``test_serve_browser.py``.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, HTTPErrorProcessor, Request, build_opener

import pytest

from portfolio_check.serve.settings import ServeError, ServeSettings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_portfolios"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def zip_folder(folder: Path, target: Path) -> Path:
    """``folder`` zipped as a provider zips it: the folder itself at the top of the zip."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


class ServerProcess:
    """``portfolio-check serve`` in a process of its own, with its temporary files under ``scratch``."""

    def __init__(self, scratch: Path, *args: str) -> None:
        self.port = free_port()
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(scratch)}
        env.pop("PORTFOLIO_CHECK_CATALOGUES", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "portfolio_check", "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line)
                if "is ready" in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(90):
            self.stop()
            raise AssertionError(f"the server did not start: {self.lines} {self.process.stderr.read()}")
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def root(self) -> Path:
        """The server's private temporary folder."""
        [found] = list(self.scratch.glob("portfolio-check-serve-*"))
        return found

    def stop(self, how: signal.Signals = signal.SIGINT) -> None:
        """Stop it as Ctrl+C does (or as a service manager does, with SIGTERM)."""
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class _NoRedirect(HTTPErrorProcessor):
    def http_response(self, request, response):
        return response

    https_response = http_response


class Client:
    """A browser-like HTTP client: cookies kept, redirects not followed, any status returned."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
                method: str | None = None) -> tuple[int, dict[str, str], bytes]:
        request = Request(self.base + path, data=data, headers=headers or {}, method=method)
        with self.opener.open(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()

    def form_token(self) -> str:
        status, _, body = self.request("/")
        assert status == 200
        return re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()

    def upload(self, files: list[tuple[str, bytes]], token: str | None = None, fields: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        token = self.form_token() if token is None else token
        body, content_type = multipart({"csrf": token, **(fields or {})}, files)
        return self.request("/runs", body, {"Content-Type": content_type, **(headers or {})})

    def wait(self, run_path: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _, body = self.request(run_path + "/status")
            assert status == 200, body
            found = json.loads(body)
            if found["state"] in ("done", "failed"):
                return found
            time.sleep(0.1)
        raise AssertionError(f"{run_path} did not finish")


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for filename, content in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="portfolio"; filename="{filename}"\r\n'
                  f'Content-Type: application/zip\r\n\r\n'.encode())
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def run_folders(server: ServerProcess) -> list[str]:
    return sorted(p.name for p in server.root.iterdir())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One worker (so uploads queue), 2 MB uploads, reports kept 3 seconds."""
    running = ServerProcess(tmp_path_factory.mktemp("serve") / "tmp", "--jobs", "1", "--max-upload-mb", "2",
                            "--keep-minutes", "0.05")
    try:
        yield running
    finally:
        running.stop()
    assert running.process.returncode is not None
    assert list(running.scratch.iterdir()) == [], "the server left files behind when it stopped"


@pytest.fixture(scope="module")
def ready_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("ready")
    return zip_folder(SAMPLES / "ST0792-production-coordinator-ready", folder / "ready.zip").read_bytes()


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_help_imports_no_web_stack() -> None:
    """Only the serve command itself imports the web stack: ``--help`` (and ``serve --help``) stay as light."""
    probe = ("import sys\n"
             "from portfolio_check.cli import main\n"
             "try:\n    main(sys.argv[1:], prog_name='portfolio-check')\nexcept SystemExit:\n    pass\n"
             "print('LOADED:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('starlette', 'uvicorn', 'anyio', 'python_multipart', 'h11') or m.startswith('portfolio_check.serve'))))\n")
    for args in (["--help"], ["serve", "--help"]):
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
        assert "Usage: portfolio-check" in result.stdout, result.stderr
        assert result.stdout.splitlines()[-1] == "LOADED:"
        if args[0] == "serve":
            assert "--max-upload-mb" in result.stdout and "--allow-network" in result.stdout


def test_start_up_says_where_and_serves_only_this_computer(server: ServerProcess) -> None:
    assert f"open http://127.0.0.1:{server.port}/ in your web browser" in "".join(server.lines)
    assert server.root.stat().st_mode & 0o077 == 0, "the temporary folder must be private to the user"
    # It listens on 127.0.0.1 only (read from the kernel's socket table where there is one).
    table = Path("/proc/net/tcp")
    if table.exists():
        listening_on = [line.split()[1] for line in table.read_text().splitlines()[1:]
                        if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == server.port]
        assert listening_on == [f"0100007F:{server.port:04X}"]
    status, headers, body = Client(server.url).request("/")
    assert status == 200 and b"Check a portfolio" in body
    assert headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "httponly" in headers["set-cookie"].lower() and "samesite=strict" in headers["set-cookie"].lower()


def test_foreign_host_or_origin_is_refused(server: ServerProcess, ready_zip: bytes) -> None:
    client = Client(server.url)
    # A page whose name is made to point at this computer (DNS rebinding) sends its own name as Host.
    status, _, body = client.request("/", headers={"Host": f"evil.example:{server.port}"})
    assert status == 400 and b"answers only at the address" in body
    assert client.request("/", headers={"Host": f"localhost:{server.port}"})[0] == 200
    token = client.form_token()
    status, _, body = client.upload([("Sam Patel.zip", ready_zip)], token, headers={"Origin": "http://evil.example"})
    assert status == 403 and b"another site" in body
    status, _, _ = client.request("/", headers={"Origin": "https://evil.example"})
    assert status == 403
    assert run_folders(server) == []


def test_upload_needs_the_form_token_of_its_session(server: ServerProcess, ready_zip: bytes) -> None:
    client = Client(server.url)
    other = Client(server.url)
    status, _, body = client.upload([("Sam Patel.zip", ready_zip)], token="forged")
    assert status == 403 and b"did not come from this page" in body
    # Another session's token does not fit this session's cookie.
    status, _, _ = client.upload([("Sam Patel.zip", ready_zip)], token=other.form_token())
    assert status == 403
    # No cookie at all (a form posted from elsewhere without SameSite cookies).
    body, content_type = multipart({"csrf": client.form_token()}, [("Sam Patel.zip", ready_zip)])
    status, _, _ = Client(server.url).request("/runs", body, {"Content-Type": content_type})
    assert status == 403
    assert run_folders(server) == []


def test_upload_over_the_limit_is_refused_and_nothing_is_left(server: ServerProcess) -> None:
    client = Client(server.url)
    large = os.urandom(5 * 1024 * 1024)
    status, _, body = client.upload([("Large 1234567899.zip", large)])
    text = body.decode()
    assert status == 413
    assert "The upload is 5 MB; this page takes at most 2 MB at once" in text
    assert "--max-upload-mb" in text
    assert run_folders(server) == []
    # Sent without a length (chunked), it is counted as it arrives and stopped at the limit.
    body, content_type = multipart({"csrf": client.form_token()}, [("Large 1234567899.zip", large)])
    cookie = "; ".join(f"{c.name}={c.value}" for c in client.jar)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("POST", "/runs", body=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                       headers={"Content-Type": content_type, "Cookie": cookie}, encode_chunked=True)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    assert response.status == 413 and "The upload is larger than 2 MB, the most this page takes at once" in text
    assert run_folders(server) == []
    assert Client(server.url).request("/")[0] == 200


def test_hostile_zips_end_as_findings_and_the_server_keeps_serving(server: ServerProcess) -> None:
    client = Client(server.url)
    bomb = _zip([("notes.txt", b"kept notes\n"), ("bomb.txt", b"0" * (40 * 1024**2))])
    escape = _zip([("notes.txt", b"kept notes\n"), ("../../escape.txt", b"never")])
    assert len(bomb) < 1024 * 1024
    status, headers, _ = client.upload([("bomb.zip", bomb), ("escape.zip", escape)])
    assert status == 303 and headers["location"] == "/#your-runs"
    _, _, home = client.request("/")
    runs = re.findall(rb'<a href="(/runs/[^"]+)">([^<]+)</a>', home)
    assert [name for _, name in runs] == [b"bomb.zip", b"escape.zip"]
    unsafe = {}
    for path, name in runs:
        found = client.wait(path.decode())
        assert found["state"] == "done" and found["verdict"] == "not-ready"
        status, headers, body = client.request(path.decode() + "/files/report.json")
        assert status == 200 and headers["content-disposition"].startswith("attachment")
        report = json.loads(body)
        unsafe[name.decode()] = {f["path"] for f in report["findings"] if f["code"] == "unsafe-archive"}
        # The report names the upload as the user named it, never the server's private copy.
        assert report["portfolio"] == {"name": name.decode()[:-4], "source": name.decode()}
        assert str(server.scratch) not in body.decode()
    assert unsafe == {"bomb.zip": {"bomb.zip"}, "escape.zip": {"escape.zip!/../../escape.txt"}}
    assert not any(p.name == "escape.txt" for p in server.scratch.rglob("*"))
    assert client.request("/")[0] == 200


def test_uploads_queue_and_say_where_they_are(server: ServerProcess, ready_zip: bytes) -> None:
    client = Client(server.url)
    # The first takes a second or more (clips, scans); the two behind it are a file each.
    small = _zip([("notes.txt", b"kept notes\n")])
    status, _, _ = client.upload([("Ada 1234567899.zip", ready_zip), ("Bo 1234567899.zip", small),
                                  ("Cy 1234567899.zip", small)])
    assert status == 303
    _, _, home = client.request("/")
    paths = [p.decode() for p in re.findall(rb'<a href="(/runs/[^"]+)">', home)]
    first, second, third = (json.loads(client.request(p + "/status")[2]) for p in paths)
    # One worker: the first is checked, the others wait in upload order.
    assert first["state"] == "checking" and first["position"] is None
    assert (second["state"], second["position"], third["state"], third["position"]) == ("queued", 0, "queued", 1)
    assert third["queue_text"] == "In the queue: 1 ahead of it, it starts when a worker is free"
    status, _, page = client.request(paths[2])
    assert b'<meta http-equiv="refresh"' in page and b"1 ahead of it" in page
    assert [client.wait(p)["verdict_text"] for p in paths] == ["Ready for Gateway", "Not ready for Gateway",
                                                               "Not ready for Gateway"]


def test_run_folder_is_gone_after_its_retention(server: ServerProcess, ready_zip: bytes) -> None:
    client = Client(server.url)
    status, headers, _ = client.upload([("Sam Patel 1234567899.zip", ready_zip)])
    run_path = headers["location"]
    run_id = run_path.rsplit("/", 1)[1]
    assert status == 303 and len(run_id) >= 22
    found = client.wait(run_path)
    assert found["state"] == "done"
    folder = server.root / run_id
    # The upload is deleted when the report is done; the reports stay for the retention (3 s here).
    assert not (folder / "upload").exists()
    assert sorted(p.name for p in (folder / "out").iterdir()) == ["KSB mapping template.xlsx", "report.html",
                                                                  "report.json"]
    status, headers, body = client.request(run_path + "/files/report.html")
    assert status == 200 and b"Ready for Gateway" in body
    assert headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    # Another browser (another session) cannot reach it, nor anything outside the run's folder.
    stranger = Client(server.url)
    stranger.request("/")
    assert stranger.request(run_path)[0] == 404
    assert stranger.request(run_path + "/files/report.json")[0] == 404
    assert client.request(run_path + "/files/../../" + run_id + "/out/report.json")[0] == 404
    assert client.request(run_path + "/files/report.html%2F..%2F..%2Fupload")[0] == 404
    deadline = time.monotonic() + 10
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not folder.exists()
    assert client.request(run_path)[0] == 404


def test_the_manifest_template_comes_with_suggested_ksbs_to_confirm(server: ServerProcess, ready_zip: bytes) -> None:
    """Staff who never open a terminal get what ``manifest init --suggest`` writes, from the texts the
    check has just read: each file's likely KSBs filled in and marked as suggestions."""
    from openpyxl import load_workbook

    client = Client(server.url)
    _, headers, _ = client.upload([("Priya Chandran 4826193059.zip", ready_zip)])
    assert client.wait(headers["location"])["state"] == "done"
    status, _, body = client.request(headers["location"] + "/files/KSB%20mapping%20template.xlsx")
    assert status == 200
    sheet = load_workbook(io.BytesIO(body))["Evidence"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("Files")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    risk = rows["01 Pre-production/RA-014 harbour and boat work.docx"]
    assert "K11" in risk[header.index("KSBs")].split(", ")
    suggested = header.index("Suggested (confirm or correct)")
    assert risk[suggested].endswith("suggested from the file's text; confirm or correct")
    assert "no text to read" in rows["04 Video and audio/Video 2 - location recce walkthrough.mp4"][suggested]


def test_non_local_address_needs_the_network_flag_and_a_token(cli) -> None:
    result = cli("serve", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "only allowed with --allow-network" in result.output
    result = cli("serve", "--host", "0.0.0.0", "--allow-network", "--token", "short")
    assert result.exit_code == 2 and "access token of at least 16 characters" in result.output
    with pytest.raises(ServeError, match="access token"):
        ServeSettings(host="192.0.2.10", allow_network=True, token=None).check()
    with pytest.raises(ServeError, match="--allow-network"):
        ServeSettings(host="::", token="x" * 32).check()
    ServeSettings(host="127.0.0.1").check()
    ServeSettings(host="::1").check()


def _asgi_get(app, path: str, query: str = "", cookie: str = "", host: str = "127.0.0.1:8765") -> tuple[int, dict]:
    """One GET through the application's ASGI interface (no socket: the token check, not the network)."""
    messages: list[dict] = []
    headers = [(b"host", host.encode())] + ([(b"cookie", cookie.encode())] if cookie else [])
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "headers": headers, "scheme": "http", "server": ("127.0.0.1", 8765),
             "client": ("127.0.0.1", 5000), "root_path": ""}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start = messages[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_with_the_network_allowed_every_request_needs_the_access_token(tmp_path: Path) -> None:
    from portfolio_check.catalogue.loader import discover
    from portfolio_check.serve.app import build_app
    from portfolio_check.serve.runs import RunQueue

    token = secrets.token_urlsafe(24)
    settings = ServeSettings(host="0.0.0.0", allow_network=True, token=token, port=8765, temp_parent=str(tmp_path))
    settings.check()
    queue = RunQueue.in_private_folder(discover(()), settings)
    try:
        app = build_app(queue, settings, 8765)
        assert _asgi_get(app, "/")[0] == 401
        assert _asgi_get(app, "/", "token=wrong" + token)[0] == 401
        status, headers = _asgi_get(app, "/runs/abc", f"token={token}")
        assert status == 303 and headers["location"] == "http://127.0.0.1:8765/runs/abc"
        cookie = headers["set-cookie"].split(";")[0]
        assert "httponly" in headers["set-cookie"].lower()
        assert _asgi_get(app, "/", cookie=cookie)[0] == 200
        assert _asgi_get(app, "/", cookie=cookie, host="evil.example:8765")[0] == 400
    finally:
        queue.close()
    assert not any(tmp_path.iterdir())


def test_a_check_that_crashes_ends_on_the_page_and_the_next_one_runs(tmp_path: Path, monkeypatch, ready_zip) -> None:
    from portfolio_check import pipeline
    from portfolio_check.catalogue.loader import discover
    from portfolio_check.serve import pages
    from portfolio_check.serve.runs import Run, RunQueue

    queue = RunQueue.in_private_folder(discover(()), ServeSettings(jobs=1, temp_parent=str(tmp_path)))

    def new_run(name: str) -> Run:
        run_id, folder = queue.new_folder()
        (folder / "upload").mkdir()
        (folder / "upload" / name).write_bytes(ready_zip)
        return Run(id=run_id, owner="session", name=name, folder=folder, upload=folder / "upload" / name,
                   size=len(ready_zip))

    def die(*args: object) -> None:
        os._exit(3)  # stands in for a reader library dying in its C code, taking its process with it

    try:
        # The worker is forked from this process, so it runs the patched pipeline.
        monkeypatch.setattr(pipeline, "check_inventory", die)
        crashed = new_run("Sam Patel 1234567899.zip")
        queue.add(crashed)
        assert queue.wait_idle(120)
        assert crashed.state == "failed"
        assert crashed.problem.startswith("the check stopped unexpectedly (exit status 3)")
        html = pages.run_page(crashed, queue.snapshot(crashed), 60, False)
        assert "This portfolio could not be checked" in html and "exit status 3" in html
        assert not crashed.upload.exists()
        monkeypatch.undo()
        after = new_run("Sam Patel 1234567899.zip")
        queue.add(after)
        assert queue.wait_idle(120)
        assert (after.state, after.verdict_text) == ("done", "Ready for Gateway")
    finally:
        queue.close()
    assert not any(tmp_path.iterdir())
