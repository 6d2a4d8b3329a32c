"""``report.pdf`` from ``report.html``, printed by headless Chromium (or Chrome, or Edge).

The PDF is what a browser prints, so it looks like the HTML report on paper (the report's own print
style sheet: A4, headings kept with what follows). The browser runs as a separate program with a
private, temporary profile that is removed afterwards, with every network request refused, no
header or footer (which would print the file's path) and a time limit. It writes into a temporary
file beside the target, moved into place only when it is a whole PDF.

No browser, a browser that fails, or one that runs out of time is never an error of the check: the
result says the PDF was not made, why, and how to get one (`HOW_TO_GET_A_PDF`).

Only the standard library is imported: this module is cheap to import from the command line or a
local web server.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

#: The environment variable that names the browser program (a path, or a name looked up on PATH).
BROWSER_ENV = "PORTFOLIO_CHECK_BROWSER"
#: Seconds a browser may take to print one report before it is stopped. A report of 20 pages
#: prints in about 2 s on a 2-core machine; the margin is for a busy machine and a first start.
DEFAULT_SECONDS = 60.0
#: Programs looked up on PATH, in order: Chromium first, then the browsers built on it.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
                 "microsoft-edge", "microsoft-edge-stable", "msedge")
#: The longest temporary folder handed to the browser: it makes a socket there, and a socket's path
#: is limited to 104 bytes (macOS; 108 on Linux), of which the browser's own names take about 45.
_BROWSER_TMP_MAX = 56
#: What to do when the PDF was not made, in plain words.
HOW_TO_GET_A_PDF = ("to get a PDF, install Chromium or Google Chrome (on Debian or Ubuntu: "
                    f"sudo apt-get install chromium) or set {BROWSER_ENV} to the browser's program, "
                    "then run the command again; or open report.html in a browser and print it to PDF")

#: Headless printing with nothing fetched or kept. The host resolver maps every name and address to
#: "not found" and the proxy points at a closed port, so no request leaves the machine (the report
#: needs none: it is self-contained); the rest turns off what a browser does in the background.
_FLAGS = (
    "--headless=new", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
    "--no-first-run", "--no-default-browser-check", "--disable-default-apps", "--disable-extensions",
    "--disable-sync", "--disable-background-networking", "--disable-component-update",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-breakpad",
    "--disable-crash-reporter", "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--disable-dev-shm-usage", "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    # No header or footer: Chromium's would print the date, the title and the report's file path.
    "--no-pdf-header-footer", "--print-to-pdf-no-header",
)


@dataclass(frozen=True)
class PdfResult:
    """Whether a PDF was made, and if not, why (plain data: it pickles and turns into JSON as it is)."""

    made: bool
    #: Where the PDF is (or would have been).
    pdf_path: str
    #: Why it was not made, in plain words; None when it was.
    reason: str | None = None
    #: The browser program that printed it (or tried to); None when none was found.
    browser: str | None = None
    #: Seconds it took, browser start included.
    seconds: float = 0.0
    #: True when an up-to-date PDF from an earlier run was kept instead of printing it again.
    reused: bool = False

    @property
    def message(self) -> str:
        """One line for a person: what was written, or why not and how to get a PDF."""
        if self.made:
            return f"wrote {self.pdf_path}"
        return f"{self.pdf_path} was not made: {self.reason}; {HOW_TO_GET_A_PDF}"


def _default_locations() -> list[Path]:
    """Where the browsers install themselves outside PATH (Windows and macOS)."""
    if sys.platform == "win32":
        roots = [os.environ.get(name) for name in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        inside = (r"Google\Chrome\Application\chrome.exe", r"Chromium\Application\chrome.exe",
                  r"Microsoft\Edge\Application\msedge.exe")
        return [Path(root) / program for program in inside for root in roots if root]
    if sys.platform == "darwin":
        apps = ("Google Chrome", "Chromium", "Microsoft Edge")
        return [folder / f"{app}.app" / "Contents" / "MacOS" / app
                for app in apps for folder in (Path("/Applications"), Path.home() / "Applications")]
    return []


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_browser(named: str | None = None, search_path: str | None = None,
                 locations: Sequence[Path] | None = None) -> Path | None:
    """The browser program to print with, or None.

    ``named`` (default: the `BROWSER_ENV` environment variable) is a path, or a name looked up on
    ``search_path`` (default: PATH); when it is given nothing else is tried. Otherwise the
    `BROWSER_NAMES` are looked up on ``search_path``, then the usual install ``locations`` of
    Windows and macOS.
    """
    named = named if named is not None else os.environ.get(BROWSER_ENV) or None
    if named:
        given = Path(named).expanduser()
        if given.is_absolute() or os.sep in named or (os.altsep and os.altsep in named):
            return given if _runnable(given) else None
        found = shutil.which(named, path=search_path)
        return Path(found) if found else None
    for name in BROWSER_NAMES:
        found = shutil.which(name, path=search_path)
        if found:
            return Path(found)
    return next((p for p in (_default_locations() if locations is None else locations) if _runnable(p)), None)


def _not_found_reason(named: str | None) -> str:
    named = named if named is not None else os.environ.get(BROWSER_ENV) or None
    if named:
        return f"the browser {BROWSER_ENV} names ({named}) was not found or cannot be run"
    return "no Chromium, Google Chrome or Microsoft Edge was found on this computer"


def write_pdf(html_path: Path, pdf_path: Path, timeout: float = DEFAULT_SECONDS, browser: str | None = None,
              search_path: str | None = None) -> PdfResult:
    """Print ``html_path`` to ``pdf_path`` with a headless Chromium; never raises for a missing or
    failing browser (the result says why no PDF was made).

    ``browser`` and ``search_path`` are as `find_browser`'s ``named`` and ``search_path``.
    """
    started = time.monotonic()
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    if not html_path.is_file():
        return PdfResult(False, str(pdf_path), f"{html_path.name} was not found, so there is nothing to print")
    program = find_browser(browser, search_path)
    if program is None:
        return PdfResult(False, str(pdf_path), _not_found_reason(browser), seconds=time.monotonic() - started)
    reason = _print(program, html_path.resolve(), pdf_path, timeout)
    return PdfResult(reason is None, str(pdf_path), reason, str(program), time.monotonic() - started)


def write_pdfs(pairs: Sequence[tuple[Path, Path]], workers: int = 1, timeout: float = DEFAULT_SECONDS,
               browser: str | None = None, search_path: str | None = None,
               keep_up_to_date: bool = False) -> list[PdfResult]:
    """`write_pdf` for each (html, pdf) pair, ``workers`` browsers at a time; results in the pairs' order.

    With ``keep_up_to_date`` a PDF at least as new as its HTML is kept as it is (``reused``), as a
    batch run with ``--resume`` keeps the reports of portfolios that have not changed.
    """
    if not pairs:
        return []
    program = find_browser(browser, search_path)
    if program is None:
        reason = _not_found_reason(browser)
        return [PdfResult(False, str(pdf), reason) for _, pdf in pairs]

    def one(pair: tuple[Path, Path]) -> PdfResult:
        html, pdf = pair
        if keep_up_to_date and _up_to_date(html, pdf):
            return PdfResult(True, str(pdf), browser=str(program), reused=True)
        return write_pdf(html, pdf, timeout, str(program))

    # Threads only wait on the browser processes, which do the work.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, pairs))


def _up_to_date(html: Path, pdf: Path) -> bool:
    try:
        printed = pdf.stat()
        return printed.st_size > 0 and printed.st_mtime >= html.stat().st_mtime
    except OSError:
        return False


def _print(program: Path, html: Path, pdf_path: Path, timeout: float) -> str | None:
    """Run the browser; None when ``pdf_path`` holds the new PDF, else why not."""
    try:
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        partial = _reserve_beside(pdf_path)
    except OSError as exc:
        return f"it could not be written in {pdf_path.parent} ({exc.strerror or exc})"
    folders: list[Path] = []
    try:
        workspace = Path(tempfile.mkdtemp(prefix="pc-pdf-"))
        folders.append(workspace)
        command = [str(program), *_FLAGS, f"--user-data-dir={workspace / 'profile'}",
                   f"--print-to-pdf={partial}", html.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to start its sandbox as root
        # The browser's own temporary files go into a folder of ours, removed even when the browser
        # is stopped; a short one, since the browser makes a socket there.
        browser_tmp = _short_folder(workspace)
        folders.append(browser_tmp)
        environment = {**os.environ, "TMPDIR": str(browser_tmp), "TMP": str(browser_tmp), "TEMP": str(browser_tmp)}
        problem = _run(command, environment, workspace / "browser.log", timeout)
        if problem is None and not _is_whole_pdf(partial):
            problem = "the browser finished without writing a whole PDF"
        if problem is not None:
            return problem
    except OSError as exc:  # no room for the browser's profile, or its program would not start
        return f"the browser could not be run ({exc.strerror or exc})"
    else:
        try:
            os.replace(partial, pdf_path)
        except OSError as exc:
            return f"it could not be moved into place ({exc.strerror or exc}); is it open in another program?"
        return None
    finally:
        partial.unlink(missing_ok=True)
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def _short_folder(workspace: Path) -> Path:
    """A new folder for the browser's temporary files: in ``workspace`` when its path is short
    enough, else in /tmp (a long TMPDIR would make the browser stop at start)."""
    inside = workspace / "t"
    if len(str(inside)) <= _BROWSER_TMP_MAX or not os.access("/tmp", os.W_OK):
        inside.mkdir()
        return inside
    return Path(tempfile.mkdtemp(prefix="pc-pdf-", dir="/tmp"))


def _reserve_beside(path: Path) -> Path:
    """A new empty file beside ``path`` for the browser to write into, moved over ``path`` when whole."""
    for _ in range(100):
        candidate = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(17, "could not create a temporary file", str(path.parent))


def _run(command: list[str], environment: dict[str, str], log: Path, timeout: float) -> str | None:
    """Run the browser to its end or the time limit; None when it exited with status 0, else why not."""
    posix = os.name == "posix"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, env=environment,
            # Its own process group, so the browser's helper processes are stopped with it.
            start_new_session=posix,
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if not posix else 0)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process, posix)
            return f"the browser did not finish within {timeout:g} s"
        finally:
            if process.poll() is None:  # interrupted (Ctrl-C): leave no browser behind
                _stop(process, posix)
    if status != 0:
        said = _last_words(log)
        return f"the browser stopped with status {status}" + (f" ({said})" if said else "")
    return None


def _stop(process: subprocess.Popen[bytes], posix: bool) -> None:
    try:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _last_words(log: Path) -> str:
    """Why the browser stopped, from its log: the fatal error if it names one, else its last line
    (most of its log is noise about desktop services a headless browser does not need)."""
    try:
        lines = log.read_bytes()[-16384:].decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    # Chromium's lines start with [process:thread:time:LEVEL:source.cc:line]; the words come after.
    said = [(line.split(":FATAL:", 1)[0] != line, re.sub(r"^\[[^\]]*\]\s*", "", line.strip()))
            for line in lines if line.strip() and "dbus" not in line and "bytes written" not in line]
    fatal = [text for is_fatal, text in said if is_fatal]
    chosen = fatal[-1] if fatal else (said[-1][1] if said else "")
    return chosen[:200]


def _is_whole_pdf(path: Path) -> bool:
    """Starts as a PDF does and ends with its end-of-file marker (a killed browser leaves neither)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            head = stream.read(5)
            stream.seek(max(0, size - 1024))
            tail = stream.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail
