"""Format selection with the browsable API's text/html offered.

Every Accept header of the negotiation table gets what it got before HTML
was offered, except the few that rank ``text/html`` strictly above JSON
and XML; real browsers' default headers are among those.
"""

from __future__ import annotations

import pytest

from webapi_kit.browsable import HTMLRenderer
from webapi_kit.errors import FieldError, NotAcceptable
from webapi_kit.formats import FormatTable
from webapi_kit.negotiation import quality
from webapi_kit.renderers import JSONRenderer, XMLRenderer

from tests.webapi_kit.test_negotiation import NEGOTIATION_TABLE

HTML = "text/html"

# The default Accept of each browser engine's page loads, as sent today.
CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Firefox 92 to 127 named the image types it reads too.
FIREFOX_92 = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Safari before 17, WebKit's old order: application/xml first.
OLD_WEBKIT = "application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5"
BROWSERS = [CHROMIUM, FIREFOX, FIREFOX_92, SAFARI]

#: Rows of the negotiation table whose answer the pages change, and to what.
CHANGED = {
    "text/html": HTML,  # was 406
    "text/html, */*;q=0": HTML,  # was 406
    "text/html;q=0.5, " * 5000 + "*/*;q=0": HTML,  # was 406
    "text/*": HTML,  # was 406
    "text/html, " * 5000 + "application/xml;q=0.1": HTML,
    # Browsers: text/html (q=1) ranks above application/xml;q=0.9.
    FIREFOX: HTML,
    CHROMIUM: HTML,
}


def _tables() -> tuple[FormatTable, FormatTable]:
    data = [JSONRenderer(), XMLRenderer()]
    without = FormatTable.for_names(data, "example.org", "author")
    with_pages = FormatTable.for_names([*data, HTMLRenderer()], "example.org", "author")
    return without, with_pages


def _select(table: FormatTable, accept: str | None, api_format: str | None = None) -> str | None:
    try:
        return table.select(accept, api_format).offered
    except NotAcceptable:
        return None


@pytest.mark.parametrize(("accept", "expected"), NEGOTIATION_TABLE)
def test_every_existing_case_is_unchanged_unless_html_ranks_first(accept: str | None, expected: str | None) -> None:
    without, with_pages = _tables()
    assert _select(without, accept) == expected
    assert _select(with_pages, accept) == CHANGED.get(accept or "", expected)


def test_the_changed_rows_are_all_in_the_table() -> None:
    headers = {accept for accept, _ in NEGOTIATION_TABLE}
    assert set(CHANGED) <= headers


def test_old_webkit_which_ranks_xml_first_keeps_xml() -> None:
    assert _select(_tables()[1], OLD_WEBKIT) == "application/xml"


@pytest.mark.parametrize("accept", BROWSERS)
def test_browsers_get_html(accept: str) -> None:
    without, with_pages = _tables()
    assert _select(with_pages, accept) == HTML
    assert _select(without, accept) == "application/xml"
    row = with_pages.select(accept, None)
    assert isinstance(row.renderer, HTMLRenderer)


ROWS = [
    # Ranked as high as a data format: the data format, as before.
    ("text/html, */*", "application/json"),
    ("*/*, text/html", "application/json"),
    ("text/html, application/json", "application/json"),
    ("application/json, text/html", "application/json"),
    ("text/html, application/xml", "application/xml"),
    ("text/html;q=0.5, application/*;q=0.5", "application/json"),
    ("text/*, */*", "application/json"),
    ("text/html;q=0.8, */*;q=0.8", "application/json"),
    ("text/html;level=1, application/vnd.example.org.author+xml", "application/vnd.example.org.author+xml"),
    # Ranked strictly above every data format: the page.
    ("text/html;q=0.9, */*;q=0.8", HTML),
    ("text/html, application/json;q=0.9", HTML),
    ("text/*", HTML),  # was 406
    ("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", HTML),  # Java's URLConnection
    ("TEXT/HTML", HTML),
    # Refused, or not asked for.
    ("text/html;q=0, */*", "application/json"),
    ("text/html;q=0", None),
    ("image/png", None),
    ("application/xhtml+xml", None),
    (None, "application/json"),
    ("", "application/json"),
]


@pytest.mark.parametrize(("accept", "expected"), ROWS)
def test_html_only_where_ranked_above_json_and_xml(accept: str | None, expected: str | None) -> None:
    assert _select(_tables()[1], accept) == expected


def test_api_format_html_wins_over_accept() -> None:
    _, with_pages = _tables()
    assert with_pages.select("application/json", "html").offered == HTML
    assert with_pages.select(None, "HTML").offered == HTML
    assert with_pages.select(CHROMIUM, "json").offered == "application/json"


def test_api_format_choices_name_html_only_when_offered() -> None:
    without, with_pages = _tables()
    with pytest.raises(FieldError) as offered:
        with_pages.select(None, "yaml")
    assert offered.value.fields == {"api_format": ['"yaml" is not one of: json, xml, html']}
    with pytest.raises(FieldError) as not_offered:
        without.select(None, "html")
    assert not_offered.value.fields == {"api_format": ['"html" is not one of: json, xml']}


def test_pages_come_last_and_have_no_vendor_type() -> None:
    _, with_pages = _tables()
    assert [f.offered for f in with_pages.formats] == [
        "application/json",
        "application/xml",
        "application/vnd.example.org.author+json",
        "application/vnd.example.org.author+xml",
        HTML,
    ]
    assert with_pages.default.offered == "application/json"


def test_406_message_lists_html() -> None:
    _, with_pages = _tables()
    with pytest.raises(NotAcceptable) as error:
        with_pages.select("image/png", None)
    assert error.value.msg.endswith("application/vnd.example.org.author+xml, text/html")


@pytest.mark.parametrize(
    ("accept", "media_type", "expected"),
    [
        (None, HTML, 1.0),
        ("", HTML, 1.0),
        ("garbage", HTML, 1.0),
        (CHROMIUM, HTML, 1.0),
        (CHROMIUM, "application/xml", 0.9),
        (CHROMIUM, "application/json", 0.8),
        ("text/*;q=0.3, text/html;q=0.7", HTML, 0.7),
        ("text/*;q=0.3, text/html;q=0.7", "text/plain", 0.3),
        ("application/json", HTML, 0.0),
        ("text/html;q=0, */*", HTML, 0.0),
        ("text/html;q=0.5, " * 200 + "*/*", HTML, 0.5),  # past the cached length
    ],
)
def test_quality(accept: str | None, media_type: str, expected: float) -> None:
    assert quality(accept, media_type) == expected
