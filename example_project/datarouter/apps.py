from django.apps import AppConfig


class DatarouterConfig(AppConfig):
    name = "datarouter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from worker.registry import register

        from .claims import backlog
        from .delivery import DeliveryLoop

        register("datarouter", DeliveryLoop, backlog=backlog, verb="delivered")
