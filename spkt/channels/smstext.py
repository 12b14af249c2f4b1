"""What every SMS gateway adapter shares: the longest text the desk files, and how a text that is
longer is kept (docs/channels.md, section 6)."""

from __future__ import annotations

from django.utils.translation import gettext as _

# The longest concatenated SMS: 255 parts of 153 GSM characters. A longer "SMS" is not one a phone
# sent; its text is filed up to here, and the payload (Admin → Payload masuk) keeps all of it.
MAX_TEXT = 255 * 153


def clip(text: str) -> tuple[str, str]:
    """The text to file and a warning for the desk when it had to be cut."""
    if len(text) <= MAX_TEXT:
        return text, ""
    warning = _(
        "Pesan terlalu panjang (%(length)d karakter): disimpan %(kept)d karakter pertama; "
        "isi lengkap ada di Payload masuk."
    ) % {"length": len(text), "kept": MAX_TEXT}
    return text[:MAX_TEXT], warning
