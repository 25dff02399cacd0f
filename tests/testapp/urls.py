from django.urls import include, path

from tests.testapp.resources import api

handler400 = "webapi_kit.handlers.bad_request"

urlpatterns = [path("api/", include(api.urls))]
