"""Activity 3: field help (TPTKP, Turjawali, event security, vehicle matters), dispatched, tracked
and reported every hour."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from spkt.core.models import AppendOnlyModel


class Family(models.TextChoices):
    TPTKP = "tptkp", _("TPTKP")
    TURJAWALI = "turjawali", _("Turjawali")
    PENGAMANAN = "pengamanan", _("Pengamanan kegiatan")
    RANMOR = "ranmor", _("Ranmor")


class TaskType(models.Model):
    """A kind of field task with its steps, as data. Global rows (no unit) are the shipped
    defaults; a unit may add its own or replace a default by using the same code."""

    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("kode"), max_length=30)
    label = models.CharField(_("nama"), max_length=80)
    family = models.CharField(_("golongan"), max_length=12, choices=Family.choices)
    # The "per jam" standard: a situation report is due this many minutes after the last one.
    report_interval_minutes = models.PositiveSmallIntegerField(
        _("interval laporan situasi (menit)"), default=60, validators=[MinValueValidator(5)]
    )
    # Written in red in the Buku Mutasi (TPTKP).
    red = models.BooleanField(_("tinta merah"), default=False)
    steps = models.JSONField(_("langkah"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("jenis bantuan lapangan")
        verbose_name_plural = _("jenis bantuan lapangan")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="tasktype_unit_code_uniq"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(unit=None), name="tasktype_global_code_uniq"
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)


class Source(models.TextChoices):
    CONTACT = "contact", _("Kontak masyarakat")
    PHONE = "phone", _("Telepon")
    ORDER = "order", _("Perintah pimpinan")
    PLANNED = "planned", _("Terencana")


class Priority(models.TextChoices):
    HIGH = "high", _("Tinggi")
    NORMAL = "normal", _("Biasa")
    LOW = "low", _("Rendah")


class TaskStatus(models.TextChoices):
    """In the order a task moves through; a status never goes back except by a correction."""

    REQUESTED = "requested", _("Diminta")
    DISPATCHED = "dispatched", _("Diberangkatkan")
    EN_ROUTE = "en_route", _("Dalam perjalanan")
    ON_SCENE = "on_scene", _("Tiba di lokasi")
    CLEARED = "cleared", _("Selesai")
    HANDED_OVER = "handed_over", _("Diserahkan")


STATUS_ORDER = [s.value for s in TaskStatus]
CLOSED_STATUSES = frozenset({TaskStatus.CLEARED, TaskStatus.HANDED_OVER})


class Task(models.Model):
    """One field-help request, with the timestamps its hourly standard needs."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="field_tasks")
    type = models.ForeignKey(TaskType, on_delete=models.PROTECT, related_name="tasks")
    source = models.CharField(_("sumber"), max_length=10, choices=Source.choices)
    contact = models.ForeignKey(
        "intake.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_tasks",
    )
    address = models.CharField(_("alamat lokasi"), max_length=255)
    kelurahan = models.ForeignKey(
        "org.Kelurahan", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lat = models.DecimalField(
        _("lintang"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lon = models.DecimalField(
        _("bujur"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    known = models.TextField(_("yang diketahui"), blank=True)
    # What the task's kind needs beyond place and what is known (spkt.fieldhelp.details).
    details = models.JSONField(_("rincian"), default=dict, blank=True)
    requested_by = models.CharField(_("peminta"), max_length=160, blank=True)
    priority = models.CharField(
        _("prioritas"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.REQUESTED
    )
    planned_for = models.DateTimeField(_("direncanakan"), null=True, blank=True)
    requested_at = models.DateTimeField(_("diminta"))
    dispatched_at = models.DateTimeField(_("diberangkatkan"), null=True, blank=True)
    en_route_at = models.DateTimeField(_("berangkat"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("tiba"), null=True, blank=True)
    cleared_at = models.DateTimeField(
        pgettext_lazy("tugas lapangan", "selesai"), null=True, blank=True
    )
    handed_to = models.CharField(_("diserahkan kepada"), max_length=120, blank=True)
    # Request -> on scene, stored for the reports and the assessor.
    response_seconds = models.PositiveIntegerField(_("waktu tanggap (detik)"), null=True)
    # The hourly standard as data: the next situation report is due at this moment.
    last_report_at = models.DateTimeField(null=True, blank=True)
    report_due_at = models.DateTimeField(_("batas laporan situasi"), null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_kapolsek_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Raised by every write that changes the task's row on the board (dispatch, status, report,
    # clearance): the board's poll fingerprints the open tasks by it (selectors.board_etag).
    version = models.PositiveIntegerField(default=0)
    # The LP model A drafted from a TPTKP task (hand-off); its document carries the LP number.
    lp_draft = models.ForeignKey(
        "documents.LaporanDraft",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_tasks",
    )

    class Meta:
        verbose_name = _("bantuan lapangan")
        verbose_name_plural = _("bantuan lapangan")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # Serves the desk board: a unit's open tasks.
            models.Index(
                fields=["unit", "requested_at"],
                name="fieldtask_unit_open_idx",
                condition=models.Q(cleared_at__isnull=True),
            ),
            # Serves the hourly sweep: open tasks whose situation report is due.
            models.Index(
                fields=["report_due_at"],
                name="fieldtask_report_due_idx",
                condition=models.Q(cleared_at__isnull=True),
            ),
            # Serves the register: a unit's tasks by request time, closed ones included.
            models.Index(fields=["unit", "-requested_at"], name="fieldtask_unit_register_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} — {self.address}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


class AssetKind(models.TextChoices):
    PERSONNEL = "personnel", _("Personel")
    EQUIPMENT = "equipment", _("Inventaris")


class Assignment(models.Model):
    """An officer or an item of inventory (vehicle, HT) on a task until released. At most one
    active assignment per officer and per item: the database decides between two dispatchers."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=10, choices=AssetKind.choices)
    personnel = models.ForeignKey(
        "org.Personnel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    equipment = models.ForeignKey(
        "org.Equipment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    override_reason = models.CharField(_("alasan pengecualian"), max_length=255, blank=True)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["personnel"],
                condition=models.Q(active=True, personnel__isnull=False),
                name="assignment_one_active_personnel",
            ),
            models.UniqueConstraint(
                fields=["equipment"],
                condition=models.Q(active=True, equipment__isnull=False),
                name="assignment_one_active_equipment",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="personnel", personnel__isnull=False, equipment__isnull=True)
                    | models.Q(kind="equipment", equipment__isnull=False, personnel__isnull=True)
                ),
                name="assignment_one_asset",
            ),
        ]
        indexes = [
            # Serves the board's "who is free": the active assignments, a small part of the table.
            models.Index(
                fields=["task"], name="assignment_active_idx", condition=models.Q(active=True)
            ),
        ]

    def __str__(self) -> str:
        return str(self.personnel or self.equipment)


class StatusEvent(AppendOnlyModel):
    """The task's timeline. Never changed; a status going back is a new event marked correction."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=12, choices=TaskStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The phone's reported accuracy of lat/lon, in metres.
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    correction = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "idempotency_key"], name="statusevent_task_key_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.at:%H:%M}"


class StepTick(models.Model):
    """A step of the task's type done, with its time and who."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="ticks")
    step = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(fields=["task", "step"], name="steptick_task_step_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.at:%H:%M}"


class SituationReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("laporan situasi"))
    # One item per line; carried into the LP model A of a TPTKP task.
    evidence = models.TextField(_("barang bukti"), blank=True)
    witnesses = models.TextField(_("saksi"), blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "idempotency_key"], name="sitrep_task_key_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.text[:40]}"


class ReportPhoto(models.Model):
    """A photo from the scene sent with a situation report (at most PHOTO_MAX per report)."""

    report = models.ForeignKey(SituationReport, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="fieldhelp/%Y/%m/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file.name or ""


class TaskAlert(models.Model):
    """An alert of the hourly clock for one user (Ka SPKT on duty, then the Kapolsek); shown
    beside the 5-minute clock's alerts on the dashboard."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_alerts"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    # The report deadline that was missed: one alert per user, kind and missed deadline.
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "task", "kind", "due_at"], name="taskalert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
