"""Headless Chromium with the network off, for the HTML view's screenshots and timings.

The same flags as the browser fixture in ``tests/test_export_html.py``: Debian's ``chromium``
and ``chromedriver`` from ``/usr/bin`` (``scripts/install-chromium.sh``), and every request sent
to a closed local port, so a page that needed the network would show it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextmanager
def headless_chromium(width: int = 1400, height: int = 900) -> Iterator[Any]:
    """A Selenium driver for an offline headless Chromium window of ``width`` x ``height``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="paperkg-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in (
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--window-size={width},{height}", "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(300)
        try:
            yield driver
        finally:
            driver.quit()


def open_page(driver: Any, path: Path, timeout: float = 300) -> dict[str, Any]:
    """Load ``path`` and wait for the page to be laid out and drawn.

    Returns the page's ``kgTimings`` (``stable``: ms from navigation start to the first drawing
    of the final layout), the wall-clock seconds seen from here, and the SEVERE console entries.
    """
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")
    started = time.perf_counter()
    driver.get(Path(path).resolve().as_uri())
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.kgReady === true"))
    wall = time.perf_counter() - started
    timings = driver.execute_script("return window.kgTimings")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return {**timings, "wall_s": wall, "errors": errors}
