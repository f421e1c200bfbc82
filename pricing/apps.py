from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = "价格监测与信用"

    def ready(self) -> None:
        # Plug into procurement's extension points (procurement never imports pricing).
        from procurement import hooks

        from .services.credit import barred_manufacturers
        from .services.observations import on_receipt_committed

        hooks.register_barred_manufacturer_check(barred_manufacturers)
        hooks.register_receipt_committed(on_receipt_committed)
