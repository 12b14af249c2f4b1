"""Signed QR payloads: each unit signs what its documents say at issue with its own Ed25519 key.

The QR holds the verification URL with ``p`` (the payload: compact JSON, urlsafe base64) and ``s``
(the signature over those bytes). The public page checks it, and so can anyone offline with the
unit's published public key (tools/verify_qr.py) — a changed name or number breaks the signature.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import MultiFernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.conf import settings

from spkt.core.db import locked_get_or_create
from spkt.core.models import UnitKey
from spkt.core.nik import fernet
from spkt.org.models import Unit


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fernet_now() -> MultiFernet:
    return fernet(tuple(settings.NIK_ENCRYPTION_KEYS))


def unit_key(unit: Unit) -> UnitKey:
    """The unit's key, made on first use (inside the issuing transaction)."""
    try:
        return UnitKey.objects.get(unit=unit)
    except UnitKey.DoesNotExist:
        pass
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return locked_get_or_create(
        UnitKey,
        unit=unit,
        defaults={
            "public_key": b64(raw_public),
            "private_key_encrypted": _fernet_now().encrypt(raw_private).decode(),
        },
    )


def signing_key(unit: Unit) -> Ed25519PrivateKey:
    """The unit's private key, ready to sign: an issuer loads it before taking its locks."""
    key = unit_key(unit)
    return Ed25519PrivateKey.from_private_bytes(
        _fernet_now().decrypt(key.private_key_encrypted.encode())
    )


def sign(unit_or_key: Unit | Ed25519PrivateKey, payload: dict[str, Any]) -> tuple[str, str]:
    """Return (payload_b64, signature_b64) for the payload, signed with the unit's key (or the
    key ``signing_key`` returned)."""
    private = (
        unit_or_key if isinstance(unit_or_key, Ed25519PrivateKey) else signing_key(unit_or_key)
    )
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return b64(body), b64(private.sign(body))


def verify_payload(
    public_key_b64: str, payload_b64: str, signature_b64: str
) -> dict[str, Any] | None:
    """The payload if the signature holds, else None (malformed input included)."""
    try:
        body = unb64(payload_b64)
        Ed25519PublicKey.from_public_bytes(unb64(public_key_b64)).verify(unb64(signature_b64), body)
        payload = json.loads(body)
        return payload if isinstance(payload, dict) else None
    except (InvalidSignature, ValueError, TypeError):
        return None


def public_pem(public_key_b64: str) -> str:
    key = Ed25519PublicKey.from_public_bytes(unb64(public_key_b64))
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
