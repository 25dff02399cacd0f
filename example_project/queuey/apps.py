from django.apps import AppConfig


class QueueyConfig(AppConfig):
    name = "queuey"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from queuey.services import expired_backlog
        from queuey.worker import PurgeLoop
        from worker.registry import register

        register("queuey", PurgeLoop, backlog=expired_backlog, verb="purged")
