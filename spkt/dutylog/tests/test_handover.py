import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spkt.conftest import PASSWORD
from spkt.core.ledger import verify
from spkt.dutylog.handover import (
    Count,
    handover_add_item,
    handover_confirm,
    handover_count,
    handover_start,
)
from spkt.dutylog.models import HandoverStatus, ItemKind, Mutasi, ShiftStatus
from spkt.dutylog.services import mutasi_write
from spkt.dutylog.tests.conftest import all_present
from spkt.org.models import User


def heads(handover):
    out_user = User.objects.get(personnel=handover.outgoing.ka_spkt)
    in_user = User.objects.get(personnel=handover.incoming.ka_spkt)
    return out_user, in_user


def count_all(handover, actor, **overrides: Count) -> None:
    counts = {
        i.pk: overrides.get(i.serial) or Count(counted=i.expected) for i in handover.items.all()
    }
    handover_count(handover=handover, counts=counts, notes="", actor=actor)


def test_the_checklist_holds_people_inventory_and_carried_items(open_shift, ka_spkt) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    kinds = sorted({i.kind for i in ho.items.all()})
    assert kinds == [ItemKind.PERSONNEL, ItemKind.RADIO, ItemKind.WEAPON]
    assert ho.items.filter(kind=ItemKind.PERSONNEL).count() == len(open_shift.lineup())
    assert ho.incoming.starts_at == open_shift.ends_at
    assert ho.incoming.regu != open_shift.regu


def test_a_full_handover_with_a_discrepancy(open_shift, ka_spkt, selatan) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    detainee = handover_add_item(
        handover=ho, kind=ItemKind.DETAINEE, label="RUDI H.", actor=ka_spkt
    )
    short = Count(counted=0, discrepancy_reason="Dibawa patroli")
    count_all(ho, ka_spkt, **{"MT-3": short})
    out_user, in_user = heads(ho)
    ho = handover_confirm(
        handover=ho,
        outgoing_user=out_user,
        incoming_user=in_user,
        roll_call=all_present(ho.incoming),
        actor=ka_spkt,
    )
    assert ho.status == HandoverStatus.DONE
    open_shift.refresh_from_db()
    ho.incoming.refresh_from_db()
    assert open_shift.status == ShiftStatus.CLOSED
    assert ho.incoming.status == ShiftStatus.OPEN
    red = Mutasi.objects.filter(shift=open_shift, red=True, category="serah_terima")
    assert any(
        "HT Motorola (MT-3): tercatat 1, dihitung 0. Alasan: Dibawa patroli" in e.text for e in red
    )
    summary = red.get(text__startswith="Serah terima dinas")
    assert "tahanan 1 (RUDI H.)" in summary.text
    assert ho.incoming.roll_call.count() == len(ho.incoming.lineup())
    assert verify().ok
    # The detainee is carried forward to the next handover's checklist.
    nxt = handover_start(outgoing=ho.incoming, actor=ka_spkt)
    assert nxt.items.filter(kind=ItemKind.DETAINEE, label=detainee.label).exists()


def test_a_discrepancy_without_a_reason_cannot_be_closed(open_shift, ka_spkt) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    count_all(ho, ka_spkt, **{"MT-3": Count(counted=0)})
    out_user, in_user = heads(ho)
    with pytest.raises(ValidationError, match="alasan tertulis"):
        handover_confirm(
            handover=ho,
            outgoing_user=out_user,
            incoming_user=in_user,
            roll_call=all_present(ho.incoming),
            actor=ka_spkt,
        )
    open_shift.refresh_from_db()
    assert open_shift.status == ShiftStatus.OPEN
    assert not Mutasi.objects.filter(category="serah_terima").exists()


def test_every_line_must_be_counted(open_shift, ka_spkt) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    out_user, in_user = heads(ho)
    with pytest.raises(ValidationError, match="dihitung"):
        handover_confirm(
            handover=ho,
            outgoing_user=out_user,
            incoming_user=in_user,
            roll_call=all_present(ho.incoming),
            actor=ka_spkt,
        )


@pytest.mark.parametrize("who", ["outsider", "same", "none"])
def test_confirmation_by_someone_not_on_the_squads_is_refused(
    open_shift, ka_spkt, outsider, who
) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    count_all(ho, ka_spkt)
    out_user, in_user = heads(ho)
    if who == "outsider":
        in_user = outsider
    elif who == "same":
        in_user = out_user
    else:
        in_user = None
    with pytest.raises(ValidationError):
        handover_confirm(
            handover=ho,
            outgoing_user=out_user,
            incoming_user=in_user,
            roll_call=all_present(ho.incoming),
            actor=ka_spkt,
        )
    open_shift.refresh_from_db()
    assert open_shift.status == ShiftStatus.OPEN


def test_a_sealed_book_takes_no_more_entries_from_officers(
    open_shift, ka_spkt, petugas, selatan
) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    count_all(ho, ka_spkt)
    out_user, in_user = heads(ho)
    handover_confirm(
        handover=ho,
        outgoing_user=out_user,
        incoming_user=in_user,
        roll_call=all_present(ho.incoming),
        actor=ka_spkt,
    )
    entry = mutasi_write(actor=petugas, unit=selatan, text="Patroli.", category="patroli")
    assert entry.shift == ho.incoming


def test_a_finished_handover_cannot_be_recounted(open_shift, ka_spkt) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    count_all(ho, ka_spkt)
    out_user, in_user = heads(ho)
    handover_confirm(
        handover=ho,
        outgoing_user=out_user,
        incoming_user=in_user,
        roll_call=all_present(ho.incoming),
        actor=ka_spkt,
    )
    with pytest.raises(ValidationError, match="sudah selesai"):
        count_all(ho, ka_spkt)


def test_the_page_checks_both_passwords(client: Client, open_shift, ka_spkt) -> None:
    client.force_login(ka_spkt)
    url = reverse("dutylog:handover", args=[open_shift.pk])
    client.post(url)  # start
    ho = open_shift.handover_out
    data = {"step": "count", "fill_rest": "on", "notes": "Situasi aman."}
    assert client.post(url, data).status_code == 302
    assert not ho.items.filter(counted=None).exists()
    out_user, in_user = heads(ho)
    confirm = {
        "step": "confirm",
        "out_username": out_user.username,
        "out_password": PASSWORD,
        "in_username": in_user.username,
        "in_password": "salah",
    }
    for pid in ho.incoming.lineup():
        confirm[f"present_{pid}"] = "on"
    response = client.post(url, confirm)
    assert response.status_code == 400
    assert "kata sandi kepala regu salah" in response.content.decode()
    open_shift.refresh_from_db()
    assert open_shift.status == ShiftStatus.OPEN
    confirm["in_password"] = PASSWORD
    final = client.post(url, confirm)
    assert final.status_code == 302, [str(m) for m in final.context["messages"]]
    open_shift.refresh_from_db()
    assert open_shift.status == ShiftStatus.CLOSED


@pytest.mark.parametrize("persona", ["penilai", "reskrim", "kapolsek"])
def test_roles_outside_the_desk_cannot_run_a_handover(
    client: Client, open_shift, persona, request
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("dutylog:handover", args=[open_shift.pk])).status_code == 403


def test_another_station_gets_not_found(client: Client, open_shift, outsider) -> None:
    client.force_login(outsider)
    assert client.get(reverse("dutylog:handover", args=[open_shift.pk])).status_code == 404
    assert client.get(reverse("dutylog:shift", args=[open_shift.pk])).status_code == 404


def test_the_sealed_book_shows_its_seal_hash(client: Client, open_shift, ka_spkt) -> None:
    ho = handover_start(outgoing=open_shift, actor=ka_spkt)
    count_all(ho, ka_spkt)
    out_user, in_user = heads(ho)
    handover_confirm(
        handover=ho,
        outgoing_user=out_user,
        incoming_user=in_user,
        roll_call=all_present(ho.incoming),
        actor=ka_spkt,
    )
    client.force_login(ka_spkt)
    page = client.get(reverse("dutylog:shift", args=[open_shift.pk])).content.decode()
    last = Mutasi.objects.filter(shift=open_shift).order_by("-pk").first()
    assert "data-seal-hash" in page
    assert last.ledger_entry.hash in page
