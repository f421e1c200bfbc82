from django.apps import AppConfig
from django.core.checks import register


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = "价格监测与信用"

    def ready(self) -> None:
        # Plug into catalog's and procurement's extension points (neither imports pricing).
        # Imported here, not at the top: models cannot be imported before the app registry is ready.
        from catalog import hooks as catalog_hooks  # noqa: PLC0415, RUF100 - cycle: app registry
        from procurement import hooks  # noqa: PLC0415, RUF100 - cycle: app registry

        from .checks import pricing_rules_check  # noqa: PLC0415, RUF100 - cycle: app registry (detectors' models)
        from .selectors import (  # noqa: PLC0415, RUF100 - cycle: app registry
            listing_price_basis,
            product_credit_warnings,
        )
        from .services.credit import barred_manufacturers  # noqa: PLC0415, RUF100 - cycle: app registry
        from .services.observations import on_receipt_committed  # noqa: PLC0415, RUF100 - cycle: app registry

        hooks.register_barred_manufacturer_check(barred_manufacturers)
        hooks.register_receipt_committed(on_receipt_committed)
        hooks.register_price_basis(listing_price_basis)
        catalog_hooks.register_product_warnings(product_credit_warnings)
        register(pricing_rules_check)
