"""The user's "Notifikasi di ponsel" page, the subscription endpoint its script posts to, and the
desk's service worker and manifest (the desk installed as an app, scope ``/``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from spkt.alerts import services
from spkt.alerts.selectors import devices_of
from spkt.alerts.vapid import vapid_public_key
from spkt.core import safejson
from spkt.core.decorators import desk_login_required
from spkt.core.errors import messages_text
from spkt.org.request_types import DeskRequest

MAX_BODY = 8 * 1024  # a subscription is about 500 bytes


@desk_login_required
def devices(request: DeskRequest) -> HttpResponse:
    return render(
        request,
        "alerts/devices.html",
        {"devices": list(devices_of(user=request.user)), "vapid_key": vapid_public_key()},
    )


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@desk_login_required
@require_POST
def subscribe(request: DeskRequest) -> HttpResponse:
    """JSON in (``PushSubscription.toJSON()``), JSON out; a 400 says why in Indonesian."""
    length = request.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        return _bad(_("Data langganan terlalu besar."))
    body = request.body
    if len(body) > MAX_BODY:
        return _bad(_("Data langganan terlalu besar."))
    try:
        data = safejson.loads(body)
    except safejson.JSONRefusedError as exc:
        return _bad(str(exc))
    try:
        device = services.subscription_save(
            user=request.user, data=data, label=device_label(request.headers.get("User-Agent", ""))
        )
    except ValidationError as exc:
        return _bad(messages_text(exc))
    return JsonResponse({"id": device.pk, "label": device.label}, status=201)


@desk_login_required
@require_POST
def device_delete(request: DeskRequest, pk: int) -> HttpResponse:
    if not services.subscription_delete(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("Perangkat dihapus; perangkat itu tidak lagi menerima notifikasi."))
    return redirect(reverse("alerts:devices"))


@desk_login_required
@require_POST
def test_push(request: DeskRequest) -> HttpResponse:
    sent = services.push_test(user=request.user)
    if sent:
        messages.success(
            request,
            ngettext(
                "Notifikasi uji dikirim ke %(n)d perangkat.",
                "Notifikasi uji dikirim ke %(n)d perangkat.",
                sent,
            )
            % {"n": sent},
        )
    else:
        messages.warning(request, _("Belum ada perangkat; aktifkan notifikasi lebih dulu."))
    return redirect(reverse("alerts:devices"))


def device_label(agent: str) -> str:
    """ "Chrome · Android" from a User-Agent: enough for the user to tell their devices apart."""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("SamsungBrowser", "Samsung Internet"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if key in agent
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if key in agent
        ),
        "",
    )
    return " · ".join(p for p in (browser, system) if p) or _("Peramban")


# --- The desk as an installable app (PWA) ---------------------------------------------------------
def _pwa_file(name: str, content_type: str, **headers: str) -> HttpResponse:
    path = finders.find(f"pwa/{name}")
    if path is None:
        raise Http404
    with open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type=content_type)
    for key, value in headers.items():
        response[key] = value
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /notifikasi/ but allowed the whole site, so pushes reach the desk; it caches
    nothing (the field-help worker keeps its own /bantuan/ scope); no data, no login."""
    return _pwa_file(
        "desk-sw.js", "text/javascript; charset=utf-8", **{"Service-Worker-Allowed": "/"}
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    return _pwa_file("desk.webmanifest", "application/manifest+json")
