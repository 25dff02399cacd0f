"""Every rule of the queue service, as plain functions over the models.

Both HTTP surfaces (the seed's native ``/queuey/v1/`` and the ``/api/`` tree)
call these and only translate: inputs arrive as raw values (strings from
forms, query strings and headers, or JSON values), errors leave as
:mod:`queuey.errors`. ``caller`` is the application whose key came with the
request, or ``None``.

Order of checks, as the seed's original did: the application and the queue
must exist (``404``) before credentials are looked at (``401``), and only
then is the rest of the input validated (``400``).
"""

from __future__ import annotations

import logging
import random
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from queuey import timestamps
from queuey.errors import Invalid, NotFound, Unauthorized
from queuey.models import QUEUE_NAME_MAX_LENGTH, Application, Message, Queue
from webapi_kit.authentication import hash_key
from webapi_kit.fields import Bool, Choice, Field, FieldValidationError, Int
from worker.status import Backlog

__all__ = [
    "MAX_TTL",
    "MessageKey",
    "new_key",
    "validate_application_name",
    "application_for_key",
    "can_read",
    "can_see",
    "count_messages",
    "create_application",
    "create_queue",
    "default_ttl",
    "delete_messages",
    "delete_queue",
    "delete_expired",
    "expired_backlog",
    "expired_message_ids",
    "get_application",
    "get_messages_by_keys",
    "get_queue",
    "list_queues",
    "owned_queue",
    "owned_queues",
    "parse_message_keys",
    "post_messages",
    "purge_expired",
    "put_messages",
    "read_messages",
    "readable_queue",
    "rotate_key",
    "update_queue",
    "visible_messages",
    "wants_count",
]

logger = logging.getLogger("queuey")

MAX_TTL = 33_554_432
MAX_PARTITIONS = 200
MAX_READ_LIMIT = 1000
DEFAULT_READ_LIMIT = 100
DEFAULT_QUEUE_LIST_LIMIT = 100
MAX_QUEUE_LIST_LIMIT = 1000
# A bound on one ids list, so one URL cannot ask for unbounded work.
MAX_MESSAGE_KEYS = 1000

_APP_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,50}")
# A queue name is one URL path segment: no slash, no control characters.
_QUEUE_NAME = re.compile(r"[^/\x00-\x1f\x7f]+")
_HEX_ID = re.compile(r"[0-9a-fA-F]{32}")
_KEY_WITH_PARTITION = re.compile(r"([0-9]{1,5}):([0-9a-fA-F]{32})")
# The seed's own DELETE example writes the colon as "%3" instead of "%3A",
# which decodes to "2" + "8cc9..." : the partition's digits glued to the id.
# A valid id is exactly 32 hex digits, so leading digits before 32 more hex
# digits can only mean that.
_KEY_GLUED = re.compile(r"([1-9][0-9]{0,4})([0-9a-fA-F]{32})")


def default_ttl() -> int:
    """Seconds a message lives when no TTL is given (setting ``QUEUEY_DEFAULT_TTL``, 3 days)."""
    return int(getattr(settings, "QUEUEY_DEFAULT_TTL", 3 * 24 * 60 * 60))


# ----------------------------------------------------------------------
# Applications and keys.


def new_key() -> str:
    return secrets.token_hex(16)


def validate_application_name(name: str) -> str:
    if not _APP_NAME.fullmatch(name):
        raise Invalid({"name": "1 to 50 letters, digits, '_', '.' or '-'"})
    return name


def create_application(name: str, owner: Any = None) -> tuple[Application, str]:
    """A new application (of the site user ``owner``, if given) and its key; the key is stored hashed and shown only here."""
    validate_application_name(name)
    key = new_key()
    try:
        with transaction.atomic():
            app = Application.objects.create(name=name, key_hash=hash_key(key), owner=owner)
    except IntegrityError:
        raise Invalid({"name": f"An application named {name!r} already exists"}) from None
    return app, key


def rotate_key(app: Application) -> str:
    """Give ``app`` a new key (the old one stops working at once) and return it."""
    key = new_key()
    app.key_hash = hash_key(key)
    app.save(update_fields=["key_hash"])
    return key


def application_for_key(key: str) -> Application | None:
    return Application.objects.filter(key_hash=hash_key(key)).first()


def applications_of_user(user: Any) -> QuerySet[Application]:
    """The applications a site user owns: the ones they see, and may act as."""
    return Application.objects.filter(owner=user) if user.pk is not None else Application.objects.none()


def application_for_user(user: Any, name: str) -> Application | None:
    """The application ``name`` if ``user`` owns it: a user acts as the application they address.

    Anything else (another's application, an unknown name) leaves the user
    with no application, as a caller without a key: they may read public
    queues and nothing more.
    """
    return applications_of_user(user).filter(name=name).first()


def get_application(name: str) -> Application:
    app = Application.objects.filter(name=name).first()
    if app is None:
        raise NotFound({"InvalidApplication": f"No application named {name!r}"})
    return app


def _require_owner(app: Application, caller: Application | None) -> None:
    if caller is None:
        raise Unauthorized()
    if caller.pk != app.pk:
        raise Unauthorized("This key does not belong to the application")


# ----------------------------------------------------------------------
# Field checks shared by queue and message rules.


def _clean(field: Field, value: Any, key: str, errors: dict[str, str]) -> Any:
    """``field.clean(value)``, recording the first message under ``key`` on failure."""
    try:
        return field.clean(value)
    except FieldValidationError as exc:
        errors[key] = exc.messages[0]
        return None


def _principles(value: Any, errors: dict[str, str]) -> str | None:
    if not isinstance(value, str):
        errors["principles"] = "Must be a comma-separated list"
        return None
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        kind, _, ident = item.partition(":")
        if kind == "app" and _APP_NAME.fullmatch(ident):
            continue
        if kind == "bid":
            try:
                EmailValidator()(ident)
                continue
            except ValidationError:
                pass
        errors["principles"] = f"{item!r} is not app:<name> or bid:<email>"
        return None
    # Keep the order given, without duplicates.
    return ",".join(dict.fromkeys(items))


#: The settings of a queue besides its name and principles (also the forms of /api/).
QUEUE_OPTIONS: dict[str, Field] = {
    "partitions": Int(min_value=1, max_value=MAX_PARTITIONS),
    "type": Choice(choices=("user", "public")),
    "consistency": Choice(choices=("weak", "strong", "very_strong")),
}


def _queue_options(data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, field in QUEUE_OPTIONS.items():
        if name in data:
            value = _clean(field, data[name], name, errors)
            if value is not None:
                options[name] = value
    if "principles" in data:
        principles = _principles(data["principles"], errors)
        if principles is not None:
            options["principles"] = principles
    return options


def _check_queue_name(name: str) -> None:
    """URL queue names longer than the limit cannot exist: ``404 InvalidQueueName``."""
    if len(name) > QUEUE_NAME_MAX_LENGTH:
        raise NotFound({"InvalidQueueName": f"Queue names are at most {QUEUE_NAME_MAX_LENGTH} characters"})


# ----------------------------------------------------------------------
# Queues.


def get_queue(app_name: str, queue_name: str) -> Queue:
    """The queue, or ``404``: no credentials are needed to learn that."""
    _check_queue_name(queue_name)
    app = get_application(app_name)
    queue = Queue.objects.filter(application=app, name=queue_name).first()
    if queue is None:
        raise NotFound({"InvalidQueueName": f"No queue named {queue_name!r}"})
    queue.application = app
    return queue


def owned_queue(caller: Application | None, app_name: str, queue_name: str) -> Queue:
    """The queue, for its owner only (``404``, then ``401``)."""
    queue = get_queue(app_name, queue_name)
    _require_owner(queue.application, caller)
    return queue


def create_queue(caller: Application | None, app_name: str, data: Mapping[str, Any]) -> Queue:
    """Create a queue from ``queue_name``, ``partitions``, ``type``, ``consistency``, ``principles``."""
    app = get_application(app_name)
    _require_owner(app, caller)
    errors: dict[str, str] = {}
    name = data.get("queue_name")
    if name is None or name == "":
        name = uuid.uuid4().hex
    elif not isinstance(name, str) or not _QUEUE_NAME.fullmatch(name):
        errors["queue_name"] = "Must be text without '/' or control characters"
    elif len(name) > QUEUE_NAME_MAX_LENGTH:
        errors["queue_name"] = f"Longer than maximum length {QUEUE_NAME_MAX_LENGTH}"
    options = _queue_options(data, errors)
    if errors:
        raise Invalid(errors)
    try:
        with transaction.atomic():
            return Queue.objects.create(application=app, name=name, **options)
    except IntegrityError:
        raise Invalid({"queue_name": f"A queue named {name!r} already exists"}) from None


@dataclass(frozen=True)
class QueueListing:
    queue: Queue
    count: int | None


def owned_queues(caller: Application | None, app_name: str, *, include_count: bool = False) -> QuerySet[Queue]:
    """The application's queues by name, for its owner only.

    ``include_count`` annotates ``message_count`` (live messages): a grouped
    count over every message of every queue, so only when a caller asks.
    """
    app = get_application(app_name)
    _require_owner(app, caller)
    return _queues_of(app, include_count=include_count)


def _queues_of(app: Application, *, include_count: bool) -> QuerySet[Queue]:
    queues: QuerySet[Queue] = Queue.objects.filter(application=app).order_by("name")
    if include_count:
        live = Q(messages__expires_at__gt=timezone.now())
        queues = queues.annotate(message_count=Count("messages", filter=live))
    return queues


def _include_count(params: Mapping[str, Any], errors: dict[str, str]) -> bool:
    if params.get("include_count") in (None, ""):
        return False
    return bool(_clean(Bool(), params["include_count"], "include_count", errors))


def wants_count(params: Mapping[str, Any]) -> bool:
    """The ``include_count`` query parameter (default false), or ``400 {"include_count": ...}``."""
    errors: dict[str, str] = {}
    include_count = _include_count(params, errors)
    if errors:
        raise Invalid(errors)
    return include_count


def list_queues(caller: Application | None, app_name: str, params: Mapping[str, Any]) -> list[QueueListing]:
    """The application's queues by name: ``limit``, ``offset`` (a name, inclusive), ``include_count``."""
    app = get_application(app_name)
    _require_owner(app, caller)
    errors: dict[str, str] = {}
    limit = DEFAULT_QUEUE_LIST_LIMIT
    if params.get("limit") not in (None, ""):
        limit = _clean(Int(min_value=1, max_value=MAX_QUEUE_LIST_LIMIT), params["limit"], "limit", errors)
    include_count = _include_count(params, errors)
    if errors:
        raise Invalid(errors)
    queues = _queues_of(app, include_count=include_count)
    offset = params.get("offset")
    if offset:
        queues = queues.filter(name__gte=offset)
    return [QueueListing(q, getattr(q, "message_count", None)) for q in queues[:limit]]


def update_queue(caller: Application | None, app_name: str, queue_name: str, data: Mapping[str, Any]) -> Queue:
    """Change ``partitions`` (only upwards), ``type``, ``consistency``, ``principles``."""
    queue = owned_queue(caller, app_name, queue_name)
    errors: dict[str, str] = {}
    options = _queue_options(data, errors)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = Queue.objects.select_for_update().get(pk=queue.pk)
        if options.get("partitions", locked.partitions) < locked.partitions:
            raise Invalid.named("InvalidUpdate", "Partitions can only be increased.")
        for name, value in options.items():
            setattr(locked, name, value)
        locked.save()
    locked.application = queue.application
    return locked


def delete_queue(caller: Application | None, app_name: str, queue_name: str) -> None:
    """Remove the queue with its partitions and messages."""
    queue = owned_queue(caller, app_name, queue_name)
    # Messages have no dependents, so the cascade is one DELETE statement.
    queue.delete()


# ----------------------------------------------------------------------
# Access to messages.


def can_read(queue: Queue, caller: Application | None) -> bool:
    """Public queues: anyone. Otherwise the listed principals if any, else the owner."""
    if queue.type == Queue.TYPE_PUBLIC:
        return True
    return _is_principal(queue, caller)


def can_see(queue: Queue, caller: Application | None) -> bool:
    """Whether ``caller`` may know more of the queue than its name: its owner or a reader.

    The /api/ surface answers a refusal to such a caller with ``403`` and
    hides the queue from anyone else behind a ``404``.
    """
    return bool(caller is not None and caller.pk == queue.application_id) or can_read(queue, caller)  # type: ignore[attr-defined]


def readable_queue(caller: Application | None, app_name: str, queue_name: str) -> Queue:
    """The queue, for those who may read its messages (``404``, then ``401``)."""
    queue = get_queue(app_name, queue_name)
    _require_read(queue, caller)
    return queue


def count_messages(queue: Queue) -> int:
    """The queue's live messages: a count over all of them, so only on request."""
    return visible_messages(queue).count()


def _is_principal(queue: Queue, caller: Application | None) -> bool:
    if caller is None:
        return False
    principles = queue.principle_list
    if principles:
        return f"app:{caller.name}" in principles
    return bool(caller.pk == queue.application_id)  # type: ignore[attr-defined]


def _require_read(queue: Queue, caller: Application | None) -> None:
    if not can_read(queue, caller):
        raise Unauthorized("This key may not read this queue" if caller else "A valid application key is required")


def _require_delete(queue: Queue, caller: Application | None) -> None:
    if not _is_principal(queue, caller):
        raise Unauthorized("This key may not delete from this queue" if caller else "A valid application key is required")


def visible_messages(queue: Queue) -> QuerySet[Message]:
    """The queue's messages that have not expired (the purge may not have run yet)."""
    return Message.objects.filter(queue=queue, expires_at__gt=timezone.now())


# ----------------------------------------------------------------------
# Posting messages.


@dataclass(frozen=True)
class _NewMessage:
    body: bytes
    ttl: int
    partition: int
    content_type: str


def _clean_body(value: Any, key: str, errors: dict[str, str]) -> bytes | None:
    if value is None or value == "" or value == b"":
        errors[key] = "Required"
        return None
    if isinstance(value, str):
        # Text is Unicode: the JSON decoder refuses lone surrogates for every service.
        return value.encode("utf-8")
    if isinstance(value, bytes):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            # Messages are read back inside JSON, which carries text only.
            errors[key] = "Must be UTF-8 text"
            return None
        return value
    errors[key] = "Must be a string"
    return None


def _clean_message(item: Any, queue: Queue, prefix: str, errors: dict[str, str]) -> _NewMessage | None:
    if not isinstance(item, Mapping):
        errors[prefix.rstrip(".") or "body"] = "Must be an object with a body"
        return None
    before = len(errors)
    body = _clean_body(item.get("body"), f"{prefix}body", errors)
    ttl = default_ttl()
    if item.get("ttl") is not None:
        ttl = _clean(Int(min_value=1, max_value=MAX_TTL), item["ttl"], f"{prefix}ttl", errors)
    partition = random.randint(1, queue.partitions)
    if item.get("partition") is not None:
        partition = _clean(Int(min_value=1, max_value=queue.partitions), item["partition"], f"{prefix}partition", errors)
    if len(errors) > before or body is None:
        return None
    content_type = item.get("content_type") or ""
    return _NewMessage(body=body, ttl=ttl, partition=partition, content_type=str(content_type)[:255])


def post_messages(
    caller: Application | None,
    app_name: str,
    queue_name: str,
    items: Sequence[Mapping[str, Any]],
    *,
    batch: bool,
) -> list[Message]:
    """Store messages (``body``, ``ttl``, ``partition``, ``content_type``) all or nothing.

    Errors name the field, prefixed with the item's index for a ``batch``
    (``"1.partition"``: the second item, counting from 0 as the seed's
    original did); one bad item stores nothing.
    """
    queue = owned_queue(caller, app_name, queue_name)
    return store_messages(queue, items, batch=batch)


def store_messages(queue: Queue, items: Sequence[Mapping[str, Any]], *, batch: bool) -> list[Message]:
    """The storing half of :func:`post_messages`, for a queue already checked."""
    if not items:
        raise Invalid.named("InvalidParameter", "No messages given")
    errors: dict[str, str] = {}
    cleaned = [_clean_message(item, queue, f"{index}." if batch else "", errors) for index, item in enumerate(items)]
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    rows: list[Message] = []
    for new in cleaned:
        assert new is not None
        message_id = uuid.uuid1()
        rows.append(
            Message(
                queue=queue,
                partition=new.partition,
                message_id=message_id.hex,
                timestamp=timestamps.from_uuid1(message_id),
                body=new.body,
                content_type=new.content_type,
                expires_at=now + timedelta(seconds=new.ttl),
            )
        )
    with transaction.atomic():
        Message.objects.bulk_create(rows, batch_size=1000)
    return rows


# ----------------------------------------------------------------------
# Reading by time.


def _since_units(queue: Queue, since: str, partitions: Sequence[int], errors: dict[str, str]) -> int | None:
    """``since`` as a time: seconds (``"1323973966.2826370"``) or a message id."""
    if _HEX_ID.fullmatch(since):
        parsed = uuid.UUID(hex=since)
        if parsed.version == 1:
            return timestamps.from_uuid1(parsed)
        # Not a UUID1 (a PUT may create such ids): use the stored message's time.
        stored = (
            Message.objects.filter(queue=queue, partition__in=partitions, message_id=since.lower())
            .values_list("timestamp", flat=True)
            .first()
        )
        if stored is not None:
            return int(stored)
        errors["since"] = "No message with this id"
        return None
    units = timestamps.parse_seconds(since)
    if units is None:
        errors["since"] = "Must be seconds since the epoch or a message id"
    return units


def read_messages(caller: Application | None, app_name: str, queue_name: str, params: Mapping[str, Any]) -> list[Message]:
    """Messages by time: ``since`` (inclusive), ``limit`` per partition, ``order``, ``partitions``.

    One index seek per partition asked for, answered in the order asked.
    """
    queue = readable_queue(caller, app_name, queue_name)
    errors: dict[str, str] = {}
    limit = DEFAULT_READ_LIMIT
    if params.get("limit") not in (None, ""):
        limit = _clean(Int(min_value=1, max_value=MAX_READ_LIMIT), params["limit"], "limit", errors)
    order = params.get("order") or "ascending"
    if order not in ("ascending", "descending"):
        errors["order"] = f"{order!r} is not one of ascending, descending"
    partitions = _partition_list(params.get("partitions"), queue, errors)
    since_units = None
    since = params.get("since")
    if since not in (None, "") and not errors:
        since_units = _since_units(queue, str(since), partitions, errors)
    if errors:
        raise Invalid(errors)
    ordering = ("timestamp", "id") if order == "ascending" else ("-timestamp", "-id")
    now = timezone.now()
    result: list[Message] = []
    for partition in partitions:
        rows = Message.objects.filter(queue=queue, partition=partition, expires_at__gt=now)
        if since_units is not None:
            rows = rows.filter(timestamp__gte=since_units)
        result.extend(rows.order_by(*ordering)[:limit])
    return result


def _partition_list(value: Any, queue: Queue, errors: dict[str, str]) -> list[int]:
    if value in (None, ""):
        return [1]
    field = Int(min_value=1, max_value=queue.partitions)
    parts = str(value).split(",")
    cleaned: list[int] = []
    for part in parts:
        number = _clean(field, part, "partitions", errors)
        if number is None:
            return []
        cleaned.append(number)
    return list(dict.fromkeys(cleaned))


# ----------------------------------------------------------------------
# Messages by id.


@dataclass(frozen=True)
class MessageKey:
    partition: int
    message_id: str


def parse_message_keys(text: str) -> list[MessageKey]:
    """``"3a65...,2:3a85..."`` as keys (partition 1 when absent), or ``400 InvalidMessageID``."""
    keys: list[MessageKey] = []
    for token in text.split(","):
        token = token.strip()
        if _HEX_ID.fullmatch(token):
            keys.append(MessageKey(1, token.lower()))
            continue
        match = _KEY_WITH_PARTITION.fullmatch(token) or _KEY_GLUED.fullmatch(token)
        if match is None or int(match.group(1)) < 1:
            raise Invalid.named("InvalidMessageID", f"{token[:80]!r} is not [partition:]<32 hex digits>")
        keys.append(MessageKey(int(match.group(1)), match.group(2).lower()))
    if len(keys) > MAX_MESSAGE_KEYS:
        raise Invalid.named("InvalidMessageID", f"At most {MAX_MESSAGE_KEYS} message ids at once")
    return list(dict.fromkeys(keys))


def _keys_filter(keys: Iterable[MessageKey]) -> Q:
    by_partition: dict[int, list[str]] = {}
    for key in keys:
        by_partition.setdefault(key.partition, []).append(key.message_id)
    condition = Q(pk__in=[])
    for partition, ids in by_partition.items():
        condition |= Q(partition=partition, message_id__in=ids)
    return condition


def get_messages_by_keys(caller: Application | None, app_name: str, queue_name: str, keys_text: str) -> list[Message]:
    """A search: the live messages among the keys, in the order asked; missing ones left out."""
    queue = readable_queue(caller, app_name, queue_name)
    keys = parse_message_keys(keys_text)
    found = {MessageKey(m.partition, m.message_id): m for m in visible_messages(queue).filter(_keys_filter(keys))}
    return [found[key] for key in keys if key in found]


def put_messages(
    caller: Application | None,
    app_name: str,
    queue_name: str,
    keys_text: str,
    *,
    body: Any,
    ttl: Any,
    content_type: str,
) -> None:
    """Overwrite body and TTL of each message (id and time kept), creating the missing ones."""
    queue = owned_queue(caller, app_name, queue_name)
    keys = parse_message_keys(keys_text)
    errors: dict[str, str] = {}
    data = _clean_body(body, "body", errors)
    seconds = default_ttl()
    if ttl is not None:
        seconds = _clean(Int(min_value=1, max_value=MAX_TTL), ttl, "ttl", errors)
    bad = [key for key in keys if key.partition > queue.partitions]
    if bad:
        errors["partition"] = f"{bad[0].partition} is greater than maximum value {queue.partitions}"
    if errors:
        raise Invalid(errors)
    assert data is not None
    expires_at = timezone.now() + timedelta(seconds=seconds)
    with transaction.atomic():
        existing = set(
            Message.objects.filter(queue=queue).filter(_keys_filter(keys)).values_list("partition", "message_id")
        )
        if existing:
            Message.objects.filter(queue=queue).filter(_keys_filter(keys)).update(
                body=data, content_type=content_type[:255], expires_at=expires_at
            )
        missing = [key for key in keys if (key.partition, key.message_id) not in existing]
        Message.objects.bulk_create(
            [
                Message(
                    queue=queue,
                    partition=key.partition,
                    message_id=key.message_id,
                    timestamp=_time_of_new_id(key.message_id),
                    body=data,
                    content_type=content_type[:255],
                    expires_at=expires_at,
                )
                for key in missing
            ]
        )


def _time_of_new_id(message_id: str) -> int:
    parsed = uuid.UUID(hex=message_id)
    # A UUID1 carries its time; any other id is stamped with the present.
    return timestamps.from_uuid1(parsed) if parsed.version == 1 else timestamps.now_units()


def delete_messages(caller: Application | None, app_name: str, queue_name: str, keys_text: str) -> None:
    """Remove the messages; unknown ids are fine."""
    queue = get_queue(app_name, queue_name)
    _require_delete(queue, caller)
    keys = parse_message_keys(keys_text)
    Message.objects.filter(queue=queue).filter(_keys_filter(keys)).delete()


# ----------------------------------------------------------------------
# Purging.


def expired_backlog() -> Backlog:
    """Expired messages not yet purged (reads never show them), and the oldest expiry."""
    figures = Message.objects.filter(expires_at__lte=timezone.now()).aggregate(due=Count("pk"), oldest=Min("expires_at"))
    return Backlog(due=figures["due"], leased=0, oldest_due_at=figures["oldest"])


def expired_message_ids(limit: int) -> list[int]:
    """Up to ``limit`` expired messages' primary keys: one batch for :func:`delete_expired`."""
    return list(Message.objects.filter(expires_at__lte=timezone.now()).values_list("pk", flat=True)[:limit])


def delete_expired(ids: Sequence[int]) -> int:
    """Delete the messages of ``ids`` that are still expired (one short transaction); returns how many."""
    deleted, _ = Message.objects.filter(pk__in=ids, expires_at__lte=timezone.now()).delete()
    return deleted


def purge_expired(batch_size: int = 1000) -> int:
    """Delete expired messages in batches (short transactions); returns how many."""
    total = 0
    while ids := expired_message_ids(batch_size):
        total += delete_expired(ids)
        if len(ids) < batch_size:
            break
    return total
