"""Forms made from declared fields, and submitted forms read as a person means them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from django.http import HttpRequest, QueryDict

from webapi_kit.api import API
from webapi_kit.browsable import form_fields
from webapi_kit.browsable.forms import drop_blanks, form_inputs, form_spec, needs_multipart
from webapi_kit.browsable.payload import payload_html
from webapi_kit.fields import (
    URL,
    Bool,
    Choice,
    DateTime,
    Decimal,
    Dict,
    Email,
    FieldSpec,
    File,
    Int,
    JSONField,
    List,
    String,
)
from webapi_kit.errors import FieldError
from webapi_kit.fields import request_fields
from webapi_kit.parsers import ParsedBody
from webapi_kit.resource import WebAPIResource

SPEC = FieldSpec(
    required={"title": String("The title", max_length=80), "size": Choice(choices=("s", "m", "l"))},
    optional={
        "notes": String(),
        "count": Int(min_value=0, max_value=9),
        "price": Decimal(),
        "done": Bool(default=True),
        "due": DateTime(),
        "email": Email(),
        "home": URL(),
        "tags": List(separator=";"),
        "meta": Dict(),
        "extra": JSONField(),
        "cover": File(content_types=["image/*"]),
    },
)


def by_name(values: dict[str, Any], errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {i.name: i for i in form_inputs(SPEC, values, errors)}


def test_widget_per_field_type() -> None:
    inputs = by_name({})
    widgets = {name: (i.widget, dict(i.attrs), i.required) for name, i in inputs.items()}
    assert widgets == {
        "title": ("text", {"maxlength": "80"}, True),
        "size": ("select", {}, True),
        "notes": ("textarea", {}, False),
        "count": ("number", {"step": "1", "min": "0", "max": "9"}, False),
        "price": ("number", {"step": "any"}, False),
        "done": ("checkbox", {}, False),
        "due": ("datetime-local", {"step": "1"}, False),
        "email": ("email", {}, False),
        "home": ("url", {}, False),
        "tags": ("text", {}, False),
        "meta": ("textarea", {}, False),
        "extra": ("textarea", {}, False),
        "cover": ("file", {"accept": "image/*"}, False),
    }
    assert inputs["size"].choices == ("s", "m", "l")
    assert inputs["title"].description == "The title"
    assert inputs["done"].checked  # its default
    assert inputs["tags"].hint == 'separate items with ";"'
    assert needs_multipart(SPEC) and not needs_multipart(FieldSpec(required={"a": String()}))


def test_current_values_fill_an_update_form() -> None:
    inputs = by_name({
        "title": "T", "count": 3, "price": "1.50", "done": False, "due": "2024-05-01T12:30:00.123456Z",
        "tags": ["a", "b"], "meta": {"k": [1]}, "extra": None, "size": "m", "cover": "ignored.png",
    })
    shown = {name: (i.value, i.checked) for name, i in inputs.items()}
    assert shown["title"] == ("T", False)
    assert shown["count"] == ("3", False)
    assert shown["price"] == ("1.50", False)
    assert shown["done"] == ("", False)
    assert shown["due"] == ("2024-05-01T12:30:00.123", False)
    assert shown["tags"] == ("a;b", False)
    assert shown["meta"] == ('{\n  "k": [\n    1\n  ]\n}', False)
    assert shown["extra"] == ("", False)
    assert shown["size"] == ("m", False)
    assert shown["cover"] == ("", False)  # a file input cannot be filled


def test_submitted_values_and_errors_are_kept() -> None:
    inputs = by_name({"count": "ten", "done": "true"}, {"count": ['"ten" is not an integer']})
    assert inputs["count"].value == "ten" and inputs["count"].errors == ('"ten" is not an integer',)
    assert inputs["done"].checked
    assert inputs["title"].errors == ()


def form_body(text: str) -> ParsedBody:
    form = QueryDict(text)
    return ParsedBody(data=dict(form.items()), form=form)


def test_blank_inputs_are_fields_not_given() -> None:
    body = drop_blanks(form_body("title=&notes=&count=&price=&due=&size=&tags=&email=&cover=&done=false"), SPEC)
    assert body.data == {"title": "", "notes": "", "tags": "", "done": "false"}
    assert body.form is not None and sorted(body.form) == ["done", "notes", "tags", "title"]
    # A required choice left empty is reported missing, in the API's words.
    with pytest.raises(FieldError) as error:
        SPEC.clean(body.form, body.files)
    assert error.value.fields == {"size": ["This field is required"]}


@pytest.mark.parametrize("spec", [None, FieldSpec()])
def test_nothing_to_drop(spec: FieldSpec | None) -> None:
    body = form_body("count=")
    assert drop_blanks(body, spec) is body


def test_payload_html_escapes_and_links() -> None:
    html = payload_html(
        {"name": "<b>&</b>", "links": {"self": {"href": "http://x/api/1/", "method": "GET"}},
         "site": "javascript:alert(1)", "other": "http://x/api/2/", "far": "http://elsewhere/", "n": [1, None, True]},
        "http://x/api/",
    )
    assert '<span class="s">&quot;&lt;b&gt;&amp;&lt;/b&gt;&quot;</span>' in html
    assert '<a href="http://x/api/1/">&quot;http://x/api/1/&quot;</a>' in html
    assert '<a href="http://x/api/2/">' in html
    assert 'href="http://elsewhere/"' not in html and 'href="javascript' not in html
    assert '<span class="n">null</span>' in html


class _SelfReading(WebAPIResource):
    """Reads its own bodies; declares only the forms a page shows."""

    name = "widget"
    allowed_methods = ("GET", "POST", "PUT", "DELETE")

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> Any:
        return []

    @form_fields(required={"spec": Dict("A JSON object")}, optional={"count": Int(min_value=1)})
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Any:
        return data

    @request_fields(optional={"title": String()})
    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Any:
        return data

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        return None


def _bound() -> _SelfReading:
    resource = _SelfReading()
    API([resource])  # handlers are assembled when the resource joins an API
    return resource


def test_form_fields_draw_a_form_that_the_pipeline_does_not_clean() -> None:
    resource = _bound()
    spec = form_spec(resource, "list", "POST")
    assert spec is not None
    assert [i.name for i in form_inputs(spec, {}) if i.required] == ["spec"]
    assert {i.name: i.widget for i in form_inputs(spec, {})} == {"spec": "textarea", "count": "number"}
    # The handler still gets the body as sent: nothing is declared to the pipeline.
    assert resource.request_field_spec("list", "POST") is None


def test_declared_request_fields_are_the_form_and_a_handler_without_either_has_none() -> None:
    resource = _bound()
    assert form_spec(resource, "item", "PUT") is resource.request_field_spec("item", "PUT") is not None
    assert form_spec(resource, "item", "DELETE") is None
    assert form_spec(resource, "list", "PUT") is None  # no handler there


def test_form_fields_inputs_left_empty_are_dropped() -> None:
    spec = form_spec(_bound(), "list", "POST")
    body = drop_blanks(form_body("spec=&count="), spec)
    assert body.data == {} and body.form is not None and not body.form


def test_errors_about_parts_of_a_value_show_beside_its_input() -> None:
    spec = FieldSpec(optional={"request": Dict(), "requests": String()})
    errors = {
        "request": ["'request' is incomplete"],
        "request.url": ["'request.url' must be an http or https URL"],
        "request.endpoints[0].id": ["Must not be empty"],
        "requests": ["Another field"],
    }
    shown = {i.name: list(i.errors) for i in form_inputs(spec, {}, errors)}
    assert shown == {
        "request": [
            "'request' is incomplete",
            "'request.url' must be an http or https URL",  # names its member already
            "request.endpoints[0].id: Must not be empty",
        ],
        "requests": ["Another field"],
    }
