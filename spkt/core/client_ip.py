"""The client's address, trusting X-Forwarded-For only as far as our own proxies.

With ``SPKT_TRUSTED_PROXIES = N`` the request passed through N proxies we run (nginx), each of which
appended the address it saw. The client is then the N-th address from the right of
``X-Forwarded-For + [REMOTE_ADDR]``; anything further left was written by the client and may be
forged. With N = 0 (no proxy) the header is ignored, so nobody escapes the login lockout by
sending a made-up header.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.SPKT_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in forwarded if a] + ([remote] if remote else [])
    return chain[-(trusted + 1)] if len(chain) > trusted else (chain[0] if chain else None)
