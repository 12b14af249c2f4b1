from django.apps import AppConfig


class DutylogConfig(AppConfig):
    name = "spkt.dutylog"
    label = "dutylog"

    def ready(self) -> None:
        # The services module registers this app's ledgered models and kinds; verify_ledger in a
        # fresh process must know them all, or a missing record would go unnoticed.
        from spkt.dutylog import services  # noqa: F401

        health_setup()


def health_setup() -> None:
    """/health/: book entries from the field that no worker has written for two minutes."""
    from datetime import timedelta

    from spkt.core.health import Result, backlog, register_check
    from spkt.dutylog.models import PendingEntry

    def pending_entries() -> Result:
        oldest = PendingEntry.objects.order_by("at").values_list("at", flat=True).first()
        return backlog(oldest, timedelta(minutes=2), "entri Buku Mutasi")

    register_check("book_entries", pending_entries)
