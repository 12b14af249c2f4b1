"""Writes of the survey: invitations at the moment a service is given, and the one answer each.

A link is ``/survei/<token>/`` where the token is the invitation's id and nonce signed with the
server key (django.core.signing, its own salt): a changed token fails the signature (404), a used
one is refused (410), an expired one too (410). Two submissions of the same link race on the
invitation row lock, with the one-to-one constraint as backstop: one wins, the other is "used".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.publicurl import public_url
from spkt.documents.services import IssueExtra
from spkt.org.models import Unit, User
from spkt.reports.ikm.index import ELEMENTS
from spkt.reports.ikm.models import SCORE_FIELDS, ServiceKind, SurveyInvitation, SurveyResponse

if TYPE_CHECKING:
    from spkt.documents.models import Document
    from spkt.intake.models import Contact

SALT = "spkt.ikm.survey"
VALID_DAYS = 30
COMMENT_MAX = 2000
# Outcomes of a contact where the station served the citizen itself (a referral did not).
SERVED_OUTCOMES = frozenset({"info", "sktlk", "lp", "field_help"})


class SurveyClosedError(Exception):
    """The link can no longer be answered; ``reason`` is "used" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def invitation_create(
    *,
    unit: Unit,
    service: str,
    document: Document | None = None,
    contact: Contact | None = None,
) -> SurveyInvitation:
    if service not in ServiceKind.values:
        raise ValidationError(_("Jenis layanan survei tidak dikenal."))
    now = clock.now()
    return SurveyInvitation.objects.create(
        unit=unit,
        service=service,
        document=document,
        contact=contact,
        nonce=secrets.token_urlsafe(6)[:8],
        created_at=now,
        expires_at=now + timedelta(days=VALID_DAYS),
    )


def survey_token(invitation: SurveyInvitation) -> str:
    return signing.Signer(salt=SALT).sign(f"{invitation.pk}.{invitation.nonce}")


def survey_url(invitation: SurveyInvitation) -> str:
    return public_url(reverse("ikm:survey", args=[survey_token(invitation)]))


# --- Hooks called by the services that give a service ------------------------------------------
DOCUMENT_SERVICES = {"SKTLK": ServiceKind.SKTLK, "STTLP": ServiceKind.STTLP}


def invitation_for_document(*, unit: Unit, doc_type: str) -> SurveyInvitation | None:
    """Called by issue_document before the snapshot: the printed QR needs the URL; the document
    is attached by ``invitation_attach`` once it has an id (same transaction)."""
    service = DOCUMENT_SERVICES.get(doc_type)
    return invitation_create(unit=unit, service=service) if service else None


def invitation_attach(invitation: SurveyInvitation, document: Document) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk).update(document=document)
    invitation.document = document


def document_survey(*, unit: Unit, doc_type: str) -> IssueExtra | None:
    """``documents.services.register_issue_extra`` (from IkmConfig.ready): the citizen's SKTLK or
    STTLP carries the survey's link (``survey_url`` in its snapshot, printed as a QR code)."""
    invitation = invitation_for_document(unit=unit, doc_type=doc_type)
    if invitation is None:
        return None
    return IssueExtra(
        fields=lambda: {"survey_url": survey_url(invitation)},
        attach=lambda document: invitation_attach(invitation, document),
    )


def closing_invitation_text(contact: Contact) -> str:
    """The closing reply of a contact the station served: thanks and the survey link. Empty for
    outcomes that did not serve the citizen here (a referral)."""
    if contact.outcome not in SERVED_OUTCOMES:
        return ""
    invitation = invitation_create(unit=contact.unit, service=ServiceKind.CONTACT, contact=contact)
    with book_language():  # what goes out to the citizen is written in Indonesian
        return _(
            "Terima kasih telah menghubungi SPKT %(unit)s (kode %(code)s). Mohon nilai pelayanan "
            "kami, 1 menit dan tanpa nama: %(url)s"
        ) % {
            "unit": contact.unit.name,
            "code": contact.tracking_code,
            "url": survey_url(invitation),
        }


# --- The answer ----------------------------------------------------------------------------------
@dataclass
class Answer:
    scores: list[int]
    gender: str = ""
    age_band: str = ""
    education: str = ""
    occupation: str = ""
    comment: str = ""
    complaint: bool = False
    reply_to: str = ""  # only for a complaint, and only if the respondent gives it


def _check(answer: Answer) -> None:
    if len(answer.scores) != ELEMENTS or any(
        isinstance(s, bool) or not isinstance(s, int) or not 1 <= s <= 4 for s in answer.scores
    ):
        raise ValidationError(_("Setiap unsur harus dinilai 1 sampai 4."))
    if len(answer.comment) > COMMENT_MAX:
        raise ValidationError(_("Saran terlalu panjang (maksimal 2000 karakter)."))
    if answer.complaint and not answer.comment.strip():
        raise ValidationError(_("Tuliskan pengaduan Anda pada kolom saran."))


@transaction.atomic
def response_submit(*, invitation_id: int, answer: Answer) -> SurveyResponse:
    """Store the answer of an open invitation, once. A complaint becomes a contact in the unit's
    inbox (web channel, anonymous unless a reply address is given)."""
    _check(answer)
    invitation = (
        SurveyInvitation.objects.select_for_update().select_related("unit").get(pk=invitation_id)
    )
    now = clock.now()
    if invitation.used_at is not None:
        raise SurveyClosedError("used")
    if invitation.expires_at <= now:
        raise SurveyClosedError("expired")
    response = SurveyResponse(
        invitation=invitation,
        unit=invitation.unit,
        service=invitation.service,
        gender=answer.gender,
        age_band=answer.age_band,
        education=answer.education,
        occupation=answer.occupation,
        comment=answer.comment.strip(),
        complaint=answer.complaint,
        submitted_at=now,
    )
    for name, score in zip(SCORE_FIELDS, answer.scores, strict=True):
        setattr(response, name, score)
    if answer.complaint:
        response.complaint_contact = _complaint_contact(invitation, answer)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        # The backstop where row locks do not serialise (another answer got there first).
        raise SurveyClosedError("used") from None
    SurveyInvitation.objects.filter(pk=invitation.pk).update(used_at=now)
    return response


def _complaint_contact(invitation: SurveyInvitation, answer: Answer) -> Contact:
    from spkt.intake.models import Category, Channel
    from spkt.intake.services import Incoming, contact_receive

    with book_language():
        subject = _("Pengaduan dari survei kepuasan (%(service)s)") % {
            "service": invitation.get_service_display()
        }
    return contact_receive(
        unit=invitation.unit,
        category=Category.OTHER,
        incoming=Incoming(
            channel=Channel.WEB,
            body=answer.comment.strip(),
            subject=subject,
            sender_address=answer.reply_to.strip()[:255],
        ),
    )


@transaction.atomic
def kiosk_submit(*, actor: User, unit: Unit, answer: Answer) -> SurveyResponse:
    """The desk tablet: each citizen's answer gets its own invitation of kind "kiosk"."""
    _check(answer)
    invitation = invitation_create(unit=unit, service=ServiceKind.KIOSK)
    response = response_submit(invitation_id=invitation.pk, answer=answer)
    audit_log(action="ikm.kiosk.submitted", actor=actor, unit=unit, target=response)
    return response
