from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "集中采购与订单"

    def ready(self) -> None:
        from .services.deactivation import register_hooks as register_deactivation_hooks
        from .services.progress import register_hooks

        register_hooks()
        register_deactivation_hooks()
