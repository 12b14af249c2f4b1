"""Channel accounts: how a unit is reached on each channel, with its provider settings."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spkt.core.nik import fernet


class ChannelAccount(models.Model):
    """One provider account of a unit: a WhatsApp number, a Telegram bot, an SMS gateway, a Meta
    page, a mailbox. ``config`` holds plain settings (ids, hosts, API base URLs so tests can point
    at a local server); ``secrets`` holds tokens and passwords, encrypted with the data keys."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="channel_accounts")
    channel = models.CharField(_("saluran"), max_length=10)
    name = models.CharField(_("nama"), max_length=80)
    # The public id of this account in webhook URLs (/hooks/<channel>/<slug>/).
    slug = models.SlugField(unique=True)
    config = models.JSONField(default=dict, blank=True)
    secrets_encrypted = models.TextField(blank=True, editable=False)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("akun saluran")
        verbose_name_plural = _("akun saluran")

    def __str__(self) -> str:
        return f"{self.channel}: {self.name}"

    @property
    def secrets(self) -> dict:
        if not self.secrets_encrypted:
            return {}
        keys = fernet(tuple(settings.NIK_ENCRYPTION_KEYS))
        return json.loads(keys.decrypt(self.secrets_encrypted.encode()))

    def set_secrets(self, values: dict) -> None:
        keys = fernet(tuple(settings.NIK_ENCRYPTION_KEYS))
        self.secrets_encrypted = keys.encrypt(json.dumps(values).encode()).decode()
