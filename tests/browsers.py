"""Headless Chromium for the browser tests, through Selenium and chromedriver (Debian's ``chromium`` and
``chromium-driver``): no browser is downloaded. A module that needs it calls `skip_without_chromium`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")


def skip_without_chromium() -> None:
    """Skip the calling test module, saying why, when Chromium, chromedriver or Selenium is missing."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("headless Chromium is not installed (Debian packages chromium and chromium-driver)",
                    allow_module_level=True)
    pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install '.[test]')")


def chromium(width: int = 1280, height: int = 900, javascript: bool = True, downloads: Path | None = None,
             network_log: bool = False) -> Any:
    """A headless Chromium driver; the caller quits it. With ``downloads``, files download there unasked;
    ``network_log`` keeps the performance log (the requests a page made) beside the console log."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}"):
        options.add_argument(argument)
    prefs: dict[str, Any] = {}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    if downloads is not None:
        prefs.update({"download.default_directory": str(downloads), "download.prompt_for_download": False})
    if prefs:
        options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", **({"performance": "ALL"} if network_log else {})})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    if downloads is not None:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver
