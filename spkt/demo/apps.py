from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's management commands (``seed_demo``, ``demo_sinks``). No models."""

    name = "spkt.demo"
    label = "demo"
