from django.apps import AppConfig


class RetryConfig(AppConfig):
    name = "retry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from retry.services import backlog
        from retry.worker import RetryLoop
        from worker.registry import register

        register("retry", RetryLoop, backlog=backlog, verb="sent")
