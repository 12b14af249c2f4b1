"""The desk board, the task page, the officer's page: who may open and change what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from spkt.dutylog.models import Mutasi
from spkt.fieldhelp.models import Source, Task, TaskStatus
from spkt.fieldhelp.services import task_dispatch, task_status
from spkt.intake.services import phone_log
from spkt.org.models import Personnel, Role
from spkt.org.services import user_create


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def task_urls(task: Task) -> list[str]:
    return [
        reverse(name, args=[task.pk])
        for name in (
            "fieldhelp:task-dispatch",
            "fieldhelp:task-status",
            "fieldhelp:task-correct",
            "fieldhelp:task-step",
            "fieldhelp:task-report",
            "fieldhelp:task-clear",
        )
    ]


def test_the_board_shows_open_tasks_and_who_is_free(
    client: Client, task, ka_spkt, on_duty, vehicle
) -> None:
    html = login(client, ka_spkt).get(reverse("fieldhelp:board")).content.decode()
    assert f'data-task-id="{task.pk}"' in html
    assert "Jl. Nani Wartabone 5" in html
    assert on_duty[0].name in html
    assert "DM 1234 A" in html


def test_the_board_turns_amber_then_red(client: Client, task, ka_spkt, on_duty) -> None:
    import time_machine

    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    login(client, ka_spkt)
    with time_machine.travel("2026-12-01T10:55:00+08:00", tick=False):
        html = client.get(reverse("fieldhelp:board")).content.decode()
    assert 'data-report-state="amber"' in html
    with time_machine.travel("2026-12-01T11:01:00+08:00", tick=False):
        html = client.get(reverse("fieldhelp:board")).content.decode()
    assert 'data-report-state="red"' in html


@pytest.mark.parametrize("persona", ["kapolsek", "reskrim", "penilai"])
def test_readers_see_the_task_but_cannot_change_it(client: Client, task, persona, request) -> None:
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("fieldhelp:detail", args=[task.pk])).status_code == 200
    for url in task_urls(task):
        assert client.post(url, {}).status_code == 403, url
    assert client.get(reverse("fieldhelp:task-new")).status_code == 403


def test_another_station_gets_404_for_every_task_url(client: Client, task, outsider) -> None:
    login(client, outsider)
    assert client.get(reverse("fieldhelp:detail", args=[task.pk])).status_code == 404
    for url in task_urls(task):
        assert client.post(url, {"status": "en_route"}).status_code == 404, url
    assert (
        f'data-task-id="{task.pk}"' not in client.get(reverse("fieldhelp:board")).content.decode()
    )


def test_login_is_required(client: Client, task) -> None:
    answer = client.get(reverse("fieldhelp:board"))
    assert answer.status_code == 302
    assert reverse("login") in answer["Location"]


def test_a_board_poll_after_the_session_expired_sends_the_page_to_login(
    client: Client, task
) -> None:
    board = reverse("fieldhelp:board")
    answer = client.get(board, headers={"HX-Request": "true", "HX-Current-URL": board})
    assert answer.status_code == 200
    assert answer["HX-Redirect"].startswith(reverse("login") + "?next=")
    assert answer.content == b""


def test_the_desk_creates_a_task_and_bad_coordinates_change_nothing(
    client: Client, petugas, tptkp
) -> None:
    login(client, petugas)
    data = {
        "task_type": tptkp.pk,
        "source": "phone",
        "address": "Jl. Panjaitan 3",
        "priority": "high",
        "lat": "95",
        "lon": "123",
    }
    answer = client.post(reverse("fieldhelp:task-new"), data)
    assert answer.status_code == 400
    assert not Task.objects.exists()
    data["lat"] = "0.54"
    answer = client.post(reverse("fieldhelp:task-new"), data)
    task = Task.objects.get()
    assert answer["Location"] == reverse("fieldhelp:detail", args=[task.pk])
    assert (task.source, task.priority) == (Source.PHONE, "high")


def test_a_closed_contact_cannot_become_a_task(client: Client, petugas, selatan, tptkp) -> None:
    from spkt.intake.services import contact_close

    contact = phone_log(actor=petugas, unit=selatan, caller="0812", summary="Tolong")
    contact_close(actor=petugas, contact=contact, outcome="info")
    login(client, petugas)
    url = reverse("fieldhelp:task-new") + f"?kontak={contact.pk}"
    assert client.get(url).status_code == 302
    assert client.post(url, {"task_type": tptkp.pk, "address": "A"}).status_code == 302
    assert not Task.objects.exists()


def test_a_contact_of_another_station_is_404(client: Client, outsider, petugas, utara) -> None:
    contact = phone_log(actor=outsider, unit=utara, caller="0812", summary="Tolong")
    login(client, petugas)
    assert client.get(reverse("fieldhelp:task-new") + f"?kontak={contact.pk}").status_code == 404
    assert client.get(reverse("fieldhelp:task-new") + "?kontak=x").status_code == 404


def test_dispatch_of_an_officer_not_on_duty_shows_why_and_changes_nothing(
    client: Client, task, ka_spkt, off_duty
) -> None:
    login(client, ka_spkt)
    url = reverse("fieldhelp:task-dispatch", args=[task.pk])
    answer = client.post(url, {"personnel": [off_duty.pk]}, follow=True)
    assert "tidak sedang dinas jaga" in answer.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.REQUESTED
    client.post(url, {"personnel": [off_duty.pk], "override_reason": "Piket fungsi Reskrim"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DISPATCHED
    assert Mutasi.objects.filter(red=True, text__contains="Piket fungsi Reskrim").exists()


def test_a_double_submitted_status_is_applied_once(client: Client, task, ka_spkt, on_duty):
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    login(client, ka_spkt)
    url = reverse("fieldhelp:task-status", args=[task.pk])
    for _ in range(2):
        assert client.post(url, {"status": "on_scene", "idempotency_key": "x1"}).status_code == 302
    assert task.events.filter(status="on_scene").count() == 1
    answer = client.post(url, {"status": "en_route", "idempotency_key": "x2"}, follow=True)
    assert "tidak dapat mundur" in answer.content.decode()


def test_the_assigned_officer_works_the_task_from_tugas_saya(
    client: Client, task, ka_spkt, selatan, on_duty
) -> None:
    officer = on_duty[0]
    user = user_create(
        username="patroli1",
        password="rahasia-uji-123",
        unit=selatan,
        roles=[Role.RESKRIM],  # a role that may not write at the desk
        personnel=officer,
    )
    login(client, user)
    assert f'data-task-id="{task.pk}"' not in client.get(reverse("fieldhelp:mine")).content.decode()
    assert client.post(reverse("fieldhelp:task-report", args=[task.pk]), {}).status_code == 403
    task_dispatch(actor=ka_spkt, task=task, personnel=[officer])
    html = client.get(reverse("fieldhelp:mine")).content.decode()
    assert f'data-task-id="{task.pk}"' in html
    assert 'data-action="en-route"' in html
    base = {"next": "saya"}
    answer = client.post(
        reverse("fieldhelp:task-status", args=[task.pk]),
        {**base, "status": "on_scene", "idempotency_key": "k"},
    )
    assert answer["Location"] == reverse("fieldhelp:mine")
    client.post(reverse("fieldhelp:task-step", args=[task.pk]), {**base, "step": 1})
    client.post(
        reverse("fieldhelp:task-report", args=[task.pk]),
        {**base, "text": "TKP diamankan", "idempotency_key": "r"},
    )
    # The officer cannot dispatch or correct: those are the desk's.
    assert (
        client.post(
            reverse("fieldhelp:task-dispatch", args=[task.pk]), {"personnel": [officer.pk]}
        ).status_code
        == 403
    )
    client.post(reverse("fieldhelp:task-clear", args=[task.pk]), {**base, "handed_to": "Reskrim"})
    task.refresh_from_db()
    assert task.status == TaskStatus.HANDED_OVER
    assert task.ticks.count() == 1
    assert task.reports.get().text == "TKP diamankan"
    # Released with the clearance, the officer may no longer change it; the desk's report on
    # the closed task is refused and nothing is added.
    assert (
        client.post(reverse("fieldhelp:task-report", args=[task.pk]), {"text": "Lagi"}).status_code
        == 403
    )
    answer = login(client, ka_spkt).post(
        reverse("fieldhelp:task-report", args=[task.pk]), {"text": "Lagi"}, follow=True
    )
    assert "sudah selesai" in answer.content.decode()
    assert task.reports.count() == 1
    assert not Personnel.objects.get(pk=officer.pk).user.field_alerts.exists()


def test_the_desk_corrects_a_status_with_a_reason(client: Client, task, ka_spkt, on_duty):
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    task_status(actor=ka_spkt, task=task, status="on_scene")
    login(client, ka_spkt)
    url = reverse("fieldhelp:task-correct", args=[task.pk])
    client.post(url, {"status": "en_route", "note": ""})
    task.refresh_from_db()
    assert task.status == TaskStatus.ON_SCENE
    client.post(url, {"status": "en_route", "note": "Tombol tertekan"})
    task.refresh_from_db()
    assert task.status == TaskStatus.EN_ROUTE
    html = client.get(reverse("fieldhelp:detail", args=[task.pk])).content.decode()
    assert "Tombol tertekan" in html


def test_the_task_page_lists_steps_and_timeline(client: Client, task, ka_spkt, on_duty):
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    html = login(client, ka_spkt).get(reverse("fieldhelp:detail", args=[task.pk])).content.decode()
    assert html.count("data-step=") == 7
    assert 'data-event="dispatched"' in html
    assert "style=" not in html


def test_create_from_planned_source(client: Client, petugas, patroli) -> None:
    login(client, petugas)
    client.post(
        reverse("fieldhelp:task-new"),
        {"task_type": patroli.pk, "source": "planned", "address": "Pasar", "priority": "low"},
    )
    assert Task.objects.get().source == Source.PLANNED


def test_the_board_query_count_does_not_grow_with_the_tasks(
    client: Client, ka_spkt, selatan, tptkp, on_duty, vehicle
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spkt.fieldhelp.services import task_create

    def make(n: int) -> None:
        for i in range(n):
            t = task_create(
                actor=ka_spkt, unit=selatan, task_type=tptkp, source="phone", address=f"Jl. {i}"
            )
            task_dispatch(actor=ka_spkt, task=t, equipment=[vehicle], override_reason="uji")

    login(client, ka_spkt)
    make(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("fieldhelp:board")).status_code == 200
    make(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("fieldhelp:board")).status_code == 200
    assert len(many) == len(few)


def test_the_board_polls_with_an_etag(client: Client, task, ka_spkt, on_duty) -> None:
    login(client, ka_spkt)
    url = reverse("fieldhelp:board")
    first = client.get(url, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    assert "<html" not in first.content.decode()
    assert f'data-task-id="{task.pk}"' in first.content.decode()
    etag = first["ETag"]
    assert client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag).status_code == 304
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    again = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag
