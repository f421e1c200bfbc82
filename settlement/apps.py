from django.apps import AppConfig
from django.core.checks import register

from .checks import settlement_rules_check


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = "医保直接结算"

    def ready(self) -> None:
        register(settlement_rules_check)
