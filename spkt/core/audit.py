"""The audit log: one call per state change, in the same transaction as the change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.http import HttpRequest

from spkt.core import clock
from spkt.core.client_ip import client_ip
from spkt.core.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from spkt.org.models import Unit, User

SENSITIVE_KEYS = frozenset({"nik", "password", "token", "secret", "nik_plain"})


def _mask(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: ("***" if k.lower() in SENSITIVE_KEYS else _mask(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_mask(v) for v in data]
    return data


def audit_log(
    *,
    action: str,
    actor: User | AnonymousUser | None = None,
    unit: Unit | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        actor=cast("User", actor) if getattr(actor, "is_authenticated", False) else None,
        unit=unit,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=_mask(data or {}),
        ip=client_ip(request) if request is not None else None,
    )
    event.save()
    return event
