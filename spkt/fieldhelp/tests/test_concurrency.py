"""Two dispatchers assign the same officer at the same moment (PostgreSQL): one wins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from spkt.fieldhelp.models import Assignment, Source
from spkt.fieldhelp.services import task_create, task_dispatch


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assigning_one_officer_at_once_one_wins(
    ka_spkt, selatan, tptkp, patroli, on_duty
) -> None:
    tasks = [
        task_create(actor=ka_spkt, unit=selatan, task_type=t, source=Source.PHONE, address=a)
        for t, a in ((tptkp, "Jl. A"), (patroli, "Jl. B"))
    ]
    officer = on_duty[0]
    start = threading.Barrier(2)

    def one(i: int) -> str:
        try:
            start.wait(timeout=30)
            task_dispatch(actor=ka_spkt, task=tasks[i], personnel=[officer])
            return "ok"
        except ValidationError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(one, range(2)))
    assert results == ["ok", "refused"]
    assert Assignment.objects.filter(personnel=officer, active=True).count() == 1
