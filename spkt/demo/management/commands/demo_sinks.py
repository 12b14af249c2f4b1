"""``manage.py demo_sinks``: the demo's local SMTP catcher and provider stub (spkt.channels.sinks),
started by ``make run`` so the demo channel accounts really deliver. Development only."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from spkt.core import publicurl


class Command(BaseCommand):
    help = "Local SMTP catcher and SMS/WhatsApp provider stub for the demo (make run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--smtp-port", type=int, default=settings.SPKT_DEMO_SMTP_PORT)
        parser.add_argument("--provider-port", type=int, default=settings.SPKT_DEMO_PROVIDER_PORT)
        parser.add_argument(
            "--no-reports",
            action="store_true",
            help="do not post sms:sent/sms:delivered back to SPKT's webhook",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from spkt.channels.models import ChannelAccount
        from spkt.channels.sinks import DeliveryReports, serve
        from spkt.demo.seed import DEMO_SMS_SLUG

        if settings.PROD:
            raise CommandError("demo_sinks is for development and the demo only.")
        reports = None
        account = ChannelAccount.objects.filter(slug=DEMO_SMS_SLUG, active=True).first()
        if account is not None and not options["no_reports"]:
            hook = publicurl.public_url(reverse("channels:sms-webhook", args=[account.slug]))
            reports = DeliveryReports(hook, account.secrets.get("signing_key", ""))
        directory = settings.VAR_DIR / "demo-sinks"
        try:
            smtp, provider = serve(
                host="127.0.0.1",
                smtp_port=options["smtp_port"],
                provider_port=options["provider_port"],
                directory=directory,
                reports=reports,
            )
        except OSError as exc:
            raise CommandError(f"demo sinks cannot listen: {exc}") from exc
        self.stdout.write(
            f"Demo sinks: SMTP 127.0.0.1:{options['smtp_port']}, provider "
            f"http://127.0.0.1:{options['provider_port']}/ (what citizens received), "
            f"log {directory / 'received.jsonl'}",
            ending="\n",
        )
        self.stdout.flush()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        smtp.shutdown()
        provider.shutdown()
