"""Tests for webapi_kit.fields: typed fields and clean_fields."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from webapi_kit.errors import FieldError
from webapi_kit.fields import (
    NOT_GIVEN,
    URL,
    Bool,
    Choice,
    DateTime,
    Decimal,
    Dict,
    Email,
    Field,
    FieldSpec,
    FieldValidationError,
    File,
    Int,
    JSONField,
    List,
    String,
    clean_fields,
    get_field_spec,
    request_fields,
)

UTC = datetime.timezone.utc

GOOD: list[tuple[Field, Any, Any]] = [
    (String(), "Ted", "Ted"),
    (String(), "", ""),
    (String(), "  spaced  ", "  spaced  "),
    (String(max_length=3), "abc", "abc"),
    (String(min_length=2), "ab", "ab"),
    (Int(), "12", 12),
    (Int(), " 12 ", 12),
    (Int(), "-7", -7),
    (Int(), "+7", 7),
    (Int(), 12, 12),
    (Int(), 3.0, 3),
    (Int(min_value=None, max_value=None), "123456789012345678901234567890", 123456789012345678901234567890),
    (Int(), str(2**63 - 1), 2**63 - 1),
    (Int(), str(-(2**63)), -(2**63)),
    (Int(), float(2**53), 2**53),
    (Int(min_value=1, max_value=3), "3", 3),
    (Bool(), True, True),
    (Bool(), False, False),
    (Bool(), "TRUE", True),
    (Bool(), "yes", True),
    (Bool(), "On", True),
    (Bool(), "1", True),
    (Bool(), "false", False),
    (Bool(), "No", False),
    (Bool(), "off", False),
    (Bool(), "0", False),
    (Choice(choices=["a", "b", "c"]), "b", "b"),
    (List(), "a,b", ["a", "b"]),
    (List(), "a, b ,c", ["a", "b", "c"]),
    (List(), "", []),
    (List(), ["x", 1], ["x", 1]),
    (List(separator=";"), "a,b;c", ["a,b", "c"]),
    (List(item=Int()), "1,2,3", [1, 2, 3]),
    (List(item=Int()), [1, "2"], [1, 2]),
    (Dict(), '{"a": [1]}', {"a": [1]}),
    (Dict(), {"a": 1}, {"a": 1}),
    (JSONField(), "[1, 2]", [1, 2]),
    (JSONField(), [1, 2], [1, 2]),
    (JSONField(), "null", None),
    (DateTime(), "2024-05-01T12:30:00Z", datetime.datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    (DateTime(), "2024-05-01T12:30:00.5+02:00", datetime.datetime(2024, 5, 1, 10, 30, 0, 500000, tzinfo=UTC)),
    (DateTime(), "2024-05-01T12:30:00z", datetime.datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    (DateTime(), "2024-05-01 12:30", datetime.datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    (DateTime(), "2024-05-01T12:30:00", datetime.datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    (Decimal(), "12.50", decimal.Decimal("12.50")),
    (Decimal(), " -0.5 ", decimal.Decimal("-0.5")),
    (Decimal(), 0.1, decimal.Decimal("0.1")),
    (Decimal(), 7, decimal.Decimal("7")),
    (Decimal(max_digits=4, decimal_places=2), "12.34", decimal.Decimal("12.34")),
    (Email(), "ted@example.org", "ted@example.org"),
    (URL(), "https://example.org/a?b=c", "https://example.org/a?b=c"),
    (URL(schemes=("ftp",)), "ftp://example.org/f", "ftp://example.org/f"),
    (Field(), {"anything": 1}, {"anything": 1}),
]


@pytest.mark.parametrize(("field", "value", "expected"), GOOD)
def test_good_values(field: Field, value: Any, expected: Any) -> None:
    cleaned = field.clean(value)
    assert cleaned == expected
    assert type(cleaned) is type(expected)
    if isinstance(value, str) and isinstance(expected, datetime.datetime):
        # An offset that was sent is kept; a naive time is taken as UTC.
        offset = datetime.timedelta(hours=2) if value.endswith("+02:00") else datetime.timedelta(0)
        assert cleaned.utcoffset() == offset


BAD: list[tuple[Field, Any, list[str]]] = [
    (String(), 5, ["5 is not a string"]),
    (String(), ["a"], ['["a"] is not a string']),
    (String(blank=False), "", ["This field may not be blank"]),
    (String(), "a\x00b", ["Null characters are not allowed"]),
    (String(max_length=3), "abcd", ["Must be at most 3 characters long (it has 4)"]),
    (String(min_length=2), "a", ["Must be at least 2 characters long (it has 1)"]),
    (String(), None, ["This field may not be null"]),
    (Int(), "abc", ['"abc" is not an integer']),
    # Beyond a 64-bit column by default, so nothing valid overflows the database.
    (Int(), "123456789012345678901234567890", ["Must be at most 9223372036854775807"]),
    (Int(), -(2**63) - 1, ["Must be at least -9223372036854775808"]),
    # A float that large no longer holds its integer exactly.
    (Int(), 1e308, ["1e+308 is not an integer"]),
    (Int(), "soon", ['"soon" is not an integer']),
    (Int(), "", ['"" is not an integer']),
    (Int(), "1.5", ['"1.5" is not an integer']),
    (Int(), "1_000", ['"1_000" is not an integer']),
    (Int(), "١٢", ['"١٢" is not an integer']),
    (Int(), "9" * 5000, ['"' + "9" * 78 + "…" + " is not an integer"]),
    (Int(), 1.5, ["1.5 is not an integer"]),
    (Int(), True, ["true is not an integer"]),
    (Int(), [1], ["[1] is not an integer"]),
    (Int(min_value=1), "0", ["Must be at least 1"]),
    (Int(max_value=3), 4, ["Must be at most 3"]),
    (Bool(), "x", ['"x" is not a boolean']),
    (Bool(), "", ['"" is not a boolean']),
    (Bool(), 1, ["1 is not a boolean"]),
    (Bool(), "truthy", ['"truthy" is not a boolean']),
    (Choice(choices=["a", "b", "c"]), "x", ['"x" is not one of: a, b, c']),
    (Choice(choices=["a", "b", "c"]), "A", ['"A" is not one of: a, b, c']),
    (Choice(choices=["1", "2"]), 1, ["1 is not one of: 1, 2"]),
    (List(), 5, ["5 is not a list"]),
    (List(item=Int()), "1,x,3,y", ['item 2: "x" is not an integer', 'item 4: "y" is not an integer']),
    (List(item=Int()), [1, True], ["item 2: true is not an integer"]),
    (Dict(), "[1]", ["Must be a JSON object"]),
    (Dict(), [1], ["Must be a JSON object"]),
    (Dict(), "{bad", ["Not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"]),
    (JSONField(), "NaN", ["Not valid JSON: NaN is not a valid JSON value"]),
    (JSONField(), "[" * 40 + "]" * 40, ["Not valid JSON: JSON nested too deeply (the limit is 32 levels)"]),
    (DateTime(), "yesterday", ['"yesterday" is not a valid date and time; use ISO 8601, e.g. "2024-05-01T12:30:00Z"']),
    (DateTime(), "2024-13-01T00:00:00Z", ['"2024-13-01T00:00:00Z" is not a valid date and time; use ISO 8601, e.g. "2024-05-01T12:30:00Z"']),
    (DateTime(), "2024-05-01", ['"2024-05-01" is not a valid date and time; use ISO 8601, e.g. "2024-05-01T12:30:00Z"']),
    (DateTime(), 1714566600, ['1714566600 is not a valid date and time; use ISO 8601, e.g. "2024-05-01T12:30:00Z"']),
    (Decimal(), "abc", ['"abc" is not a decimal number']),
    (Decimal(), "NaN", ['"NaN" is not a decimal number']),
    (Decimal(), "Infinity", ['"Infinity" is not a decimal number']),
    (Decimal(), "1_000", ['"1_000" is not a decimal number']),
    (Decimal(), True, ["true is not a decimal number"]),
    (Decimal(decimal_places=2), "1.234", ["Must have at most 2 decimal places"]),
    (Decimal(max_digits=4), "12345", ["Must have at most 4 digits"]),
    (Decimal(max_digits=4, decimal_places=2), "123.4", ["Must have at most 2 digits before the decimal point"]),
    (Decimal(max_digits=4, decimal_places=2), "1.234", ["Must have at most 2 decimal places"]),
    (Email(), "not-an-email", ['"not-an-email" is not a valid email address']),
    (Email(), 3, ["3 is not a string"]),
    (URL(), "ftp://example.org/", ['"ftp://example.org/" is not a valid URL (use http, https)']),
    (URL(), "example.org", ['"example.org" is not a valid URL (use http, https)']),
    (File(), "photo.png", ["Must be a file upload"]),
]


@pytest.mark.parametrize(("field", "value", "messages"), BAD)
def test_bad_values(field: Field, value: Any, messages: list[str]) -> None:
    with pytest.raises(FieldValidationError) as info:
        field.clean(value)
    assert info.value.messages == messages


def test_null_allowed_when_asked() -> None:
    assert Int(null=True).clean(None) is None
    assert String(null=True, validators=[lambda v: _fail("never")]).clean(None) is None


def _fail(message: str) -> None:
    raise FieldValidationError(message)


def test_validators_accept_both_error_kinds_and_all_run() -> None:
    def even(value: int) -> None:
        if value % 2:
            raise FieldValidationError("Must be even")

    def small(value: int) -> None:
        if value > 10:
            raise ValidationError("Must be at most %(limit)s", params={"limit": 10})

    field = Int(validators=[even, small])
    assert field.clean("8") == 8
    with pytest.raises(FieldValidationError) as info:
        field.clean("11")
    assert info.value.messages == ["Must be even", "Must be at most 10"]


def upload(content: bytes = b"\x89PNGdata", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", content, content_type=content_type)


def test_file_limits() -> None:
    photo = upload(b"x" * 10)
    assert File(max_size=10).clean(photo) is photo
    with pytest.raises(FieldValidationError) as info:
        File(max_size=9).clean(upload(b"x" * 10))
    assert info.value.messages == ["The file is larger than the limit of 9 bytes"]
    assert File(content_types=["image/*"]).clean(photo) is photo
    assert File(content_types=["IMAGE/PNG"]).clean(upload(content_type="image/png; charset=binary")) is not None
    with pytest.raises(FieldValidationError) as info:
        File(content_types=["image/png", "image/jpeg"]).clean(upload(content_type="text/plain"))
    assert info.value.messages == ['The file\'s type "text/plain" is not one of: image/png, image/jpeg']


def test_describe() -> None:
    assert Int("Year of birth", min_value=0, max_value=3000, default=1970).describe() == {
        "type": "integer",
        "description": "Year of birth",
        "default": 1970,
        "min": 0,
        "max": 3000,
    }
    assert String("Name", max_length=5, blank=False, null=True).describe() == {
        "type": "string",
        "description": "Name",
        "null": True,
        "max_length": 5,
        "blank": False,
    }
    assert Choice(choices=["a", "b"]).describe() == {"type": "choice", "description": "", "choices": ["a", "b"]}
    assert List(item=Bool()).describe() == {
        "type": "list",
        "description": "",
        "separator": ",",
        "item": {"type": "boolean", "description": ""},
    }
    assert File(max_size=5, content_types=["image/png"]).describe() == {
        "type": "file",
        "description": "",
        "max_size": 5,
        "content_types": ["image/png"],
    }
    assert List(default=list).describe() == {"type": "list", "description": "", "separator": ","}


# --- clean_fields ----------------------------------------------------------

AUTHOR_REQUIRED: dict[str, Field] = {"name": String("Name", blank=False)}
AUTHOR_OPTIONAL: dict[str, Field] = {
    "birth_year": Int("Year of birth"),
    "bio": String("Biography", default=""),
    "photo": File("Photo", max_size=100),
    "tags": List("Tags", default=list),
}


def test_djblets_capture_50_invalid_form_post() -> None:
    with pytest.raises(FieldError) as info:
        clean_fields(
            QueryDict("birth_year=abc&colour=blue"), {}, required=AUTHOR_REQUIRED, optional=AUTHOR_OPTIONAL
        )
    assert info.value.fields == {
        "name": ["This field is required"],
        "birth_year": ['"abc" is not an integer'],
        "colour": ["Field is not supported"],
    }
    assert list(info.value.fields) == ["name", "birth_year", "colour"]
    assert info.value.msg == "One or more fields had errors"
    assert info.value.code == 105


def test_djblets_capture_57_put_bad_int() -> None:
    with pytest.raises(FieldError) as info:
        clean_fields({"birth_year": "soon"}, {}, required={}, optional=AUTHOR_OPTIONAL)
    assert info.value.fields == {"birth_year": ['"soon" is not an integer']}


def test_clean_fields_returns_values_and_defaults() -> None:
    photo = upload()
    cleaned = clean_fields(
        {"name": "Ted", "birth_year": "1967", "_method": "PUT"},
        {"photo": photo},
        required=AUTHOR_REQUIRED,
        optional=AUTHOR_OPTIONAL,
        ignore=("_method",),
    )
    assert cleaned == {"name": "Ted", "birth_year": 1967, "photo": photo, "bio": "", "tags": []}


def test_json_values_from_a_json_body_are_taken_as_they_are() -> None:
    spec = {"value": JSONField(), "options": Dict()}
    # From a JSON body a string is a JSON string, not JSON text to decode.
    cleaned = clean_fields({"value": "123"}, {}, required={}, optional=spec, structured=True)
    assert cleaned == {"value": "123"}
    assert clean_fields({"value": "abc"}, {}, required={}, optional=spec, structured=True) == {"value": "abc"}
    assert clean_fields({"value": [1, "x"]}, {}, required={}, optional=spec, structured=True) == {"value": [1, "x"]}
    with pytest.raises(FieldError) as info:
        clean_fields({"options": '{"a": 1}'}, {}, required={}, optional=spec, structured=True)
    assert info.value.fields == {"options": ["Must be a JSON object"]}
    # From a form (or a query string) the same text is decoded.
    form = QueryDict('value=123&options={"a": 1}')
    assert clean_fields(form, {}, required={}, optional=spec) == {"value": 123, "options": {"a": 1}}


def test_defaults_are_fresh_and_not_given_means_absent() -> None:
    first = clean_fields({"name": "a"}, {}, required=AUTHOR_REQUIRED, optional=AUTHOR_OPTIONAL)
    second = clean_fields({"name": "b"}, {}, required=AUTHOR_REQUIRED, optional=AUTHOR_OPTIONAL)
    assert "birth_year" not in first and "photo" not in first
    assert first["tags"] == [] and first["tags"] is not second["tags"]
    assert Int().default is NOT_GIVEN


def test_required_string_may_be_empty_unless_blank_false() -> None:
    assert clean_fields({"name": ""}, {}, required={"name": String()}, optional={}) == {"name": ""}
    with pytest.raises(FieldError) as info:
        clean_fields({"name": ""}, {}, required=AUTHOR_REQUIRED, optional={})
    assert info.value.fields == {"name": ["This field may not be blank"]}


def test_json_values_and_null() -> None:
    with pytest.raises(FieldError) as info:
        clean_fields(
            {"name": None, "birth_year": True, "tags": "x", "bio": 3},
            {},
            required=AUTHOR_REQUIRED,
            optional=AUTHOR_OPTIONAL,
        )
    assert info.value.fields == {
        "name": ["This field may not be null"],
        "birth_year": ["true is not an integer"],
        "bio": ["3 is not a string"],
    }


def test_files_and_unknowns_in_request_order() -> None:
    with pytest.raises(FieldError) as info:
        clean_fields(
            {"zeta": "1", "name": "Ted", "alpha": "2", "photo": "not a file"},
            {"scan": upload(), "avatar": upload()},
            required=AUTHOR_REQUIRED,
            optional=AUTHOR_OPTIONAL,
        )
    assert list(info.value.fields.items()) == [
        ("photo", ["Must be a file upload"]),
        ("zeta", ["Field is not supported"]),
        ("alpha", ["Field is not supported"]),
        ("scan", ["Field is not supported"]),
        ("avatar", ["Field is not supported"]),
    ]


def test_file_too_large_in_clean_fields() -> None:
    with pytest.raises(FieldError) as info:
        clean_fields({"name": "Ted"}, {"photo": upload(b"x" * 101)}, required=AUTHOR_REQUIRED, optional=AUTHOR_OPTIONAL)
    assert info.value.fields == {"photo": ["The file is larger than the limit of 100 bytes"]}


def test_allow_unknown_keeps_unknowns_out_of_the_result() -> None:
    cleaned = clean_fields(
        {"name": "Ted", "colour": "blue"}, {}, required=AUTHOR_REQUIRED, optional={}, allow_unknown=True
    )
    assert cleaned == {"name": "Ted"}


def test_list_field_takes_every_value_of_a_repeated_form_field() -> None:
    cleaned = clean_fields(
        QueryDict("expand=books&expand=author,series&single=a,b"),
        {},
        required={},
        optional={"expand": List(), "single": List()},
    )
    assert cleaned == {"expand": ["books", "author,series"], "single": ["a", "b"]}


# --- request_fields / FieldSpec --------------------------------------------


def test_request_fields_records_a_field_spec() -> None:
    class Resource:
        @request_fields(required=AUTHOR_REQUIRED, optional={"birth_year": Int()})
        def create(self, request: object) -> str:
            return "created"

        def get(self, request: object) -> str:
            return "got"

    spec = get_field_spec(Resource.create)
    assert isinstance(spec, FieldSpec)
    assert get_field_spec(Resource().create) is spec
    assert get_field_spec(Resource.get) is None
    assert Resource().create(None) == "created"
    assert dict(spec.required) == AUTHOR_REQUIRED
    assert spec.allow_unknown is False
    assert spec.clean({"name": "Ted", "birth_year": "1"}, {}) == {"name": "Ted", "birth_year": 1}
    assert spec.describe() == {
        "name": {"type": "string", "description": "Name", "blank": False, "required": True},
        "birth_year": {"type": "integer", "description": "", "required": False},
    }
    with pytest.raises(TypeError):
        spec.required["x"] = Int()  # type: ignore[index]


def test_request_fields_rejects_bad_declarations() -> None:
    with pytest.raises(ValueError, match="both required and optional: a"):
        request_fields(required={"a": Int()}, optional={"a": Int()})
    with pytest.raises(TypeError, match="must be a Field instance"):
        request_fields(required={"a": int})  # type: ignore[dict-item]


def test_a_resource_takes_json_values_from_a_json_body_as_they_are() -> None:
    import json

    from django.test import RequestFactory

    from webapi_kit import API, APIResponse, WebAPIResource

    class EchoResource(WebAPIResource):
        name = "echo"
        allowed_methods = ("POST",)
        authentication_classes = ()

        @request_fields(required={"value": JSONField()}, optional={"options": Dict()})
        def create(self, request: object, data: dict[str, Any]) -> APIResponse:
            return APIResponse({"got": data})

    resource = EchoResource()
    API([resource], root=False)
    factory = RequestFactory()

    def post(body: bytes | str, content_type: str) -> tuple[int, Any]:
        response = resource.list_view(factory.post("/echo/", body, content_type=content_type, HTTP_ACCEPT="application/json"))
        return response.status_code, json.loads(response.content)

    status, answer = post(json.dumps({"value": "123"}), "application/json")
    assert (status, answer["got"]) == (200, {"value": "123"})
    status, answer = post(json.dumps({"value": "abc", "options": '{"a": 1}'}), "application/json")
    assert (status, answer["fields"]) == (400, {"options": ["Must be a JSON object"]})
    status, answer = post('value=123&options={"a": 1}', "application/x-www-form-urlencoded")
    assert (status, answer["got"]) == (200, {"value": 123, "options": {"a": 1}})
