from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "spkt.channels"
    label = "channels"
