""":class:`APIClient`: Django's test client, speaking the dialect in one call per request."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Literal, cast
from urllib.parse import urlencode, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from webapi_kit.client.payloads import body_format, parse_body
from webapi_kit.testing.results import APIResult, links_of

__all__ = ["APIClient", "Body"]

Body = Literal["json", "form", "multipart"]

_DEFAULT_STATUS = {"GET": HTTPStatus.OK, "POST": HTTPStatus.CREATED, "PUT": HTTPStatus.OK, "DELETE": HTTPStatus.NO_CONTENT}


def _is_file(value: Any) -> bool:
    return hasattr(value, "read") or isinstance(value, (bytes, tuple))


def _as_upload(name: str, value: Any) -> Any:
    """``bytes`` and ``(filename, content[, content_type])`` as uploads Django can encode."""
    if isinstance(value, bytes):
        return SimpleUploadedFile(name, value)
    if isinstance(value, tuple):
        filename, content, *rest = value
        return SimpleUploadedFile(filename, content, content_type=rest[0] if rest else "application/octet-stream")
    return value


def _form_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else value


class APIClient(Client):
    """``api_get``/``api_post``/``api_put``/``api_delete``: send, check, decode.

    Each call sends ``Accept`` for :attr:`format` and the credentials set by
    :meth:`authenticate`, encodes ``data`` (JSON by default; ``body="form"``
    or ``"multipart"``; any file value makes it multipart), checks the
    status (``expected_status``; by default 200, 201 for POST, 204 for
    DELETE), that the body is in the asked format (or exactly
    ``expected_mimetype``) and ``expected_headers``, and returns an
    :class:`APIResult`. A mismatch fails with the answer's body in the message.
    """

    def __init__(self, *args: Any, format: Literal["json", "xml"] = "json", **defaults: Any) -> None:
        super().__init__(*args, **defaults)
        self.format = format
        self._auth_headers: dict[str, str] = {}

    def authenticate(
        self,
        *,
        basic: tuple[str, str] | None = None,
        token: str | None = None,
        scheme: str = "token",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Credentials for later calls: HTTP Basic, ``Authorization: <scheme> <token>``,
        and/or headers of the API's own (``{"X-Owner-ID": "alice"}``). No arguments: anonymous."""
        auth: dict[str, str] = {}
        if basic is not None:
            auth["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode("ascii")
        if token is not None:
            auth["Authorization"] = f"{scheme} {token}"
        auth.update(headers or {})
        self._auth_headers = auth

    def api_get(self, path: str, query: Mapping[str, Any] | None = None, **options: Any) -> APIResult:
        if query:
            path += ("&" if "?" in path else "?") + urlencode({k: v for k, v in query.items() if v is not None})
        return self.api_call("GET", path, **options)

    def api_post(self, path: str, data: Mapping[str, Any] | None = None, **options: Any) -> APIResult:
        return self.api_call("POST", path, data, **options)

    def api_put(self, path: str, data: Mapping[str, Any] | None = None, **options: Any) -> APIResult:
        return self.api_call("PUT", path, data, **options)

    def api_delete(self, path: str, **options: Any) -> APIResult:
        return self.api_call("DELETE", path, **options)

    def api_call(
        self,
        method: str,
        path: str,
        data: Mapping[str, Any] | None = None,
        *,
        body: Body = "json",
        expected_status: int | None = None,
        expected_mimetype: str | None = None,
        expected_headers: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> APIResult:
        """One request; see the class's description."""
        method = method.upper()
        sent = {"Accept": f"application/{self.format}", **self._auth_headers, **(headers or {})}
        content, content_type = self._encode(data, body)
        # Django's stubs type this as a WSGI response; our APIs answer HttpResponse.
        response = cast(HttpResponse, self.generic(method, _local(path), content, content_type=content_type, headers=sent))
        result = APIResult(response, _decode(response))
        # A test may ask for a (vendor) type of its own: the body must then be in that format.
        fmt = body_format(sent["Accept"]) or self.format
        self._check(result, fmt, method, path, expected_status, expected_mimetype, expected_headers)
        return result

    def follow(self, target: APIResult | Mapping[str, Any], name: str, data: Mapping[str, Any] | None = None,
               **options: Any) -> APIResult:
        """Make the request a link names (its href and method): ``client.follow(feed, "update", {...})``."""
        links = links_of(target)
        if name not in links:
            raise AssertionError(f"no link {name!r}; present: {sorted(links)}")
        link = links[name]
        return self.api_call(str(link.get("method", "GET")), str(link["href"]), data, **options)

    @staticmethod
    def _encode(data: Mapping[str, Any] | None, body: Body) -> tuple[bytes | str, str]:
        if data is None:
            return b"", "application/octet-stream"
        if body == "multipart" or any(_is_file(value) for value in data.values()):
            fields = {name: _as_upload(name, v) if _is_file(v) else _form_text(v) for name, v in data.items()}
            return encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
        if body == "form":
            return urlencode({name: _form_text(v) for name, v in data.items()}, doseq=True), "application/x-www-form-urlencoded"
        return json.dumps(dict(data)), "application/json"

    @staticmethod
    def _check(
        result: APIResult,
        fmt: str,
        method: str,
        path: str,
        expected_status: int | None,
        expected_mimetype: str | None,
        expected_headers: Mapping[str, str] | None,
    ) -> None:
        status = expected_status if expected_status is not None else _DEFAULT_STATUS.get(method, HTTPStatus.OK)
        shown = result.response.content[:2000].decode("utf-8", "replace")
        where = f"{method} {path}"
        assert result.status_code == status, f"{where}: status {result.status_code}, expected {status}:\n{shown}"
        content_type = result.content_type
        if expected_mimetype is not None:
            actual = content_type.split(";", 1)[0].strip()
            assert actual == expected_mimetype, f"{where}: Content-Type {content_type!r}, expected {expected_mimetype!r}"
        if result.response.content:
            assert body_format(content_type) == fmt, f"{where}: Content-Type {content_type!r} is not {fmt}"
        elif status == HTTPStatus.NO_CONTENT:
            assert "Content-Type" not in result.response, f"{where}: a 204 with a Content-Type"
        for header, value in (expected_headers or {}).items():
            assert result.response.get(header) == value, f"{where}: {header} is {result.response.get(header)!r}, expected {value!r}"


def _local(path: str) -> str:
    """Links are absolute (``http://testserver/api/...``); the test client wants the path."""
    parts = urlsplit(path)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else path


def _decode(response: HttpResponse) -> dict[str, Any]:
    content = response.content
    fmt = body_format(response.get("Content-Type"))
    if not content or fmt is None:
        return {}
    try:
        return parse_body(fmt, content)
    except ValueError as exc:
        raise AssertionError(f"the body is not {fmt}: {exc}\n{content[:2000]!r}") from None
