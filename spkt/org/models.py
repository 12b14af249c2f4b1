"""Units, people and roles: who works where, and what each of them may see."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from spkt.org.number_patterns import DEFAULT_PATTERNS


class Role(models.TextChoices):
    """Roles are Django groups with these names; a user may hold several."""

    KAPOLSEK = "kapolsek", _("Kapolsek")
    KA_SPKT = "ka_spkt", _("Ka SPKT")
    ANGGOTA_JAGA = "anggota_jaga", _("Anggota Jaga")
    RESKRIM = "reskrim", _("Reskrim")
    PENILAI = "penilai", _("Penilai")
    ADMIN = "admin", _("Admin")


class UnitKind(models.TextChoices):
    POLDA = "polda", _("Polda")
    POLRES = "polres", _("Polres/Polresta")
    POLSEK = "polsek", _("Polsek")


class Unit(models.Model):
    """A police unit. Polda > Polres/Polresta > Polsek; a user sees their unit and all below it."""

    name = models.CharField(_("nama"), max_length=120)
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/1/4/9/") so "this unit and everything below" is one indexed
    # prefix query; written by org.services.unit_create, never by hand.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    number_name = models.CharField(
        _("nama pada nomor surat"), max_length=120, help_text=_("Mis. POLSEK KOTA SELATAN")
    )
    letterhead_name = models.CharField(
        _("nama pada kop surat"), max_length=120, help_text=_("Mis. SEKTOR KOTA SELATAN")
    )
    head_title = models.CharField(
        _("jabatan pimpinan"),
        max_length=160,
        blank=True,
        help_text=_("Mis. KEPALA KEPOLISIAN SEKTOR KOTA SELATAN (untuk baris 'a.n.')"),
    )
    city = models.CharField(_("kota tempat surat"), max_length=60, blank=True)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    shift_start_hour = models.PositiveSmallIntegerField(
        _("jam mulai dinas jaga"), default=8, validators=[MaxValueValidator(23)]
    )
    # SOP activity 1: the first response is due this many minutes after a contact arrives; the
    # Kapolsek is alerted when a breach stays unanswered this much longer.
    response_minutes = models.PositiveSmallIntegerField(
        _("batas tanggapan (menit)"), default=5, validators=[MinValueValidator(1)]
    )
    kapolsek_escalation_minutes = models.PositiveSmallIntegerField(
        _("eskalasi ke Kapolsek (menit setelah terlambat)"), default=5
    )
    duplicate_window_minutes = models.PositiveIntegerField(
        _("jendela kontak ganda (menit)"), default=120
    )
    # The 1 x 24 h standard (SOP activity 2): how the Buku Mutasi of a shift is watched.
    night_start_hour = models.PositiveSmallIntegerField(
        _("awal jam malam"), default=22, validators=[MaxValueValidator(23)]
    )
    night_end_hour = models.PositiveSmallIntegerField(
        _("akhir jam malam"), default=5, validators=[MaxValueValidator(23)]
    )
    night_silence_minutes = models.PositiveSmallIntegerField(
        _("batas sepi malam (menit)"), default=120, validators=[MinValueValidator(15)]
    )
    handover_grace_minutes = models.PositiveSmallIntegerField(
        _("toleransi serah terima (menit)"), default=30
    )
    sktlk_validity_days = models.PositiveSmallIntegerField(
        _("masa berlaku SKTLK (hari)"), default=14, validators=[MinValueValidator(1)]
    )
    # Staff sign-in (ADR 0037): the desk too signs in with a second factor when the unit asks.
    second_factor_for_desk = models.BooleanField(
        _("faktor kedua juga untuk anggota jaga"), default=False
    )
    # Overrides of the document number patterns, keyed by document type (see org.number_patterns).
    number_patterns = models.JSONField(_("pola nomor surat"), default=dict, blank=True)

    class Meta:
        verbose_name = _("satuan")
        verbose_name_plural = _("satuan")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def ancestors_and_self(self) -> list[Unit]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def number_pattern(self, doc_type: str) -> str:
        """The pattern this unit numbers ``doc_type`` with: its own, else the national default."""
        return self.number_patterns.get(doc_type) or DEFAULT_PATTERNS[doc_type]

    def letterhead(self, chain: list[Unit] | None = None) -> dict:
        """The kop surat of this unit's letters: the chain of units above it, then its own
        address. ``chain`` is ``ancestors_and_self()`` when the caller has it already."""
        chain = chain if chain is not None else self.ancestors_and_self()
        return {
            "lines": ["KEPOLISIAN NEGARA REPUBLIK INDONESIA", *(u.letterhead_name for u in chain)],
            "address": self.address,
            "phone": self.phone,
            "unit_name": self.name,
            "city": self.city,
            "head_title": self.head_title,
        }


class Kelurahan(models.Model):
    """A kelurahan (urban village) in a Polsek's area, with its Kemendagri code."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="kelurahan")
    code = models.CharField(_("kode Kemendagri"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=80)

    class Meta:
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class EquipmentKind(models.TextChoices):
    WEAPON = "weapon", _("Senjata api")
    AMMO = "ammo", _("Amunisi")
    RADIO = "radio", _("Alkom (HT)")
    VEHICLE = "vehicle", _("Kendaraan")
    KEY = "key", _("Kunci")
    OTHER = "other", _("Lainnya")


class Equipment(models.Model):
    """An item of the unit's inventory that is counted at every handover."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="equipment")
    kind = models.CharField(_("jenis"), max_length=10, choices=EquipmentKind.choices)
    name = models.CharField(_("nama"), max_length=120)
    serial = models.CharField(_("nomor seri / polisi"), max_length=60, blank=True)
    quantity = models.PositiveIntegerField(_("jumlah"), default=1)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("inventaris")
        verbose_name_plural = _("inventaris")
        ordering = ["unit", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.serial}".strip()


class Pangkat(models.TextChoices):
    """Polri ranks, lowest first; the value is the abbreviation printed in signature blocks."""

    BHARADA = "BHARADA", "Bharada"
    BHARATU = "BHARATU", "Bharatu"
    BHARAKA = "BHARAKA", "Bharaka"
    BRIPDA = "BRIPDA", "Bripda"
    BRIPTU = "BRIPTU", "Briptu"
    BRIGPOL = "BRIGPOL", "Brigpol"
    BRIPKA = "BRIPKA", "Bripka"
    AIPDA = "AIPDA", "Aipda"
    AIPTU = "AIPTU", "Aiptu"
    IPDA = "IPDA", "Ipda"
    IPTU = "IPTU", "Iptu"
    AKP = "AKP", "AKP"
    KOMPOL = "KOMPOL", "Kompol"
    AKBP = "AKBP", "AKBP"
    KOMBES = "KOMBES POL", "Kombes Pol"


nrp_validator = RegexValidator(r"^\d{8}$", _("NRP harus 8 digit angka."))


class Personnel(models.Model):
    """A member of the police, with or without a login."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="personnel")
    name = models.CharField(_("nama"), max_length=120)
    pangkat = models.CharField(_("pangkat"), max_length=12, choices=Pangkat.choices)
    nrp = models.CharField(_("NRP"), max_length=8, unique=True, validators=[nrp_validator])
    jabatan = models.CharField(_("jabatan"), max_length=120, blank=True)
    user = models.OneToOneField(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="personnel"
    )
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("personel")
        verbose_name_plural = _("personel")
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return f"{self.pangkat} {self.name}"

    def signature(self, *, post: str) -> dict[str, str]:
        """The signature block as printed: post, NAME, RANK NRP n."""
        return {"post": post, "name": self.name.upper(), "pangkat": self.pangkat, "nrp": self.nrp}


class User(AbstractUser):
    """A login. Every working user belongs to one unit and sees that unit and the units below."""

    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("satuan"),
    )
    # Not a column: django-otp's middleware sets it on the request's user.
    is_verified: Callable[[], bool]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
