import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from spkt.conftest import is_postgres
from spkt.core import clock
from spkt.intake.models import Channel, Contact
from spkt.reports.ikm.models import SurveyInvitation, SurveyResponse
from spkt.reports.ikm.services import (
    Answer,
    SurveyClosedError,
    invitation_create,
    response_submit,
    survey_token,
)
from spkt.reports.ikm.tests.conftest import answers


def test_a_citizen_answers_once_without_logging_in(client, invitation, survey_path) -> None:
    page = client.get(survey_path)
    assert page.status_code == 200
    assert "Bagaimana pelayanan kami?" in page.content.decode()
    done = client.post(
        survey_path, answers(4, 3, 3, 4, 3, 4, 4, 3, 2, gender="P", age_band="30-39")
    )
    assert done.status_code == 200
    assert "Terima kasih" in done.content.decode()
    response = SurveyResponse.objects.get()
    assert response.scores == [4, 3, 3, 4, 3, 4, 4, 3, 2]
    assert (response.unit, response.service, response.gender) == (invitation.unit, "sktlk", "P")
    invitation.refresh_from_db()
    assert invitation.used_at == clock.now()


def test_a_used_link_says_so_and_stores_nothing_more(client, survey_path) -> None:
    client.post(survey_path, answers())
    again = client.get(survey_path)
    assert again.status_code == 410
    assert "Survei ini sudah diisi" in again.content.decode()
    assert client.post(survey_path, answers(1, 1, 1, 1, 1, 1, 1, 1, 1)).status_code == 410
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    ["1.abc:forged", "garbage", "%00", "x" * 300],
)
def test_a_forged_or_malformed_token_is_not_found(client, invitation, token) -> None:
    assert client.get(f"/survei/{token}/").status_code == 404


def test_a_token_with_a_changed_id_is_not_found(client, selatan, invitation) -> None:
    other = invitation_create(unit=selatan, service="lp")
    token = survey_token(invitation)
    # The other invitation's id with this one's signature.
    forged = token.replace(f"{invitation.pk}.", f"{other.pk}.", 1)
    assert client.get(reverse("ikm:survey", args=[forged])).status_code == 404


def test_an_expired_link_is_gone(client, invitation, survey_path) -> None:
    with time_machine.travel(clock.now() + timedelta(days=31), tick=False):
        page = client.get(survey_path)
        assert page.status_code == 410
        assert "kedaluwarsa" in page.content.decode()
        assert client.post(survey_path, answers()).status_code == 410
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        answers(0, 4, 4, 4, 4, 4, 4, 4, 4),
        answers(5, 4, 4, 4, 4, 4, 4, 4, 4),
        {**answers(), "u3": "abc"},
        {k: v for k, v in answers().items() if k != "u9"},
        answers(comment="x" * 2001),
        answers(complaint="on"),  # a complaint needs its text
        answers(gender="X"),
        {},
        answers(complaint="on", comment="Lama", reply_to="0" * 121),
    ],
    ids=[
        "zero",
        "five",
        "text",
        "missing",
        "huge-comment",
        "empty-complaint",
        "gender",
        "empty",
        "reply",
    ],
)
def test_bad_input_shows_the_form_again_and_stores_nothing(client, survey_path, data) -> None:
    page = client.post(survey_path, data)
    assert page.status_code == 400
    assert 'class="error"' in page.content.decode()
    assert not SurveyResponse.objects.exists()
    assert not Contact.objects.exists()
    assert SurveyInvitation.objects.get().used_at is None


def test_the_service_refuses_bad_scores_too(invitation) -> None:
    from django.core.exceptions import ValidationError

    for scores in ([4] * 8, [4] * 8 + [0], [4] * 8 + [True], [4] * 8 + ["4"]):
        with pytest.raises(ValidationError):
            # Wrong types on purpose: the service checks what a client may send.
            answer = Answer(scores=scores)  # type: ignore[arg-type]
            response_submit(invitation_id=invitation.pk, answer=answer)
    assert not SurveyResponse.objects.exists()


def test_the_database_refuses_a_score_out_of_range(invitation) -> None:
    from django.db import IntegrityError, transaction

    fields = {f"u{i}": 4 for i in range(1, 10)}
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            invitation=invitation,
            unit=invitation.unit,
            service="sktlk",
            submitted_at=clock.now(),
            **{**fields, "u5": 5},
        )


def test_one_response_per_service(invitation) -> None:
    response_submit(invitation_id=invitation.pk, answer=Answer(scores=[4] * 9))
    with pytest.raises(SurveyClosedError) as closed:
        response_submit(invitation_id=invitation.pk, answer=Answer(scores=[1] * 9))
    assert closed.value.reason == "used"
    assert SurveyResponse.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.ticking
def test_two_concurrent_submissions_one_wins(selatan) -> None:
    invitation = invitation_create(unit=selatan, service="sktlk")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        try:
            barrier.wait()
            response_submit(invitation_id=invitation.pk, answer=Answer(scores=[3] * 9))
            results.append("ok")
        except SurveyClosedError as exc:
            results.append(exc.reason)
        except Exception as exc:  # SQLite: "database is locked" is the loser's answer too
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert SurveyResponse.objects.count() == 1
    if is_postgres():
        assert sorted(results) == ["ok", "used"]


def test_a_ticked_complaint_becomes_an_anonymous_contact_in_the_inbox(
    client, selatan, survey_path
) -> None:
    client.post(
        survey_path,
        answers(1, 1, 2, 4, 1, 2, 1, 1, 2, comment="Petugas membentak saya.", complaint="on"),
    )
    contact = Contact.objects.get()
    assert (contact.unit, contact.channel) == (selatan, Channel.WEB)
    assert contact.sender_name == contact.sender_address == ""
    assert "Petugas membentak saya." in contact.messages.get().body
    response = SurveyResponse.objects.get()
    assert response.complaint
    assert response.complaint_contact == contact


def test_a_complaint_keeps_the_contact_the_respondent_gives(client, survey_path) -> None:
    client.post(
        survey_path,
        answers(comment="Mohon dihubungi.", complaint="on", reply_to="081234500099"),
    )
    assert Contact.objects.get().sender_address == "081234500099"


def test_a_comment_without_the_tick_stays_a_comment_and_drops_any_contact(
    client, survey_path
) -> None:
    client.post(survey_path, answers(comment="Ruang tunggu panas.", reply_to="0812"))
    assert not Contact.objects.exists()
    assert SurveyResponse.objects.get().comment == "Ruang tunggu panas."


# --- Kiosk -------------------------------------------------------------------------------------
def test_the_desk_tablet_takes_one_citizen_after_another(client, petugas, selatan) -> None:
    client.force_login(petugas)
    url = reverse("ikm:kiosk", args=[selatan.code])
    assert client.get(url).status_code == 200
    for scores in ((4,) * 9, (3,) * 9):
        answer = client.post(url, answers(*scores))
        assert answer.status_code == 302
        assert answer["Location"] == url
    responses = SurveyResponse.objects.order_by("pk")
    assert [r.service for r in responses] == ["kiosk", "kiosk"]
    assert responses[0].invitation_id != responses[1].invitation_id
    # By id too.
    assert client.get(reverse("ikm:kiosk", args=[str(selatan.pk)])).status_code == 200


def test_the_tablet_needs_a_desk_officer_of_that_station(
    client, kapolsek, outsider, selatan, utara
) -> None:
    url = reverse("ikm:kiosk", args=[selatan.code])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(kapolsek)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, answers()).status_code == 404
    assert client.get(reverse("ikm:kiosk", args=["tidak-ada"])).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_bad_input_on_the_tablet_stores_nothing(client, petugas, selatan) -> None:
    client.force_login(petugas)
    url = reverse("ikm:kiosk", args=[selatan.code])
    assert client.post(url, answers(9, 9, 9, 9, 9, 9, 9, 9, 9)).status_code == 400
    assert not SurveyInvitation.objects.exists()
