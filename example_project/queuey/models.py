"""Applications own queues; queues hold messages split into partitions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

__all__ = ["Application", "Message", "Queue"]

QUEUE_NAME_MAX_LENGTH = 50
APPLICATION_NAME_MAX_LENGTH = 50


class Application(models.Model):
    """A client of the service, known by its name and its (hashed) key."""

    # One URL path segment: /v1/{application}.
    name = models.CharField(
        max_length=APPLICATION_NAME_MAX_LENGTH,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.\-]+$", "Letters, digits, '_', '.' or '-' only")],
    )
    # Only the SHA-256 of the key is kept (webapi_kit.authentication.hash_key):
    # a leaked database does not leak working keys.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    # The site user who may act as this application in the /api/ tree
    # (a key acts as it anywhere); none: only its key does.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="queuey_applications",
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Queue(models.Model):
    """A named queue of one application, with its partitions and access rules."""

    TYPE_USER = "user"
    TYPE_PUBLIC = "public"
    TYPES = ((TYPE_USER, "user"), (TYPE_PUBLIC, "public"))
    CONSISTENCIES = (("weak", "weak"), ("strong", "strong"), ("very_strong", "very_strong"))

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="queues")
    name = models.CharField(max_length=QUEUE_NAME_MAX_LENGTH)
    partitions = models.PositiveSmallIntegerField(default=1)
    type = models.CharField(max_length=10, choices=TYPES, default=TYPE_USER)
    consistency = models.CharField(max_length=12, choices=CONSISTENCIES, default="strong")
    # Comma-separated ``app:<name>`` / ``bid:<email>`` principals; empty = owner only.
    principles = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("application", "name")
        constraints = [models.UniqueConstraint(fields=("application", "name"), name="queuey_queue_unique_name")]

    def __str__(self) -> str:
        return f"{self.application.name}/{self.name}"

    @property
    def principle_list(self) -> list[str]:
        return [p for p in self.principles.split(",") if p]


class Message(models.Model):
    """One message in one partition of a queue.

    ``timestamp`` is the message's time in 100 ns units since the Unix epoch
    (the precision of the UUID1 it is derived from), kept as an integer so
    that no float ever rounds it.
    """

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="messages")
    partition = models.PositiveSmallIntegerField()
    message_id = models.CharField(max_length=32)
    timestamp = models.BigIntegerField()
    body = models.BinaryField()
    content_type = models.CharField(max_length=255, blank=True, default="")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            # `since` reads: an index seek on (queue, partition, time), rows
            # already in order; `id` breaks ties between equal timestamps.
            models.Index(fields=("queue", "partition", "timestamp", "id"), name="queuey_msg_since_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=("queue", "partition", "message_id"), name="queuey_msg_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.partition}:{self.message_id}"

    @property
    def key(self) -> str:
        """``<partition>:<message_id>``, how the seed addresses one message."""
        return f"{self.partition}:{self.message_id}"
