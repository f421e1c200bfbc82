from django.apps import AppConfig


class PaymentStandardsConfig(AppConfig):
    name = "payment_standards"
    verbose_name = "医保支付标准"

    def ready(self) -> None:
        # The award hook: when a tender's awards are published, its linked standards are derived as drafts.
        from . import hooks  # noqa: F401, PLC0415 (registers on procurement.hooks once the apps are loaded)
