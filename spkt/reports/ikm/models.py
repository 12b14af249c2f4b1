"""The survey: one invitation per service given, at most one anonymous response per invitation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spkt.reports.ikm.index import ELEMENTS

SCORE_FIELDS = tuple(f"u{i}" for i in range(1, ELEMENTS + 1))


class ServiceKind(models.TextChoices):
    SKTLK = "sktlk", _("SKTLK")
    LP = "lp", _("Laporan Polisi")
    STTLP = "sttlp", _("STTLP")
    CONTACT = "contact", _("Kontak / pengaduan")
    KIOSK = "kiosk", _("Tablet di loket")


class Gender(models.TextChoices):
    L = "L", _("Laki-laki")
    P = "P", _("Perempuan")


class AgeBand(models.TextChoices):
    UNDER_20 = "<20", _("di bawah 20 tahun")
    A20 = "20-29", _("20–29 tahun")
    A30 = "30-39", _("30–39 tahun")
    A40 = "40-49", _("40–49 tahun")
    A50 = "50+", _("50 tahun ke atas")


class Education(models.TextChoices):
    SD = "sd", _("SD ke bawah")
    SMP = "smp", _("SMP")
    SMA = "sma", _("SMA/SMK")
    D3 = "d3", _("D1–D3")
    S1 = "s1", _("D4/S1")
    S2 = "s2", _("S2 ke atas")


class Occupation(models.TextChoices):
    PNS = "pns", _("PNS")
    TNI_POLRI = "tni_polri", _("TNI/Polri")
    SWASTA = "swasta", _("Pegawai swasta")
    WIRAUSAHA = "wirausaha", _("Wirausaha")
    PELAJAR = "pelajar", _("Pelajar/Mahasiswa")
    LAINNYA = "lainnya", _("Lainnya")


class SurveyInvitation(models.Model):
    """A link given to a citizen with a service (a printed QR, a closing reply, the desk tablet).
    The link carries the id and ``nonce`` signed with the server key; the row says whether it is
    still open (``used_at``, ``expires_at``)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    service = models.CharField(_("layanan"), max_length=10, choices=ServiceKind.choices)
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    contact = models.ForeignKey(
        "intake.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    nonce = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("undangan survei")

    def __str__(self) -> str:
        return f"{self.get_service_display()} #{self.pk}"


def _score_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 4}),
        name=f"ikm_response_{name}_1_4",
    )


class SurveyResponse(models.Model):
    """One citizen's answer: nine scores 1–4 in the regulation's order, an optional profile and a
    comment. Anonymous by design: no name, NIK or address of the respondent is stored (a complaint
    that gives a contact goes to the inbox as a contact, not here)."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.PROTECT, related_name="response"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    service = models.CharField(_("layanan"), max_length=10, choices=ServiceKind.choices)
    u1 = models.SmallIntegerField()
    u2 = models.SmallIntegerField()
    u3 = models.SmallIntegerField()
    u4 = models.SmallIntegerField()
    u5 = models.SmallIntegerField()
    u6 = models.SmallIntegerField()
    u7 = models.SmallIntegerField()
    u8 = models.SmallIntegerField()
    u9 = models.SmallIntegerField()
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("usia"), max_length=5, choices=AgeBand.choices, blank=True)
    education = models.CharField(
        _("pendidikan"), max_length=4, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("pekerjaan"), max_length=10, choices=Occupation.choices, blank=True
    )
    comment = models.TextField(_("saran dan masukan"), max_length=2000, blank=True)
    complaint = models.BooleanField(_("pengaduan"), default=False)
    complaint_contact = models.ForeignKey(
        "intake.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("jawaban survei")
        constraints = [_score_constraint(name) for name in SCORE_FIELDS]
        indexes = [
            # ikm_summary: the responses of some units in a period.
            models.Index(fields=["unit", "submitted_at"], name="ikm_response_unit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.submitted_at:%Y-%m-%d}"

    @property
    def scores(self) -> list[int]:
        return [getattr(self, name) for name in SCORE_FIELDS]
