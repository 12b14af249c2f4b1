"""Alerts that reach phones: the browsers (devices) a user subscribed for Web Push, and each push
kept as a row until the push service has taken it (ADR 0041).

The alerts themselves stay where they are born (intake.Notification, fieldhelp.TaskAlert,
reports.ReportAlert); each one also calls ``alert_push`` in its own transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VapidKey(models.Model):
    """The deployment's VAPID key pair when settings do not give one: made on first use, the
    private key encrypted with the data keys like the units' signing keys (core.UnitKey). One
    row, so every app server signs with the key the browsers subscribed with."""

    name = models.CharField(max_length=20, unique=True, default="default")
    public_key = models.CharField(max_length=100)  # uncompressed P-256 point, urlsafe base64
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class PushSubscription(models.Model):
    """One browser of one user, as the browser's PushManager described it. The endpoint is the
    push service's URL for that browser; whoever signs in on the browser last receives."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=100)  # the browser's P-256 public key, urlsafe base64
    auth = models.CharField(max_length=40)  # the 16-byte auth secret, urlsafe base64
    label = models.CharField(_("perangkat"), max_length=120, blank=True)
    created_at = models.DateTimeField()
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id} {self.label}"


class PushStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class PushDelivery(models.Model):
    """One alert for one device, written in the alert's transaction and sent after commit; a push
    service that is down leaves it pending for the clock's retries, so no alert is lost."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        PushSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=400)
    url = models.CharField(max_length=500)
    tag = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=PushStatus.choices, default=PushStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # Serves the retry sweep: pushes due for a (re)try.
            models.Index(fields=["status", "next_attempt_at"], name="push_status_next_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tag} {self.status}"
