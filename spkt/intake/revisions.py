"""Edits and deletions a citizen makes on the provider's side (WhatsApp, Telegram, Messenger,
Instagram) after the desk has the message.

Neither is a new message: the contact's clock, status, first response and escalation stay as they
are, and no contact is opened. An edit changes the text the desk sees and keeps every earlier text
as a MessageRevision (nothing is overwritten); a deletion only marks the message, whose content
stays for the record (what the citizen said is evidence). Either is audit-logged. An edit or a
deletion of a message the unit never received (another unit's, or one that never reached us)
changes nothing: the caller hears None and logs it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.intake.models import Contact, Direction, Message, MessageRevision
from spkt.org.models import Unit


def _original(*, unit: Unit, channel: str, original_id: str) -> Message | None:
    """The citizen's message ``original_id`` in ``unit``, locked (of the message row only, so the
    contact row stays free for the desk's writes)."""
    if not original_id:
        return None
    return (
        Message.objects.select_for_update(of=("self",))
        .filter(
            contact__unit=unit,
            contact__channel=channel,
            direction=Direction.IN,
            external_id=original_id[:255],
        )
        .select_related("contact")
        .order_by("pk")
        .first()
    )


def _touch(message: Message) -> None:
    # Only updated_at, so the open contact page and the inbox's poll see the change; the clock
    # fields are not touched.
    Contact.objects.filter(pk=message.contact_id).update(updated_at=clock.now())


@transaction.atomic
def message_edit(
    *,
    unit: Unit,
    channel: str,
    original_id: str,
    body: str,
    at: datetime | None = None,
    event_id: str = "",
) -> Message | None:
    """The sender changed message ``original_id`` to ``body`` at ``at``. ``event_id`` identifies
    the edit (an edit delivered again is recorded once). An edit older than the text shown (edits
    arriving out of order) only joins the history."""
    at = at or clock.now()
    event_id = event_id[:255]
    message = _original(unit=unit, channel=channel, original_id=original_id)
    if message is None:
        return None
    if event_id and message.revisions.filter(external_id=event_id).exists():
        return message
    if body == message.body or not body.strip():
        return message
    if message.edited_at is not None and at < message.edited_at:
        MessageRevision.objects.create(
            message=message, body=body, at=at, replaced_at=message.edited_at, external_id=event_id
        )
    else:
        MessageRevision.objects.create(
            message=message,
            body=message.body,
            at=message.edited_at or message.at,
            replaced_at=at,
            external_id=event_id,
        )
        Message.objects.filter(pk=message.pk).update(body=body, edited_at=at)
        message.body, message.edited_at = body, at
    _touch(message)
    audit_log(
        action="intake.message.edited",
        unit=unit,
        target=message,
        data={"contact": message.contact.tracking_code, "event": event_id},
    )
    return message


@transaction.atomic
def message_revoke(
    *, unit: Unit, channel: str, original_id: str, at: datetime | None = None, event_id: str = ""
) -> Message | None:
    """The sender deleted message ``original_id`` for everyone at ``at``: it is marked, its text
    and files stay. A deletion delivered again changes nothing."""
    at = at or clock.now()
    message = _original(unit=unit, channel=channel, original_id=original_id)
    if message is None:
        return None
    if message.deleted_at is None:
        Message.objects.filter(pk=message.pk).update(deleted_at=at)
        message.deleted_at = at
        _touch(message)
        audit_log(
            action="intake.message.deleted_by_sender",
            unit=unit,
            target=message,
            data={"contact": message.contact.tracking_code, "event": event_id[:255]},
        )
    return message
