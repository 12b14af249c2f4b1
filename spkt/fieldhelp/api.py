"""REST API of field help (/api/field-tasks/): the board's list, one task, a new task, the officer's
status update and situation report, with the desk pages' permissions (fieldhelp.views)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from spkt.core.rest import DateTimeField, ModelSerializer
from spkt.fieldhelp import selectors, services
from spkt.fieldhelp.models import (
    Assignment,
    Priority,
    SituationReport,
    Source,
    StatusEvent,
    Task,
    TaskStatus,
    TaskType,
)
from spkt.fieldhelp.photos import PHOTO_MAX, PHOTO_MAX_BYTES, Photo
from spkt.fieldhelp.views import _is_assigned
from spkt.intake.models import Contact
from spkt.org.models import Kelurahan, Unit
from spkt.org.permissions import Action, acting_unit, require, visible_units
from spkt.org.request_types import api_user
from spkt.org.selectors import unit_selected

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

UNIT_PARAM = OpenApiParameter("unit", int, description="Id satuan (default: satuan pengguna)")
PAGE_PARAMS = [
    OpenApiParameter("limit", int, description="Jumlah per halaman (default 50)"),
    OpenApiParameter("offset", int, description="Mulai dari tugas ke-"),
]


def _text(label: str, max_length: int, *, required: bool = False) -> serializers.CharField:
    messages: dict[str, StrOrPromise] = {
        "invalid": _("%(label)s harus berupa teks.") % {"label": label},
        "null": _("%(label)s harus berupa teks.") % {"label": label},
        "max_length": _("%(label)s terlalu panjang (maksimal %(n)d karakter).")
        % {"label": label, "n": max_length},
        "required": _("%(label)s wajib diisi.") % {"label": label},
        "blank": _("%(label)s wajib diisi.") % {"label": label},
    }
    if required:
        return serializers.CharField(max_length=max_length, error_messages=messages)
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", error_messages=messages
    )


def _coordinate(label: str, bound: int) -> serializers.FloatField:
    message = _("%(label)s harus angka di antara -%(n)d dan %(n)d.") % {"label": label, "n": bound}
    return serializers.FloatField(
        min_value=-bound,
        max_value=bound,
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


# --- Output -------------------------------------------------------------------------------------
class FieldAssignmentSerializer(ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "kind", "personnel", "equipment", "name", "active", "assigned_at"]

    def get_name(self, assignment: Assignment) -> str:
        return str(assignment.personnel or assignment.equipment)


# Statuses and sources are plain strings in the output: their enums would collide in the schema
# with the contacts' own ``status`` (drf-spectacular names enums by field name).
STATUS_HELP = ", ".join(TaskStatus.values)


class FieldEventSerializer(ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = StatusEvent
        fields = ["id", "status", "at", "by", "lat", "lon", "accuracy_m", "note", "correction"]


class FieldReportSerializer(ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = SituationReport
        fields = ["id", "text", "evidence", "witnesses", "at", "by", "photos"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_photos(self, report: SituationReport) -> list[int]:
        return [p.pk for p in report.photos.all()]


class FieldTaskSerializer(ModelSerializer):
    type: serializers.SlugRelatedField[TaskType] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    type_label = serializers.CharField(source="type.label", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    source = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.source
        read_only=True, help_text=", ".join(Source.values)
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "unit",
            "type",
            "type_label",
            "source",
            "contact",
            "address",
            "kelurahan",
            "lat",
            "lon",
            "known",
            "details",
            "planned_for",
            "requested_by",
            "priority",
            "status",
            "requested_at",
            "dispatched_at",
            "en_route_at",
            "on_scene_at",
            "cleared_at",
            "handed_to",
            "response_seconds",
            "last_report_at",
            "report_due_at",
            "overdue_at",
        ]


class FieldTaskDetailSerializer(FieldTaskSerializer):
    assignments = FieldAssignmentSerializer(many=True, read_only=True)
    events = FieldEventSerializer(many=True, read_only=True)
    reports = FieldReportSerializer(many=True, read_only=True)
    lp_number = serializers.SerializerMethodField()

    class Meta(FieldTaskSerializer.Meta):
        fields = [*FieldTaskSerializer.Meta.fields, "assignments", "events", "reports", "lp_number"]

    def get_lp_number(self, task: Task) -> str | None:
        draft = task.lp_draft
        return draft.document.number if draft is not None and draft.document is not None else None


class FieldTaskPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = FieldTaskSerializer(many=True)


# --- Input --------------------------------------------------------------------------------------
class FieldTaskFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=TaskStatus.choices,
        required=False,
        error_messages={"invalid_choice": _("Status tidak dikenal.")},
    )
    type = serializers.SlugField(
        max_length=30,
        required=False,
        error_messages={"invalid": _("Jenis bantuan lapangan tidak dikenal.")},
    )
    open = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": _("Isian open harus true atau false.")},
    )


class FieldTaskCreateSerializer(serializers.Serializer):
    type = serializers.SlugField(
        max_length=30,
        error_messages={
            "required": _("Jenis bantuan lapangan wajib diisi."),
            "null": _("Jenis bantuan lapangan wajib diisi."),
            "invalid": _("Jenis bantuan lapangan tidak dikenal."),
            "max_length": _("Jenis bantuan lapangan tidak dikenal."),
        },
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named like Field.source
        choices=[c for c in Source.choices if c[0] != Source.CONTACT],
        required=False,
        default=Source.PHONE,
        error_messages={"invalid_choice": _("Sumber permintaan tidak dikenal.")},
    )
    contact = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": _("Kontak tidak dikenal."),
            "min_value": _("Kontak tidak dikenal."),
            "max_value": _("Kontak tidak dikenal."),
        },
    )
    address = _text(str(_("Alamat lokasi")), 255, required=True)
    kelurahan = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": _("Kelurahan tidak dikenal."),
            "min_value": _("Kelurahan tidak dikenal."),
            "max_value": _("Kelurahan tidak dikenal."),
        },
    )
    lat = _coordinate(str(_("Lintang")), 90)
    lon = _coordinate(str(_("Bujur")), 180)
    known = _text(str(_("Yang diketahui")), 4000)
    requested_by = _text(str(_("Peminta")), 160)
    planned_for = DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Waktu pelaksanaan tugas terencana (ISO 8601 dengan zona waktu).",
    )
    details = serializers.JSONField(
        required=False,
        default=dict,
        help_text="Rincian menurut jenis: pengamanan (event, organiser, permit, crowd, posts, "
        "plan), turjawali (route, checkpoints, escorted), ranmor (matter, plate).",
    )
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        default=Priority.NORMAL,
        error_messages={"invalid_choice": _("Prioritas tidak dikenal.")},
    )


class FieldStatusSerializer(serializers.Serializer):
    status = serializers.CharField(
        max_length=20,
        help_text="en_route, on_scene",
        error_messages={
            "required": _("Status wajib diisi."),
            "null": _("Status wajib diisi."),
            "blank": _("Status wajib diisi."),
            "invalid": _("Status tidak dikenal; gunakan en_route atau on_scene."),
            "max_length": _("Status tidak dikenal; gunakan en_route atau on_scene."),
        },
    )
    idempotency_key = _text(str(_("Kunci idempotensi")), 64, required=True)
    lat = _coordinate(str(_("Lintang")), 90)
    lon = _coordinate(str(_("Bujur")), 180)
    accuracy_m = serializers.FloatField(
        min_value=0,
        max_value=100_000,
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "invalid": _("Akurasi lokasi bukan angka."),
            "min_value": _("Akurasi lokasi tidak masuk akal."),
            "max_value": _("Akurasi lokasi tidak masuk akal."),
        },
    )
    note = _text(str(_("Catatan")), 255)

    def validate_status(self, value: str) -> str:
        if value not in services.ADVANCE:
            raise serializers.ValidationError(
                _("Status tidak dikenal; gunakan en_route atau on_scene.")
            )
        return value


class FieldReportWriteSerializer(serializers.Serializer):
    """Photos (up to three, JPEG/PNG/WebP, 5 MB each) come as multipart files named ``photos``."""

    text = _text(str(_("Laporan situasi")), 4000, required=True)
    idempotency_key = _text(str(_("Kunci idempotensi")), 64, required=True)
    evidence = _text(str(_("Barang bukti")), 4000)
    witnesses = _text(str(_("Saksi")), 4000)


def _valid(serializer: serializers.Serializer) -> dict:
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views --------------------------------------------------------------------------------------
def _detail(task: Task) -> dict:
    task = (
        Task.objects.select_related("type", "lp_draft__document")
        .prefetch_related("assignments__personnel", "assignments__equipment", "events")
        .prefetch_related("reports__photos")
        .get(pk=task.pk)
    )
    return FieldTaskDetailSerializer(task).data


def _for_write(request: Request, pk: int) -> Task:
    """404 out of sight; 403 unless the desk of the task's unit or an officer assigned to it."""
    task = selectors.task_get(user=api_user(request), pk=pk)
    if task.unit_id == api_user(request).unit_id and _is_assigned(api_user(request), task):
        return task
    require(api_user(request), Action.FIELD_WRITE, task.unit)
    return task


@extend_schema(
    methods=["GET"],
    operation_id="field_tasks_list",
    parameters=[UNIT_PARAM, FieldTaskFilterSerializer, *PAGE_PARAMS],
    responses={200: FieldTaskPageSerializer},
)
@extend_schema(
    methods=["POST"],
    operation_id="field_tasks_create",
    request=FieldTaskCreateSerializer,
    responses={201: FieldTaskDetailSerializer},
)
@api_view(["GET", "POST"])
def field_tasks(request: Request) -> Response:
    if request.method == "POST":
        return _create(request)
    require(api_user(request), Action.MUTASI_VIEW)
    units: Iterable[Unit]
    if request.query_params.get("unit"):
        unit = unit_selected(request)
        require(api_user(request), Action.MUTASI_VIEW, unit)
        units = [unit]
    else:
        units = visible_units(api_user(request))
    filters = _valid(FieldTaskFilterSerializer(data=request.query_params))
    qs = Task.objects.filter(unit__in=units).select_related("type")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("type"):
        qs = qs.filter(type__code=filters["type"])
    if filters.get("open") is not None:
        qs = qs.filter(cleared_at__isnull=filters["open"])
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(qs.order_by("-requested_at", "-pk"), request)
    return paginator.get_paginated_response(FieldTaskSerializer(page, many=True).data)


def _create(request: Request) -> Response:
    unit = acting_unit(api_user(request))
    require(api_user(request), Action.FIELD_WRITE, unit)
    data = _valid(FieldTaskCreateSerializer(data=request.data))
    types = {t.code: t for t in services.task_types_for(unit)}
    if data["type"] not in types:
        raise ValidationError({"type": [_("Jenis bantuan lapangan tidak dikenal.")]})
    kelurahan = None
    if data["kelurahan"] is not None:
        kelurahan = Kelurahan.objects.filter(pk=data["kelurahan"], unit=unit).first()
        if kelurahan is None:
            raise ValidationError({"kelurahan": [_("Kelurahan bukan wilayah satuan ini.")]})
    fields = {
        "task_type": types[data["type"]],
        "address": data["address"],
        "kelurahan": kelurahan,
        "lat": data["lat"],
        "lon": data["lon"],
        "known": data["known"],
        "requested_by": data["requested_by"],
        "priority": data["priority"],
        "details": data["details"],
        "planned_for": data["planned_for"],
    }
    if data["contact"] is not None:
        # As the inbox's "Bantuan lapangan": the contact is closed with that outcome.
        contact = Contact.objects.filter(pk=data["contact"], unit=unit).first()
        if contact is None:
            raise ValidationError({"contact": [_("Kontak bukan milik satuan ini.")]})
        task = services.task_from_contact(actor=api_user(request), contact=contact, **fields)
    else:
        task = services.task_create(
            actor=api_user(request), unit=unit, source=data["source"], **fields
        )
    return Response(_detail(task), status=201)


@extend_schema(responses=FieldTaskDetailSerializer)
@api_view(["GET"])
def field_task(request: Request, pk: int) -> Response:
    task = selectors.task_get(user=api_user(request), pk=pk)
    if not _is_assigned(api_user(request), task):
        require(api_user(request), Action.MUTASI_VIEW, task.unit)
    return Response(_detail(task))


@extend_schema(request=FieldStatusSerializer, responses={200: FieldTaskDetailSerializer})
@api_view(["POST"])
def field_task_status(request: Request, pk: int) -> Response:
    """Forward only (en_route, on_scene); a status going back is a 400. The same idempotency key
    again is answered with the task and applied once."""
    task = _for_write(request, pk)
    data = _valid(FieldStatusSerializer(data=request.data))
    task = services.task_status(actor=api_user(request), task=task, **data)
    return Response(_detail(task))


@extend_schema(
    request=FieldReportWriteSerializer,
    responses={200: FieldReportSerializer, 201: FieldReportSerializer},
)
@api_view(["POST"])
def field_task_reports(request: Request, pk: int) -> Response:
    """A situation report: 201, or 200 with the first report when the key was seen before."""
    task = _for_write(request, pk)
    data = _valid(FieldReportWriteSerializer(data=request.data))
    files = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
    if len(files) > PHOTO_MAX:
        raise ValidationError(
            {"photos": [_("Paling banyak %(n)d foto per laporan situasi.") % {"n": PHOTO_MAX}]}
        )
    photos = [Photo(f.name or "foto", f.read(PHOTO_MAX_BYTES + 1)) for f in files]
    seen = SituationReport.objects.filter(task=task, idempotency_key=data["idempotency_key"])
    replay = seen.exists()
    report = services.task_report(actor=api_user(request), task=task, photos=photos, **data)
    return Response(FieldReportSerializer(report).data, status=200 if replay else 201)
