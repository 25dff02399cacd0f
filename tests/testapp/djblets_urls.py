"""webapi_kit at ``api/`` and djblets 6.1 at ``djblets-api/``, over the same models."""

from django.urls import include, path

from tests.testapp.djblets_resources import root_resource
from tests.testapp.resources import api

urlpatterns = [
    path("api/", include(api.urls)),
    path("djblets-api/", include(root_resource.get_url_patterns())),
]
