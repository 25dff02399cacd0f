from django.urls import include, path

from tests.testapp.resources import api

urlpatterns = [path("api/", include(api.urls))]
