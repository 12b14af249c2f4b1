from django.apps import AppConfig


class DutylogConfig(AppConfig):
    name = "spkt.dutylog"
    label = "dutylog"
