"""What the retry service stores: accepted requests and the attempts made for them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class State(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    GAVE_UP = "gave_up"
    CANCELLED = "cancelled"


class Owner(models.Model):
    """One row per owner: the lock that serializes an owner's submissions.

    Counting an owner's recent requests and inserting a new one happen under
    a lock on this row, so concurrent posters never overshoot the limit.
    """

    owner_id = models.CharField(max_length=255, unique=True)
    last_accepted_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.owner_id


class RetryRequest(models.Model):
    """A request to re-send on a schedule, and where it stands.

    ``next_attempt`` is the index (into ``intervals``) of the next attempt and
    ``next_due_at`` when it falls due; ``claim_token`` / ``claimed_until``
    are the lease of the worker currently making it.
    """

    owner_id = models.CharField(max_length=255)
    method = models.CharField(max_length=64)
    url = models.TextField()
    #: ``[[name, value], ...]`` in the order given; a name repeats once per value.
    headers = models.JSONField(default=list)
    body = models.BinaryField(default=b"")
    #: Seconds after ``accepted_at`` at which each attempt falls due.
    intervals = models.JSONField()
    accepted_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    next_attempt = models.PositiveIntegerField(default=0)
    next_due_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True)

    class Meta:
        ordering = ("-accepted_at", "-id")
        indexes = [
            # The worker's question: which pending requests are due?
            models.Index(fields=["next_due_at"], condition=Q(state="pending"), name="retry_due_idx"),
            # The limit's question, and an owner's list.
            models.Index(fields=["owner_id", "accepted_at"], name="retry_owner_accepted_idx"),
            # Retention's question: which finished requests are old enough to go?
            models.Index(fields=["finished_at"], condition=~Q(state="pending"), name="retry_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state != State.PENDING


class Attempt(models.Model):
    """One attempt to send a request: when, and what came of it.

    A row is written when the attempt starts and completed when it ends; a
    worker that dies in between leaves it unfinished, and the next worker
    marks it interrupted before making the attempt again.
    """

    request = models.ForeignKey(RetryRequest, on_delete=models.CASCADE, related_name="attempts")
    #: Which interval this attempt belongs to (0-based); repeats after an interruption.
    index = models.PositiveIntegerField()
    scheduled_at = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    #: Seconds from start to end.
    duration = models.FloatField(null=True)
    status_code = models.PositiveIntegerField(null=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("started_at", "id")
        indexes = [
            # A claim's question: did a dead worker leave this request's attempt open?
            # (Few rows are open at any time, so the index stays small.)
            models.Index(fields=["request"], condition=Q(finished_at__isnull=True), name="retry_attempt_open_idx"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.index} of request {self.request_id}"
