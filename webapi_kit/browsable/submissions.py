"""Forms posted from the browsable pages: read, checked for CSRF, method applied.

Browsers send forms as ``POST`` only, so the pages' update and delete forms
carry ``_method=PUT`` / ``_method=DELETE``. Every form a page posts carries
Django's CSRF token, and a form post that negotiates HTML must present a
valid one whoever sends it (a session, HTTP Basic that the browser replays,
or nobody), so another site cannot make a visitor's browser post to the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.datastructures import MultiValueDict

from webapi_kit.errors import PermissionDenied
from webapi_kit.parsers import ParsedBody, method_override, parse_body

from webapi_kit.browsable.forms import drop_blanks, form_spec

if TYPE_CHECKING:
    from webapi_kit.resource import Kind, WebAPIResource

__all__ = ["Submission", "is_form_post", "read_submission"]

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_WRITE_METHODS = ("POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Submission:
    """A form post: the body for the pipeline, and what was typed, to show again."""

    body: ParsedBody
    #: The method the form asked for (``POST``, or ``PUT``/``DELETE`` by ``_method``).
    method: str
    values: QueryDict


def is_form_post(request: HttpRequest, resource: WebAPIResource, kind: Kind) -> bool:
    """A ``POST`` of an HTML form to a URL that takes writes."""
    return (
        request.method == "POST"
        and request.content_type in _FORM_TYPES
        and any(resource.handles(kind, method) for method in _WRITE_METHODS)
    )


def read_submission(request: HttpRequest, resource: WebAPIResource, kind: Kind) -> Submission:
    """Read and check a form post; API errors (400, 403, 413) for bad ones."""
    # The resource's own parsers: a resource that takes no forms answers 415 here too.
    body = parse_body(request, resource.parsers or (), max_size=resource.get_max_body_size(request))
    try:
        form = body.form if body.form is not None else QueryDict()
        _check_csrf(request, form, body.form_files)
        method = method_override(request, body) or "POST"
        body = drop_blanks(body, form_spec(resource, kind, method))
    except BaseException:
        body.close()
        raise
    return Submission(body=body, method=method, values=form)


class _CSRFCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def _no_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the CSRF check calls no view")


def _check_csrf(request: HttpRequest, form: QueryDict, files: MultiValueDict[str, Any] | None) -> None:
    # The body is read already: show Django's check (and the session
    # authentication's, later in the pipeline) the form through request.POST.
    request._post = form  # type: ignore[attr-defined]
    request._files = files if files is not None else MultiValueDict()  # type: ignore[attr-defined]
    check = _CSRFCheck(_no_view)
    check.process_request(request)
    reason = check.process_view(request, _no_view, (), {})
    if isinstance(reason, str):
        raise PermissionDenied(f"CSRF Failed: {reason}")
