from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = "信息公开与异议申诉"

    def ready(self) -> None:
        # Plug into procurement's and pricing's extension points (neither imports transparency).
        # Imported here, not at the top: models cannot be imported before the app registry is ready.
        from pricing import hooks as pricing_hooks  # noqa: PLC0415, RUF100 - cycle: app registry
        from procurement import hooks  # noqa: PLC0415, RUF100 - cycle: app registry

        from .services.holds import award_hold, credit_hold  # noqa: PLC0415, RUF100 - cycle: app registry

        hooks.register_award_hold(award_hold)
        pricing_hooks.register_credit_effect_hold(credit_hold)
