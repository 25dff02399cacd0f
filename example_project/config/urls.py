"""URLs: the /api/ tree, each service's native surface, and the admin."""

from django.contrib import admin
from django.urls import include, path

from config.api import api

# A bad Host (refused by Django's middleware before any view) answers in the
# error format of the surface its URL belongs to.
handler400 = "webapi_kit.handlers.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api.urls)),
    path("retry/", include("retry.urls")),
    path("queuey/", include("queuey.urls")),
    path("datarouter/", include("datarouter.urls")),
]
