"""``portfolio-check serve`` driven in real headless Chromium, as a provider uses it: choose the zips,
press Check, watch the progress, read the report, download report.json; and all of it with
JavaScript turned off.

Runs through Selenium and chromedriver (Debian's ``chromium`` and ``chromium-driver``); skipped when
they are not installed. ``UPDATE_SCREENSHOT=1`` writes the README's picture, ``docs/serve.png``.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import browsers
import pytest
from test_serve import SAMPLES, ServerProcess, zip_folder

REPO = Path(__file__).resolve().parent.parent

browsers.skip_without_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    running = ServerProcess(tmp_path_factory.mktemp("serve-browser") / "tmp", "--jobs", "2")
    try:
        yield running
    finally:
        running.stop(signal.SIGTERM)
    assert list(running.scratch.iterdir()) == [], "the server left files behind when it stopped"


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("zips")
    return {
        "ready": zip_folder(SAMPLES / "ST0792-production-coordinator-ready", folder / "Production coordinator.zip"),
        "not-ready": zip_folder(SAMPLES / "ST0792-not-ready", folder / "ST0792-not-ready.zip"),
        "export": zip_folder(SAMPLES / "sharepoint-export", folder / "Cohort export.zip"),
    }


def _driver(downloads: Path, javascript: bool):
    return browsers.chromium(1280, 1000, javascript=javascript, downloads=downloads)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    driver = _driver(tmp_path_factory.mktemp("downloads"), javascript=True)
    try:
        yield driver
    finally:
        driver.quit()


def _upload(browser, server: ServerProcess, *files: Path) -> None:
    """Choose the files on the page and press Check; returns once the browser has left the form."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url + "/")
    browser.find_element(By.ID, "portfolio").send_keys("\n".join(str(f) for f in files))
    browser.find_element(By.ID, "check").click()
    WebDriverWait(browser, 60, poll_frequency=0.05).until(
        lambda d: "/runs" in d.current_url or "#your-runs" in d.current_url)


def _wait_for_report(browser, timeout: float = 120):
    """Wait until the run page shows its report (or why it could not be checked); returns the frame."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout, poll_frequency=0.1).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "iframe#report, #problem")))
    assert not browser.find_elements(By.ID, "problem"), browser.find_element(By.ID, "problem").text
    return browser.find_element(By.ID, "report")


def test_ready_portfolio_ends_on_its_report_saying_ready(browser, server: ServerProcess, zips) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _upload(browser, server, zips["ready"])
    # The progress page comes first, and the script keeps it up to date while the check runs.
    assert browser.current_url.startswith(server.url + "/runs/"), browser.find_element(By.TAG_NAME, "body").text
    progress = browser.find_elements(By.CSS_SELECTOR, "#progress .step")
    assert not progress or progress[0].text.startswith("Received (")
    frame = _wait_for_report(browser)
    assert browser.find_element(By.ID, "result-verdict").text == "Ready for Gateway"
    labels = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".downloads a")]
    assert "report.json (the results as data)" in labels
    assert "Manifest template (Excel: KSBs suggested from each file, to confirm)" in labels
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        browser.set_window_size(1280, 900)
        time.sleep(0.3)
        (REPO / "docs").mkdir(exist_ok=True)
        assert browser.save_screenshot(str(REPO / "docs" / "serve.png"))
    browser.switch_to.frame(frame)
    try:
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".verdict h2"))
        banner = browser.find_element(By.CSS_SELECTOR, ".verdict h2")
        assert banner.is_displayed() and banner.text == "Ready for Gateway"
    finally:
        browser.switch_to.default_content()
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors


def test_not_ready_portfolio_shows_what_to_fix(browser, server: ServerProcess, zips) -> None:
    from selenium.webdriver.common.by import By

    _upload(browser, server, zips["not-ready"])
    frame = _wait_for_report(browser)
    assert browser.find_element(By.ID, "result-verdict").text == "Not ready for Gateway"
    browser.switch_to.frame(frame)
    try:
        assert browser.find_element(By.CSS_SELECTOR, ".verdict h2").text == "Not ready for Gateway"
        what_to_fix = browser.find_element(By.CSS_SELECTOR, "#what-to-fix")
        assert what_to_fix.is_displayed()
        assert what_to_fix.find_element(By.CSS_SELECTOR, "h2").text == "What to fix"
        assert what_to_fix.find_elements(By.CSS_SELECTOR, "li")
    finally:
        browser.switch_to.default_content()


def test_export_of_five_apprentices_ends_on_the_index(browser, server: ServerProcess, zips) -> None:
    from selenium.webdriver.common.by import By

    _upload(browser, server, zips["export"])
    frame = _wait_for_report(browser, timeout=180)
    assert browser.find_element(By.ID, "result-verdict").text == "5 portfolios checked: 3 ready, 2 not ready"
    labels = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".downloads a")]
    assert "summary.csv (one row per portfolio)" in labels
    browser.switch_to.frame(frame)
    try:
        links = browser.find_elements(By.CSS_SELECTOR, "#portfolios a[href$='report.html']")
        assert len({link.get_attribute("href") for link in links}) == 5
        links[0].click()
        assert browser.find_element(By.CSS_SELECTOR, ".verdict h2").text in ("Ready for Gateway", "Not ready for Gateway")
    finally:
        browser.switch_to.default_content()
    # The index is served with its own Content-Security-Policy, so its script (filters, search) runs.
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors


def test_report_json_and_pdf_download(browser, server: ServerProcess, zips, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _upload(browser, server, zips["ready"])
    _wait_for_report(browser)
    browser.find_element(By.ID, "download-json").click()
    target = tmp_path / "report.json"
    deadline = time.monotonic() + 20
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["verdict"] == "ready" and report["verdict_text"] == "Ready for Gateway"
    assert report["portfolio"]["source"] == "Production coordinator.zip"
    # The PDF is printed from the same report when first asked for (by the report stage's writer).
    browser.find_element(By.ID, "download-pdf").click()
    target = tmp_path / "report.pdf"
    deadline = time.monotonic() + 90
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.read_bytes()[:5] == b"%PDF-"


def test_without_javascript_the_upload_still_ends_on_the_report(server: ServerProcess, zips, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = _driver(tmp_path, javascript=False)
    try:
        _upload(driver, server, zips["ready"])
        # The script never ran: the drop hint it reveals stays hidden, and the page refreshes itself.
        frame = _wait_for_report(driver)
        driver.get(server.url + "/")
        assert not driver.find_element(By.CSS_SELECTOR, ".drop__js").is_displayed()
        driver.back()
        frame = _wait_for_report(driver)
        assert driver.find_element(By.ID, "result-verdict").text == "Ready for Gateway"
        driver.switch_to.frame(frame)
        assert driver.find_element(By.CSS_SELECTOR, ".verdict h2").text == "Ready for Gateway"
    finally:
        driver.quit()
