from django.apps import AppConfig


class PharmaciesConfig(AppConfig):
    name = "pharmacies"
    verbose_name = "定点零售药店与谈判药"
