"""Where the link is given: printed on the SKTLK/STTLP, and in the closing reply of a contact."""

from django.urls import reverse

from spkt.conftest import issue
from spkt.documents.services import document_pdf_ensure
from spkt.intake.models import Direction, OutboxItem
from spkt.intake.services import Incoming, contact_close, contact_receive
from spkt.reports.ikm.models import SurveyInvitation
from spkt.reports.ikm.tests.test_results import pdf_text


def test_an_sktlk_prints_the_survey_link_of_its_own_invitation(client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    invitation = SurveyInvitation.objects.get(document=doc)
    assert invitation.service == "sktlk"
    url = doc.snapshot["survey_url"]
    assert client.get(url.split("127.0.0.1:8000", 1)[-1]).status_code == 200
    text = pdf_text(document_pdf_ensure(document_id=doc.pk).pdf.read())
    assert "Bagaimana pelayanan kami?" in text


def test_a_served_contact_gets_the_link_in_the_closing_reply(petugas, selatan) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="whatsapp", body="Info SKCK?", sender_address="6281200000001"),
    )
    contact_close(actor=petugas, contact=contact, outcome="info")
    invitation = SurveyInvitation.objects.get(contact=contact)
    assert invitation.service == "contact"
    reply = contact.messages.get(direction=Direction.OUT)
    assert reverse("ikm:survey", args=["X"]).split("X")[0] in reply.body
    assert OutboxItem.objects.filter(message=reply).exists()


def test_a_referral_or_a_walk_in_gets_no_survey_message(petugas, selatan) -> None:
    referred = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="sms", body="Urusan tanah", sender_address="081200000002"),
    )
    contact_close(actor=petugas, contact=referred, outcome="referred")
    walk_in = contact_receive(unit=selatan, incoming=Incoming(channel="walkin", body=""))
    contact_close(actor=petugas, contact=walk_in, outcome="info")
    assert not SurveyInvitation.objects.exists()
    assert not OutboxItem.objects.exists()
