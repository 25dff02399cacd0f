"""Assertions over answers of the dialect, with messages that show what came back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from webapi_kit.testing.results import APIResult, links_of, payload_of

__all__ = ["assert_api_error", "assert_links"]


def assert_api_error(
    result: APIResult | Mapping[str, Any],
    code: int | None = None,
    *,
    status: int | None = None,
    type: str | None = None,
    fields: Iterable[str] | None = None,
    msg: str | None = None,
) -> dict[str, Any]:
    """Check a ``{"stat": "fail", "err": {...}}`` answer; returns ``err``.

    ``fields`` are the names that must be reported — exactly those (the
    messages are the server's to word).
    """
    payload = payload_of(result)
    if isinstance(result, APIResult) and status is not None:
        assert result.status_code == status, f"status {result.status_code}, expected {status}: {dict(payload)!r}"
    assert payload.get("stat") == "fail", f"not an error answer: {dict(payload)!r}"
    err = payload.get("err")
    assert isinstance(err, dict), f"no err object: {dict(payload)!r}"
    if code is not None:
        assert err.get("code") == code, f"error code {err.get('code')}, expected {code}: {err!r}"
    if type is not None:
        assert err.get("type") == type, f"error type {err.get('type')!r}, expected {type!r}"
    if msg is not None:
        assert err.get("msg") == msg, f"error message {err.get('msg')!r}, expected {msg!r}"
    if fields is not None:
        reported = payload.get("fields", err.get("fields")) or {}
        assert set(reported) == set(fields), f"fields {sorted(reported)}, expected {sorted(fields)}: {reported!r}"
    return err


def assert_links(
    target: APIResult | Mapping[str, Any],
    names: Iterable[str],
    *,
    exact: bool = False,
    methods: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The item (or answer) has these links (``exact``: only these), each an absolute URL
    with a method; ``methods`` checks some links' methods. Returns the links."""
    links = links_of(target)
    wanted = set(names)
    missing = wanted - set(links)
    assert not missing, f"missing links {sorted(missing)}; present: {sorted(links)}"
    if exact:
        assert set(links) == wanted, f"unexpected links {sorted(set(links) - wanted)}"
    for name, link in links.items():
        href = link.get("href")
        assert isinstance(href, str) and urlsplit(href).scheme in ("http", "https"), f"link {name!r} is not absolute: {link!r}"
        assert link.get("method") in ("GET", "POST", "PUT", "DELETE"), f"link {name!r} has no method: {link!r}"
    for name, method in (methods or {}).items():
        assert links[name]["method"] == method, f"link {name!r} is {links[name]['method']}, expected {method}"
    return links
