"""``HTMLRenderer``: the browsable API, one HTML page per answer."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.apps import apps
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path

from webapi_kit.renderers import JSONRenderer, PageRenderer, Renderer, Respond

from webapi_kit.browsable.pages import api_base_url, page_context
from webapi_kit.browsable.submissions import Submission, is_form_post, read_submission
from webapi_kit.browsable.responses import html_response
from webapi_kit.browsable.templates import render_template

if TYPE_CHECKING:
    from webapi_kit.api import API
    from webapi_kit.resource import Kind, WebAPIResource

__all__ = ["HTMLRenderer"]

#: Where the login and logout views sit under an API's prefix. The leading
#: underscore keeps them apart from resources' URLs, which are names.
LOGIN_PATH = "_login/"
LOGOUT_PATH = "_logout/"

#: Headers of the data format's answer that the page keeps.
_KEPT_HEADERS = ("Allow", "Retry-After", "Location")

class HTMLRenderer(PageRenderer):
    """The browsable API: each answer as a page, with forms to write.

    Pages show the envelope exactly as ``data_renderer`` (JSON by default)
    writes it, with links to follow, the answer's status and headers, and
    forms made from the handlers' declared request fields. Templates are
    ``webapi_kit/browsable/page.html`` and ``login.html``, overridable by a
    site (see :mod:`webapi_kit.browsable.templates`).
    """

    format = "html"
    media_type = "text/html"
    suffix = ""
    template_name = "webapi_kit/browsable/page.html"

    def __init__(self, data_renderer: Renderer | None = None) -> None:
        self.data_renderer = data_renderer or JSONRenderer()

    def present(
        self, resource: WebAPIResource, request: HttpRequest, kind: Kind, kwargs: dict[str, str], respond: Respond
    ) -> HttpResponse:
        submission: Submission | None = None
        if is_form_post(request, resource, kind):
            try:
                submission = read_submission(request, resource, kind)
            except Exception as exc:  # noqa: BLE001 - answered like any API error
                answer = resource.error_response(
                    request, resource.handle_exception(request, exc), resource.formats[kind].for_renderer(self)
                )
            else:
                answer = respond(submission.body)
        else:
            answer = respond(None)

        status = answer.status_code
        if status == HTTPStatus.NOT_MODIFIED:
            return answer
        if submission is not None and HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
            redirect = self._after_write(resource, request, kind, kwargs, submission.method, answer)
            if redirect is not None:
                return redirect

        base_url = api_base_url(resource, request, kind, kwargs)
        has_session = hasattr(request, "session") and _has_logins()
        context = page_context(
            request=request,
            response=answer,
            resource=resource,
            kind=kind,
            kwargs=kwargs,
            data_renderer=self.data_renderer,
            submitted=(submission.method, submission.values) if submission is not None else None,
            login_url=f"{base_url}{LOGIN_PATH}?next={quote(request.get_full_path())}" if has_session else None,
            logout_url=f"{base_url}{LOGOUT_PATH}" if has_session else None,
        )
        page = html_response(render_template(self.template_name, context, request), status, request)
        for header in _KEPT_HEADERS:
            if header in answer:
                page[header] = answer[header]
        return page

    @staticmethod
    def _after_write(
        resource: WebAPIResource, request: HttpRequest, kind: Kind, kwargs: dict[str, str], method: str,
        answer: HttpResponse,
    ) -> HttpResponse | None:
        """See Other where the write left something to look at (post/redirect/get)."""
        if method == "POST" and answer.status_code == HTTPStatus.CREATED and "Location" in answer:
            target = answer["Location"]
        elif method == "DELETE" and kind == "item":
            base_url = api_base_url(resource, request, kind, kwargs)
            if resource.singleton or not resource.has_list:
                target = base_url
            else:
                target = base_url + resource.list_template.expand(kwargs)
        elif method in ("PUT", "POST") and answer.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT):
            target = request.path
        else:
            return None
        redirect = HttpResponseRedirect(target, status=HTTPStatus.SEE_OTHER)
        redirect["Cache-Control"] = "no-store"
        return redirect

    def get_url_patterns(self, api: API) -> list[URLPattern]:
        """The login and logout pages, where the site has Django's auth and sessions."""
        if not _has_logins():
            return []
        # Imported here: the login form needs django.contrib.auth's models.
        from webapi_kit.browsable.views import LoginView, LogoutView

        return [
            path(LOGIN_PATH, LoginView(api), name="webapi-browsable-login"),
            path(LOGOUT_PATH, LogoutView(api), name="webapi-browsable-logout"),
        ]


def _has_logins() -> bool:
    return apps.is_installed("django.contrib.auth") and apps.is_installed("django.contrib.sessions")
