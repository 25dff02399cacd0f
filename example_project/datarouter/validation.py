"""Checking provisioning bodies against the seed's rules; every problem is one 400 listing them all."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from webapi_kit.errors import FieldError
from worker import outbound

__all__ = ["INT64_MAX", "INT64_MIN", "EndpointId", "FeedInput", "SubscriptionInput", "clean_feed", "clean_subscription", "parse_network"]

_MISSING: Any = object()

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclass
class EndpointId:
    id: str
    #: None on an update that keeps the endpoint's current password.
    password: str | None


@dataclass
class FeedInput:
    name: str | None
    version: str | None
    description: str
    business_description: str
    classification: str
    endpoint_ids: list[EndpointId]
    endpoint_addrs: list[str]
    suspend: bool
    group_id: int


@dataclass
class SubscriptionInput:
    url: str
    user: str
    #: None on an update that keeps the current password.
    password: str | None
    use100: bool
    metadata_only: bool
    follow_redirect: bool
    suspend: bool
    group_id: int


@dataclass
class _Errors:
    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.fields:
            raise FieldError(self.fields)


def _string(data: Mapping[str, Any], name: str, errors: _Errors, *, max_length: int, required: bool = True,
            blank: bool = True, label: str | None = None) -> str | None:
    label = label or name
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            errors.add(label, "This field is required")
        return None
    if not isinstance(value, str):
        errors.add(label, "Must be a string")
        return None
    if not blank and not value.strip():
        errors.add(label, "May not be empty")
        return None
    if len(value) > max_length:
        errors.add(label, f"Must be at most {max_length} characters")
        return None
    return value


def _bool(data: Mapping[str, Any], names: tuple[str, ...], errors: _Errors, *, default: bool = False,
          required: bool = False) -> bool:
    for name in names:
        if name in data:
            value = data[name]
            if not isinstance(value, bool):
                errors.add(name, "Must be true or false")
                return default
            return value
    if required:
        errors.add(names[0], "This field is required")
    return default


#: The spellings of a feed's group id the original accepted.
GROUP_ID_NAMES = ("groupid", "group-id", "group_id")


def _group_id(data: Mapping[str, Any], errors: _Errors) -> int:
    for name in GROUP_ID_NAMES:
        if name in data:
            value = data[name]
            # JSON true is an int to Python; a group id never is.
            if isinstance(value, bool) or not isinstance(value, int):
                errors.add(name, "Must be an integer")
                return 0
            # The column is a signed 64-bit integer; JSON numbers are not bounded.
            if not INT64_MIN <= value <= INT64_MAX:
                errors.add(name, f"Must be between {INT64_MIN} and {INT64_MAX}")
                return 0
            return value
    return 0


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An address (as a one-address network) or a CIDR; ``ValueError`` otherwise."""
    return ipaddress.ip_network(text.strip(), strict=False)


def _authorization(
    data: Mapping[str, Any], errors: _Errors, creating: bool
) -> tuple[str, list[EndpointId], list[str]]:
    auth = data.get("authorization", _MISSING)
    if auth is _MISSING or auth is None:
        errors.add("authorization", "This field is required")
        return "", [], []
    if not isinstance(auth, dict):
        errors.add("authorization", "Must be an object")
        return "", [], []
    classification = _string(auth, "classification", errors, max_length=32, blank=False,
                             label="authorization.classification") or ""
    ids: list[EndpointId] = []
    raw_ids = auth.get("endpoint_ids", _MISSING)
    if not isinstance(raw_ids, list) or not raw_ids:
        errors.add("authorization.endpoint_ids", "Must be a list of at least one {id, password}")
    else:
        for index, entry in enumerate(raw_ids):
            label = f"authorization.endpoint_ids[{index}]"
            if not isinstance(entry, dict):
                errors.add(label, "Must be an object with id and password")
                continue
            ident = _string(entry, "id", errors, max_length=20, blank=False, label=f"{label}.id")
            # Representations never show passwords, so an update may leave them out.
            password = _string(entry, "password", errors, max_length=32, blank=False, label=f"{label}.password",
                               required=creating)
            if ident is not None:
                if any(existing.id == ident for existing in ids):
                    errors.add(f"{label}.id", f'Duplicate endpoint id "{ident}"')
                ids.append(EndpointId(ident, password))
    addrs: list[str] = []
    raw_addrs = auth.get("endpoint_addrs", [])
    if not isinstance(raw_addrs, list):
        errors.add("authorization.endpoint_addrs", "Must be a list of IP addresses or CIDRs")
    else:
        for index, entry in enumerate(raw_addrs):
            try:
                if not isinstance(entry, str):
                    raise ValueError
                parse_network(entry)
            except ValueError:
                errors.add(f"authorization.endpoint_addrs[{index}]", f"{entry!r} is not an IP address or CIDR")
                continue
            addrs.append(entry.strip())
    return classification, ids, addrs


def clean_feed(data: Mapping[str, Any], *, creating: bool) -> FeedInput:
    """The feed fields of a POST (``creating``) or PUT body.

    ``changeowner`` (and any other unknown member) is accepted and ignored:
    a feed's owner is who created it, never what a body says.
    """
    errors = _Errors()
    name = _string(data, "name", errors, max_length=20, required=creating, blank=False)
    version = _string(data, "version", errors, max_length=20, required=creating, blank=False)
    description = _string(data, "description", errors, max_length=256) or ""
    business = _string(data, "business_description", errors, max_length=256) or ""
    classification, ids, addrs = _authorization(data, errors, creating)
    suspend = _bool(data, ("suspend",), errors)
    group_id = _group_id(data, errors)
    errors.raise_any()
    return FeedInput(name, version, description, business, classification, ids, addrs, suspend, group_id)


def _delivery_url(value: str | None, errors: _Errors) -> str:
    if value is None:
        return ""
    try:
        # The worker's own client must be able to send to it.
        outbound.url(value)
    except ValueError:
        errors.add("delivery.url", "Must be an absolute http or https URL")
        return ""
    return value


def clean_subscription(data: Mapping[str, Any], *, creating: bool) -> SubscriptionInput:
    """The subscription fields of a POST or PUT body (``subscriber`` in a body is ignored).

    On an update the password may be left out (representations never show
    it); the current one is kept.
    """
    errors = _Errors()
    delivery = data.get("delivery", _MISSING)
    url = user = ""
    password: str | None = None
    use100 = False
    if delivery is _MISSING or delivery is None:
        errors.add("delivery", "This field is required")
    elif not isinstance(delivery, dict):
        errors.add("delivery", "Must be an object with url, user, password and use100")
    else:
        url = _delivery_url(_string(delivery, "url", errors, max_length=256, blank=False, label="delivery.url"), errors)
        user = _string(delivery, "user", errors, max_length=60, blank=False, label="delivery.user") or ""
        if ":" in user:  # RFC 7617: a Basic user-id ends at the first colon
            errors.add("delivery.user", 'May not contain ":"')
        password = _string(delivery, "password", errors, max_length=100, blank=False, label="delivery.password",
                           required=creating)
        if "use100" not in delivery:
            errors.add("delivery.use100", "This field is required")
        elif not isinstance(delivery["use100"], bool):
            errors.add("delivery.use100", "Must be true or false")
        else:
            use100 = delivery["use100"]
    metadata_only = _bool(data, ("metadataOnly", "metadata_only"), errors)
    follow_redirect = _bool(data, ("follow_redirect", "followRedirect"), errors)
    suspend = _bool(data, ("suspend",), errors)
    group_id = _group_id(data, errors)
    if "subscriber" in data and data["subscriber"] is not None and not isinstance(data["subscriber"], str):
        errors.add("subscriber", "Must be a string")
    errors.raise_any()
    return SubscriptionInput(url, user, password, use100, metadata_only, follow_redirect, suspend, group_id)
