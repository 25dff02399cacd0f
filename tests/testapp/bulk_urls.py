"""The test app's API plus :mod:`tests.testapp.bulk`'s, for the request-side tests."""

from django.urls import include, path

from tests.testapp import bulk
from tests.testapp.resources import api

urlpatterns = [
    path("api/", include(api.urls)),
    path("bulk/", include(bulk.api.urls)),
    path("bulk-anon/", include(bulk.anon_api.urls)),
]
