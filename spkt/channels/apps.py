from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "spkt.channels"
    label = "channels"

    def ready(self) -> None:
        from spkt.channels import email, senders

        senders.register()  # whatsapp, facebook, instagram, telegram, sms
        email.email_setup()  # email and fax: sender and mailbox poller
        inbound_setup()


def inbound_setup() -> None:
    """The intake clock works off stored webhooks that no task took (spkt/channels/inbound.py)."""
    from spkt.channels.inbound import inbound_sweep
    from spkt.intake.management.commands.intake_clock import POLLERS

    if inbound_sweep not in POLLERS:
        POLLERS.append(inbound_sweep)
