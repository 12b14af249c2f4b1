"""The sign-in pages after the password: enrol an authenticator, enter a code, recovery codes.
Thin views over ``spkt.accounts.secondfactor``; the middleware sends users here when they must."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from spkt.accounts import secondfactor
from spkt.core.decorators import desk_login_required
from spkt.core.errors import messages_text
from spkt.core.pdf import qr_svg_scalable
from spkt.org.request_types import DeskRequest

RECOVERY_SESSION_KEY = "spkt_recovery_codes"


def _next(request: DeskRequest) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@desk_login_required
@require_http_methods(["GET", "POST"])
def verify(request: DeskRequest) -> HttpResponse:
    """Enter a code from the authenticator app, or a recovery code."""
    user = request.user
    if not secondfactor.confirmed_devices(user):
        return redirect("second-factor-enrol")
    error = ""
    if request.method == "POST":
        device = secondfactor.verify(user=user, token=request.POST.get("kode", ""))
        if device is None:
            error = _("Kode salah atau sudah dipakai. Tunggu kode berikutnya lalu coba lagi.")
        else:
            otp_login(request, device)
            return redirect(_next(request) or "dashboard")
    return render(
        request,
        "registration/second_factor_verify.html",
        {"error": error, "next": _next(request)},
        status=400 if error else 200,
    )


@desk_login_required
@require_http_methods(["GET", "POST"])
def enrol(request: DeskRequest) -> HttpResponse:
    """Scan the QR with an authenticator app (Google Authenticator, Aegis, FreeOTP...) and type
    its first code. A user who already has one verifies first, then may enrol a new phone."""
    user = request.user
    if secondfactor.confirmed_devices(user) and not user.is_verified():
        return redirect("second-factor-verify")
    device = secondfactor.totp_pending(user)
    error = ""
    if request.method == "POST":
        try:
            codes = secondfactor.totp_confirm(
                user=user, device=device, token=request.POST.get("kode", "")
            )
        except secondfactor.ValidationError as exc:
            error = messages_text(exc)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[RECOVERY_SESSION_KEY] = codes
            return redirect("second-factor-recovery")
    uri = secondfactor.provisioning_uri(device)
    return render(
        request,
        "registration/second_factor_enrol.html",
        {
            "qr": qr_svg_scalable(uri),
            "secret": _grouped(device.bin_key),
            "error": error,
        },
        status=400 if error else 200,
    )


@desk_login_required
@require_http_methods(["GET", "POST"])
def recovery(request: DeskRequest) -> HttpResponse:
    """Recovery codes: shown once after enrolment; new ones replace the old on request."""
    user = request.user
    if not secondfactor.confirmed_devices(user):
        return redirect("second-factor-enrol")
    if not user.is_verified():
        return redirect("second-factor-verify")
    if request.method == "POST":
        request.session[RECOVERY_SESSION_KEY] = secondfactor.recovery_codes_new(user=user)
        messages.success(request, _("Kode pemulihan baru dibuat; kode lama tidak berlaku lagi."))
        return redirect("second-factor-recovery")
    codes = request.session.pop(RECOVERY_SESSION_KEY, None) or []
    return render(request, "registration/second_factor_recovery.html", {"codes": codes})


def _grouped(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
