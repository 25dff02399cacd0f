"""URLs: the /api/ tree, each service's native surface, and the admin."""

from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api.urls)),
    path("retry/", include("retry.urls")),
    path("queuey/", include("queuey.urls")),
    path("datarouter/", include("datarouter.urls")),
]
