"""Activity 2: guard squads, 24-hour shifts and the Buku Mutasi (duty log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spkt.core.models import AppendOnlyModel


class Regu(models.Model):
    """A guard squad (regu jaga). Squads take the 24-hour shift in turn, in ``order``."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="regu")
    name = models.CharField(_("nama"), max_length=40)
    order = models.PositiveSmallIntegerField(_("urutan"), default=1)
    head = models.ForeignKey(
        "org.Personnel",
        verbose_name=_("Ka SPKT / kepala regu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        "org.Personnel", verbose_name=_("anggota"), blank=True, related_name="regu"
    )

    class Meta:
        verbose_name = _("regu jaga")
        verbose_name_plural = _("regu jaga")
        ordering = ["unit", "order"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="regu_unit_name_uniq")]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """One 24-hour guard shift of a unit."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="shifts")
    regu = models.ForeignKey(
        Regu, null=True, blank=True, on_delete=models.PROTECT, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    ka_spkt = models.ForeignKey(
        "org.Personnel",
        verbose_name=_("Ka SPKT"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dinas jaga")
        verbose_name_plural = _("dinas jaga")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "starts_at"], name="shift_unit_start_uniq")
        ]
        # Serves shift_current: the shift of a unit covering a moment.
        indexes = [
            models.Index(fields=["unit", "starts_at", "ends_at"], name="shift_unit_span_idx")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.starts_at:%Y-%m-%d %H:%M}"


class MutasiCategory(models.TextChoices):
    APEL = "apel", _("Apel")
    KEJADIAN = "kejadian", _("Kejadian")
    LAPORAN_MASYARAKAT = "laporan_masyarakat", _("Laporan masyarakat")
    PERINTAH_PIMPINAN = "perintah_pimpinan", _("Perintah pimpinan")
    PATROLI = "patroli", _("Patroli")
    TAHANAN = "tahanan", _("Tahanan")
    BARANG_BUKTI = "barang_bukti", _("Barang bukti")
    SERAH_TERIMA = "serah_terima", _("Serah terima")
    LAIN_LAIN = "lain_lain", _("Lain-lain")


class Mutasi(AppendOnlyModel):
    """One entry of the Buku Mutasi. Never changed: a correction is a new entry pointing here."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="entries")
    at = models.DateTimeField(_("waktu"))
    category = models.CharField(_("kategori"), max_length=30, choices=MutasiCategory.choices)
    text = models.TextField(_("uraian"))
    red = models.BooleanField(_("tinta merah"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("mutasi")
        verbose_name_plural = _("Buku Mutasi")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["unit", "at"], name="mutasi_unit_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.text[:40]}"
