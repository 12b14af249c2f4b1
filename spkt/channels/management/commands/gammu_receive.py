"""gammu-smsd's hooks into SPKT (docs/channels.md, 6.2): in the account's gammu-smsdrc

    RunOnReceive = /usr/local/bin/spkt-gammu <slug>
    RunOnSent = /usr/local/bin/spkt-gammu --event sent <slug>
    RunOnFailure = /usr/local/bin/spkt-gammu --event failed <slug>

(``spkt-gammu`` loads /etc/spkt/env and runs ``manage.py gammu_receive "$@"``.) ``--event`` goes
before the slug: gammu-smsd appends the file names, which must follow the slug.

gammu-smsd appends the inbox (or outbox) file names and passes the message in the environment.
The command stores one payload, keyed by the file name, and hands it to the worker, like a webhook:
a call repeated by gammu-smsd (it runs the hook again after two minutes without an answer) is
stored once. Exit status 0 once stored; 1 when it could not be stored (gammu-smsd logs it and the
inbox file stays where it is)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spkt.channels import gammu, inbound, tasks
from spkt.channels.models import ChannelAccount, SmsGateway
from spkt.intake.models import Channel

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Store what gammu-smsd received, sent or failed to send for an SMS account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the SMS account (its slug in the admin)")
        parser.add_argument("ids", nargs="*", help="file names gammu-smsd appends")
        parser.add_argument("--event", choices=["received", "sent", "failed"], default="received")

    def handle(self, *args: Any, slug: str, ids: list[str], event: str, **options: Any) -> None:
        account = (
            ChannelAccount.objects.select_related("unit")
            .filter(slug=slug, channel=Channel.SMS, active=True)
            .first()
        )
        if account is None or account.sms_gateway != SmsGateway.GAMMU:
            raise CommandError(f"no active Gammu SMS account {slug!r}")
        if event == "received":
            try:
                settings = gammu.smsd_settings(str(account.config.get("gammu_config") or ""))
            except gammu.GammuConfigError as exc:
                log.warning("gammu/%s: %s; reading the environment only", slug, exc)
                settings = {}
            payload = gammu.received_payload(settings, ids, os.environ)
        else:
            name = os.path.basename(ids[0]) if ids else ""
            if not name.startswith("OUT"):
                # RunOnFailure INIT: the modem did not start; nothing of ours to settle.
                log.warning("gammu/%s: %s without an outbox file (%r)", slug, event, name)
                return
            payload = {"gammu": event, "file": name}
        body = json.dumps(payload, ensure_ascii=False).encode()
        key = gammu.payload_key(payload) or "sha256:" + hashlib.sha256(body).hexdigest()
        try:
            inbound.store(account, key, body)
        except Exception as exc:
            log.exception("gammu/%s: payload not stored", slug)
            raise CommandError(f"not stored: {type(exc).__name__}") from None
        try:
            tasks.inbound_process_task(account.pk)
        except Exception:
            log.exception("gammu/%s: payload stored, processing not enqueued", slug)
