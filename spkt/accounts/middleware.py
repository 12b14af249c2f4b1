"""Second factor for staff (ADR 0037): after the password, users who must
(``secondfactor.required_for``) pass a second factor before anything else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from spkt.accounts import secondfactor


class SecondFactorMiddleware:
    """The sign-in pages, sign-out, language and static files stay reachable; the API answers
    403 in JSON; every other page sends the user to enrol (no device yet) or to enter a code."""

    OPEN_PREFIXES = ("/masuk/", "/keluar/", "/i18n/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.OPEN_PREFIXES)
            and secondfactor.second_factor_pending(user)
        ):
            return self._needed(request, bool(secondfactor.confirmed_devices(user)))
        return self.get_response(request)

    @staticmethod
    def _needed(request: HttpRequest, enrolled: bool) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Masuk dengan faktor kedua terlebih dahulu.")}, status=403
            )
        target = resolve_url("second-factor-verify" if enrolled else "second-factor-enrol")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
