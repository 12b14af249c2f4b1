"""Field help services: create, dispatch, status, steps, reports, clearance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from spkt.core import clock
from spkt.dutylog.models import Mutasi
from spkt.dutylog.services import mutasi_flush
from spkt.fieldhelp.models import Assignment, Source, StatusEvent, Task, TaskStatus, TaskType
from spkt.fieldhelp.services import (
    task_clear,
    task_create,
    task_dispatch,
    task_report,
    task_status,
    task_step_tick,
    task_types_for,
)
from spkt.fieldhelp.tests.conftest import T0
from spkt.intake.services import phone_log
from spkt.org.models import Kelurahan


def entries(selatan) -> list[Mutasi]:
    """The book once the worker has run (status taps reach it after their commit)."""
    mutasi_flush(unit=selatan)
    return list(Mutasi.objects.filter(unit=selatan).order_by("pk"))


def test_the_shipped_types_are_there_with_the_seven_tptkp_steps(selatan) -> None:
    codes = [t.code for t in task_types_for(selatan)]
    assert codes == [
        "tptkp",
        "pengaturan",
        "penjagaan",
        "pengawalan",
        "patroli",
        "pengamanan",
        "ranmor",
    ]
    tptkp = TaskType.objects.get(code="tptkp")
    assert len(tptkp.steps) == 7
    assert tptkp.red
    assert tptkp.report_interval_minutes == 60


def test_a_unit_replaces_a_default_type_with_its_own(selatan, utara) -> None:
    TaskType.objects.create(
        unit=selatan, code="patroli", label="Patroli malam", family="turjawali", order=1
    )
    assert next(t for t in task_types_for(selatan) if t.code == "patroli").unit == selatan
    assert next(t for t in task_types_for(utara) if t.code == "patroli").unit is None


def test_a_task_is_created_with_its_first_event(task, ka_spkt) -> None:
    assert task.status == TaskStatus.REQUESTED
    assert task.requested_at == T0
    assert [(e.status, e.by) for e in task.events.all()] == [(TaskStatus.REQUESTED, ka_spkt)]


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("91", "123"),
        ("-91", "0"),
        ("0.5", "181"),
        ("0.5", "-180.5"),
        ("x", "1"),
        ("1", ""),
        ("nan", "1"),
    ],
)
def test_coordinates_out_of_range_are_refused(ka_spkt, selatan, tptkp, lat, lon) -> None:
    with pytest.raises(ValidationError):
        task_create(
            actor=ka_spkt,
            unit=selatan,
            task_type=tptkp,
            source=Source.PHONE,
            address="Jl. A",
            lat=lat,
            lon=lon,
        )
    assert not Task.objects.exists()


def test_coordinates_in_range_are_kept(ka_spkt, selatan, tptkp) -> None:
    task = task_create(
        actor=ka_spkt,
        unit=selatan,
        task_type=tptkp,
        source=Source.PLANNED,
        address="Jl. A",
        lat="0.5412",
        lon="123.0595",
    )
    assert str(task.lat) == "0.541200"


def test_a_task_needs_an_address_and_a_kelurahan_of_the_unit(ka_spkt, selatan, utara, tptkp):
    with pytest.raises(ValidationError):
        task_create(actor=ka_spkt, unit=selatan, task_type=tptkp, source="phone", address=" ")
    other = Kelurahan.objects.create(unit=utara, code="7571010001", name="Dembe")
    with pytest.raises(ValidationError):
        task_create(
            actor=ka_spkt,
            unit=selatan,
            task_type=tptkp,
            source="phone",
            address="Jl. A",
            kelurahan=other,
        )


def test_a_task_from_a_contact_of_another_unit_is_refused(ka_spkt, outsider, selatan, utara, tptkp):
    contact = phone_log(actor=outsider, unit=utara, caller="0812", summary="Tolong")
    with pytest.raises(ValidationError):
        task_create(
            actor=ka_spkt,
            unit=selatan,
            task_type=tptkp,
            source=Source.CONTACT,
            contact=contact,
            address="Jl. A",
        )


def test_a_task_type_of_another_unit_is_refused(ka_spkt, selatan, utara) -> None:
    theirs = TaskType.objects.create(unit=utara, code="khusus", label="Khusus", family="ranmor")
    with pytest.raises(ValidationError):
        task_create(actor=ka_spkt, unit=selatan, task_type=theirs, source="phone", address="A")


def test_dispatch_writes_a_red_entry_for_tptkp(task, ka_spkt, on_duty, vehicle, selatan) -> None:
    before = len(entries(selatan))
    task = task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1], equipment=[vehicle])
    assert task.status == TaskStatus.DISPATCHED
    assert task.dispatched_at == T0
    assert task.report_due_at == T0 + timedelta(minutes=60)
    assert Assignment.objects.filter(task=task, active=True).count() == 2
    new = entries(selatan)[before:]
    assert len(new) == 1
    assert new[0].red
    assert "Memberangkatkan" in new[0].text
    assert on_duty[0].name in new[0].text


def test_dispatch_of_patroli_is_not_red(ka_spkt, selatan, patroli, on_duty) -> None:
    task = task_create(
        actor=ka_spkt, unit=selatan, task_type=patroli, source="order", address="Pasar Sentral"
    )
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    assert not entries(selatan)[-1].red
    assert entries(selatan)[-1].category == "patroli"


def test_an_officer_not_on_duty_is_refused(task, ka_spkt, off_duty, selatan) -> None:
    before = len(entries(selatan))
    with pytest.raises(ValidationError, match="tidak sedang dinas jaga"):
        task_dispatch(actor=ka_spkt, task=task, personnel=[off_duty])
    task.refresh_from_db()
    assert task.status == TaskStatus.REQUESTED
    assert not Assignment.objects.exists()
    assert len(entries(selatan)) == before


def test_an_override_with_a_reason_dispatches_and_writes_a_red_entry(
    task, ka_spkt, off_duty, selatan
) -> None:
    task_dispatch(
        actor=ka_spkt, task=task, personnel=[off_duty], override_reason="Dipanggil dari rumah"
    )
    assignment = Assignment.objects.get(task=task)
    assert assignment.override_reason == "Dipanggil dari rumah"
    last = entries(selatan)[-1]
    assert last.red
    assert "Dipanggil dari rumah" in last.text


def test_an_officer_already_assigned_and_a_vehicle_already_out_are_refused(
    task, ka_spkt, selatan, patroli, on_duty, vehicle
) -> None:
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1], equipment=[vehicle])
    other = task_create(
        actor=ka_spkt, unit=selatan, task_type=patroli, source="order", address="Pasar"
    )
    with pytest.raises(ValidationError, match="tugas lain"):
        task_dispatch(actor=ka_spkt, task=other, personnel=on_duty[:1])
    with pytest.raises(ValidationError, match="dipakai pada tugas lain"):
        task_dispatch(actor=ka_spkt, task=other, equipment=[vehicle])
    # With a reason the vehicle moves to the new task.
    task_dispatch(actor=ka_spkt, task=other, equipment=[vehicle], override_reason="Lebih mendesak")
    assert Assignment.objects.get(equipment=vehicle, active=True).task == other
    assert Assignment.objects.get(equipment=vehicle, active=False).task == task


def test_the_database_refuses_two_active_assignments_of_one_officer(
    task, ka_spkt, selatan, patroli, on_duty
) -> None:
    from django.db import IntegrityError, transaction

    other = task_create(
        actor=ka_spkt, unit=selatan, task_type=patroli, source="order", address="Pasar"
    )
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            task=other,
            kind="personnel",
            personnel=on_duty[0],
            assigned_at=clock.now(),
            assigned_by=ka_spkt,
        )


def test_personnel_of_another_unit_cannot_be_dispatched(task, ka_spkt, outsider, utara) -> None:
    from spkt.org.models import Personnel

    theirs = Personnel.objects.filter(unit=utara).first()
    assert theirs is not None
    with pytest.raises(ValidationError):
        task_dispatch(actor=ka_spkt, task=task, personnel=[theirs], override_reason="x")


def dispatched(task, ka_spkt, on_duty):
    return task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])


def test_status_moves_forward_and_arrival_is_booked_in_red(
    task, ka_spkt, on_duty, selatan, django_capture_on_commit_callbacks
):
    dispatched(task, ka_spkt, on_duty)
    with clock.travel(T0 + timedelta(minutes=3)):
        task = task_status(actor=ka_spkt, task=task, status="en_route", idempotency_key="k1")
    with (
        clock.travel(T0 + timedelta(minutes=11)),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        task = task_status(
            actor=ka_spkt, task=task, status="on_scene", lat="0.54", lon="123.06", note="Tiba"
        )
    assert callbacks, "the arrival entry is handed to the worker after the commit"
    assert task.status == TaskStatus.ON_SCENE
    assert task.en_route_at == T0 + timedelta(minutes=3)
    assert task.response_seconds == 11 * 60
    last = list(Mutasi.objects.filter(unit=selatan).order_by("pk"))[-1]
    assert last.red
    assert "tiba di lokasi" in last.text
    assert last.at == T0 + timedelta(minutes=11), "the entry keeps the time of the tap"
    assert last.author == ka_spkt
    assert [e.status for e in task.events.all()] == [
        "requested",
        "dispatched",
        "en_route",
        "on_scene",
    ]


def test_status_cannot_go_backwards_without_a_correction(task, ka_spkt, on_duty) -> None:
    dispatched(task, ka_spkt, on_duty)
    task_status(actor=ka_spkt, task=task, status="on_scene")
    with pytest.raises(ValidationError, match="tidak dapat mundur"):
        task_status(actor=ka_spkt, task=task, status="en_route")
    with pytest.raises(ValidationError, match="alasan"):
        task_status(actor=ka_spkt, task=task, status="en_route", correction=True)
    task = task_status(
        actor=ka_spkt, task=task, status="en_route", correction=True, note="Salah tekan"
    )
    assert task.status == TaskStatus.EN_ROUTE
    assert task.on_scene_at is None
    assert task.response_seconds is None
    event = task.events.last()
    assert event.correction
    assert event.note == "Salah tekan"


def test_status_before_dispatch_and_unknown_status_are_refused(task, ka_spkt) -> None:
    with pytest.raises(ValidationError, match="belum diberangkatkan"):
        task_status(actor=ka_spkt, task=task, status="en_route")
    with pytest.raises(ValidationError):
        task_status(actor=ka_spkt, task=task, status="cleared")


def test_a_replayed_status_update_is_applied_once(task, ka_spkt, on_duty, selatan) -> None:
    dispatched(task, ka_spkt, on_duty)
    task_status(actor=ka_spkt, task=task, status="on_scene", idempotency_key="abc")
    before = len(entries(selatan))
    with clock.travel(T0 + timedelta(minutes=30)):
        task = task_status(actor=ka_spkt, task=task, status="on_scene", idempotency_key="abc")
    assert task.on_scene_at == T0
    assert StatusEvent.objects.filter(task=task, status="on_scene").count() == 1
    assert len(entries(selatan)) == before


def test_steps_are_ticked_with_time_and_who(task, ka_spkt, on_duty) -> None:
    dispatched(task, ka_spkt, on_duty)
    tick = task_step_tick(actor=ka_spkt, task=task, step=1)
    with clock.travel(T0 + timedelta(minutes=5)):
        again = task_step_tick(actor=ka_spkt, task=task, step=1)
    assert again.pk == tick.pk
    assert again.at == T0
    assert tick.by == ka_spkt
    for bad in (0, 8):
        with pytest.raises(ValidationError):
            task_step_tick(actor=ka_spkt, task=task, step=bad)


def test_a_report_restarts_the_hourly_clock_and_a_replay_is_applied_once(
    task, ka_spkt, on_duty
) -> None:
    dispatched(task, ka_spkt, on_duty)
    with clock.travel(T0 + timedelta(minutes=40)):
        first = task_report(actor=ka_spkt, task=task, text="Situasi aman", idempotency_key="r1")
    with clock.travel(T0 + timedelta(minutes=50)):
        again = task_report(actor=ka_spkt, task=task, text="Situasi aman", idempotency_key="r1")
    assert first.pk == again.pk
    task.refresh_from_db()
    assert task.reports.count() == 1
    assert task.last_report_at == T0 + timedelta(minutes=40)
    assert task.report_due_at == T0 + timedelta(minutes=100)
    with pytest.raises(ValidationError):
        task_report(actor=ka_spkt, task=task, text="  ")


def test_clearance_frees_the_team_and_is_booked(task, ka_spkt, on_duty, vehicle, selatan):
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1], equipment=[vehicle])
    task = task_clear(actor=ka_spkt, task=task, handed_to="Reskrim")
    assert task.status == TaskStatus.HANDED_OVER
    assert task.cleared_at == T0
    assert not Assignment.objects.filter(active=True).exists()
    last = entries(selatan)[-1]
    assert last.red
    assert "Reskrim" in last.text


def test_a_closed_task_takes_no_report_status_step_or_dispatch(task, ka_spkt, on_duty) -> None:
    dispatched(task, ka_spkt, on_duty)
    task_clear(actor=ka_spkt, task=task)
    with pytest.raises(ValidationError, match="sudah selesai"):
        task_report(actor=ka_spkt, task=task, text="Terlambat")
    with pytest.raises(ValidationError, match="sudah selesai"):
        task_status(actor=ka_spkt, task=task, status="on_scene")
    with pytest.raises(ValidationError, match="sudah selesai"):
        task_step_tick(actor=ka_spkt, task=task, step=1)
    with pytest.raises(ValidationError, match="sudah selesai"):
        task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    with pytest.raises(ValidationError, match="sudah selesai"):
        task_clear(actor=ka_spkt, task=task)


def test_the_book_is_written_in_indonesian_whatever_the_screen_language(
    task, ka_spkt, off_duty, selatan
) -> None:
    from django.utils import translation

    with translation.override("en"):
        task_dispatch(actor=ka_spkt, task=task, personnel=[off_duty], override_reason="Darurat")
        task_status(actor=ka_spkt, task=task, status="on_scene")
        task_clear(actor=ka_spkt, task=task)
    texts = " ".join(e.text for e in entries(selatan))
    assert "tidak sedang dinas jaga" in texts
    assert "Pengecualian penugasan" in texts
    assert "tiba di lokasi" in texts


def test_a_task_from_a_contact_closes_it_and_a_failure_leaves_it_open(
    ka_spkt, selatan, tptkp
) -> None:
    from spkt.fieldhelp.services import task_from_contact
    from spkt.intake.models import Status

    contact = phone_log(actor=ka_spkt, unit=selatan, caller="0812 1", summary="Ada kecelakaan")
    with pytest.raises(ValidationError):
        task_from_contact(actor=ka_spkt, contact=contact, task_type=tptkp, address="")
    contact.refresh_from_db()
    assert contact.status != Status.CLOSED
    task = task_from_contact(actor=ka_spkt, contact=contact, task_type=tptkp, address="Jl. B")
    contact.refresh_from_db()
    assert (contact.status, contact.outcome) == (Status.CLOSED, "field_help")
    assert (task.contact, task.source, task.requested_by) == (contact, Source.CONTACT, "0812 1")


def test_a_status_position_out_of_range_is_refused(task, ka_spkt, on_duty) -> None:
    dispatched(task, ka_spkt, on_duty)
    with pytest.raises(ValidationError):
        task_status(actor=ka_spkt, task=task, status="on_scene", lat="0.5", lon="200")
    task.refresh_from_db()
    assert task.status == TaskStatus.DISPATCHED


def test_the_shipped_types_come_back_when_the_global_rows_are_missing(selatan) -> None:
    TaskType.objects.filter(unit=None).delete()
    assert task_types_for(selatan)[0].code == "tptkp"
    assert TaskType.objects.filter(unit=None).count() == 7


def test_a_position_keeps_its_accuracy_and_an_absurd_accuracy_is_refused(
    task, ka_spkt, on_duty
) -> None:
    dispatched(task, ka_spkt, on_duty)
    with pytest.raises(ValidationError):
        task_status(
            actor=ka_spkt, task=task, status="en_route", lat="0.5", lon="123", accuracy_m="-3"
        )
    task = task_status(
        actor=ka_spkt, task=task, status="en_route", lat="0.5", lon="123", accuracy_m="8.6"
    )
    assert task.events.get(status="en_route").accuracy_m == 9
