from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "spkt.reports"
    label = "reports"
