from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "spkt.intake"
    label = "intake"

    def ready(self) -> None:
        from spkt.intake.sources import sources_setup

        health_setup()
        sources_setup()


def health_setup() -> None:
    """/health/: replies due for five minutes and not sent (the worker and the clock both stopped,
    or every attempt fails)."""
    from datetime import timedelta

    from spkt.core.health import Result, backlog, register_check
    from spkt.intake.models import OutboxItem, OutboxStatus

    def outbox() -> Result:
        oldest = (
            OutboxItem.objects.filter(status=OutboxStatus.PENDING)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        return backlog(oldest, timedelta(minutes=5), "balasan keluar")

    register_check("outbox", outbox)
