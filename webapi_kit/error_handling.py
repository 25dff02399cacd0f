"""Errors as answers: mapping exceptions to API errors, and rendering them.

:class:`ErrorHandling` is the part of
:class:`~webapi_kit.resource.WebAPIResource` that turns whatever a step or
a handler raised into a :class:`~webapi_kit.errors.WebAPIError`
(:meth:`~ErrorHandling.handle_exception`, the place to map a service
layer's own exceptions) and renders it through the API's envelope in the
negotiated format, with its ``WWW-Authenticate`` challenges.
"""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import DisallowedHost, ObjectDoesNotExist, SuspiciousOperation
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from webapi_kit.challenges import merge_challenges
from webapi_kit.context import query_params
from webapi_kit.errors import (
    Conflict,
    DoesNotExist,
    InternalError,
    MalformedRequest,
    ServiceUnavailable,
    WebAPIError,
)
from webapi_kit.formats import Format, FormatTable
from webapi_kit.renderers import PageRenderer
from webapi_kit.responses import Responses

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = ["ErrorHandling", "error_format", "suspicious_request_error", "vary_on_accept"]

logger = logging.getLogger("webapi_kit")


class ErrorHandling(Responses):
    """Exceptions to API errors, and API errors to answers (part of ``WebAPIResource``)."""

    def error_response(self, request: HttpRequest, error: WebAPIError, fmt: Format) -> HttpResponse:
        """Render ``error`` through the envelope in the format of ``fmt``."""
        row = self.formats["error"].for_renderer(fmt.renderer)
        body = row.renderer.render(self.get_envelope().error(error))
        challenges: tuple[str, ...] = ()
        own = getattr(error, "challenges", None)
        if own is not None and error.status == HTTPStatus.UNAUTHORIZED:
            # Every way in this resource knows of, the error's own first; Basic leads.
            # (An error that sets WWW-Authenticate itself keeps exactly that.)
            challenges = merge_challenges(own, self._challenges)
        response = self._content_response(body, row.content_type, error.status, challenges)
        for header, value in error.headers.items():
            response[header] = value
        if challenges:
            response["WWW-Authenticate"] = challenges[0]
        if request.method == "HEAD":
            response.content = b""
        vary_on_accept(response)
        return response

    def negotiated_error_response(self, request: HttpRequest, error: WebAPIError, *, page: bool = False) -> HttpResponse:
        """``error`` in the format ``Accept`` (or ``?api_format=``) asks for, else the default.

        For answers made outside the pipeline: URLs no resource matches, and
        requests Django refused before any view ran. A page format presents
        the error only with ``page`` (a page needs a request sound enough to
        build links from, which a refused one may not be).
        """
        table = self.formats["error"]
        accept = request.META.get("HTTP_ACCEPT")
        try:
            fmt = table.select(accept, query_params(request).get("api_format"))
        except WebAPIError:
            fmt = error_format(table, accept)
        if fmt.renderer.presents:
            if page:
                return cast(PageRenderer, fmt.renderer).present(
                    cast("WebAPIResource", self), request, "item", {}, lambda body: self.error_response(request, error, fmt)
                )
            fmt = table.default
        return self.error_response(request, error, fmt)

    def handle_exception(self, request: HttpRequest, exc: Exception) -> WebAPIError:
        """The API error to answer with for an exception a step or handler raised.

        Override to map a service layer's own exceptions (call ``super()``
        for the rest). Database outages answer 503, unique violations 409,
        values a column cannot hold 400, a missing object 404, what Django
        calls suspicious (a ``Host`` not allowed) 400; anything else
        (other integrity errors included: they are the code's fault) is
        logged and answers a 500 that shows a traceback only under ``DEBUG``.
        """
        if isinstance(exc, WebAPIError):
            return exc
        if isinstance(exc, ObjectDoesNotExist):
            return DoesNotExist()
        if isinstance(exc, SuspiciousOperation):
            # A 400, logged where Django logs these (a Host not in ALLOWED_HOSTS, say).
            logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc), extra={"request": request})
            return suspicious_request_error(exc)
        if isinstance(exc, IntegrityError) and _is_unique_violation(exc):
            logger.info("Unique constraint on %s %s: %s", request.method, request.path, exc)
            return Conflict()
        if isinstance(exc, (DataError, OverflowError)):
            # A value validation let through but the column cannot hold.
            logger.info("Value out of range on %s %s: %s", request.method, request.path, exc)
            return MalformedRequest("A value is out of range or too long to be stored")
        if isinstance(exc, (OperationalError, InterfaceError)):
            logger.error("Database unavailable on %s %s", request.method, request.path, exc_info=exc)
            return ServiceUnavailable()
        logger.error("Internal error on %s %s", request.method, request.path, exc_info=exc)
        if settings.DEBUG:
            return InternalError(extra={"traceback": traceback.format_exception(exc)})
        return InternalError()


def suspicious_request_error(exc: SuspiciousOperation) -> MalformedRequest:
    """The 400 for what Django calls suspicious; the message names no setting or value."""
    if isinstance(exc, DisallowedHost):
        return MalformedRequest("The request's Host is not one this site answers for")
    return MalformedRequest("The request was refused as unsafe")


def error_format(table: FormatTable, accept: str | None) -> Format:
    """An error's format where ``?api_format=`` is bad: the data format ``Accept`` asks for, else the default."""
    try:
        fmt = table.select(accept, None)
    except WebAPIError:
        return table.default
    return table.default if fmt.renderer.presents else fmt


def _is_unique_violation(exc: IntegrityError) -> bool:
    # PostgreSQL's SQLSTATE, else the wording of SQLite and MySQL.
    if getattr(exc.__cause__, "sqlstate", None) == "23505":
        return True
    text = str(exc).lower()
    return "unique" in text or "duplicate" in text


def vary_on_accept(response: HttpResponse) -> None:
    """Every negotiated answer varies on ``Accept`` (cheaper than patch_vary_headers)."""
    vary = response.get("Vary")
    if not vary:
        response["Vary"] = "Accept"
    elif "accept" not in {part.strip().lower() for part in vary.split(",")}:
        patch_vary_headers(response, ("Accept",))
