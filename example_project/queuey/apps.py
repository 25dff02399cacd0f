from django.apps import AppConfig


class QueueyConfig(AppConfig):
    name = "queuey"
    default_auto_field = "django.db.models.BigAutoField"
