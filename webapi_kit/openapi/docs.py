"""``docs/``: Swagger UI and Redoc over an API's documents, from packaged assets.

The assets come from the ``drf-spectacular-sidecar`` distribution (install
``webapi_kit[docs]``) and are served by these views themselves, so the
pages work with no CDN, no network and no ``collectstatic``. Swagger UI's
"Try it out" calls the live API with the browser's session (the CSRF
token of the ``csrftoken`` cookie is sent on unsafe methods) or with the
credentials entered under "Authorize".
"""

from __future__ import annotations

import importlib
import mimetypes
from collections.abc import Callable, Sequence
from http import HTTPStatus
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.html import escape, json_script

__all__ = ["ASSETS", "asset_view", "redoc_view", "sidecar_root", "swagger_view"]

#: The files the pages use, by the name they are served under.
ASSETS = {
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js": "swagger-ui-dist/swagger-ui-standalone-preset.js",
    "favicon-32x32.png": "swagger-ui-dist/favicon-32x32.png",
    "redoc.standalone.js": "redoc/bundles/redoc.standalone.js",
}

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}

# Static text only: the page's data travels in a json_script element.
_SWAGGER_INIT = """
const config = JSON.parse(document.getElementById("webapi-docs-config").textContent);
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : null;
}
window.ui = SwaggerUIBundle({
  urls: config.urls,
  "urls.primaryName": config.urls[0].name,
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  withCredentials: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
  requestInterceptor: (request) => {
    const token = csrfToken();
    if (token && !["GET", "HEAD", "OPTIONS"].includes((request.method || "GET").toUpperCase())) {
      request.headers["X-CSRFToken"] = token;
    }
    return request;
  },
});
"""

_REDOC_INIT = """
const config = JSON.parse(document.getElementById("webapi-docs-config").textContent);
Redoc.init(config.urls[0].url, {}, document.getElementById("redoc"));
"""


def sidecar_root() -> Path:
    """Where the sidecar distribution keeps its assets."""
    try:
        sidecar = importlib.import_module("drf_spectacular_sidecar")
    except ImportError:
        raise ImproperlyConfigured(
            "The docs pages need the drf-spectacular-sidecar assets: pip install 'webapi_kit[docs]'"
        ) from None
    return Path(str(sidecar.__file__)).parent / "static" / "drf_spectacular_sidecar"


def _page(title: str, head: str, body: str, urls: Sequence[tuple[str, str]], script: str) -> HttpResponse:
    config = json_script({"urls": [{"name": name, "url": url} for name, url in urls]}, "webapi-docs-config")
    html = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"{head}</head><body>{body}{config}<script>{script}</script></body></html>"
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def swagger_view(title: str, urls: Callable[[HttpRequest], Sequence[tuple[str, str]]]) -> Callable[[HttpRequest], HttpResponse]:
    """The Swagger UI page over the documents ``urls(request)`` names (``(name, url)`` pairs)."""
    root = sidecar_root()
    if not (root / ASSETS["swagger-ui-bundle.js"]).is_file():
        raise ImproperlyConfigured(f"Swagger UI's assets are missing from {root}")

    def view(request: HttpRequest) -> HttpResponse:
        head = ('<link rel="stylesheet" href="assets/swagger-ui.css">'
                '<link rel="icon" type="image/png" href="assets/favicon-32x32.png">')
        body = ('<div id="swagger-ui"></div><script src="assets/swagger-ui-bundle.js"></script>'
                '<script src="assets/swagger-ui-standalone-preset.js"></script>')
        return _page(title, head, body, urls(request), _SWAGGER_INIT)

    return view


def redoc_view(title: str, urls: Callable[[HttpRequest], Sequence[tuple[str, str]]]) -> Callable[[HttpRequest], HttpResponse]:
    """The Redoc page over the first document ``urls(request)`` names."""

    def view(request: HttpRequest) -> HttpResponse:
        body = '<div id="redoc"></div><script src="../assets/redoc.standalone.js"></script>'
        return _page(title, "", body, urls(request), _REDOC_INIT)

    return view


def asset_view(request: HttpRequest, name: str) -> HttpResponseBase:
    """One of :data:`ASSETS`; anything else is a 404."""
    relative = ASSETS.get(name)
    if relative is None:
        raise Http404("No such asset")
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=HTTPStatus.METHOD_NOT_ALLOWED)
        response["Allow"] = "GET, HEAD"
        return response
    path = sidecar_root() / relative
    content_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    asset = FileResponse(path.open("rb"), content_type=content_type)
    # The assets change only with the installed package.
    asset["Cache-Control"] = "public, max-age=86400"
    asset["X-Content-Type-Options"] = "nosniff"
    return asset
