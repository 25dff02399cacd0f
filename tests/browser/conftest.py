"""A headless Chromium driven by Selenium, for the browser tests.

Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them).
Without them the tests are skipped, unless ``WEBAPI_KIT_REQUIRE_BROWSER=1``
(as CI sets it), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.steps import Browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    browser = _find("chromium", "chromium-browser")
    driver_path = _find("chromedriver")
    if browser is None or driver_path is None:
        reason = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("WEBAPI_KIT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1100", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def browser(chromium: WebDriver, live_server: Any, screenshots: Path) -> Browser:
    chromium.delete_all_cookies()
    return Browser(chromium, live_server.url, screenshots)


@pytest.fixture
def alice(transactional_db: None) -> User:
    return User.objects.create_user("alice", password="correct horse")
