"""The board is bounded: the oldest open tasks up to BOARD_LIMIT, and a count of the rest."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from spkt.fieldhelp import selectors
from spkt.fieldhelp.models import Source
from spkt.fieldhelp.services import task_create, task_dispatch


def test_the_board_shows_the_oldest_and_counts_the_rest(
    client: Client, task, ka_spkt, selatan, tptkp, monkeypatch
) -> None:
    later = [
        task_create(
            actor=ka_spkt, unit=selatan, task_type=tptkp, source=Source.PHONE, address=f"Jl. {i}"
        )
        for i in range(2)
    ]
    monkeypatch.setattr(selectors, "BOARD_LIMIT", 2)
    board = selectors.board(unit=selatan)
    assert [r.task.pk for r in board.rows] == [task.pk, later[0].pk]
    assert (board.total, board.more) == (3, 1)
    client.force_login(ka_spkt)
    html = client.get(reverse("fieldhelp:board")).content.decode()
    assert 'data-open-total="3"' in html
    assert "data-board-more" in html
    assert f'data-task-id="{later[1].pk}"' not in html
    monkeypatch.setattr(selectors, "BOARD_LIMIT", 50)
    assert "data-board-more" not in client.get(reverse("fieldhelp:board")).content.decode()


def test_the_poll_fingerprint_moves_with_every_board_change(
    task, ka_spkt, selatan, on_duty, vehicle
) -> None:
    from spkt.fieldhelp.services import task_clear, task_report, task_status

    seen = {selectors.board_etag(unit=selatan)}

    def changed() -> bool:
        tag = selectors.board_etag(unit=selatan)
        fresh = tag not in seen
        seen.add(tag)
        return fresh

    assert not changed()
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    assert changed()
    task_dispatch(actor=ka_spkt, task=task, equipment=[vehicle])  # a second dispatch
    assert changed()
    task_status(actor=ka_spkt, task=task, status="en_route", idempotency_key="e")
    assert changed()
    task_status(actor=ka_spkt, task=task, status="en_route", idempotency_key="e")  # replay
    assert not changed()
    task_report(actor=ka_spkt, task=task, text="Aman")
    assert changed()
    task_clear(actor=ka_spkt, task=task)
    assert changed()
