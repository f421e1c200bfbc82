from django.apps import AppConfig


class OcdsConfig(AppConfig):
    name = "ocds"
    verbose_name = "开放合同数据（OCDS）发布"

    def ready(self) -> None:
        # Models load only once the registry is ready: an app imports its services in ready(), never at the top.
        from .signals import register_hooks  # noqa: PLC0415

        register_hooks()
