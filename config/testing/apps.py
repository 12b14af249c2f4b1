from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "config.testing"
    label = "spkt_testing"
