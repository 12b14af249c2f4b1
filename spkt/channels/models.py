"""Channel accounts: how a unit is reached on each channel, with its provider settings."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from spkt.core.nik import fernet


class SmsGateway(models.TextChoices):
    """How an SMS account reaches the phone network (``config["gateway"]``, docs/channels.md 6)."""

    ANDROID = "android", _("SMS Gateway for Android")
    GAMMU = "gammu", _("Gammu SMSD dengan modem USB")
    SPKT = "spkt", _("Protokol gateway SPKT (skrip sendiri)")


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
    def sms_gateway(self) -> str:
        """The gateway kind of an SMS account; accounts made before there was a choice speak the
        SPKT protocol."""
        config = self.config if isinstance(self.config, dict) else {}
        value = str(config.get("gateway") or SmsGateway.SPKT)
        return value if value in SmsGateway.values else ""

    @property
    def secrets(self) -> dict:
        if not self.secrets_encrypted:
            return {}
        keys = fernet(tuple(settings.NIK_ENCRYPTION_KEYS))
        return json.loads(keys.decrypt(self.secrets_encrypted.encode()))

    def set_secrets(self, values: dict) -> None:
        keys = fernet(tuple(settings.NIK_ENCRYPTION_KEYS))
        self.secrets_encrypted = keys.encrypt(json.dumps(values).encode()).decode()


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("menunggu")
    DONE = "done", pgettext_lazy("payload masuk", "selesai")
    DEAD = "dead", _("gagal (dead letter)")


class InboundPayload(models.Model):
    """One verified webhook body, stored before it is answered and processed by the worker
    (docs/channels.md, "Store, answer, then process"). ``key`` makes a delivered-again payload one
    row: the provider's message or update id, or a hash of the body when it gives none."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="payloads")
    received_at = models.DateTimeField(_("diterima"))
    key = models.CharField(_("kunci"), max_length=255)
    body = models.TextField(_("isi"))
    status = models.CharField(
        _("status"), max_length=8, choices=InboundStatus.choices, default=InboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    processed_at = models.DateTimeField(_("diproses"), null=True, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        verbose_name = _("payload masuk")
        verbose_name_plural = _("payload masuk")
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="inbound_payload_once")
        ]
        # The worker's next payload: pending, of one account, oldest first (inbound._due).
        indexes = [models.Index(fields=["status", "account", "id"], name="inbound_payload_queue")]

    def __str__(self) -> str:
        return f"{self.account.slug} #{self.pk} ({self.status})"


class WebSubmission(models.Model):
    """One message from the public web form, stored in one INSERT before the citizen is answered
    with its tracking code; the worker makes the contact with exactly that code
    (spkt/channels/webform.py, ADR 0040). ``key`` is the form's idempotency token: a double click
    or a resent form is one row, answered with the same code."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="web_submissions")
    key = models.CharField(_("kunci"), max_length=64)
    tracking_code = models.CharField(_("kode pelacakan"), max_length=12, unique=True)
    received_at = models.DateTimeField(_("diterima"))
    sender_name = models.CharField(_("nama"), max_length=120)
    reply_to = models.CharField(_("balasan ke"), max_length=120)
    body = models.TextField(_("pesan"))
    # Attachments already in storage: [{"path", "filename", "content_type", "size"}].
    files = models.JSONField(_("lampiran"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=InboundStatus.choices, default=InboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    processed_at = models.DateTimeField(_("diproses"), null=True, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        verbose_name = _("kiriman formulir web")
        verbose_name_plural = _("kiriman formulir web")
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="web_submission_once")]
        # The worker's next submission: pending, of one unit, oldest first (webform._due).
        indexes = [models.Index(fields=["status", "unit", "id"], name="web_submission_queue")]

    def __str__(self) -> str:
        return f"{self.tracking_code} ({self.status})"


class MailSeen(models.Model):
    """One mail stored from a unit's mailbox, by its content digest (spkt.channels.mailparse
    .content_digest): the same mail fetched again is recognised by the digest; a different mail
    that reuses a Message-ID is not, and becomes its own message (docs/adr/0043)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    msgid = models.CharField(max_length=255, blank=True)  # the mail's own Message-ID
    message = models.ForeignKey("intake.Message", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("email tersimpan")
        verbose_name_plural = _("email tersimpan")
        constraints = [models.UniqueConstraint(fields=["unit", "digest"], name="mail_seen_once")]
        indexes = [models.Index(fields=["unit", "msgid"], name="mail_seen_msgid")]

    def __str__(self) -> str:
        return self.msgid or self.digest[:12]
