"""The WSGI application bench/intake.py serves with gunicorn: the real SPKT app, plus one bare
Django view at ``/bench/bare/`` as the baseline measured in the same server.

The project's URLs cannot grow a benchmark route, so the path is checked here. ``/bench/bare/``
goes through a second Django handler with the same settings and the same middleware, whose
request resolves against this module's ``urlpatterns`` instead of ``config.urls``. So the
baseline pays everything any SPKT request pays (gunicorn, WSGI, middleware, connection
handling under ``CONN_MAX_AGE``) and then does one ``INSERT`` of the raw body into a plain table,
which ``bench/intake.py`` creates with raw SQL. A GET does one ``SELECT 1``: the floor of a
page request. Every other path goes to ``config.wsgi.application``, untouched.

Run by gunicorn as ``_bare_wsgi:application`` with ``--pythonpath bench --chdir <repo root>``.
"""

from __future__ import annotations

import os
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


urlpatterns = [
    path("bench/bare/", bare),
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
