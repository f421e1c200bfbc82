from django.apps import AppConfig


class QualificationsConfig(AppConfig):
    name = "qualifications"
    verbose_name = "资质证照"
