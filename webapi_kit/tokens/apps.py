from django.apps import AppConfig


__all__ = ["TokensConfig"]


class TokensConfig(AppConfig):
    name = "webapi_kit.tokens"
    label = "webapi_kit_tokens"
    verbose_name = "API tokens"
    default_auto_field = "django.db.models.BigAutoField"
