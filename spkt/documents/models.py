"""Activity 4: the official documents (LP, STTLP, SKTLK) and the citizens they are issued to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spkt.core.models import AppendOnlyModel, LedgerHead


class DocType(models.TextChoices):
    LP_A = "LP_A", _("Laporan Polisi model A")
    LP_B = "LP_B", _("Laporan Polisi model B")
    STTLP = "STTLP", _("STTLP")
    SKTLK = "SKTLK", _("SKTLK")


class Gender(models.TextChoices):
    L = "L", _("Laki-laki")
    P = "P", _("Perempuan")


class Citizen(models.Model):
    """A member of the public as identified at a unit's desk. The NIK is stored only encrypted, with
    a keyed hash for exact lookup and a masked form for display (UU 27/2022)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="citizens")
    name = models.CharField(_("nama"), max_length=120)
    nik_encrypted = models.TextField(editable=False)
    nik_hash = models.CharField(max_length=64, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, editable=False)
    birth_place = models.CharField(_("tempat lahir"), max_length=60)
    birth_date = models.DateField(_("tanggal lahir"))
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices)
    religion = models.CharField(_("agama"), max_length=30, blank=True)
    nationality = models.CharField(_("kewarganegaraan"), max_length=40, default="Indonesia")
    occupation = models.CharField(_("pekerjaan"), max_length=80, blank=True)
    address = models.CharField(_("alamat"), max_length=255)
    kelurahan = models.ForeignKey(
        "org.Kelurahan", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("warga")
        verbose_name_plural = _("warga")
        constraints = [
            models.UniqueConstraint(fields=["unit", "nik_hash"], name="citizen_unit_nik_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class Document(AppendOnlyModel):
    """An issued document: a snapshot of everything printed, numbered, chained in the ledger, and
    never changed. Its PDF (DocumentFile) and any voiding (DocumentVoid) live beside it."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(_("jenis"), max_length=10, choices=DocType.choices)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("nomor"), max_length=200)
    issued_at = models.DateTimeField(_("diterbitkan"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shift = models.ForeignKey("dutylog.Shift", on_delete=models.PROTECT, related_name="+")
    citizen = models.ForeignKey(
        Citizen, null=True, on_delete=models.PROTECT, related_name="documents"
    )
    subject_name = models.CharField(_("atas nama"), max_length=120)
    valid_until = models.DateField(_("berlaku sampai"), null=True)
    snapshot = models.JSONField()
    verify_token = models.CharField(max_length=32, unique=True)
    idempotency_key = models.CharField(max_length=64)
    # An STTLP's LP; set at issue like everything else on the row.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The code the reporter follows the case with (LP model B), printed on the STTLP.
    tracking_code = models.CharField(max_length=12, blank=True, db_index=True)
    replaces = models.ForeignKey(
        "self", null=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+"
    )
    # Not a column. Set while issuing (services.issue_document): the ledger head locked for the
    # issue, held until commit.
    book_head: LedgerHead

    class Meta:
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")
        ordering = ["-issued_at"]
        constraints = [
            # Backstop for the counter: one formatted number per unit, one number per counter value.
            models.UniqueConstraint(fields=["unit", "number"], name="document_unit_number_uniq"),
            models.UniqueConstraint(
                fields=["unit", "doc_type", "year", "seq"], name="document_unit_type_year_seq_uniq"
            ),
            # A retried or double-clicked submission finds the document its first try issued.
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"], name="document_unit_idempotency_uniq"
            ),
        ]
        indexes = [
            # Serves the daily report and the register: a unit's documents in a time window.
            models.Index(fields=["unit", "issued_at"], name="document_unit_issued_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class DocumentFile(models.Model):
    """The PDF rendered once after issue, stored with its SHA-256 and served as stored."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="file")
    pdf = models.FileField(upload_to="documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.pdf.name or ""


class DocumentVoid(AppendOnlyModel):
    """Voiding a document: a reason, who and when. The document row itself never changes."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="void")
    reason = models.TextField(_("alasan"))
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.document_id}: {self.reason[:40]}"


class PasalBook(models.TextChoices):
    KUHP_1946 = "KUHP_1946", _("KUHP (UU 1/1946)")
    KUHP_2023 = "KUHP_2023", _("UU 1/2023 tentang KUHP")
    UU_LAIN = "UU_LAIN", _("Undang-undang lain")


class Pasal(models.Model):
    """An article of criminal law, kept as reference data (from documents/data/pasal.json)."""

    book = models.CharField(_("kitab"), max_length=12, choices=PasalBook.choices)
    article = models.CharField(_("pasal"), max_length=40)
    title = models.CharField(_("judul"), max_length=160)
    equivalent = models.CharField(_("padanan"), max_length=40, blank=True)
    uncertain = models.BooleanField(default=False)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("pasal")
        verbose_name_plural = _("pasal")
        ordering = ["book", "article"]
        constraints = [
            models.UniqueConstraint(fields=["book", "article"], name="pasal_book_article_uniq")
        ]

    def __str__(self) -> str:
        return f"Pasal {self.article} {self.get_book_display()} — {self.title}"


class LpModel(models.TextChoices):
    A = "A", _("Model A (ditemukan anggota Polri)")
    B = "B", _("Model B (laporan masyarakat)")


class Classification(models.TextChoices):
    KEJAHATAN = "Kejahatan", _("Kejahatan")
    PELANGGARAN = "Pelanggaran", _("Pelanggaran")
    LAIN = "Lain-lain", _("Lain-lain")


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Konsep")
    REVIEWED = "reviewed", _("Sudah gelar awal")
    ISSUED = "issued", _("Diterbitkan")


class LaporanDraft(models.Model):
    """A Laporan Polisi being written: mutable until issued, then the Document is the record.
    Model B needs the short case review (gelar awal) with Reskrim before it can be issued."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="lp_drafts")
    model = models.CharField(_("model"), max_length=1, choices=LpModel.choices)
    status = models.CharField(max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.PROTECT, related_name="lp_drafts"
    )
    officer = models.ForeignKey(
        "org.Personnel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    classification = models.CharField(
        _("klasifikasi"),
        max_length=12,
        choices=Classification.choices,
        default=Classification.KEJAHATAN,
    )
    # Event, persons (reported, victims, witnesses), account, evidence, actions: see documents.lp.
    data = models.JSONField(default=dict)
    offences = models.ManyToManyField(Pasal, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    recommendation = models.TextField(_("rekomendasi Reskrim"), blank=True)
    document = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )

    class Meta:
        verbose_name = _("konsep LP")
        verbose_name_plural = _("konsep LP")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"LP {self.model} #{self.pk}"


class ProgressStage(models.TextChoices):
    RECEIVED = "diterima", _("Laporan diterima Reskrim")
    INQUIRY = "penyelidikan", _("Penyelidikan")
    INVESTIGATION = "penyidikan", _("Penyidikan")
    HANDED_OVER = "dilimpahkan", _("Dilimpahkan")
    CLOSED = "selesai", _("Selesai")


class CaseProgress(AppendOnlyModel):
    """A progress note (SP2HP) on an issued LP. The public note is what the reporter sees."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="progress")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("tahap"), max_length=12, choices=ProgressStage.choices)
    public_note = models.TextField(_("catatan untuk pelapor"))
    internal_note = models.TextField(_("catatan internal"), blank=True)
    # Chained like the document itself, so a deleted or changed note is found (ADR 0032).
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.stage}"


class PreRegistration(models.Model):
    """What a citizen filled in on the portal before coming to the desk, found by its code."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=[("SKTLK", "SKTLK"), ("LP_B", "LP model B")])
    code = models.CharField(max_length=10, unique=True)
    data = models.JSONField()
    nik_encrypted = models.TextField()
    nik_masked = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("pra-registrasi")
        verbose_name_plural = _("pra-registrasi")

    def __str__(self) -> str:
        return self.code
