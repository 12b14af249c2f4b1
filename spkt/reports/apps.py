from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "spkt.reports"
    label = "reports"

    def ready(self) -> None:
        # The services module registers the daily report's ledgered models and kinds; verify in a
        # fresh process must know them all.
        from spkt.reports import services  # noqa: F401
