from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "spkt.intake"
    label = "intake"
