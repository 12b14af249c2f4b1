"""Reads over the channel accounts that other apps need (registered with intake from ready())."""

from __future__ import annotations

from spkt.channels.models import ChannelAccount


def channels_active(unit_id: int) -> set[str]:
    """The channels on which the unit has an active account (intake's reply routes)."""
    return set(
        ChannelAccount.objects.filter(unit_id=unit_id, active=True).values_list(
            "channel", flat=True
        )
    )
