from django.apps import AppConfig
from django.core.checks import Tags, register

from .discovery import app_modules
from .partitions.checks import default_partitions_check


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        # Register every app's Celery tasks in every process (web included), not only in workers: the outbox
        # runs tasks by name, and Celery's own discovery is lazy.
        for _ in app_modules("tasks"):
            pass
        register(default_partitions_check, Tags.database)
