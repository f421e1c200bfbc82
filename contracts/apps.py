from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "购销合同"

    def ready(self) -> None:
        from . import hooks  # noqa: F401, PLC0415 - registers the contract generation on procurement's award hook
