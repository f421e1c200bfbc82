from django.apps import AppConfig

from .discovery import app_modules


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        # Register every app's Celery tasks in every process (web included), not only in workers: the outbox
        # runs tasks by name, and Celery's own discovery is lazy.
        for _ in app_modules("tasks"):
            pass
