"""/health/ tells a load balancer and the operator whether this node can serve (database, Redis)
and whether the work behind it moves (the clock's last round, the backlogs)."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import pytest
import redis
from django.test import Client

from spkt.core import clock
from spkt.core.health import beat
from spkt.core.models import Heartbeat

pytestmark = pytest.mark.django_db


def _get(client: Client):
    response = client.get("/health/")
    return response.status_code, response.json()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_node_whose_clock_beats_is_ok(client: Client) -> None:
    beat("intake_clock")
    status, body = _get(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    assert set(body["checks"]) >= {
        "database",
        "redis",
        "clock",
        "outbox",
        "inbound",
        "book_entries",
    }


def test_a_stopped_clock_degrades_but_the_node_still_serves(client: Client) -> None:
    status, body = _get(client)  # never beaten
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["clock"]["status"] == "degraded"
    Heartbeat.objects.create(name="intake_clock", at=clock.now() - timedelta(minutes=3))
    Heartbeat.objects.filter(name="intake_clock").update(at=clock.now() - timedelta(minutes=3))
    status, body = _get(client)
    assert body["checks"]["clock"] == {
        "status": "degraded",
        "detail": "jam layanan (putaran terakhir) menunggu 3 menit",
    }


def test_redis_down_is_down_and_503(client: Client, settings) -> None:
    beat("intake_clock")
    settings.SPKT_REDIS_URL = f"redis://127.0.0.1:{_free_port()}/0"  # nobody listens there
    status, body = _get(client)
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["redis"] == {"status": "down", "detail": "Redis tidak menjawab"}
    assert "127.0.0.1" not in str(body), "no host or port in the answer"


def test_a_live_redis_is_ok(client: Client, settings) -> None:
    url = os.environ.get("SPKT_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {url}: make test needs it under CI")
        pytest.skip(f"no Redis at {url}")
    beat("intake_clock")
    settings.SPKT_REDIS_URL = url
    status, body = _get(client)
    assert (status, body["checks"]["redis"]["status"]) == (200, "ok")


def test_a_book_entry_waiting_too_long_degrades(client: Client, selatan) -> None:
    from spkt.dutylog.models import PendingEntry

    beat("intake_clock")
    PendingEntry.objects.create(
        unit=selatan, at=clock.now() - timedelta(minutes=7), category="kejadian", text="Tiba."
    )
    status, body = _get(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["book_entries"]["detail"] == "entri Buku Mutasi menunggu 7 menit"


def test_only_get(client: Client) -> None:
    assert client.post("/health/").status_code == 405
    assert client.get("/health/")["Cache-Control"].startswith("max-age=0")
