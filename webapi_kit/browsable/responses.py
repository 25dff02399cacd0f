"""The HTTP side of a page: headers every browsable page is sent with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

__all__ = ["html_response"]

#: Pages run no script and load nothing from elsewhere; this says so to the
#: browser, so that a value the escaping missed still could not run.
_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def html_response(html: str, status: int, request: HttpRequest) -> HttpResponse:
    """A page: not cached (it holds a CSRF token and the user's name), not framed."""
    page = HttpResponse(html, content_type="text/html; charset=utf-8", status=status)
    page["Cache-Control"] = "no-store"
    page["Content-Security-Policy"] = _CONTENT_SECURITY_POLICY
    page["X-Frame-Options"] = "DENY"
    page["X-Content-Type-Options"] = "nosniff"
    page["Referrer-Policy"] = "same-origin"
    page["Vary"] = "Accept, Cookie"
    if request.method == "HEAD":
        page.content = b""
    # The page's forms carry a CSRF token; send its cookie even where the
    # site does not run CsrfViewMiddleware (the middleware sends it once).
    CsrfViewMiddleware(lambda r: page).process_response(request, page)
    return page
