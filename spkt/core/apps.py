from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "spkt.core"
    label = "core"
