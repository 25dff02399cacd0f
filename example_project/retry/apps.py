from django.apps import AppConfig


class RetryConfig(AppConfig):
    name = "retry"
    default_auto_field = "django.db.models.BigAutoField"
