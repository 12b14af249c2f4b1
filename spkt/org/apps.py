from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "spkt.org"
    label = "org"
