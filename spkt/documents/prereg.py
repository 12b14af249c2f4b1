"""Pre-registration: a citizen fills in an SKTLK or LP-B request on the portal (or from a link sent
by WhatsApp/SMS) and gets a code; at the desk the officer opens it by the code, checks the identity
and issues — the desk types almost nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from spkt.core import clock, codes
from spkt.core.audit import audit_log
from spkt.core.nik import nik_decrypt, nik_encrypt, nik_mask, nik_validate
from spkt.documents.items import SKTLK_ITEM_LABELS
from spkt.documents.models import Citizen, Document, PreRegistration
from spkt.documents.services import CitizenData
from spkt.org.models import Unit, User

PREREG_CODE_LENGTH = 8
VALID_FOR = timedelta(days=7)
# Other codes a citizen holds that lead to a pre-registration, registered by the apps above
# (intake: a kiosk ticket's tracking code carries the pre-registration filled from its QR; issue
# 12, item 2 — one code for the citizen). Each takes (unit, code) and returns one or None.
CODE_LOOKUPS: list[Callable[[Unit, str], PreRegistration | None]] = []


def register_code_lookup(lookup: Callable[[Unit, str], PreRegistration | None]) -> None:
    if lookup not in CODE_LOOKUPS:
        CODE_LOOKUPS.append(lookup)


def prereg_create(
    *,
    unit: Unit,
    kind: str,
    citizen: CitizenData,
    items: list[dict[str, Any]] | None = None,
    event: dict[str, Any] | None = None,
) -> PreRegistration:
    nik = nik_validate(citizen.nik)
    if kind == "SKTLK":
        items = [i for i in (items or []) if i.get("kind") in SKTLK_ITEM_LABELS]
        if not items:
            raise ValidationError(_("Pilih sedikitnya satu barang/surat yang hilang."))
    elif kind == "LP_B":
        if not event or not str(event.get("what", "")).strip():
            raise ValidationError(_("Ceritakan singkat apa yang terjadi."))
    else:
        raise ValidationError(_("Jenis layanan tidak dikenal."))
    data = {
        "citizen": {k: v for k, v in asdict(citizen).items() if k != "nik"},
        "items": items or [],
        "event": event or {},
    }
    now = clock.now()
    for _attempt in range(5):
        code = codes.random_code(PREREG_CODE_LENGTH)
        try:
            with transaction.atomic():
                return PreRegistration.objects.create(
                    unit=unit,
                    kind=kind,
                    code=code,
                    data=_jsonable(data),
                    nik_encrypted=nik_encrypt(nik),
                    nik_masked=nik_mask(nik),
                    created_at=now,
                    expires_at=now + VALID_FOR,
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a pre-registration code")


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    from spkt.core.canonical import normalise

    normalised: dict[str, Any] = normalise(data)
    return normalised


def prereg_open(
    *, unit: Unit, code: str, actor: User, request: HttpRequest | None = None
) -> PreRegistration:
    """The desk opens a pre-registration by its code; the full NIK it reveals is audit-logged."""
    code = code.strip().upper()
    prereg = PreRegistration.objects.filter(unit=unit, code=code).first()
    for lookup in CODE_LOOKUPS:  # another code the citizen holds (a kiosk ticket's)
        if prereg is not None:
            break
        prereg = lookup(unit, code)
    if prereg is None:
        raise ValidationError(_("Kode pra-registrasi tidak ditemukan di satuan ini."))
    if prereg.used_at is not None:
        raise ValidationError(_("Kode pra-registrasi ini sudah dipakai."))
    if prereg.expires_at < clock.now():
        raise ValidationError(_("Kode pra-registrasi ini sudah kedaluwarsa."))
    audit_log(
        action="citizen.nik.unmasked",
        actor=actor,
        unit=unit,
        target=prereg,
        data={"via": "preregistration"},
        request=request,
    )
    return prereg


def prereg_initial(prereg: PreRegistration) -> dict[str, Any]:
    """Initial values for the desk form."""
    citizen = prereg.data["citizen"]
    initial = {
        **citizen,
        "nik": nik_decrypt(prereg.nik_encrypted),
        "kelurahan": citizen.get("kelurahan_id"),
        "prereg": prereg.code,
    }
    for item in prereg.data.get("items", []):
        initial[f"item_{item['kind']}"] = True
        initial[f"detail_{item['kind']}"] = item.get("details", "")
    event = prereg.data.get("event") or {}
    initial.update({k: v for k, v in event.items() if k in ("lost_on", "lost_place", "chronology")})
    return initial


def prereg_mark_used(*, unit: Unit, code: str, document: Document | None) -> None:
    PreRegistration.objects.filter(unit=unit, code=code.strip().upper(), used_at=None).update(
        used_at=clock.now(), document=document
    )


def citizen_lookup(
    *, unit: Unit, query: str, actor: User, request: HttpRequest | None = None
) -> dict[str, Any] | None:
    """A returning citizen, found by NIK (keyed hash) or phone, as initial form values. Showing
    the decrypted NIK is audit-logged."""
    from spkt.core.nik import nik_hash

    query = "".join(query.split())
    if not query:
        return None
    person = None
    if query.isdigit() and len(query) == 16:
        person = Citizen.objects.filter(unit=unit, nik_hash=nik_hash(query)).first()
    if person is None and len(query) >= 6:
        person = Citizen.objects.filter(unit=unit, phone=query).order_by("-created_at").first()
    if person is None:
        return None
    return citizen_initial(citizen=person, actor=actor, via="lookup", request=request)


def prereg_lp_initial(prereg: PreRegistration) -> dict[str, Any]:
    """Initial values for the desk's LP model B form from a portal pre-registration."""
    citizen = prereg.data["citizen"]
    event = prereg.data.get("event") or {}
    return {
        **citizen,
        "nik": nik_decrypt(prereg.nik_encrypted),
        "kelurahan": citizen.get("kelurahan_id"),
        "prereg": prereg.code,
        "model": "B",
        "event_when": _local(event.get("when")),
        "event_where": event.get("where", ""),
        "event_what": event.get("what", ""),
        "account": event.get("account", ""),
    }


def _local(value: str | None) -> datetime | None:
    """A stored ISO moment as local (WITA) time, as the datetime-local input wants it."""
    from spkt.core.timeutil import local

    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        from django.utils import timezone

        moment = timezone.make_aware(moment)
    return local(moment).replace(tzinfo=None)


def citizen_initial(
    *, citizen: Citizen, actor: User, via: str, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Initial form values for a known citizen; the decrypted NIK shown is audit-logged."""
    audit_log(
        action="citizen.nik.unmasked",
        actor=actor,
        unit=citizen.unit,
        target=citizen,
        data={"via": via},
        request=request,
    )
    return {
        "name": citizen.name,
        "nik": nik_decrypt(citizen.nik_encrypted),
        "birth_place": citizen.birth_place,
        "birth_date": citizen.birth_date,
        "gender": citizen.gender,
        "religion": citizen.religion,
        "occupation": citizen.occupation,
        "address": citizen.address,
        "phone": citizen.phone,
        "kelurahan": citizen.kelurahan_id,
    }
