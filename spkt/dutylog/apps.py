from django.apps import AppConfig


class DutylogConfig(AppConfig):
    name = "spkt.dutylog"
    label = "dutylog"

    def ready(self) -> None:
        # The services module registers this app's ledgered models and kinds; verify_ledger in a
        # fresh process must know them all, or a missing record would go unnoticed.
        from spkt.dutylog import services  # noqa: F401
