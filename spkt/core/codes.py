"""Codes people read aloud or type: tracking codes on tickets, STTLPs and replies."""

from __future__ import annotations

import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
TRACKING_CODE_LENGTH = 10


def random_code(length: int) -> str:
    """``length`` characters drawn from ``CODE_ALPHABET``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def tracking_code() -> str:
    """A new tracking code (a contact's, a web message's, an LP model B's)."""
    return random_code(TRACKING_CODE_LENGTH)
