"""The jobs the intake clock (``manage.py intake_clock``) runs every round besides its own: channel
pollers, webhook backlogs, push retries, the field-report clock. Each app registers its jobs from
its ``AppConfig.ready()``; the registry lives in core so that an app below intake (alerts) and the
apps above it (fieldhelp, channels) register the same way and the clock imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Callables taking no arguments, run in registration order (the apps' order in INSTALLED_APPS).
POLLERS: list[Callable[[], Any]] = []


def register_poller(job: Callable[[], Any]) -> None:
    """Add ``job`` to every round of the intake clock (idempotent)."""
    if job not in POLLERS:
        POLLERS.append(job)
