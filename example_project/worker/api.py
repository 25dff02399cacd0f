"""A service's backlog in the /api/ tree: ``/api/<service>/status/``, for staff.

Each service hangs a subclass naming its worker loop off the API root::

    class RetryStatusResource(BacklogResource):
        name = "retry_status"
        uri_name = "retry/status"
        loop = "retry"

``GET`` reads the backlog function the loop registered
(:func:`worker.registry.register`), the one ``runworker`` prints. It is
service-wide operational data, so only staff users (Django's ``is_staff``)
may read it: anonymous callers get 401, anyone else 403, in the API's own
envelope. A service's own header (``X-Owner-ID``, …) names no Django user
and lets no one in here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.http import HttpRequest
from django.utils import timezone

from config.identity import USER_AUTHENTICATION
from webapi_kit.errors import WebAPIError
from webapi_kit.fields import DateTime, Decimal, Int
from webapi_kit.permissions import IsStaff
from webapi_kit.resource import RequestContext, WebAPIResource
from worker.registry import loops
from worker.status import Backlog

__all__ = ["BacklogResource"]


class BacklogResource(WebAPIResource):
    """The service's waiting work: how much is due, how much a worker holds, and how late the oldest is."""

    singleton = True
    authentication_classes = USER_AUTHENTICATION
    permission_classes = (IsStaff,)
    fields = {
        "due": Int("Units due now that no worker holds (never claimed, or their lease ran out)."),
        "leased": Int("Units a worker holds a live lease on (being worked on)."),
        "oldest_due_at": DateTime("When the longest-waiting due unit fell due; null when nothing is due."),
        "lateness_seconds": Decimal("Seconds the oldest due unit has waited past its time (0 when nothing waits)."),
    }
    openapi_examples = ({"due": 3120, "leased": 500, "oldest_due_at": "2026-12-02T10:40:00.200000Z",
                         "lateness_seconds": 0.8},)
    #: The name the service's worker loop is registered under.
    loop: ClassVar[str]

    def permission_denied(self, request: HttpRequest, msg: str | None = None) -> WebAPIError:
        return super().permission_denied(request, msg or "Only staff users may read a service's status")

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Backlog:
        return loops()[self.loop].backlog()

    def serialize_lateness_seconds_field(self, obj: Backlog, ctx: RequestContext) -> float:
        # Milliseconds are plenty, and keep the ETag of "nothing waits" stable.
        return round(obj.lateness(timezone.now()), 3)
