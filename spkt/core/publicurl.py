"""Absolute links for the public (QR codes, tracking and survey links, webhook addresses).

Production sets ``SPKT_PUBLIC_BASE_URL`` once and keeps it. In development, when it is unset,
links follow the host the desk is using (``PublicBaseMiddleware``), so a demo served on another
port or reached from a phone on the LAN prints links that open; outside a request (the worker),
``http://127.0.0.1:$SPKT_PORT`` (8000 unless ``SPKT_PORT`` is set, as ``PORT=… make run`` does).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_from_request: ContextVar[str] = ContextVar("spkt_public_base", default="")


def public_base() -> str:
    configured = settings.SPKT_PUBLIC_BASE_URL
    if configured:
        return configured
    return _from_request.get() or f"http://127.0.0.1:{os.environ.get('SPKT_PORT', '8000')}"


def public_url(path: str) -> str:
    """``path`` (from ``reverse``) as an absolute public link."""
    return public_base() + path


class PublicBaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SPKT_PUBLIC_BASE_URL:
            return self.get_response(request)
        token = _from_request.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            _from_request.reset(token)
