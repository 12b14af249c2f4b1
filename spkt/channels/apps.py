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
        intake_setup()


def intake_setup() -> None:
    """What intake reads from the channels without importing them: the unit's active accounts
    (reply routes) and the web form's queue (the tracking page of a message not filed yet)."""
    from spkt.channels.selectors import channels_active
    from spkt.channels.webform import pending
    from spkt.intake.routes import register_account_lookup
    from spkt.intake.selectors import register_pending_lookup

    register_account_lookup(channels_active)
    register_pending_lookup(pending)


def inbound_setup() -> None:
    """The intake clock works off stored webhooks that no task took (spkt/channels/inbound.py)."""
    from spkt.channels.inbound import inbound_sweep
    from spkt.channels.webform import webform_sweep
    from spkt.core.pollers import register_poller

    register_poller(inbound_sweep)  # webhooks, then the web form (ADR 0040)
    register_poller(webform_sweep)


def health_setup() -> None:
    """/health/: stored webhooks the worker has not turned into contacts for two minutes."""
    from datetime import timedelta

    from spkt.channels.models import InboundPayload, InboundStatus
    from spkt.core.health import Result, backlog, register_check

    def inbound() -> Result:
        oldest = (
            InboundPayload.objects.filter(status=InboundStatus.PENDING)
            .order_by("id")  # the queue index; ids follow arrival
            .values_list("received_at", flat=True)
            .first()
        )
        return backlog(oldest, timedelta(minutes=2), "pesan masuk")

    register_check("inbound", inbound)
