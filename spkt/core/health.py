"""``GET /health/``: is this node able to serve, and is the work behind it moving? For the load
balancer (nginx, a cloud health probe) and the operator's monitoring.

- ``down`` (HTTP 503): the database or, when one is configured, Redis does not answer. Redis
  carries the cache, the rate limits and the task queue: without it requests fail.
- ``degraded`` (HTTP 200, the node still serves): work is piling up — the clock has not run a
  round lately, or an app's backlog (replies, webhooks, book entries) has waited too long. Apps
  register those checks (``register_check``) from their ``ready()``; core imports none of them.
- ``ok``.

The answer names each check and a short reason, never a host, a password or personal data; the
details go to the log."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from spkt.core import clock

log = logging.getLogger("spkt.health")

OK, DEGRADED, DOWN = "ok", "degraded", "down"
CLOCK_STALE = timedelta(minutes=2)  # the clock runs a round every 15 s


@dataclass(frozen=True)
class Result:
    status: str
    detail: str = ""


# name -> check; filled by the apps' ready() (backlogs), besides the built-in ones below.
CHECKS: dict[str, Callable[[], Result]] = {}


def register_check(name: str, check: Callable[[], Result]) -> None:
    CHECKS[name] = check


def backlog(oldest: datetime | None, limit: timedelta, what: str) -> Result:
    """A backlog check's verdict from the time its oldest waiting item has been due."""
    if oldest is None:
        return Result(OK)
    waited = clock.now() - oldest
    if waited <= limit:
        return Result(OK)
    return Result(DEGRADED, f"{what} menunggu {int(waited.total_seconds() // 60)} menit")


def beat(name: str) -> None:
    """Record that ``name`` did its round now (one row per process kind, updated in place)."""
    from spkt.core.models import Heartbeat

    try:
        Heartbeat.objects.update_or_create(name=name, defaults={"at": clock.now()})
    except Exception:  # a missed beat must never stop the process that beats
        log.exception("health: heartbeat %s not recorded", name)


def database() -> Result:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.exception("health: database unavailable")
        return Result(DOWN, "basis data tidak menjawab")
    return Result(OK)


def redis_url() -> str:
    return getattr(settings, "SPKT_REDIS_URL", "")


def redis() -> Result:
    url = redis_url()
    if not url:
        return Result(OK, "tidak dipakai (satu mesin)")
    import redis as redis_client

    try:
        client = redis_client.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
    except redis_client.RedisError:
        log.exception("health: Redis unavailable")
        return Result(DOWN, "Redis tidak menjawab")
    return Result(OK)


def storage() -> Result:
    """The files' storage: the media directory is writable, or the object storage answers.
    Without it pages still serve, but PDFs and attachments cannot be stored or shown."""
    from django.core.files.storage import FileSystemStorage, default_storage

    if isinstance(default_storage, FileSystemStorage):
        location = default_storage.location
        if os.path.isdir(location) and not os.access(location, os.W_OK):
            return Result(DEGRADED, "direktori berkas tidak dapat ditulisi")
        return Result(OK)
    try:
        default_storage.exists("health-probe")  # a HEAD on the bucket's prefix
    except Exception:
        log.exception("health: object storage unavailable")
        return Result(DEGRADED, "penyimpanan berkas (S3) tidak menjawab")
    return Result(OK, "penyimpanan objek")


def clock_heartbeat() -> Result:
    from spkt.core.models import Heartbeat

    beat = Heartbeat.objects.filter(name="intake_clock").values_list("at", flat=True).first()
    if beat is None:
        return Result(DEGRADED, "jam layanan belum pernah berjalan")
    return backlog(beat, CLOCK_STALE, "jam layanan (putaran terakhir)")


def run_checks() -> tuple[str, dict[str, Result]]:
    results = {"database": database(), "redis": redis()}
    if results["database"].status == OK:
        for name, check in {"clock": clock_heartbeat, "storage": storage, **CHECKS}.items():
            try:
                results[name] = check()
            except Exception:
                log.exception("health: check %s failed", name)
                results[name] = Result(DEGRADED, "pemeriksaan gagal")
    statuses = {r.status for r in results.values()}
    overall = DOWN if DOWN in statuses else DEGRADED if DEGRADED in statuses else OK
    return overall, results


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    overall, results = run_checks()
    return JsonResponse(
        {
            "status": overall,
            "checks": {
                name: {"status": r.status, **({"detail": r.detail} if r.detail else {})}
                for name, r in results.items()
            },
        },
        status=503 if overall == DOWN else 200,
    )
