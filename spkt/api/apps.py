from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "spkt.api"
    label = "api"
