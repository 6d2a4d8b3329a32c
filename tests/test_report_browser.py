"""The HTML report in a real browser: what a person sees, on screen and printed on A4.

Runs headless Chromium through Selenium and chromedriver (Debian's ``chromium`` and
``chromium-driver``); skipped when they are not installed.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

import portfolios
import pytest

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
#: A4 is 210 mm wide; the report's @page margins are 12 mm each side: 186 mm at 96 px per inch.
A4_CONTENT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("headless Chromium is not installed (Debian packages chromium and chromium-driver)",
                allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install '.[test]')")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a portfolio that is not ready: 17 pieces, K1 uncovered, 11 min of video (4 min in a deck)."""
    from click.testing import CliRunner

    from portfolio_check.cli import main

    root = tmp_path_factory.mktemp("browser")
    portfolio = portfolios.build(root / "Sam Patel 1234567899", portfolios.Spec(
        pieces=17, uncovered=("K1",), videos=(420.0,), embedded=(240.0,)))
    out = root / "out"
    result = CliRunner().invoke(main, ["check", str(portfolio), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return out / "report.html"


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_report_reads_right_and_stays_offline_in_chromium(browser, report: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url = report.as_uri()
    browser.execute_cdp_cmd("Network.enable", {})
    browser.get(url)
    page = browser.find_element(By.TAG_NAME, "body").text

    banner = browser.find_element(By.CSS_SELECTOR, ".verdict h2")
    assert banner.is_displayed() and banner.text == "Not ready for Gateway"
    assert "17 pieces of evidence" in page
    assert "11 min of video" in page
    assert "Embedded in a presentation" in page
    missing = browser.find_elements(By.CSS_SELECTOR, "table.matrix tr.is-missing")
    assert [row.find_element(By.CSS_SELECTOR, "th").text.split()[0] for row in missing] == ["K1"]
    assert missing[0].is_displayed() and "Not covered" in missing[0].text
    photos = browser.find_elements(By.CSS_SELECTOR, "img.file__thumb")
    assert photos and all(p.get_attribute("alt").startswith("Preview of ") for p in photos)
    assert all(browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", p)
               for p in photos), "a thumbnail did not decode"

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    requested = [json.loads(entry["message"])["message"]["params"]["request"]["url"]
                 for entry in browser.get_log("performance")
                 if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"]
    assert url in requested
    assert [u for u in requested if u != url and not u.startswith("data:image/")] == []

    screenshot = tmp_path / "report.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_prints_on_a4_without_cut_tables(browser, report: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    browser.get(report.as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": A4_CONTENT_WIDTH_PX, "height": 1100, "deviceScaleFactor": 1, "mobile": False})
    try:
        cut = browser.execute_script("""
            const page = document.documentElement.clientWidth;
            return [...document.querySelectorAll('table')].filter(table => {
                const box = table.getBoundingClientRect();
                const holder = table.parentElement;
                return box.right > page + 0.5 || table.scrollWidth > table.clientWidth + 1
                    || holder.scrollWidth > holder.clientWidth + 1;
            }).map(table => table.className + ': ' + Math.round(table.getBoundingClientRect().right));
        """)
        # A cell whose content spills over its neighbours is cut too (text alternatives excepted).
        spilling = browser.execute_script("""
            return [...document.querySelectorAll('td, th')]
                .filter(cell => !cell.closest('.visually-hidden') && cell.scrollWidth > cell.clientWidth + 1)
                .map(cell => cell.textContent.trim().slice(0, 40));
        """)
        assert spilling == [], f"cells whose content does not fit at A4 width: {spilling}"
        assert browser.execute_script("return document.querySelectorAll('table.matrix').length") >= 1
        assert cut == [], f"tables wider than A4 ({A4_CONTENT_WIDTH_PX} px): {cut}"
        assert browser.execute_script("return document.documentElement.scrollWidth") <= A4_CONTENT_WIDTH_PX
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    printed = browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4, "preferCSSPageSize": True, "printBackground": True})
    pdf = base64.b64decode(printed["data"])
    (tmp_path / "report.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Not ready for Gateway" in text and "Not covered" in text
