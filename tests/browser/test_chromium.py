"""A person in Chromium browses the example project's API, logs in, writes, logs out.

Runs against a live server of the example project (a free port), with the
test app's authors and books at ``/testapi/`` for the forms. Screenshots of
the main pages go to ``tests/output/screenshots/`` (kept as CI artifacts).

To cover more trees, add to ``SERVICE_TREES`` (browsed by link from
``/api/``) or write a journey like :func:`test_create_fix_update_delete`
against another list URL; ``test_service_forms.py`` has one per service.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By

from tests.browser.steps import Browser, log_in
from tests.testapp.models import Author

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

#: The links of /api/ into each service's tree (a page is titled by its link's name).
SERVICE_TREES = ("retry_requests", "queuey_applications", "datarouter_feeds")


def _json_status(url: str, cookies: list[dict[str, Any]]) -> int:
    """What the API answers a JSON client for ``url`` with the browser's cookies."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_browse_the_services_by_link_logged_in_and_out(browser: Browser, alice: User) -> None:
    browser.open("/api/")
    assert browser.status == "200 OK"
    browser.shot("01-api-root")
    rows = {row.find_elements(By.TAG_NAME, "td")[0].text: row for row in browser.els("#links tbody tr")}
    assert set(SERVICE_TREES) | {"self"} <= set(rows)

    log_in(browser, "alice", "correct horse", shot="02-login-form")
    assert browser.driver.current_url == browser.base_url + "/api/"
    assert browser.el(".username").text == "alice"

    for link_name in SERVICE_TREES:
        browser.open("/api/")
        link = browser.driver.find_element(By.XPATH, f"//table[@id='links']//tr[td[1]='{link_name}']//a")
        href = link.get_attribute("href")
        browser.follow(link)
        assert browser.driver.current_url == href
        assert browser.el("h1").text == link_name
        assert [a.text for a in browser.els("nav.crumbs a")][:1] == ["root"]
        # The page shows exactly the answer a JSON client gets with the same cookies.
        shown = int(browser.status.split()[0])
        assert shown == _json_status(href, browser.driver.get_cookies())
        assert browser.payload["stat"] == ("ok" if shown == 200 else "fail")
        browser.shot(f"03-service-{link_name}")

    browser.open("/api/")
    browser.click("#logout")
    assert browser.driver.current_url == browser.base_url + "/api/"
    assert browser.els("#login") and not browser.els(".username")
    browser.shot("09-logged-out")


def test_create_fix_update_delete(browser: Browser, alice: User) -> None:
    browser.open("/testapi/authors/")
    log_in(browser, "alice", "correct horse")
    assert browser.driver.current_url == browser.base_url + "/testapi/authors/"
    browser.shot("04-authors-list")

    # A bad submit: the API's own error beside the input, what was typed kept.
    browser.fill("id-post-name", "Ursula K. Le Guin")
    browser.fill("id-post-birth_year", "1.5")
    browser.submit("#form-post")
    assert browser.status == "400 Bad Request"
    assert browser.el("#errors-post-birth_year").text == '"1.5" is not an integer'
    assert browser.el("#id-post-name").get_attribute("value") == "Ursula K. Le Guin"
    assert browser.el("#id-post-birth_year").get_attribute("value") == "1.5"
    assert not Author.objects.exists()
    browser.shot("05-field-errors")

    browser.fill("id-post-birth_year", "1929")
    browser.fill("id-post-bio", "Wrote Earthsea.")
    browser.submit("#form-post")
    author = Author.objects.get()
    assert (author.name, author.birth_year, author.bio) == ("Ursula K. Le Guin", 1929, "Wrote Earthsea.")
    assert browser.driver.current_url == f"{browser.base_url}/testapi/authors/{author.pk}/"
    assert browser.payload["author"]["name"] == "Ursula K. Le Guin"
    browser.shot("06-author-created")

    browser.el(".form-put summary").click()
    assert browser.el("#id-put-birth_year").get_attribute("value") == "1929"
    browser.fill("id-put-name", "U. K. Le Guin")
    browser.submit("#form-put")
    author.refresh_from_db()
    assert (author.name, author.birth_year) == ("U. K. Le Guin", 1929)
    assert browser.driver.current_url == f"{browser.base_url}/testapi/authors/{author.pk}/"
    assert browser.payload["author"]["name"] == "U. K. Le Guin"
    browser.shot("07-author-updated")

    browser.click("#delete")
    assert browser.driver.current_url == f"{browser.base_url}/testapi/authors/"
    assert not Author.objects.exists()
    assert browser.payload["total_results"] == 0
    browser.shot("08-after-delete")

    browser.click("#logout")
    assert browser.els("#login")


def test_a_stored_script_does_not_run(browser: Browser, alice: User) -> None:
    scripts = [
        "<script>window.__xss = 1; alert(1)</script>",
        '<img src="x" onerror="window.__xss = 2; alert(2)">',
        '"><svg onload="window.__xss = 3">',
    ]
    author = Author.objects.create(name=scripts[0], bio=scripts[1] + scripts[2])
    for path in (f"/testapi/authors/{author.pk}/", "/testapi/authors/"):
        browser.open(path)
        assert browser.no_alert()
        assert browser.driver.execute_script("return window.__xss === undefined")
        shown = browser.el("#payload").text
        assert all(json.dumps(script)[1:-1] in shown for script in scripts)
    browser.open(f"/testapi/authors/{author.pk}/")
    assert browser.el("#refused").text.startswith("This URL also takes PUT, DELETE")
    log_in(browser, "alice", "correct horse")
    browser.el(".form-put summary").click()
    assert browser.el("#id-put-name").get_attribute("value") == scripts[0]
    browser.shot("10-stored-script-shown-as-text")
