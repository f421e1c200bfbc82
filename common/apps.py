import importlib

from django.apps import AppConfig, apps


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        # Register every app's Celery tasks in every process (web included), not only in workers: the outbox
        # runs tasks by name, and Celery's own discovery is lazy.
        for app_config in apps.get_app_configs():
            try:
                importlib.import_module(f"{app_config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_config.name}.tasks":
                    raise
