from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        # Register every app's Celery tasks in every process (web included), not only in workers: the outbox
        # runs tasks by name, and Celery's own discovery is lazy.
        from .discovery import app_modules

        for _ in app_modules("tasks"):
            pass
