from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "spkt.portal"
    label = "portal"
