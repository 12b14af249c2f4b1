"""Staff sign-in with a second factor (TOTP, RFC 6238) and recovery codes, on django-otp.

Who must use it: the Ka SPKT, the Kapolsek, Reskrim, admins and anyone with access to the admin
site; the desk (Anggota Jaga) when its unit asks for it. Enforcement is a setting
(``SPKT_SECOND_FACTOR``, on in production), so a demo can be tried without a phone.

A user who must use it and has no confirmed device is sent to enrol (scan the QR, type one
code); afterwards every sign-in asks for a code from the app or one of ten single-use recovery
codes. An admin can reset a user's factor (lost phone); the reset is audit-logged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.org.models import Role, User

# Roles that always sign in with a second factor (issue: Ka SPKT, Kapolsek, Reskrim and admins).
ALWAYS = frozenset({Role.KA_SPKT, Role.KAPOLSEK, Role.RESKRIM, Role.ADMIN})
RECOVERY_CODES = 10
TOTP_NAME = "SPKT"


def enforced() -> bool:
    return bool(getattr(settings, "SPKT_SECOND_FACTOR", False))


def required_for(user: User) -> bool:
    """Whether ``user`` must pass a second factor (when enforcement is on)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff or user.has_role(*ALWAYS):
        return True
    unit = user.unit
    return bool(
        unit is not None and unit.second_factor_for_desk and user.has_role(Role.ANGGOTA_JAGA)
    )


def second_factor_pending(user: User) -> bool:
    """Signed in with the password, but still owing the second factor."""
    verified = getattr(user, "is_verified", None)
    return enforced() and required_for(user) and not (verified is not None and verified())


def confirmed_devices(user: User) -> list:
    return list(devices_for_user(user, confirmed=True))


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def totp_pending(user: User) -> TOTPDevice:
    """The device being enrolled: one unconfirmed TOTP device per user, reused until confirmed so
    reloading the page does not change the QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def provisioning_uri(device: TOTPDevice) -> str:
    # django-otp builds the otpauth:// URI with the issuer (settings.OTP_TOTP_ISSUER).
    return device.config_url


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm enrolment with the first code from the app; return fresh recovery codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not _token_ok(device, token):
        raise ValidationError(_("Kode tidak cocok. Periksa jam di ponsel lalu coba lagi."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per user: enrolling again replaces the old one.
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    codes = recovery_codes_new(user=user)
    audit_log(action="org.second_factor.enrolled", actor=user, unit=user.unit, target=user)
    return codes


@transaction.atomic
def recovery_codes_new(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def verify(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts ``token`` (TOTP or a recovery code, used up), or None.
    Each device throttles repeated failures itself (django-otp's ThrottlingMixin)."""
    token = (token or "").strip().replace(" ", "")
    if not token or len(token) > 16:
        return None
    for device in confirmed_devices(user):
        if _token_ok(device, token):
            if isinstance(device, StaticDevice):
                audit_log(
                    action="org.second_factor.recovery_used",
                    actor=user,
                    unit=user.unit,
                    target=user,
                )
            return device
    return None


def _token_ok(device: Device, token: str) -> bool:
    token = (token or "").strip().replace(" ", "")
    if not token or len(token) > 16:
        return False
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        return False
    return bool(device.verify_token(token))


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> int:
    """An admin removes a user's authenticator and recovery codes (a lost phone): the user
    enrols again at the next sign-in. Audit-logged with who did it."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit_log(
        action="org.second_factor.reset",
        actor=actor,
        unit=user.unit,
        target=user,
        data={"username": user.username},
    )
    return removed


# --- Sessions end with the shift ---
def session_end_for(user: User, now: datetime | None = None) -> datetime:
    """When a session started now should end: at the end of the shift the officer is on duty in,
    plus a grace period for the handover; otherwise after the standard session age."""
    from spkt.dutylog.selectors import shift_on_duty

    now = now or clock.now()
    default = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    unit = user.unit
    personnel = getattr(user, "personnel", None)  # None when the login has no personnel record
    if unit is None or personnel is None:
        return default
    shift = shift_on_duty(unit=unit, at=now)
    if shift is None or personnel.pk not in shift.lineup():
        return default
    grace = timedelta(minutes=settings.SPKT_SESSION_GRACE_MINUTES)
    return max(shift.ends_at + grace, now + grace)


def session_end_on_login(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """``user_logged_in``: the session of an officer on duty ends with the shift (plus grace)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.set_expiry(session_end_for(user))
