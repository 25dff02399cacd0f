"""The data router's tables: feeds, subscriptions, published files, deliveries, log records."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

__all__ = ["Delivery", "Feed", "LogRecord", "Publication", "Subscription"]


class Feed(models.Model):
    """A feed; deleted feeds stay as rows so their name+version is never reused."""

    name = models.CharField(max_length=20)
    version = models.CharField(max_length=20)
    description = models.CharField(max_length=256)
    business_description = models.CharField(max_length=256)
    classification = models.CharField(max_length=32)
    #: ``[{"id": "user", "password": "<make_password hash>"}]``: never a clear password.
    endpoint_ids = models.JSONField(default=list)
    #: Addresses and networks publishers may publish from; empty means any.
    endpoint_addrs = models.JSONField(default=list)
    suspended = models.BooleanField(default=False)
    group_id = models.BigIntegerField(default=0)
    publisher = models.CharField(max_length=8)
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="datarouter_feed_name_version")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Subscription(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="subscriptions")
    delivery_url = models.CharField(max_length=256)
    delivery_user = models.CharField(max_length=60)
    #: Kept as given: the worker must present it to the subscriber's endpoint,
    #: so it cannot be hashed. Never shown back in a response.
    delivery_password = models.CharField(max_length=100)
    use100 = models.BooleanField(default=False)
    metadata_only = models.BooleanField(default=False)
    follow_redirect = models.BooleanField(default=False)
    suspended = models.BooleanField(default=False)
    group_id = models.BigIntegerField(default=0)
    subscriber = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"subscription {self.pk} of feed {self.feed_id}"


class Publication(models.Model):
    """One accepted publish (of a file, or of a deletion); its pk is the publish id."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="publications")
    file_id = models.CharField(max_length=1024)
    method = models.CharField(max_length=6)  # PUT or DELETE
    content_type = models.CharField(max_length=256, blank=True)
    content_length = models.BigIntegerField(default=0)
    meta = models.TextField(blank=True)
    source_ip = models.CharField(max_length=45)
    endpoint_id = models.CharField(max_length=60)
    #: Name of the file in Django's storage; "" once removed (or for deletions).
    storage_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Retention removes publications by age.
            models.Index(fields=["created_at"], name="datarouter_publication_age"),
            # The storage sweep looks only at publications still holding a file.
            models.Index(fields=["id"], name="datarouter_publication_stored", condition=~Q(storage_name="")),
        ]

    @property
    def publish_id(self) -> str:
        return str(self.pk)

    def __str__(self) -> str:
        return f"publication {self.pk} of {self.file_id}"


class Delivery(models.Model):
    """The work of getting one publication to one subscription."""

    PENDING = "pending"
    DELIVERED = "delivered"
    EXPIRED = "expired"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, default=PENDING)
    attempts = models.IntegerField(default=0)
    #: When a pending delivery is due; once delivered or expired, when it finished.
    next_attempt_at = models.DateTimeField()
    #: Lease: a worker owns the attempt until ``claimed_until``; a crashed
    #: worker's lease simply runs out and the delivery is claimed again.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Partial indexes: the worker's claims read only pending rows, retention
            # only finished ones, so neither grows with the other's rows.
            models.Index(fields=["next_attempt_at", "id"], name="datarouter_delivery_due", condition=Q(status="pending")),
            models.Index(fields=["next_attempt_at"], name="datarouter_delivery_finished", condition=~Q(status="pending")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["publication", "subscription"], name="datarouter_delivery_once")
        ]

    def __str__(self) -> str:
        return f"delivery of {self.publication_id} to {self.subscription_id}"


class LogRecord(models.Model):
    """A ``pub``, ``del`` or ``exp`` record; plain ids so records outlive what they name."""

    PUB = "pub"
    DEL = "del"
    EXP = "exp"

    type = models.CharField(max_length=3)
    date = models.DateTimeField(db_index=True)  # retention removes by date
    feed_id = models.BigIntegerField()
    subscription_id = models.BigIntegerField(null=True)
    publish_id = models.CharField(max_length=32)
    request_uri = models.CharField(max_length=2048)
    method = models.CharField(max_length=6)
    content_type = models.CharField(max_length=256, blank=True)
    content_length = models.BigIntegerField(default=0)
    source_ip = models.CharField(max_length=45, blank=True)
    endpoint_id = models.CharField(max_length=60, blank=True)
    delivery_id = models.CharField(max_length=60, blank=True)
    status_code = models.IntegerField(null=True)
    expiry_reason = models.CharField(max_length=20, blank=True)
    attempts = models.IntegerField(null=True)

    class Meta:
        # The feedlog and the sublog: one feed's or one subscription's records in a date range.
        indexes = [
            models.Index(fields=["feed_id", "date"], name="datarouter_log_feed"),
            models.Index(fields=["subscription_id", "date"], name="datarouter_log_sub"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.publish_id}"
