"""The HTML report in a real browser: what a person sees, on screen and printed on A4.

Runs headless Chromium through Selenium and chromedriver (Debian's ``chromium`` and
``chromium-driver``); skipped when they are not installed.
"""

from __future__ import annotations

import base64
import io
import json
import re
import unicodedata
from pathlib import Path

import browsers
import portfolios
import pytest

#: A4 is 210 mm wide; the report's @page margins are 12 mm each side: 186 mm at 96 px per inch.
A4_CONTENT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)

browsers.skip_without_chromium()


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
    driver = browsers.chromium(1200, 900, network_log=True)
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
        # The findings repeat the what-to-fix list: on paper, only the list and a note are printed.
        shown = browser.execute_script("""
            const visible = selector => [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null).length;
            return [visible('ol.fixes li'), visible('ul.findings li'), visible('.section--findings .print-note')];
        """)
        assert shown[0] > 0 and shown[1:] == [0, 1], shown
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
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Not ready for Gateway" in text and "Not covered" in text
    assert text.count("Trim or remove clips") == 1, "a finding printed twice"


# --- on a phone, without JavaScript, and the printed page's foot ---------------------------------

#: An iPhone's width in CSS pixels: the report must fit it without scrolling sideways.
PHONE_WIDTH_PX = 390


@pytest.fixture
def phone(browser):
    """The browser as a 390 px wide phone (headless Chromium's window cannot be narrower than 500 px)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE_WIDTH_PX, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_report_fits_a_phone_and_its_coverage_matrix_reads_one_ksb_at_a_time(phone, report: Path) -> None:
    from selenium.webdriver.common.by import By

    phone.get(report.as_uri())
    assert phone.execute_script("return window.innerWidth") == PHONE_WIDTH_PX
    assert phone.execute_script("return document.documentElement.scrollWidth") <= PHONE_WIDTH_PX
    beyond = phone.execute_script("""
        return [...document.querySelectorAll('body *')].filter(element => {
            if (element.closest('.visually-hidden')) return false;
            const box = element.getBoundingClientRect();
            return box.width > 0 && (box.right > window.innerWidth + 0.5 || box.left < -0.5);
        }).map(element => element.tagName + '.' + element.className + ': ' + element.textContent.trim().slice(0, 30));
    """)
    assert beyond == [], f"elements beyond a {PHONE_WIDTH_PX} px screen: {beyond}"

    matrix = phone.find_element(By.CSS_SELECTOR, "table.matrix")
    assert not matrix.find_element(By.CSS_SELECTOR, "thead").is_displayed()  # no column of pieces to squeeze
    rows = matrix.find_elements(By.CSS_SELECTOR, "tbody tr:not(:first-child)")
    assert len(rows) >= 20
    for row in rows:
        code = row.find_element(By.CSS_SELECTOR, ".ksb-code")
        statement = row.find_element(By.CSS_SELECTOR, ".ksb-text")
        assert code.is_displayed() and statement.is_displayed() and len(statement.text) > 10
        # the statement runs across the screen, in a legible size, not down a narrow column
        assert statement.rect["width"] >= 0.6 * PHONE_WIDTH_PX or statement.rect["height"] <= 24, code.text
        assert float(statement.value_of_css_property("font-size").rstrip("px")) >= 13
    missing = matrix.find_element(By.CSS_SELECTOR, "tr.is-missing")
    assert missing.is_displayed() and "Not covered" in missing.text and missing.text.startswith("K1 ")
    # Each piece behind a KSB reads as "piece id + mark", beside it; empty cells are gone.
    covered = next(row for row in rows if "Covered" in row.text)
    chips = [cell for cell in covered.find_elements(By.CSS_SELECTOR, "td.mark") if cell.is_displayed()]
    shown = [(phone.execute_script("return getComputedStyle(arguments[0], '::before').content", chip).strip('"'),
              chip.find_element(By.CSS_SELECTOR, ".claim").text) for chip in chips]
    assert shown and all(re.fullmatch(r"\d+", piece) and mark in "✓?○●" for piece, mark in shown), shown
    assert all(chip.rect["y"] >= covered.find_element(By.CSS_SELECTOR, "th").rect["y"] for chip in chips)


def test_what_to_fix_comes_first_and_copies_as_text_without_javascript(report: Path) -> None:
    from selenium.webdriver import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    assert "<script" not in report.read_text(encoding="utf-8")
    driver = browsers.chromium(1200, 900, javascript=False)
    try:
        driver.get("data:text/html,<title>off</title><script>document.title = 'on'</script>")
        assert driver.title == "off", "JavaScript is not off"
        driver.get(report.as_uri())
        sections = driver.execute_script(
            "return [...document.querySelectorAll('main > section')].map(s => s.id || s.className)")
        assert sections[:2] == ["verdict verdict--not-ready", "what-to-fix"]
        section = driver.find_element(By.ID, "what-to-fix")
        assert section.find_element(By.TAG_NAME, "h2").text == "What to fix"
        groups = [h.text for h in section.find_elements(By.CSS_SELECTOR, ".fix-group h3")]
        assert groups[0] == "For the apprentice"
        first = section.find_element(By.CSS_SELECTOR, "ol.fixes > li")
        assert first.text.startswith("Must fix") and "How:" in first.text
        text = driver.find_element(By.ID, "what-to-fix-text")
        assert not text.is_displayed()
        section.find_element(By.CSS_SELECTOR, "details.copy-text summary").click()
        assert text.is_displayed() and text.get_attribute("readonly") == "true"
        value = text.get_attribute("value")
        assert value.startswith("What to fix\nSam Patel: not ready for Gateway (")
        assert "\nFor the apprentice\n1. Must fix: " in value and "\n   How: " in value
        assert "K1 (How structure, vision and purpose affects production)" in value
        # Select-all inside the box takes the whole list, ready to copy: no script needed.
        text.click()
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
        assert driver.execute_script("const t = arguments[0]; return [t.selectionStart, t.selectionEnd]", text) \
            == [0, len(value.replace("\r\n", "\n"))]
    finally:
        driver.quit()


def test_no_heading_is_left_alone_at_the_foot_of_a_printed_page(browser, report: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    browser.get(report.as_uri())
    headings = set(browser.execute_script(
        "return [...document.querySelectorAll('h2, h3, caption, th[scope=rowgroup]')]"
        ".map(h => h.textContent.trim().split('\\n')[0])"))
    printed = browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4, "preferCSSPageSize": True, "printBackground": True})
    # NFKC undoes the ligatures the PDF's text keeps ("ﬁ" for "fi").
    pages = [unicodedata.normalize("NFKC", page.extract_text())
             for page in PdfReader(io.BytesIO(base64.b64decode(printed["data"]))).pages]
    assert len(pages) >= 3
    feet = [[line.strip() for line in page.splitlines() if line.strip()][-1] for page in pages[:-1]]
    alone = [foot for foot in feet if any(foot and heading.startswith(foot) for heading in headings)]
    assert alone == [], f"pages ending with a heading: {alone}"
    assert "What to fix" in pages[0]
