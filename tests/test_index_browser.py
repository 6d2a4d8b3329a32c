"""The batch index in a real browser: search and filters, its script under the page's policy, without
script, on a 390 px phone, and printed on A4.

Runs headless Chromium through Selenium and chromedriver (Debian's ``chromium`` and
``chromium-driver``); skipped when they are not installed.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
from pathlib import Path

import browsers
import pytest
from test_cohort import (
    A_RAHMAN,
    AISHA,
    BEN,
    CHLOE,
    DANIEL,
    ELLIE,
    FARAH,
    altered_export_batch,  # noqa: F401 - the fixture `run`, one batch for both modules
)

from portfolio_check.batch import PortfolioRow, cohort_warnings
from portfolio_check.report import batch_view

#: A4 is 210 mm wide; the page's @page margins are 12 mm each side: 186 mm at 96 px per inch.
A4_CONTENT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)
PHONE_WIDTH_PX = 390

browsers.skip_without_chromium()
from selenium.webdriver.common.by import By  # imported once selenium is known to be there
from selenium.webdriver.support.ui import Select

ALL = [A_RAHMAN, AISHA, BEN, CHLOE, DANIEL, ELLIE, FARAH]


@pytest.fixture(scope="module")
def batch_output(run: tuple[Path, Path, str]) -> Path:
    """The batch output of test_cohort's altered sample export."""
    return run[1]


@pytest.fixture(scope="module")
def browser():
    driver = browsers.chromium(1280, 900, network_log=True)
    try:
        yield driver
    finally:
        driver.quit()


def _shown(browser) -> list[str]:
    """The folder line of each portfolio row the page shows, in order."""
    rows = browser.find_elements(By.CSS_SELECTOR, "#portfolios tbody tr")
    return [row.find_element(By.CSS_SELECTOR, ".folder").text.removeprefix("Folder: ")
            for row in rows if row.is_displayed()]


def test_search_and_filters_narrow_the_portfolios(browser, batch_output: Path) -> None:
    browser.get((batch_output / "index.html").as_uri())
    assert browser.find_element(By.ID, "filters").is_displayed()
    status = browser.find_element(By.ID, "filter-status")
    assert _shown(browser) == ALL and status.text == "Showing all 7 portfolios."

    search = browser.find_element(By.ID, "filter-q")
    search.send_keys("nightjar")  # Chloe's employer
    assert _shown(browser) == [CHLOE] and status.text == "Showing 1 of 7 portfolios (filtered)."
    search.clear()
    search.send_keys("1234567899")  # the ULN Daniel's folder's portfolio.yaml gives
    assert _shown(browser) == [DANIEL]
    search.clear()
    search.send_keys("RAHMAN 9273610489")  # every word, in any case
    assert _shown(browser) == [A_RAHMAN, AISHA]
    search.clear()
    search.send_keys("no such apprentice")
    assert _shown(browser) == [] and "None matches" in status.text
    search.clear()
    assert _shown(browser) == ALL

    verdict, employer = Select(browser.find_element(By.ID, "filter-verdict")), \
        Select(browser.find_element(By.ID, "filter-employer"))
    standard, code = Select(browser.find_element(By.ID, "filter-standard")), \
        Select(browser.find_element(By.ID, "filter-code"))
    verdict.select_by_visible_text("Not ready")
    assert _shown(browser) == [DANIEL]
    verdict.select_by_visible_text("Could not check")
    assert _shown(browser) == [FARAH]
    verdict.select_by_visible_text("Ready")
    assert _shown(browser) == [A_RAHMAN, AISHA, BEN, CHLOE, ELLIE]
    employer.select_by_visible_text("Larkspur Theatre Company")
    assert _shown(browser) == [ELLIE]
    employer.select_by_visible_text("Not stated")
    assert _shown(browser) == [A_RAHMAN, AISHA, BEN]
    verdict.select_by_visible_text("Any")
    employer.select_by_visible_text("Any")
    assert [o.text for o in standard.options] == ["Any", "ST0792", "ST1457", "Not known"]
    standard.select_by_visible_text("ST1457")
    assert _shown(browser) == [ELLIE]
    standard.select_by_visible_text("Any")
    code.select_by_visible_text("manifest-missing-file")
    assert _shown(browser) == [DANIEL]
    code.select_by_visible_text("shared-evidence-file")  # the codes across portfolios filter too
    assert _shown(browser) == [A_RAHMAN, AISHA, BEN, ELLIE]
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=reset]").click()
    assert _shown(browser) == ALL and status.text == "Showing all 7 portfolios."


def test_headings_sort_the_rows(browser, batch_output: Path) -> None:
    browser.get((batch_output / "index.html").as_uri())
    errors = browser.find_element(By.XPATH, "//thead//th[normalize-space()='Errors']/button")
    errors.click()
    errors.click()  # descending: the most errors first
    assert _shown(browser)[0] == DANIEL
    assert browser.find_element(By.XPATH, "//thead//th[normalize-space()='Errors']").get_attribute("aria-sort") \
        == "descending"


def test_the_script_runs_under_the_pages_own_policy_and_nothing_is_fetched(browser, batch_output: Path) -> None:
    page = (batch_output / "index.html").read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-")
    assert "unsafe-inline" not in policy.split("script-src")[1] and "unsafe-eval" not in policy
    assert page.count("<script") == 1 and "<script src" not in page and " on" + "click=" not in page
    browser.execute_cdp_cmd("Network.enable", {})
    browser.get_log("performance")
    browser.get_log("browser")
    url = (batch_output / "index.html").as_uri()
    browser.get(url)
    # The script ran (its hash matched): the headings became buttons and the filters appeared.
    assert len(browser.find_elements(By.CSS_SELECTOR, "thead th button")) == 10
    assert browser.find_element(By.ID, "filters").is_displayed()
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    requested = [json.loads(entry["message"])["message"]["params"]["request"]["url"]
                 for entry in browser.get_log("performance")
                 if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"]
    assert requested == [url]


def test_without_javascript_every_portfolio_is_listed(browser, batch_output: Path) -> None:
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get((batch_output / "index.html").as_uri())
        assert _shown(browser) == ALL
        assert not browser.find_element(By.ID, "filters").is_displayed()  # no controls that would do nothing
        assert not browser.find_element(By.ID, "filter-status").is_displayed()
        assert browser.find_elements(By.CSS_SELECTOR, "thead th button") == []
        links = browser.find_elements(By.CSS_SELECTOR, "#portfolios td.report-cell a")
        assert len(links) == 6 and all(link.is_displayed() for link in links)
        assert browser.find_element(By.ID, "cross-portfolio").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_on_a_390_px_phone_rows_become_cards_without_sideways_scrolling(browser, batch_output: Path) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE_WIDTH_PX, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        browser.get((batch_output / "index.html").as_uri())
        assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH_PX
        assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE_WIDTH_PX
        assert not browser.find_element(By.CSS_SELECTOR, "#portfolios thead").is_displayed()
        links = browser.find_elements(By.CSS_SELECTOR, "#portfolios td.report-cell a")
        assert len(links) == 6
        for link in links:
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
            box = link.rect
            assert link.is_displayed() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH_PX, box
        # Each card shows its labelled lines one under the other, inside the screen.
        overflowing = browser.execute_script("""
            return [...document.querySelectorAll('#portfolios tbody tr, #portfolios td, .filters, .cross-list li')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                .map(el => el.tagName + ' ' + el.textContent.trim().slice(0, 30));
        """)
        assert overflowing == []
        first = browser.find_element(By.CSS_SELECTOR, "#portfolios tbody tr")
        assert browser.execute_script("return getComputedStyle(arguments[0]).display", first) == "block"
        label = browser.execute_script(
            "return getComputedStyle(arguments[0], '::before').content",
            first.find_element(By.CSS_SELECTOR, "td[data-label='Verdict']"))
        assert label == '"Verdict"'
        # The filters still work on a phone.
        Select(browser.find_element(By.ID, "filter-verdict")).select_by_visible_text("Not ready")
        assert _shown(browser) == [DANIEL]
        assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE_WIDTH_PX
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _cohort_of(rows: list[PortfolioRow], size: int) -> list[PortfolioRow]:
    """``size`` portfolios made from the real rows, each with a name and folder of its own. The long names
    make each row's first cell several lines tall: a page break inside a row would fall between its lines
    (without the page's break-inside rule, Chromium cuts 2 of these 60 rows)."""
    made = []
    for number in range(1, size + 1):
        row = rows[number % len(rows)]
        made.append(dataclasses.replace(row, portfolio=f"Cohort-{number:03d}", folder=f"Cohort-{number:03d}",
                                        apprentice=f"Apprentice {number:03d} Featherstonehaugh-Cholmondeley "
                                                   "Ashby-de-la-Zouch", uln=None, evidence=()))
    return made


def test_the_index_prints_on_a4_without_cut_rows(browser, batch_output: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    rows = [PortfolioRow.from_dict(entry) for entry in
            json.loads((batch_output / "summary.json").read_text(encoding="utf-8"))["portfolios"]]
    cohort = [*_cohort_of(rows, 60), *rows]  # the real rows bring their cross-portfolio warnings
    page = tmp_path / "index.html"
    page.write_text(batch_view.render_index_html(cohort, "OneDrive_1_2026-12-02.zip", None, [], cohort_warnings(cohort)),
                    encoding="utf-8")
    browser.get(page.as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": A4_CONTENT_WIDTH_PX, "height": 1100, "deviceScaleFactor": 1, "mobile": False})
    try:
        assert browser.execute_script("return document.documentElement.scrollWidth") <= A4_CONTENT_WIDTH_PX
        spilling = browser.execute_script("""
            return [...document.querySelectorAll('#portfolios th, #portfolios td, #portfolios th button')]
                .filter(cell => cell.offsetParent !== null && cell.scrollWidth > cell.clientWidth + 1)
                .map(cell => cell.textContent.trim().slice(0, 40));
        """)
        assert spilling == [], f"cells whose content does not fit at A4 width: {spilling}"
        table = browser.find_element(By.ID, "portfolios").rect
        assert table["x"] + table["width"] <= A4_CONTENT_WIDTH_PX + 0.5
        assert not browser.find_element(By.ID, "filters").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, "thead th.col-report").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    printed = browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.5, "paperHeight": 11, "preferCSSPageSize": True, "printBackground": True})
    pdf = base64.b64decode(printed["data"])
    (tmp_path / "index.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)  # the page's @page, not Letter
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) >= 3 and "67 portfolios" in texts[0]
    for number in range(1, 61):
        # A row's first line (the apprentice) and its last (the folder) print on the same page. (Both come
        # again in the list of portfolios that are not ready, after the table.)
        name = [i for i, text in enumerate(texts) if f"Apprentice {number:03d}" in text]
        folder = [i for i, text in enumerate(texts) if f"Cohort-{number:03d}" in text]
        assert name and folder and folder[0] == name[0], (number, name, folder)
    # No heading is left alone at the foot of a page: it goes over with its first item.
    heading = next(i for i, text in enumerate(texts) if "Across portfolios" in text)
    assert "ULN 9273610489 is given for 2 portfolios" in texts[heading]
