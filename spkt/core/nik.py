"""NIK (Nomor Induk Kependudukan): validation, encryption at rest, keyed hash, masking.

Structure (DOMAIN.md §g, after Dukcapil): PP KK CC DDMMYY SSSS — province, regency/city and district
of first registration; date of birth with 40 added to the day for women; a serial from 0001. A NIK
is permanent even when it disagrees with the birth date, so the birth date is never compared.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Province codes in the Kemendagri list (Kepmendagri 300.2.2-2430/2025), with Papua's 2022 split.
PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
    }
)


def nik_validate(value: str) -> str:
    """Return the NIK stripped of spaces, or raise ValidationError with an Indonesian message."""
    nik = "".join(str(value).split())
    if not nik.isdigit() or not nik.isascii():
        raise ValidationError(_("NIK hanya boleh berisi angka."), code="nik_digits")
    if len(nik) != 16:
        raise ValidationError(
            _("NIK harus 16 digit (yang diisi %(n)d digit).") % {"n": len(nik)}, code="nik_length"
        )
    if nik[:2] not in PROVINCES:
        raise ValidationError(_("Kode provinsi pada NIK tidak dikenal."), code="nik_province")
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise ValidationError(
            _("Kode kabupaten/kota atau kecamatan pada NIK tidak valid."), code="nik_region"
        )
    day, month = int(nik[6:8]), int(nik[8:10])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise ValidationError(_("Tanggal lahir pada NIK tidak valid."), code="nik_day")
    if not 1 <= month <= 12:
        raise ValidationError(_("Bulan lahir pada NIK tidak valid."), code="nik_month")
    if nik[12:] == "0000":
        raise ValidationError(_("Nomor urut pada NIK tidak boleh 0000."), code="nik_serial")
    return nik


def nik_mask(nik: str) -> str:
    """Show the region (first 6 digits) and the last 2; hide the birth date and serial."""
    return nik[:6] + "*" * 8 + nik[-2:]


# Sixteen digits, perhaps grouped by single spaces, dots or dashes: a NIK, a KK or a card number.
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(?:\d[ .-]?){15}\d(?!\d)")


def nik_redact(text: str) -> str:
    """Free text as it may be printed (ADR 0009): every 16-digit number in it masked like a NIK,
    e.g. the number of a lost KTP typed into an SKTLK item line."""
    return _SIXTEEN_DIGITS.sub(lambda m: nik_mask(re.sub(r"\D", "", m.group())), text)


@cache
def fernet(keys: tuple[str, ...]) -> MultiFernet:
    """The deployment's data-encryption keys (the first encrypts, all decrypt)."""
    return MultiFernet([Fernet(k.encode()) for k in keys])


def nik_encrypt(nik: str) -> str:
    return fernet(tuple(settings.NIK_ENCRYPTION_KEYS)).encrypt(nik.encode()).decode()


def nik_decrypt(token: str) -> str:
    try:
        return fernet(tuple(settings.NIK_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("NIK ciphertext cannot be decrypted with the configured keys") from None


def nik_hash(nik: str) -> str:
    """Keyed hash for exact lookup; without the key it cannot be brute-forced from the 16 digits."""
    return hmac.new(settings.NIK_HASH_KEY.encode(), nik.encode(), hashlib.sha256).hexdigest()
