from django.apps import AppConfig


class DatarouterConfig(AppConfig):
    name = "datarouter"
    default_auto_field = "django.db.models.BigAutoField"
