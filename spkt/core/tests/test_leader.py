"""One clock leads; a standby takes over when the leader goes, and never acts beside it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from spkt.core import clock
from spkt.core.leader import LOCK_KEY, Leadership
from spkt.intake.models import Notification
from spkt.intake.services import Incoming, contact_receive


@pytest.fixture
def var_dir(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        yield tmp_path


@pytest.mark.django_db(transaction=True)
def test_one_leads_and_the_other_takes_over(var_dir) -> None:
    first, second = Leadership(), Leadership()
    try:
        assert first.acquire()
        assert first.acquire()  # keeps it round after round
        assert not second.acquire()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


CHILD = """
import fcntl, sys, time
kind, where, key = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "postgresql":
    import json, psycopg
    conn = psycopg.connect(**json.loads(where), autocommit=True)
    assert conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
else:
    handle = open(where, "a+")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("leading", flush=True)
time.sleep(120)
"""


def _child_leader(var_dir) -> subprocess.Popen:
    """Another clock process, leading."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        where = json.dumps(
            {
                "dbname": db["NAME"],
                "host": db["HOST"] or None,
                "port": db["PORT"] or None,
                "user": db["USER"] or None,
            }
        )
    else:
        where = str(var_dir / "intake_clock.lock")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, connection.vendor, where, str(LOCK_KEY)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "leading"
    return child


@pytest.mark.django_db(transaction=True)
def test_a_leader_killed_mid_round_frees_the_lock(var_dir) -> None:
    child = _child_leader(var_dir)
    standby = Leadership()
    try:
        assert not standby.acquire()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not standby.acquire():
            assert time.monotonic() < deadline, "the lock of a killed clock was never freed"
            time.sleep(0.1)
        if connection.vendor == "postgresql":
            # Its own backend terminated (a database restart, a DBA): it reconnects and leads.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [standby._pg.info.backend_pid])
            assert standby.acquire()
    finally:
        standby.release()
        child.kill()
        child.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_standby_clock_alerts_nothing(var_dir, selatan, ka_spkt) -> None:
    late = clock.now() - timedelta(minutes=10)
    contact_receive(
        unit=selatan,
        incoming=Incoming(channel="sms", body="Tolong", sender_address="0813", received_at=late),
    )
    leader = Leadership()
    try:
        assert leader.acquire()
        call_command("intake_clock", "--once")
        assert not Notification.objects.exists()
    finally:
        leader.release()
    call_command("intake_clock", "--once")
    assert Notification.objects.filter(user=ka_spkt).exists()
