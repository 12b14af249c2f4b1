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


class ShiftStatus(models.TextChoices):
    PLANNED = "planned", _("Terjadwal")
    OPEN = "open", _("Berjalan")
    CLOSED = "closed", _("Diserahterimakan")


class Shift(models.Model):
    """One 24-hour guard shift of a unit: planned by the roster, opened at the roll call (apel),
    closed and sealed at the handover (serah terima). At most one shift of a unit is open."""

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
    pawas = models.ForeignKey(
        "org.Personnel",
        verbose_name=_("Pawas"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        "org.Personnel", verbose_name=_("anggota dinas"), blank=True, related_name="shifts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ShiftStatus.choices, default=ShiftStatus.PLANNED
    )
    opened_at = models.DateTimeField(_("dibuka"), null=True, blank=True)
    closed_at = models.DateTimeField(_("diserahterimakan"), null=True, blank=True)
    # The 1 x 24 h standard as data: the handover is due by this moment (end + the unit's grace).
    handover_due_at = models.DateTimeField(_("batas serah terima"), null=True, blank=True)

    class Meta:
        verbose_name = _("dinas jaga")
        verbose_name_plural = _("dinas jaga")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "starts_at"], name="shift_unit_start_uniq"),
            # "A second open shift for the same unit" is refused by the database as well.
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status="open"),
                name="shift_one_open_per_unit",
            ),
        ]
        # Serves shift_current: the shift of a unit covering a moment.
        indexes = [
            models.Index(fields=["unit", "starts_at", "ends_at"], name="shift_unit_span_idx")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.starts_at:%Y-%m-%d %H:%M}"

    def lineup(self) -> set[int]:
        """Personnel ids who belong to this shift: its members, Ka SPKT and Pawas."""
        ids = set(self.members.values_list("pk", flat=True))
        ids.update(i for i in (self.ka_spkt_id, self.pawas_id) if i)
        return ids


class RosterChangeKind(models.TextChoices):
    ABSENT = "absent", _("Berhalangan")
    SWAP = "swap", _("Tukar dinas")


class RosterChange(models.Model):
    """An absence or a swap on a planned shift, always with its reason."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("jenis"), max_length=10, choices=RosterChangeKind.choices)
    person = models.ForeignKey("org.Personnel", on_delete=models.PROTECT, related_name="+")
    replacement = models.ForeignKey(
        "org.Personnel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("alasan"), max_length=255)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"


class RollCallLine(models.Model):
    """One line of a shift's opening roll call (apel): present, or absent with the reason."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="roll_call")
    person = models.ForeignKey("org.Personnel", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("hadir"))
    reason = models.CharField(_("keterangan"), max_length=255, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="rollcall_shift_person_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {'hadir' if self.present else self.reason}"


class EntryCategory(models.Model):
    """A Buku Mutasi category. Global rows (no unit) are the defaults; a unit may add its own and
    choose which categories are written in red by default."""

    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("kode"), max_length=30)
    label = models.CharField(_("nama"), max_length=60)
    red_default = models.BooleanField(_("tinta merah"), default=False)
    order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("kategori mutasi")
        verbose_name_plural = _("kategori mutasi")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="category_unit_code_uniq"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(unit=None), name="category_global_code_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.label


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
    # A code of EntryCategory; kept as text so the ledger payload never depends on another table.
    category = models.CharField(_("kategori"), max_length=30)
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
    # Not a column: set by selectors.with_labels (categories are data, not choices).
    category_label: str

    class Meta:
        verbose_name = _("mutasi")
        verbose_name_plural = _("Buku Mutasi")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["unit", "at"], name="mutasi_unit_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.text[:40]}"


class PendingEntry(models.Model):
    """An entry on its way into the book. A hot path (an officer's status tap in the field) records
    it with one plain insert instead of queueing on the unit's book lock; ``mutasi_flush`` appends
    the waiting entries in time order, several under one lock, and deletes them in the same
    transaction, so each reaches the book exactly once (ADR 0042)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    category = models.CharField(max_length=30)
    text = models.TextField()
    # None: the red ink the unit gives the category when the entry is flushed.
    red = models.BooleanField(null=True, default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["unit", "at"], name="pendingentry_unit_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.text[:40]}"


class HandoverStatus(models.TextChoices):
    DRAFT = "draft", _("Sedang dihitung")
    DONE = "done", _("Selesai")


class Handover(models.Model):
    """The serah terima from the outgoing shift to the incoming one."""

    outgoing = models.OneToOneField(Shift, on_delete=models.PROTECT, related_name="handover_out")
    incoming = models.OneToOneField(Shift, on_delete=models.PROTECT, related_name="handover_in")
    status = models.CharField(
        max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.DRAFT
    )
    notes = models.TextField(_("catatan"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    outgoing_confirmed_by = models.ForeignKey(
        "org.Personnel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incoming_confirmed_by = models.ForeignKey(
        "org.Personnel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The ledger entry of the handover summary: the outgoing book's last link, its seal.
    seal_entry = models.OneToOneField(
        "core.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_seal",
    )

    def __str__(self) -> str:
        return f"{self.outgoing} -> {self.incoming}"


class ItemKind(models.TextChoices):
    PERSONNEL = "personnel", _("Personel")
    WEAPON = "weapon", _("Senjata api")
    AMMO = "ammo", _("Amunisi")
    RADIO = "radio", _("Alkom (HT)")
    VEHICLE = "vehicle", _("Kendaraan")
    DETAINEE = "detainee", _("Tahanan")
    EVIDENCE = "evidence", _("Barang bukti")
    KEY = "key", _("Kunci")
    OPEN_CASE = "open_case", _("Perkara/kontak terbuka")
    OTHER = "other", _("Lainnya")


class HandoverItem(models.Model):
    """One line of the handover checklist, as counted by the incoming squad."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("jenis"), max_length=12, choices=ItemKind.choices)
    label = models.CharField(_("uraian"), max_length=200)
    serial = models.CharField(_("nomor seri"), max_length=60, blank=True)
    expected = models.PositiveIntegerField(_("jumlah tercatat"), default=1)
    counted = models.PositiveIntegerField(_("jumlah dihitung"), null=True, blank=True)
    odometer = models.PositiveIntegerField(_("odometer (km)"), null=True, blank=True)
    fuel = models.CharField(_("BBM"), max_length=20, blank=True)
    condition = models.CharField(_("kondisi"), max_length=120, blank=True)
    discrepancy_reason = models.CharField(_("alasan selisih"), max_length=255, blank=True)
    equipment = models.ForeignKey(
        "org.Equipment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def discrepant(self) -> bool:
        return self.counted is not None and self.counted != self.expected
