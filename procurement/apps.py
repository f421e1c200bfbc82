from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "集中采购与订单"

    def ready(self) -> None:
        # Models load only once the registry is ready: an app imports its services in ready(), never at the top.
        from .services.deactivation import register_hooks as register_deactivation_hooks  # noqa: PLC0415
        from .services.progress import register_hooks  # noqa: PLC0415

        register_hooks()
        register_deactivation_hooks()
