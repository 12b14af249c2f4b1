"""The invariants: the per-unit hash-chained ledger, gap-free document counters, the audit log."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext_lazy as _

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """Refuses bulk update/delete through the ORM; PostgreSQL triggers refuse them in SQL too."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(self.model._meta.label)

    def delete(self) -> NoReturn:
        raise AppendOnlyError(self.model._meta.label)


class AppendOnlyError(Exception):
    def __init__(self, label: str) -> None:
        super().__init__(f"{label} is append-only: rows are never changed or deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(self._meta.label)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(self._meta.label)


class LedgerEntry(AppendOnlyModel):
    """One link of a unit's chain: hash = SHA-256(prev_hash ‖ canonical JSON of the entry)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=60)
    recorded_at = models.DateTimeField()
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("entri ledger")
        verbose_name_plural = _("entri ledger")
        constraints = [
            models.UniqueConstraint(fields=["unit", "seq"], name="ledger_unit_seq_uniq"),
        ]
        indexes = [
            # Serve the public verification page, which asks the ledger itself whether a
            # document was voided (payload__document=) or replaced (payload__replaces=).
            models.Index(
                KeyTransform("document", "payload"),
                condition=models.Q(kind="documents.voided"),
                name="ledger_void_document_idx",
            ),
            models.Index(
                KeyTransform("replaces", "payload"),
                condition=models.Q(kind="documents.issued"),
                name="ledger_issued_replaces_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}#{self.seq} {self.kind}"


class LedgerHead(models.Model):
    """The tip of a unit's chain. Locked FOR UPDATE by every append, which serialises a unit's chain
    without serialising different units against each other."""

    unit = models.OneToOneField("org.Unit", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.unit_id}#{self.seq}"


class DocumentCounter(models.Model):
    """One row per (unit, document type, year); the last number issued. Locked FOR UPDATE in the
    same transaction as the document insert, so a rollback returns the number (no gaps, unlike
    sequences)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    doc_type = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "doc_type", "year"], name="counter_unit_type_year_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.doc_type} {self.year}: {self.last_number}"


class AuditEvent(AppendOnlyModel):
    """Who did what to which record. Codes are dotted (``document.sktlk.issued``); human text is
    looked up from the code at display time; sensitive keys are masked before they get here."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("log audit")
        verbose_name_plural = _("log audit")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class UnitKey(models.Model):
    """A unit's Ed25519 signing key for document QR codes. The public key is published; the
    private key is stored encrypted with the deployment's data keys."""

    unit = models.OneToOneField("org.Unit", on_delete=models.PROTECT, related_name="signing_key")
    public_key = models.CharField(max_length=64)  # raw 32 bytes, urlsafe base64
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.public_key}"


class Heartbeat(models.Model):
    """The last time a long-running process did its round (the intake clock's leader), for
    ``/health/``: a clock that stopped shows there within two minutes."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%H:%M:%S}"
