"""What a person does in the browser tests: open, click, fill in, log in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

__all__ = ["Browser", "log_in"]


class Browser:
    """The driver, with the few steps a person takes."""

    def __init__(self, driver: WebDriver, base_url: str, screenshots: Path) -> None:
        self.driver = driver
        self.base_url = base_url
        self.screenshots = screenshots

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def shot(self, name: str) -> None:
        # The whole page, not only the window: resize to the document's height.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(800, min(int(height) + 40, 4000)))
        self.driver.save_screenshot(str(self.screenshots / f"{name}.png"))
        self.driver.set_window_size(1280, 1100)

    def el(self, css: str) -> Any:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def els(self, css: str) -> list[Any]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    @property
    def status(self) -> str:
        return str(self.el("#status").text)

    @property
    def payload(self) -> Any:
        return json.loads(self.el("#payload").text)

    def click(self, css: str) -> None:
        """Click what loads another page, and wait for that page."""
        self.follow(self.el(css))

    def follow(self, element: Any) -> None:
        # A mark on the old page's window: gone once the next page has loaded.
        self.driver.execute_script("window.__old_page = true")
        element.click()
        WebDriverWait(self.driver, 15).until(
            lambda d: d.execute_script("return !window.__old_page && document.readyState === 'complete'")
        )

    def submit(self, form_css: str) -> None:
        self.click(f"{form_css} button[type=submit]")

    def fill(self, field_id: str, text: str) -> None:
        element = self.el(f"#{field_id}")
        element.clear()
        element.send_keys(text)

    def no_alert(self) -> bool:
        try:
            self.driver.switch_to.alert
        except NoAlertPresentException:
            return True
        return False


def log_in(browser: Browser, username: str, password: str, shot: str | None = None) -> None:
    browser.click("#login")
    assert browser.driver.title.startswith("Log in")
    browser.fill("id_username", username)
    browser.fill("id_password", password)
    if shot:
        browser.shot(shot)
    browser.click("#login-submit")
