from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "spkt.alerts"
    label = "alerts"

    def ready(self) -> None:
        # The intake clock (every 15 s) retries pushes the push service did not take.
        from spkt.alerts.services import push_sweep
        from spkt.core.pollers import register_poller

        register_poller(push_sweep)
