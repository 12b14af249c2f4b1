"""The WSGI application bench/intake.py serves with gunicorn: the real SPKT app, plus one bare
Django view at ``/bench/bare/`` as the baseline measured in the same server, and at
``/bench/accept/<slug>/`` a prototype of a webhook that only checks and stores the payload.

The project's URLs cannot grow a benchmark route, so the path is checked here. ``/bench/bare/``
goes through a second Django handler with the same settings and the same middleware, whose
request resolves against this module's ``urlpatterns`` instead of ``config.urls``. So the
baseline pays everything any SPKT request pays (gunicorn, WSGI, middleware, connection
handling under ``CONN_MAX_AGE``) and then does one ``INSERT`` of the raw body into a plain table,
which ``bench/intake.py`` creates with raw SQL. A GET does one ``SELECT 1``: the floor of a
page request. Every other path goes to ``config.wsgi.application``, untouched.

``/bench/accept/<slug>/`` is not SPKT code and changes nothing in SPKT: it measures a design the
benchmark reports. It finds the account and checks the signature with the WhatsApp view's own
helpers, parses the JSON, and INSERTs the raw body into a plain table (``bench_inbound``) for a
worker to turn into contacts later; it answers 200 without calling ``contact_receive``.
``/bench/accept-cached/<slug>/`` does the same with the account and its app secret kept in the
worker process for ``ACCOUNT_TTL`` seconds, so a request makes no query before the INSERT.

Run by gunicorn as ``_bare_wsgi:application`` with ``--pythonpath bench --chdir <repo root>``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.wsgi import application as spkt_application  # sets Django up

BARE_PREFIX = "/bench/"


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cur:
        if request.method == "POST":
            cur.execute("INSERT INTO bench_bare (body) VALUES (%s)", [request.body.decode()])
        else:
            cur.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


ACCOUNT_TTL = 30.0
_accounts: dict[str, tuple[float, Any, str]] = {}


def _account_and_secret(slug: str, *, cached: bool) -> tuple[Any, str]:
    from spkt.channels import views

    now = time.monotonic()
    hit = _accounts.get(slug)
    if cached and hit is not None and now - hit[0] < ACCOUNT_TTL:
        return hit[1], hit[2]
    account = views._account(slug, ("whatsapp",))
    secret = account.secrets.get("app_secret", "") if account is not None else ""
    _accounts[slug] = (now, account, secret)
    return account, secret


@csrf_exempt
def accept(request: HttpRequest, slug: str, *, cached: bool = False) -> HttpResponse:
    from spkt.channels import webhooks

    account, secret = _account_and_secret(slug, cached=cached)
    if account is None:
        return HttpResponse("unknown account", status=404)
    body = request.body
    try:
        webhooks.hub_signature_check(
            secret=secret, body=body, header=request.headers.get("X-Hub-Signature-256")
        )
    except webhooks.SignatureMissingError:
        return HttpResponse("signature missing", status=401)
    except webhooks.SignatureInvalidError:
        return HttpResponse("signature invalid", status=403)
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return HttpResponse("malformed JSON", status=400)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_inbound (account_id, body, received_at) VALUES (%s, %s, now())",
            [account.pk, body.decode()],
        )
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/accept/<slug:slug>/", accept),
    path("bench/accept-cached/<slug:slug>/", accept, {"cached": True}),
]


class BareHandler(WSGIHandler):
    """Django's handler, resolving against this module: ``request.urlconf`` is what a middleware
    would set to serve another URLconf."""

    def get_response(self, request: HttpRequest) -> HttpResponse:
        request.urlconf = __name__
        return super().get_response(request)


bare_application = BareHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO", "").startswith(BARE_PREFIX):
        return bare_application(environ, start_response)
    return spkt_application(environ, start_response)
