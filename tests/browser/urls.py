"""The example project's URLs, and the test app's API at ``/testapi/``."""

from django.urls import include, path

from config.urls import urlpatterns as example_urlpatterns
from tests.testapp.resources import api as testapp_api

urlpatterns = [*example_urlpatterns, path("testapi/", include(testapp_api.urls))]
