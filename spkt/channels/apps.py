from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "spkt.channels"
    label = "channels"

    def ready(self) -> None:
        from spkt.channels import email, senders

        senders.register()  # whatsapp, facebook, instagram, telegram, sms
        email.email_setup()  # email and fax: sender and mailbox poller
