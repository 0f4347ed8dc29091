"""Headless Chromium for the report tests, the README screenshot and the load-time figures:
Debian's `chromium` and `chromedriver` (the Makefile installs them), driven by selenium.
Nothing here downloads a browser; a missing one is a one-line failure, not a skip."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
"""Headless as root in a container; without the networking flags Chromium's own connections
pile up on a closed network (platform.md)."""


def missing() -> str | None:
    """Why no browser can run here, in one line; None when one can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if shutil.which(path) is None:
            return f"{path} is missing: apt-get install {package} (make test installs it)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is missing: pip install -e '.[dev]'"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium with a fresh profile, logging the console and the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="rote-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def open_page(driver: Any, path: Path, hash_: str = "") -> float:
    """Load a report from disk; the seconds until its load event (its scripts have run)."""
    driver.get_log("browser")  # drop what an earlier page logged
    driver.get_log("performance")
    start = time.perf_counter()
    driver.get(path.resolve().as_uri() + hash_)
    return time.perf_counter() - start


def console_errors(driver: Any) -> list[str]:
    """The page's console errors and uncaught exceptions since it was opened."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def requests(driver: Any) -> list[str]:
    """The URLs the page asked for since it was opened (file: and data: ones included)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def text(driver: Any, element_id: str) -> str:
    return str(driver.find_element("id", element_id).text)


def inner_html(driver: Any, element_id: str) -> str:
    return str(driver.execute_script(f"return document.getElementById('{element_id}').innerHTML"))
