"""The deployment's VAPID key (RFC 8292): it signs every push so the push services know the sender,
and its public half is what browsers subscribe with. From settings when given (several app servers,
or a key that must survive a database restore); otherwise made once and kept encrypted in the
database, like the units' signing keys."""

from __future__ import annotations

import base64

from cryptography.fernet import MultiFernet
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import transaction
from py_vapid import Vapid

from spkt.alerts.models import VapidKey
from spkt.core import clock
from spkt.core.db import locked_get_or_create
from spkt.core.nik import fernet


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_private(key: ec.EllipticCurvePrivateKey) -> str:
    return b64(key.private_numbers().private_value.to_bytes(32, "big"))


def public_of(key: ec.EllipticCurvePrivateKey) -> str:
    return b64(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def _fernet() -> MultiFernet:
    return fernet(tuple(settings.NIK_ENCRYPTION_KEYS))


def _stored() -> str:
    """The raw private key of the stored pair, made on first use."""
    row = VapidKey.objects.filter(name="default").first()
    if row is None:
        key = ec.generate_private_key(ec.SECP256R1())
        with transaction.atomic():
            row = locked_get_or_create(
                VapidKey,
                name="default",
                defaults={
                    "public_key": public_of(key),
                    "private_key_encrypted": _fernet().encrypt(_raw_private(key).encode()).decode(),
                    "created_at": clock.now(),
                },
            )
    return _fernet().decrypt(row.private_key_encrypted.encode()).decode()


def vapid() -> Vapid:
    """The signer: py_vapid's RFC 8292 ``vapid t=…, k=…`` header."""
    return Vapid.from_raw((settings.SPKT_VAPID_PRIVATE_KEY or _stored()).encode())


def vapid_public_key() -> str:
    """What the page passes to ``pushManager.subscribe`` as applicationServerKey."""
    return public_of(vapid().private_key)
