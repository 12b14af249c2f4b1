"""A contact as the start of a document (spkt.documents.sources): "Buat SKTLK" / "Buat LP" on a
contact open the form with what the citizen already told the desk, and issuing the document
closes the contact with it, in the issuing transaction."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spkt.documents.models import DocType, Document, PreRegistration
from spkt.documents.sources import DocumentSource, register_source
from spkt.intake.models import Channel, Contact, Direction, Outcome, Status
from spkt.org.models import Unit, User

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,18}[0-9]$")


def _contact(unit_id: int, key: str) -> Contact:
    contact = Contact.objects.filter(pk=int(key), unit_id=unit_id).first()
    if contact is None:
        raise ValidationError(_("Kontak tidak ditemukan di satuan ini."))
    return contact


def contact_prefill(user: User, unit: Unit, key: str) -> dict[str, Any]:
    contact = _contact(unit.pk, key)
    first = (
        contact.messages.filter(direction=Direction.IN).order_by("at", "pk").values("body").first()
    )
    said = (first["body"] if first else "").strip()
    text = said or contact.subject
    initial = {"name": contact.sender_name, "chronology": text, "account": text}
    if contact.subject:
        initial["event_what"] = contact.subject[:200]
    if contact.channel == Channel.WALKIN and not said:
        # A kiosk ticket's subject is its number ("Antrean A-07"), not the citizen's words.
        initial = {"name": contact.sender_name}
    address = contact.sender_address.strip()
    if PHONE.match(address):
        initial["phone"] = re.sub(r"[^0-9+]", "", address)
    initial.update(_preregistration_initial(user, unit, contact))
    return initial


def _preregistration_initial(user: User, unit: Unit, contact: Contact) -> dict[str, Any]:
    """What a walk-in filled in from the ticket's QR while waiting (issue 12, item 2): it fills
    the form, and issuing marks it used. The NIK it reveals is audit-logged (prereg_open); a
    pre-registration used or expired meanwhile leaves the contact's own words."""
    from spkt.documents import prereg

    registration = contact.preregistration  # None without a query when there is none
    if registration is None:
        return {}
    try:
        found = prereg.prereg_open(unit=unit, code=registration.code, actor=user)
    except ValidationError:
        return {}
    initial = (
        prereg.prereg_initial(found) if found.kind == "SKTLK" else prereg.prereg_lp_initial(found)
    )
    return {k: v for k, v in initial.items() if v not in (None, "")}


def contact_issued(actor: User, document: Document, key: str) -> None:
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


def ticket_preregistration(unit: Unit, code: str) -> PreRegistration | None:
    """The pre-registration a kiosk ticket carries, by the ticket's tracking code: the desk may
    type the one code the citizen holds (spkt.documents.prereg.CODE_LOOKUPS)."""
    contact = (
        Contact.objects.filter(unit=unit, tracking_code=code, preregistration__isnull=False)
        .select_related("preregistration")
        .first()
    )
    return contact.preregistration if contact is not None else None


def sources_setup() -> None:
    from spkt.documents.prereg import register_code_lookup

    register_code_lookup(ticket_preregistration)
    register_source(
        "kontak",
        DocumentSource(prefill=contact_prefill, issued=contact_issued, label=contact_label),
    )
