"""Log records (``pub``, ``del``, ``exp``): writing them, and the feedlog/sublog queries."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from webapi_kit.errors import FieldError

from .models import LogRecord

if TYPE_CHECKING:
    from .models import Publication, Subscription

__all__ = ["delivery_record", "expiry_record", "query_records", "record_publish", "serialize_record"]

EXPIRY_REASONS = ("notRetryable", "retriesExhausted")
_TYPES = (LogRecord.PUB, LogRecord.DEL, LogRecord.EXP)
_PARAMETERS = frozenset({"type", "publishId", "start", "end", "statusCode", "expiryReason"})
_STATUS_CLASSES = {"success": (200, 299), "redirect": (300, 399), "failure": (400, 10_000)}
DEFAULT_WINDOW = datetime.timedelta(hours=24)


def record_publish(publication: Publication, request_uri: str, when: datetime.datetime) -> LogRecord:
    return LogRecord.objects.create(
        type=LogRecord.PUB,
        date=when,
        feed_id=publication.feed_id,
        publish_id=publication.publish_id,
        request_uri=request_uri,
        method=publication.method,
        content_type=publication.content_type,
        content_length=publication.content_length,
        source_ip=publication.source_ip,
        endpoint_id=publication.endpoint_id,
        status_code=204,
    )


def _subscription_record(
    type: str, publication: Publication, sub: Subscription, request_uri: str, content_length: int,
    when: datetime.datetime, **fields: Any
) -> LogRecord:
    """A delivery or expiry record (not saved): what one subscription saw of one publication."""
    return LogRecord(
        type=type,
        date=when,
        feed_id=publication.feed_id,
        subscription_id=sub.pk,
        publish_id=publication.publish_id,
        request_uri=request_uri,
        method=publication.method,
        content_type=publication.content_type,
        content_length=content_length,
        **fields,
    )


def delivery_record(publication: Publication, sub: Subscription, request_uri: str, content_length: int,
                    status_code: int, when: datetime.datetime) -> LogRecord:
    """The ``del`` record of one request sent to a subscriber (not saved: the worker saves them in bulk)."""
    return _subscription_record(
        LogRecord.DEL, publication, sub, request_uri, content_length, when,
        delivery_id=sub.delivery_user, status_code=status_code,
    )


def expiry_record(publication: Publication, sub: Subscription, request_uri: str, content_length: int,
                  reason: str, attempts: int, when: datetime.datetime) -> LogRecord:
    """The ``exp`` record of a delivery given up (not saved)."""
    return _subscription_record(
        LogRecord.EXP, publication, sub, request_uri, content_length, when, expiry_reason=reason, attempts=attempts
    )


def _date(value: datetime.datetime) -> str:
    utc = value.astimezone(datetime.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def serialize_record(record: LogRecord) -> dict[str, Any]:
    """One record with the seed's field names; each type carries its own fields."""
    data: dict[str, Any] = {
        "type": record.type,
        "date": _date(record.date),
        "publishId": record.publish_id,
        "requestURI": record.request_uri,
        "method": record.method,
        "contentType": record.content_type,
        "contentLength": record.content_length,
    }
    if record.type == LogRecord.PUB:
        data.update(sourceIp=record.source_ip, endpointId=record.endpoint_id, statusCode=record.status_code)
    elif record.type == LogRecord.DEL:
        data.update(deliveryId=record.delivery_id, statusCode=record.status_code)
    else:
        data.update(expiryReason=record.expiry_reason, attempts=record.attempts)
    return data


def _parse_time(value: str) -> datetime.datetime:
    text = value.strip()
    # RFC 3339 allows a lower-case "t"/"z" and needs an offset; fromisoformat needs upper case.
    parsed = None
    if len(text) > 10 and text[10] in "Tt":
        try:
            parsed = datetime.datetime.fromisoformat(text[:10] + "T" + text[11:].upper())
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f'"{value}" is not an RFC 3339 date-time (e.g. 2024-01-02T03:04:05Z)')
    return parsed


def _status_filter(value: str) -> Q:
    text = value.strip()
    bounds = _STATUS_CLASSES.get(text.lower())
    if bounds is not None:
        return Q(status_code__gte=bounds[0], status_code__lte=bounds[1])
    try:
        code = int(text)
    except ValueError:
        code = 0
    if code != -1 and not 100 <= code <= 999:
        raise ValueError(f'"{value}" is not an HTTP status code, -1, Success, Redirect or Failure')
    return Q(status_code=code)


def _type_filter(value: str) -> Q:
    if value not in _TYPES:
        raise ValueError(f'"{value}" is not one of: pub, del, exp')
    return Q(type=value)


def _publish_id_filter(value: str) -> Q:
    # Publish ids are the digits of a row id; ASCII only (str.isdigit takes "²").
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f'"{value}" is not a publish id (digits)')
    return Q(publish_id=value)


def _expiry_filter(value: str) -> Q:
    if value not in EXPIRY_REASONS:
        raise ValueError(f'"{value}" is not one of: {", ".join(EXPIRY_REASONS)}')
    return Q(type=LogRecord.EXP, expiry_reason=value)


_FILTERS = {
    "type": _type_filter,
    "publishId": _publish_id_filter,
    "statusCode": _status_filter,
    "expiryReason": _expiry_filter,
}


def filter_records(records: QuerySet[LogRecord], params: Mapping[str, str], *,
                   time_window: bool = True) -> QuerySet[LogRecord]:
    """Apply the seed's filters; unknown parameters and bad values are one 400 naming them all.

    ``time_window=False`` leaves out ``start``/``end`` and their 24-hour
    default (the /api/ lists page through everything instead).
    """
    known = _PARAMETERS if time_window else _PARAMETERS - {"start", "end"}
    errors: dict[str, list[str]] = {name: ["Unknown parameter"] for name in sorted(set(params) - known)}
    conditions: list[Q] = []
    for name, make in _FILTERS.items():
        if name in params:
            try:
                conditions.append(make(params[name]))
            except ValueError as exc:
                errors[name] = [str(exc)]
    if time_window:
        times: dict[str, datetime.datetime] = {}
        for name in ("start", "end"):
            if name in params:
                try:
                    times[name] = _parse_time(params[name])
                except ValueError as exc:
                    errors[name] = [str(exc)]
        end = times.get("end", timezone.now())
        start = times.get("start", end - DEFAULT_WINDOW)
        conditions.append(Q(date__gte=start, date__lte=end))
    if errors:
        raise FieldError(errors)
    for condition in conditions:
        records = records.filter(condition)
    return records


def single_values(query: QueryDict) -> dict[str, str]:
    """Each parameter's value; a repeated one is a bad value."""
    repeated = sorted(name for name, values in query.lists() if len(values) > 1)
    if repeated:
        raise FieldError({name: ["Given more than once"] for name in repeated})
    return {name: query[name] for name in query}


def query_records(*, feed_id: int | None = None, sub_id: int | None = None,
                  params: Mapping[str, str]) -> list[LogRecord]:
    """The records of a feed or a subscription: publish, then delivery, then expiry records."""
    records = LogRecord.objects.all()
    if feed_id is not None:
        records = records.filter(feed_id=feed_id)
    if sub_id is not None:
        records = records.filter(subscription_id=sub_id)
    records = filter_records(records, params)
    order = {LogRecord.PUB: 0, LogRecord.DEL: 1, LogRecord.EXP: 2}
    return sorted(records.order_by("date", "pk"), key=lambda record: order[record.type])
