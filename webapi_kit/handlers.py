"""Django's error handlers, answering in the format of the API a URL belongs to.

Some bad requests are refused before any view runs: a ``Host`` header that
is not a valid host name (``CommonMiddleware`` and ``CsrfViewMiddleware``
ask for it first), or a body Django's own parsing finds suspicious. Django
then answers its ``handler400``, an HTML page by default. Pointing the site's
handler here answers such a request in the error format of the API its URL
belongs to (the ``stat``/``err`` envelope, or a native surface's own), and
with Django's default page for every other URL::

    # the site's root URLconf
    handler400 = "webapi_kit.handlers.bad_request"
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views import defaults

from webapi_kit.errors import MalformedRequest
from webapi_kit.error_handling import suspicious_request_error
from webapi_kit.resource import WebAPIResource

__all__ = ["bad_request", "resource_for_path"]


def resource_for_path(request: HttpRequest) -> WebAPIResource | None:
    """The resource whose formats answer errors at the request's URL, if an API's URL."""
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return None
    resource = getattr(match.func, "webapi_resource", None)
    return resource if isinstance(resource, WebAPIResource) else None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a 400 in the API's error format for its URLs, Django's page elsewhere."""
    resource = resource_for_path(request)
    if resource is None:
        return defaults.bad_request(request, exception)
    if isinstance(exception, SuspiciousOperation):
        error = suspicious_request_error(exception)
    else:
        error = MalformedRequest()
    return resource.negotiated_error_response(request, error)
