"""Where a reply to a contact goes (ADR 0044). A contact that came on a channel SPKT can write to
(WhatsApp, SMS, email, Telegram, …) is answered on that channel. A contact that came another way
(the web form, a phone call, a kiosk) is answered on what the citizen gave: an email address by the
unit's email account; a phone number by SMS, which every phone receives, or by WhatsApp when the
unit has no SMS account. When there is no way, the desk is told why before typing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from spkt.intake.models import REPLYABLE, Channel, Contact

# Tried in this order for a phone number given outside a messaging channel.
PHONE_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


@dataclass(frozen=True)
class Route:
    """``channel`` is the delivery channel (``OutboxItem.channel``); empty when there is no way,
    and ``reason`` then says why in words for the desk."""

    channel: str = ""
    address: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.channel)

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label) if self.channel else ""


# Where the unit's accounts live (spkt.channels, above intake) registers a lookup from its ready():
# unit id -> the channels on which the unit has an active account.
ACCOUNT_LOOKUPS: list[Callable[[int], set[str]]] = []


def register_account_lookup(lookup: Callable[[int], set[str]]) -> None:
    if lookup not in ACCOUNT_LOOKUPS:
        ACCOUNT_LOOKUPS.append(lookup)


def active_channels(unit_id: int) -> set[str]:
    """The channels on which the unit has an active account."""
    return set().union(*(lookup(unit_id) for lookup in ACCOUNT_LOOKUPS))


def reply_route(contact: Contact, *, accounts: dict[int, set[str]] | None = None) -> Route:
    """The route of the desk's next reply. A caller that routes many contacts passes a dict in
    ``accounts``: each unit's active channels are then read once, and only when needed."""
    from spkt.intake.services import sender_key

    if contact.channel in REPLYABLE:
        # It came through one of the unit's accounts: answered there (a missing or broken
        # account shows as a failed delivery the desk can resend).
        return Route(contact.channel, contact.sender_address or contact.external_thread)
    if contact.channel == Channel.LETTER:
        return Route(reason=_("Surat dijawab dengan surat; catat tanggapan Anda di sini."))
    key = sender_key(contact.channel, contact.sender_address)
    if not key.startswith(("email:", "tel:")):
        return Route(
            reason=_(
                "Kontak ini tidak memiliki alamat balasan (nomor HP atau email), jadi tidak "
                "dapat dibalas dari SPKT. Tanggapi langsung atau lewat telepon, lalu catat di sini."
            )
        )
    if accounts is None:
        accounts = {}
    if contact.unit_id not in accounts:
        accounts[contact.unit_id] = active_channels(contact.unit_id)
    channels = accounts[contact.unit_id]
    address = contact.sender_address.strip()
    if key.startswith("email:"):
        if Channel.EMAIL in channels:
            return Route(Channel.EMAIL, address)
        return Route(
            reason=_(
                "Satuan ini belum memiliki akun email yang aktif, jadi balasan ke %(address)s "
                "tidak dapat dikirim. Minta admin menambahkan akun email, atau tanggapi dengan "
                "cara lain lalu catat di sini."
            )
            % {"address": address}
        )
    for channel in PHONE_CHANNELS:
        if channel in channels:
            return Route(channel, address)
    return Route(
        reason=_(
            "Satuan ini belum memiliki akun SMS atau WhatsApp yang aktif, jadi balasan ke "
            "%(address)s tidak dapat dikirim. Telepon nomor itu, lalu catat tanggapan Anda di sini."
        )
        % {"address": address}
    )
