from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "spkt.channels"
    label = "channels"

    def ready(self) -> None:
        from spkt.channels import email, senders

        senders.register()  # whatsapp, facebook, instagram, telegram, sms
        email.email_setup()  # email and fax: sender and mailbox poller
        inbound_setup()
        health_setup()


def inbound_setup() -> None:
    """The intake clock works off stored webhooks that no task took (spkt/channels/inbound.py)."""
    from spkt.channels.inbound import inbound_sweep
    from spkt.channels.webform import webform_sweep
    from spkt.intake.management.commands.intake_clock import POLLERS

    for job in (inbound_sweep, webform_sweep):  # webhooks, then the web form (ADR 0040)
        if job not in POLLERS:
            POLLERS.append(job)


def health_setup() -> None:
    """/health/: stored webhooks the worker has not turned into contacts for two minutes."""
    from datetime import timedelta

    from spkt.channels.models import InboundPayload, InboundStatus
    from spkt.core.health import backlog, register_check

    def inbound():
        oldest = (
            InboundPayload.objects.filter(status=InboundStatus.PENDING)
            .order_by("id")  # the queue index; ids follow arrival
            .values_list("received_at", flat=True)
            .first()
        )
        return backlog(oldest, timedelta(minutes=2), "pesan masuk")

    register_check("inbound", inbound)
