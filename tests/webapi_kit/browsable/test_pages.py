"""The browsable API's pages, through Django's test client.

Pages are parsed with lxml.html and checked for what a person would see:
the envelope, links, headers, forms and their errors.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import override_settings
from lxml import html as lxml_html

from tests.testapp.models import Author, Book

CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
SCRIPT = "<script>alert(1)</script>"


def page(response: Any) -> Any:
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return lxml_html.fromstring(response.content)


def shown_payload(doc: Any) -> Any:
    """The envelope as the page prints it, read back as JSON."""
    return json.loads(doc.get_element_by_id("payload").text_content())


def headers_table(doc: Any) -> dict[str, str]:
    rows = doc.get_element_by_id("headers").findall(".//tr")
    return {row.findtext("th"): row.find("td").text_content() for row in rows}


@pytest.fixture
def browser(db: None) -> Client:
    """A client that, like a browser, must send CSRF tokens."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT=CHROMIUM)
    return client


@pytest.fixture
def ursula(db: None) -> Author:
    author = Author.objects.create(name="Ursula K. Le Guin", bio=SCRIPT, birth_year=1929)
    Book.objects.create(author=author, title="The Dispossessed", year=1974)
    return author


def logged_in(client: Client) -> User:
    user = User.objects.create_user("reader", password="pw")
    client.force_login(user)
    return user


def csrf(client: Client, url: str) -> str:
    """Open ``url`` as a page and return the CSRF token its forms carry."""
    doc = page(client.get(url))
    tokens = doc.xpath("//input[@name='csrfmiddlewaretoken']/@value")
    # A page without forms (nothing the caller may write) still sets the cookie.
    return str(tokens[0]) if tokens else client.cookies["csrftoken"].value


# --- Pages ----------------------------------------------------------------------


def test_root_page_links_every_top_level_resource(browser: Client) -> None:
    response = browser.get("/api/")
    assert response.status_code == HTTPStatus.OK
    doc = page(response)
    assert doc.findtext(".//h1") == "root"
    links = {row[0].text: (row[1].text, row[2].text_content()) for row in doc.get_element_by_id("links").findall(".//tbody/tr")}
    assert links == {
        "self": ("GET", "http://testserver/api/"),
        "authors": ("GET", "http://testserver/api/authors/"),
    }
    assert sorted(doc.xpath("//table[@id='links']//a/@href")) == ["http://testserver/api/", "http://testserver/api/authors/"]
    assert shown_payload(doc) == browser.get("/api/", HTTP_ACCEPT="application/json").json()


def test_item_page_shows_the_json_envelope_headers_and_breadcrumbs(browser: Client, ursula: Author) -> None:
    url = f"/api/authors/{ursula.pk}/books/1/"
    as_json = browser.get(url, HTTP_ACCEPT="application/json")
    doc = page(browser.get(url))
    assert shown_payload(doc) == as_json.json()
    crumbs = [(a.text, a.get("href")) for a in doc.xpath("//nav[@class='crumbs']/a")]
    assert crumbs == [
        ("root", "http://testserver/api/"),
        ("authors", "http://testserver/api/authors/"),
        (f"author {ursula.pk}", f"http://testserver/api/authors/{ursula.pk}/"),
        ("books", f"http://testserver/api/authors/{ursula.pk}/books/"),
    ]
    assert doc.xpath("//nav[@class='crumbs']/strong/text()") == ["book 1"]
    headers = headers_table(doc)
    assert headers["Status"] == "200 OK"
    assert headers["ETag"] == as_json["ETag"]
    assert headers["Content-Type"] == "application/vnd.example.org.book+json"
    assert headers["Allow"].startswith("GET, HEAD, PUT, DELETE, OPTIONS")
    # Every href of the payload is a link.
    hrefs = set(doc.xpath("//pre[@id='payload']//a/@href"))
    assert hrefs == {link["href"] for link in as_json.json()["book"]["links"].values()} | {
        f"http://testserver/api/authors/{ursula.pk}/"
    }


def test_list_page_shows_the_json_headers(browser: Client, ursula: Author) -> None:
    as_json = browser.get("/api/authors/", HTTP_ACCEPT="application/json")
    headers = headers_table(page(browser.get("/api/authors/")))
    assert headers["Content-Type"] == as_json["Content-Type"] == "application/vnd.example.org.authors+json"
    assert headers["Item-Content-Type"] == as_json["Item-Content-Type"] == "application/vnd.example.org.author+json"
    assert headers["ETag"] == as_json["ETag"]
    assert "Content-Length" not in headers


def test_page_response_headers(browser: Client, ursula: Author) -> None:
    response = browser.get("/api/authors/")
    assert response.status_code == HTTPStatus.OK
    assert "ETag" not in response and "Last-Modified" not in response
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert {v.strip() for v in response["Vary"].split(",")} >= {"Accept", "Cookie"}


def test_stored_markup_is_shown_as_text(browser: Client, ursula: Author) -> None:
    logged_in(browser)
    ursula.name = SCRIPT
    ursula.save()
    for url in ("/api/authors/", f"/api/authors/{ursula.pk}/"):
        response = browser.get(url)
        assert b"<script" not in response.content
        doc = page(response)
        assert SCRIPT in doc.get_element_by_id("payload").text_content()
    # The update form shows the stored value, escaped, as the input's value.
    doc = page(browser.get(f"/api/authors/{ursula.pk}/"))
    assert doc.get_element_by_id("id-put-name").get("value") == SCRIPT


def test_only_http_urls_become_links(browser: Client, db: None) -> None:
    Author.objects.create(name="javascript:alert(1)", bio="https://example.com/elsewhere")
    doc = page(browser.get("/api/authors/1/"))
    links = doc.xpath("//pre[@id='payload']//a/@href")
    assert not [href for href in links if not href.startswith("http://testserver/api/")]


def test_list_pages_link_next_and_previous(browser: Client, db: None) -> None:
    Author.objects.bulk_create(Author(name=f"a{i}") for i in range(5))
    doc = page(browser.get("/api/authors/?start=2&max-results=2"))
    assert doc.get_element_by_id("next-page").get("href") == "http://testserver/api/authors/?start=4&max-results=2"
    assert doc.get_element_by_id("prev-page").get("href") == "http://testserver/api/authors/?start=0&max-results=2"


def test_api_format_html_and_head(db: None) -> None:
    client = Client()
    assert client.get("/api/authors/", HTTP_ACCEPT="*/*")["Content-Type"] == "application/vnd.example.org.authors+json"
    assert client.get("/api/authors/?api_format=html", HTTP_ACCEPT="*/*")["Content-Type"] == "text/html; charset=utf-8"
    head = client.head("/api/authors/", HTTP_ACCEPT=CHROMIUM)
    assert head.status_code == HTTPStatus.OK and head.content == b""


def test_unknown_url_is_a_404_page(browser: Client) -> None:
    response = browser.get("/api/nothing/here/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    doc = page(response)
    assert doc.get_element_by_id("error-message").text == "Object does not exist"
    assert shown_payload(doc)["err"]["code"] == 100


def test_anonymous_write_answer_is_401_without_a_basic_prompt(browser: Client) -> None:
    token = csrf(browser, "/api/authors/")
    response = browser.post("/api/authors/", {"csrfmiddlewaretoken": token, "name": "X"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    # A browser would pop up its own password dialog; the page offers the login form.
    assert "WWW-Authenticate" not in response
    assert page(response).get_element_by_id("login").get("href") == "http://testserver/api/_login/?next=/api/authors/"
    assert not Author.objects.exists()


# --- Forms --------------------------------------------------------------------


def test_writes_the_caller_may_not_make_get_a_login_link_not_a_form(browser: Client, ursula: Author) -> None:
    doc = page(browser.get(f"/api/authors/{ursula.pk}/"))
    assert not doc.xpath("//form[@id='form-put']") and not doc.xpath("//*[@id='delete']")
    note = doc.get_element_by_id("refused")
    assert note.text_content().startswith("This URL also takes PUT, DELETE, which you may not use without logging in.")
    assert note.xpath(".//a/@href") == [f"http://testserver/api/_login/?next=/api/authors/{ursula.pk}/"]
    # Reading needs no login (IsAuthenticatedOrReadOnly).
    assert shown_payload(doc)["author"]["name"] == "Ursula K. Le Guin"


def test_create_form_is_made_from_the_declared_fields(browser: Client, db: None) -> None:
    logged_in(browser)
    doc = page(browser.get("/api/authors/"))
    assert not doc.xpath("//*[@id='refused']")
    form = doc.get_element_by_id("form-post")
    assert form.get("enctype") == "multipart/form-data"  # it has a File field
    assert form.get("action") == "/api/authors/"
    inputs = {el.get("name"): el for el in form.xpath(".//input|.//textarea|.//select")}
    assert inputs["name"].get("type") == "text" and inputs["name"].get("maxlength") == "100"
    assert inputs["bio"].tag == "textarea"
    assert inputs["birth_year"].get("type") == "number"
    assert inputs["photo"].get("type") == "file"
    assert "_method" not in inputs
    required = [label.text for label in form.xpath(".//label[span[@class='req']]")]
    assert required == ["name"]


def test_create_through_the_form(browser: Client, db: None) -> None:
    logged_in(browser)
    token = csrf(browser, "/api/authors/")
    response = browser.post("/api/authors/", {"csrfmiddlewaretoken": token, "name": "Octavia", "bio": "", "birth_year": ""})
    assert response.status_code == HTTPStatus.SEE_OTHER
    author = Author.objects.get()
    assert response["Location"] == f"http://testserver/api/authors/{author.pk}/"
    assert (author.name, author.bio, author.birth_year) == ("Octavia", "", None)


def test_create_with_a_file_upload(browser: Client, db: None) -> None:
    # Multipart, as the form is sent: the CSRF token is read from the form itself.
    from django.core.files.uploadedfile import SimpleUploadedFile

    logged_in(browser)
    token = csrf(browser, "/api/authors/")
    photo = SimpleUploadedFile("me.png", b"\x89PNG fake", content_type="image/png")
    response = browser.post("/api/authors/", {"csrfmiddlewaretoken": token, "name": "P", "photo": photo})
    assert response.status_code == HTTPStatus.SEE_OTHER
    author = Author.objects.get()
    assert author.photo.read() == b"\x89PNG fake"
    doc = page(browser.get(response["Location"]))
    assert shown_payload(doc)["author"]["photo_name"] == "me.png"


def test_a_bad_submit_shows_the_apis_errors_beside_the_inputs_with_values_kept(browser: Client, db: None) -> None:
    logged_in(browser)
    token = csrf(browser, "/api/authors/")
    response = browser.post(
        "/api/authors/", {"csrfmiddlewaretoken": token, "name": "n" * 101, "bio": SCRIPT, "birth_year": "soon"}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    doc = page(response)
    errors = shown_payload(doc)["fields"]
    assert errors == {"name": ["Must be at most 100 characters long (it has 101)"], "birth_year": ['"soon" is not an integer']}
    assert doc.get_element_by_id("errors-post-name").text_content().strip() == errors["name"][0]
    assert doc.get_element_by_id("errors-post-birth_year").text_content().strip() == errors["birth_year"][0]
    assert doc.get_element_by_id("id-post-name").get("value") == "n" * 101
    assert doc.get_element_by_id("id-post-birth_year").get("value") == "soon"
    assert doc.get_element_by_id("id-post-bio").text == SCRIPT
    assert b"<script" not in response.content
    assert not Author.objects.exists()


def test_a_required_field_left_empty_is_reported_missing(browser: Client, db: None) -> None:
    logged_in(browser)
    token = csrf(browser, f"/api/authors/")
    response = browser.post("/api/authors/", {"csrfmiddlewaretoken": token, "name": "A", "birth_year": " "})
    assert response.status_code == HTTPStatus.BAD_REQUEST  # a space is not blank: the API says so
    assert shown_payload(page(response))["fields"] == {"birth_year": ['" " is not an integer']}


def test_update_through_the_form_with_method_override(browser: Client, ursula: Author) -> None:
    logged_in(browser)
    url = f"/api/authors/{ursula.pk}/"
    doc = page(browser.get(url))
    form = doc.get_element_by_id("form-put")
    assert form.xpath(".//input[@name='_method']/@value") == ["PUT"]
    assert doc.get_element_by_id("id-put-birth_year").get("value") == "1929"
    token = form.xpath(".//input[@name='csrfmiddlewaretoken']/@value")[0]
    response = browser.post(url, {"csrfmiddlewaretoken": token, "_method": "PUT", "name": "U. K. Le Guin", "birth_year": ""})
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert response["Location"] == url
    ursula.refresh_from_db()
    assert (ursula.name, ursula.birth_year) == ("U. K. Le Guin", 1929)  # blank: unchanged


def test_delete_button_and_delete(browser: Client, ursula: Author) -> None:
    logged_in(browser)
    url = f"/api/authors/{ursula.pk}/"
    doc = page(browser.get(url))
    assert doc.get_element_by_id("delete").text == "Delete author"
    token = csrf(browser, url)
    response = browser.post(url, {"csrfmiddlewaretoken": token, "_method": "DELETE"})
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert response["Location"] == "http://testserver/api/authors/"
    assert not Author.objects.exists()


def test_no_forms_where_no_handler_writes(browser: Client) -> None:
    doc = page(browser.get("/api/"))
    assert not doc.xpath("//form[contains(@id, 'form-')]") and not doc.xpath("//*[@id='delete']")


@pytest.mark.parametrize("fields", [{}, {"csrfmiddlewaretoken": "x" * 64}])
@pytest.mark.parametrize("method", ["DELETE", "PUT", None])
def test_form_posts_need_a_valid_csrf_token(browser: Client, ursula: Author, fields: dict[str, str], method: str | None) -> None:
    logged_in(browser)
    browser.get("/api/authors/")  # sets the CSRF cookie
    data = {**fields, "name": "changed"}
    url = "/api/authors/" if method is None else f"/api/authors/{ursula.pk}/"
    if method:
        data["_method"] = method
    response = browser.post(url, data)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert page(response).get_element_by_id("error-message").text.startswith("CSRF Failed")
    ursula.refresh_from_db()
    assert ursula.name == "Ursula K. Le Guin"
    assert Author.objects.count() == 1


def test_form_posts_need_csrf_even_with_basic_credentials(browser: Client, ursula: Author) -> None:
    # A browser replays HTTP Basic credentials on any site's form post.
    User.objects.create_user("basic", password="pw")
    response = browser.post(
        f"/api/authors/{ursula.pk}/", {"_method": "DELETE"}, HTTP_AUTHORIZATION="Basic YmFzaWM6cHc="
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Author.objects.count() == 1


def test_api_clients_form_posts_are_unchanged(db: None) -> None:
    # Not negotiated as HTML: the core's rules, JSON answers, no redirect.
    User.objects.create_user("basic", password="pw")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/authors/", {"name": "N"}, HTTP_AUTHORIZATION="Basic YmFzaWM6cHc=")
    assert response.status_code == HTTPStatus.CREATED
    assert response["Content-Type"] == "application/vnd.example.org.author+json"


def test_a_malformed_form_is_an_error_page(browser: Client, ursula: Author) -> None:
    logged_in(browser)
    token = csrf(browser, "/api/authors/")
    response = browser.post(f"/api/authors/{ursula.pk}/", {"csrfmiddlewaretoken": token, "_method": "PATCH"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert shown_payload(page(response))["fields"] == {"_method": ['"PATCH" is not a valid method; use PUT or DELETE']}


# --- Switching it off, and overriding templates ----------------------------------


def test_api_browsable_false_and_the_setting_leave_json_and_xml(db: None, settings: Any) -> None:
    from webapi_kit.api import API
    from webapi_kit.resource import WebAPIResource

    class Things(WebAPIResource):
        name = "thing"
        model = Author

    assert [r.format for r in API([Things()]).renderers] == ["json", "xml", "html"]
    off = API([Things()], browsable=False)
    assert [r.format for r in off.renderers] == ["json", "xml"]
    assert off.resources[0].formats["list"].select(CHROMIUM, None).offered == "application/xml"
    settings.WEBAPI_KIT = {**settings.WEBAPI_KIT, "RENDERER_CLASSES": ["webapi_kit.renderers.JSONRenderer"]}
    assert [r.format for r in API([Things()]).renderers] == ["json"]


def test_a_site_template_overrides_the_packages(browser: Client, tmp_path: Path) -> None:
    folder = tmp_path / "webapi_kit" / "browsable"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text("site page for {{ title }}")
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(tmp_path)], "APP_DIRS": True}]
    with override_settings(TEMPLATES=templates):
        assert browser.get("/api/authors/").content == b"site page for authors"
        # The other templates still come from the package, through the site's engine.
        assert b'id="login-form"' in browser.get("/api/_login/").content


# --- Logging in and out -----------------------------------------------------------


def test_login_and_logout(browser: Client, db: None) -> None:
    User.objects.create_user("reader", password="pw")
    login_page = page(browser.get("/api/_login/?next=/api/authors/"))
    token = login_page.xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    assert login_page.xpath("//input[@name='next']/@value") == ["/api/authors/"]

    wrong = browser.post("/api/_login/", {"csrfmiddlewaretoken": token, "username": "reader", "password": "no", "next": "/api/authors/"})
    assert wrong.status_code == HTTPStatus.UNAUTHORIZED
    assert "enter a correct username and password" in page(wrong).get_element_by_id("login-error").text_content()

    right = browser.post("/api/_login/", {"csrfmiddlewaretoken": token, "username": "reader", "password": "pw", "next": "/api/authors/"})
    assert right.status_code == HTTPStatus.SEE_OTHER and right["Location"] == "/api/authors/"
    doc = page(browser.get("/api/authors/"))
    assert doc.xpath("//strong[@class='username']/text()") == ["reader"]

    assert browser.get("/api/_logout/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    token = doc.xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    out = browser.post("/api/_logout/", {"csrfmiddlewaretoken": token, "next": "/api/authors/"})
    assert out.status_code == HTTPStatus.SEE_OTHER and out["Location"] == "/api/authors/"
    assert page(browser.get("/api/authors/")).get_element_by_id("login") is not None


def test_login_needs_csrf_and_ignores_offsite_next(browser: Client, db: None) -> None:
    User.objects.create_user("reader", password="pw")
    refused = browser.post("/api/_login/", {"username": "reader", "password": "pw"})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    for target in ("https://evil.example/", "//evil.example/"):
        token = csrf(browser, "/api/_login/")  # a login changes the token
        response = browser.post("/api/_login/", {"csrfmiddlewaretoken": token, "username": "reader", "password": "pw", "next": target})
        assert response["Location"] == "/api/"


def test_failed_logins_count_against_the_limit(browser: Client, db: None, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.WEBAPI_KIT = {**settings.WEBAPI_KIT, "LOGIN_FAILURE_LIMIT": "2/15m"}
    User.objects.create_user("reader", password="pw")
    token = csrf(browser, "/api/_login/")
    statuses = [
        browser.post("/api/_login/", {"csrfmiddlewaretoken": token, "username": "reader", "password": p}).status_code
        for p in ("a", "b", "pw")
    ]
    assert statuses == [HTTPStatus.UNAUTHORIZED, HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS]
    cache.clear()


# --- The core does not import the package -------------------------------------------


def test_the_core_never_imports_the_browsable_package() -> None:
    import ast

    import webapi_kit

    root = Path(webapi_kit.__file__).parent
    for module in root.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not [n for n in names if n.startswith("webapi_kit.browsable")], module.name


def test_without_sessions_there_is_no_login(db: None, settings: Any) -> None:
    settings.MIDDLEWARE = []
    client = Client(HTTP_ACCEPT=CHROMIUM)
    assert client.get("/api/_login/").status_code == HTTPStatus.NOT_FOUND
    assert client.post("/api/_logout/").status_code == HTTPStatus.NOT_FOUND
    doc = page(client.get("/api/"))
    assert not doc.xpath("//*[@id='login']")
