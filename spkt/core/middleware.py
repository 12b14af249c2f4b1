"""Middleware of our own: the UI language, the Content-Security-Policy and no-store caching.

Indonesian first: the UI language is the one the user chose (cookie), else Indonesian.

Django's LocaleMiddleware would follow the browser's Accept-Language, which on a desk PC set up in
English would greet officers in English; the station's working language is Indonesian.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

SUPPORTED = {code for code, _ in settings.LANGUAGES}
logger = logging.getLogger("spkt")


class IndonesianFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


# --- Private stays private (ADR 0033) -------------------------------------------------------------
def csp_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response, static files included (so it sits outside
    WhiteNoise). ``settings.SECURE_CSP`` has the shape of Django 6.0's setting of that name; a
    view that needs another policy sets the header itself and is left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = csp_header(settings.SECURE_CSP)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response a browser or proxy must not keep: anything
    asked with credentials (session cookie, API token) and anything a view did not declare
    public. Only an anonymous request to a view marked ``cache_control(public=True)`` (the unit's
    public key) stays cacheable; static files never reach this (WhiteNoise answers first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        credentials = (
            settings.SESSION_COOKIE_NAME in request.COOKIES or "Authorization" in request.headers
        )
        directives = {d.split("=")[0].strip() for d in response.get("Cache-Control", "").split(",")}
        if credentials or "public" not in directives:
            add_never_cache_headers(response)  # also drops "public" and sets max-age=0
        return response


# --- A database that drops out answers 503, not 500 ----------------------------------------------
class DatabaseUnavailableMiddleware:
    """A connection lost mid-request (a database restart or failover, a terminated backend) is
    rolled back by Django's atomic blocks, so nothing half-done stays; the client is told to try
    again (503 with Retry-After) instead of getting a 500. The page is plain: rendering the site's
    template would itself need the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import InterfaceError, OperationalError
        from django.http import JsonResponse
        from django.utils.html import escape
        from django.utils.translation import gettext as _

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database unavailable during %s %s: %s", request.method, request.path, exception
        )
        message = _(
            "Layanan sedang sibuk atau basis data tersambung ulang. Coba lagi sebentar lagi."
        )
        if request.path.startswith(("/api/", "/hooks/")):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                f'<!doctype html><html lang="id"><meta charset="utf-8"><title>SPKT</title>'
                f"<p>{escape(message)}</p></html>",
                status=503,
            )
        response["Retry-After"] = "5"
        return response
