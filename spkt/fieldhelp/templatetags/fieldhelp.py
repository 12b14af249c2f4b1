from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> str:
    """A duration as h:mm (or "—")."""
    if value is None:
        return "—"
    total = max(0, int(value.total_seconds() // 60))
    return f"{total // 60}:{total % 60:02d}"


@register.filter
def seconds(value: int | None) -> str:
    """Seconds as h:mm (or "—")."""
    return minutes(None if value is None else timedelta(seconds=value))
