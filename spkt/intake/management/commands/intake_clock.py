"""The 5-minute clock and the delivery retries, every 15 seconds (Ctrl-C stops it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from spkt.core.health import beat
from spkt.core.leader import Leadership
from spkt.core.pollers import POLLERS
from spkt.dutylog.services import mutasi_flush_all
from spkt.intake.clock import sla_sweep
from spkt.intake.outbox import outbox_sweep

log = logging.getLogger("spkt.intake")


class Command(BaseCommand):
    help = (
        "Run the contact clock (breaches, escalations), the hourly field-report clock, outbox "
        "retries and channel polling."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=15.0)
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        # Every node may run a clock; one leads each round (spkt.core.leader), so no breach is
        # alerted twice and a standby takes over within a round when the leader dies.
        leadership = Leadership()
        leading = None
        try:
            while True:
                close_old_connections()
                now_leading = leadership.acquire()
                if now_leading != leading:
                    log.info("intake clock: %s", "leading" if now_leading else "standing by")
                    leading = now_leading
                if now_leading:
                    self._round()
                if options["once"]:
                    return
                time.sleep(options["interval"])
        finally:
            leadership.release()

    @staticmethod
    def _round() -> None:
        beat("intake_clock")  # /health/ shows a clock that stopped
        # Its own jobs, then those the apps registered (spkt.core.pollers): field reports,
        # channel polling and webhook backlogs, push retries.
        jobs: list[Callable[[], object]] = [mutasi_flush_all, sla_sweep, outbox_sweep, *POLLERS]
        for job in jobs:
            try:
                job()
            except Exception:  # one failing job never stops the clock
                log.exception("intake clock job %s failed", getattr(job, "__name__", job))
