from django.apps import AppConfig


class WebAPIKitConfig(AppConfig):
    name = "webapi_kit"
    verbose_name = "webapi_kit"
