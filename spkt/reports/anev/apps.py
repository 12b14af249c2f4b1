from django.apps import AppConfig


class AnevConfig(AppConfig):
    name = "spkt.reports.anev"
    label = "anev"
