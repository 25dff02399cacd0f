"""URLs: the /api/ tree, each service's native surface, and the admin.

Each API also serves its OpenAPI document (``openapi.json`` under its
prefix); ``/api/docs/`` browses all four.
"""

from django.contrib import admin
from django.urls import include, path

import datarouter.urls
import queuey.urls
import retry.urls
from config.api import api
from webapi_kit.openapi import openapi_urls

#: The native surfaces' documents, listed on the docs page beside /api/'s.
NATIVE_SCHEMAS = [
    ("retry (native)", "/retry/openapi.json"),
    ("queuey (native)", "/queuey/openapi.json"),
    ("datarouter (native)", "/datarouter/openapi.json"),
]

# A bad Host (refused by Django's middleware before any view) answers in the
# error format of the surface its URL belongs to.
handler400 = "webapi_kit.handlers.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include([
        *openapi_urls(api, title="webapi_kit example project", more_schemas=NATIVE_SCHEMAS),
        *api.urls,
    ])),
    path("retry/", include([*openapi_urls(retry.urls.api, title="retry (native)", docs=False), *retry.urls.urlpatterns])),
    path("queuey/", include([*openapi_urls(queuey.urls.api, title="queuey (native)", docs=False), *queuey.urls.urlpatterns])),
    path("datarouter/", include([
        *openapi_urls(datarouter.urls.api, title="datarouter (native)", docs=False), *datarouter.urls.urlpatterns,
    ])),
]
