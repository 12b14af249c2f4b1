"""A contact as the start of a document (spkt.documents.sources): "Buat SKTLK" / "Buat LP" on a
contact open the form with what the citizen already told the desk, and issuing the document
closes the contact with it, in the issuing transaction."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spkt.documents.models import DocType
from spkt.documents.sources import DocumentSource, register_source
from spkt.intake.models import Contact, Direction, Outcome, Status
from spkt.org.models import Unit, User

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,18}[0-9]$")


def _contact(unit_id: int, key: str) -> Contact:
    contact = Contact.objects.filter(pk=int(key), unit_id=unit_id).first()
    if contact is None:
        raise ValidationError(_("Kontak tidak ditemukan di satuan ini."))
    return contact


def contact_prefill(user: User, unit: Unit, key: str) -> dict:
    contact = _contact(unit.pk, key)
    first = (
        contact.messages.filter(direction=Direction.IN).order_by("at", "pk").values("body").first()
    )
    text = (first or {}).get("body", "").strip() or contact.subject
    initial = {"name": contact.sender_name, "chronology": text, "account": text}
    if contact.subject:
        initial["event_what"] = contact.subject[:200]
    address = contact.sender_address.strip()
    if PHONE.match(address):
        initial["phone"] = re.sub(r"[^0-9+]", "", address)
    return initial


def contact_issued(actor: User, document, key: str) -> None:
    from spkt.intake.services import contact_close, contact_document_follows

    contact = _contact(document.unit_id, key)  # another station's contact: refused, nothing issued
    outcome = Outcome.SKTLK if document.doc_type == DocType.SKTLK else Outcome.LP
    if contact.status != Status.CLOSED:
        contact_close(actor=actor, contact=contact, outcome=outcome, document=document)
    elif contact.outcome == Outcome.FIELD_HELP and contact.outcome_document_id is None:
        contact_document_follows(actor=actor, contact=contact, document=document)
    # Closed meanwhile with another outcome (a colleague answered it): the document stands alone.


def contact_label(key: str) -> str:
    code = Contact.objects.filter(pk=int(key)).values_list("tracking_code", flat=True).first()
    return _("kontak %(code)s") % {"code": code or key}


def sources_setup() -> None:
    register_source(
        "kontak",
        DocumentSource(prefill=contact_prefill, issued=contact_issued, label=contact_label),
    )
