"""REST API over what the desk pages do, with the same permission checks (org.permissions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from spkt.api import serializers as s
from spkt.core import clock
from spkt.core.dates import parse_date
from spkt.core.timeutil import duty_day_of
from spkt.documents import selectors, services
from spkt.documents.views import pdf_response
from spkt.dutylog import selectors as dutylog_selectors
from spkt.dutylog import services as dutylog_services
from spkt.dutylog.models import Mutasi
from spkt.dutylog.selectors import shift_entries, shift_on_duty
from spkt.intake import selectors as intake_selectors
from spkt.intake import services as intake_services
from spkt.intake.forms import CloseForm
from spkt.intake.models import Contact
from spkt.org.permissions import Action, acting_unit, require, visible_units
from spkt.org.request_types import api_user
from spkt.org.selectors import unit_selected
from spkt.reports.selectors import daily_report

UNIT_PARAM = OpenApiParameter("unit", int, description="Id satuan (default: satuan pengguna)")


@extend_schema(responses=s.UnitSerializer(many=True))
@api_view(["GET"])
def units(request: Request) -> Response:
    return Response(s.UnitSerializer(visible_units(api_user(request)), many=True).data)


PAGE_PARAMS = [
    OpenApiParameter("limit", int, description="Jumlah per halaman (default 50)"),
    OpenApiParameter("offset", int, description="Mulai dari dokumen ke-"),
]


@extend_schema(
    operation_id="documents_list",
    parameters=[UNIT_PARAM, *PAGE_PARAMS],
    responses=s.DocumentPageSerializer,
)
@api_view(["GET"])
def documents(request: Request) -> Response:
    require(api_user(request), Action.DOCUMENT_VIEW)
    unit = unit_selected(request) if request.query_params.get("unit") else None
    qs = selectors.document_list(user=api_user(request), unit=unit).prefetch_related("replaced_by")
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(qs, request)
    return paginator.get_paginated_response(s.DocumentSerializer(page, many=True).data)


@extend_schema(responses=s.DocumentSerializer)
@api_view(["GET"])
def document(request: Request, pk: int) -> Response:
    doc = selectors.document_get(user=api_user(request), pk=pk)
    require(api_user(request), Action.DOCUMENT_VIEW, doc.unit)
    return Response(s.DocumentSerializer(doc).data)


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
@api_view(["GET"])
def document_pdf(request: Request, pk: int) -> FileResponse:
    doc = selectors.document_get(user=api_user(request), pk=pk)
    require(api_user(request), Action.DOCUMENT_VIEW, doc.unit)
    return pdf_response(request, doc, attachment=True)


@extend_schema(request=s.SktlkIssueSerializer, responses={201: s.DocumentSerializer})
@api_view(["POST"])
def sktlk_issue(request: Request) -> Response:
    require(api_user(request), Action.SKTLK_ISSUE)
    unit = acting_unit(api_user(request))
    require(api_user(request), Action.SKTLK_ISSUE, unit)
    payload = s.SktlkIssueSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    doc = services.sktlk_issue(
        actor=api_user(request),
        unit=unit,
        citizen=payload.citizen_data(),
        items=payload.lost_items(),
        lost_on=payload.validated_data["lost_on"],
        lost_place=payload.validated_data["lost_place"],
        chronology=payload.validated_data["chronology"],
        idempotency_key=payload.validated_data["idempotency_key"],
    )
    return Response(s.DocumentSerializer(doc).data, status=201)


@extend_schema(
    parameters=[UNIT_PARAM],
    request=s.MutasiWriteSerializer,
    responses={200: s.MutasiSerializer(many=True), 201: s.MutasiSerializer},
)
@api_view(["GET", "POST"])
def mutasi(request: Request) -> Response:
    if request.method == "POST":
        unit = acting_unit(api_user(request))
        require(api_user(request), Action.MUTASI_WRITE, unit)
        body = s.MutasiWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = dutylog_services.mutasi_write(
            actor=api_user(request), unit=unit, **body.validated_data
        )
        return Response(s.MutasiSerializer(entry).data, status=201)
    unit = unit_selected(request)
    require(api_user(request), Action.MUTASI_VIEW, unit)
    shift = shift_on_duty(unit=unit)
    entries = shift_entries(shift=shift) if shift else []
    return Response(s.MutasiSerializer(entries, many=True).data)


@extend_schema(
    parameters=[
        UNIT_PARAM,
        OpenApiParameter("date", OpenApiTypes.DATE, description="2000-01-01 s.d. 2100-12-31"),
    ],
    responses={200: s.DailyReportSerializer, 400: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def report_daily(request: Request) -> Response:
    unit = unit_selected(request)
    require(api_user(request), Action.REPORT_VIEW, unit)
    raw = request.query_params.get("date")
    try:
        day = parse_date(raw) if raw else duty_day_of(clock.now(), unit.shift_start_hour)
    except DjangoValidationError as exc:
        raise ValidationError({"date": exc.messages}) from None
    return Response(s.DailyReportSerializer(daily_report(unit=unit, day=day)).data)


def _entry(request: Request, pk: int) -> Mutasi:
    entry = dutylog_selectors.mutasi_get(user=api_user(request), pk=pk)
    require(api_user(request), Action.MUTASI_VIEW, entry.unit)
    return entry


@extend_schema(request=None, responses={200: s.MutasiSerializer, 405: None})
@api_view(["GET", "PUT", "PATCH", "DELETE"])
def mutasi_entry(request: Request, pk: int) -> Response:
    """Entries are read here; a change or delete is refused (405) and the attempt audit-logged."""
    entry = _entry(request, pk)
    if request.method != "GET":
        dutylog_services.mutasi_change_refused(
            actor=api_user(request), entry=entry, method=request.method or "", request=request
        )
        return Response(
            {"detail": _("Entri Buku Mutasi tidak dapat diubah atau dihapus; catat koreksi.")},
            status=405,
        )
    return Response(s.MutasiSerializer(entry).data)


@extend_schema(request=s.CorrectionSerializer, responses={201: s.MutasiSerializer})
@api_view(["POST"])
def mutasi_correct(request: Request, pk: int) -> Response:
    entry = _entry(request, pk)
    require(api_user(request), Action.MUTASI_WRITE, entry.unit)
    body = s.CorrectionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    fixed = dutylog_services.mutasi_correct(
        actor=api_user(request), original=entry, text=body.validated_data["text"]
    )
    return Response(s.MutasiSerializer(fixed).data, status=201)


# --- Contacts: the desk's inbox, with the desk's permissions (intake.views) ----------------------
@extend_schema(
    operation_id="contacts_list",
    parameters=[UNIT_PARAM, s.ContactFilterSerializer, *PAGE_PARAMS],
    responses=s.ContactPageSerializer,
)
@api_view(["GET"])
def contacts(request: Request) -> Response:
    require(api_user(request), Action.MUTASI_VIEW)
    unit = unit_selected(request) if request.query_params.get("unit") else None
    if unit is not None:
        require(api_user(request), Action.MUTASI_VIEW, unit)
    filters = s.ContactFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    qs = intake_selectors.contact_list(
        user=api_user(request),
        unit=unit,
        status=filters.validated_data.get("status", ""),
        channel=filters.validated_data.get("channel", ""),
    )
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(qs, request)
    return paginator.get_paginated_response(s.ContactSerializer(page, many=True).data)


def _contact_detail(contact: Contact) -> dict:
    thread = intake_selectors.contact_thread(contact=contact)
    return s.ContactDetailSerializer(contact, context={"thread": thread}).data


@extend_schema(responses=s.ContactDetailSerializer)
@api_view(["GET"])
def contact(request: Request, pk: int) -> Response:
    found = intake_selectors.contact_get(user=api_user(request), pk=pk)
    require(api_user(request), Action.MUTASI_VIEW, found.unit)
    return Response(_contact_detail(found))


def _contact_for_write(request: Request, pk: int) -> Contact:
    """404 for a contact out of sight, 403 for a role that may only read (as on the desk)."""
    found = intake_selectors.contact_get(user=api_user(request), pk=pk)
    require(api_user(request), Action.MUTASI_WRITE, found.unit)
    return found


@extend_schema(request=None, responses={200: s.ContactDetailSerializer, 400: OpenApiTypes.OBJECT})
@api_view(["POST"])
def contact_claim(request: Request, pk: int) -> Response:
    claimed = intake_services.contact_claim(
        actor=api_user(request), contact=_contact_for_write(request, pk)
    )
    return Response(_contact_detail(claimed))


@extend_schema(request=s.ReplySerializer, responses={201: s.MessageSerializer})
@api_view(["POST"])
def contact_reply(request: Request, pk: int) -> Response:
    """The reply goes out on the contact's own channel through the outbox, as from the desk; the
    answer is the message, ``delivery`` pending until the provider confirms."""
    found = _contact_for_write(request, pk)
    body = s.ReplySerializer(data=request.data)
    body.is_valid(raise_exception=True)
    message = intake_services.contact_reply(
        actor=api_user(request), contact=found, body=body.validated_data["body"]
    )
    return Response(s.MessageSerializer(message).data, status=201)


@extend_schema(request=s.AcknowledgeSerializer, responses={200: s.ContactDetailSerializer})
@api_view(["POST"])
def contact_acknowledge(request: Request, pk: int) -> Response:
    found = _contact_for_write(request, pk)
    body = s.AcknowledgeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    answered = intake_services.contact_acknowledge(
        actor=api_user(request), contact=found, note=body.validated_data["note"]
    )
    return Response(_contact_detail(answered))


@extend_schema(request=s.CloseSerializer, responses={200: s.ContactDetailSerializer})
@api_view(["POST"])
def contact_close(request: Request, pk: int) -> Response:
    """Outcome ``field_help`` is refused: the desk's field-help action creates the task that
    closes the contact."""
    found = _contact_for_write(request, pk)
    body = s.CloseSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    # The desk's own form finds the SKTLK/LP by its number in the contact's unit.
    form = CloseForm(body.validated_data, unit=found.unit)
    if not form.is_valid():
        raise ValidationError(
            {
                "non_field_errors" if name == "__all__" else name: [str(e) for e in errors]
                for name, errors in form.errors.items()
            }
        )
    closed = intake_services.contact_close(
        actor=api_user(request),
        contact=found,
        outcome=form.cleaned_data["outcome"],
        document=form.cleaned_data["document"],
    )
    return Response(_contact_detail(closed))


class TokenObtain(ObtainAuthToken):
    """DRF's token view with the API's parsers: its own list has DRF's JSON parser, which recurses
    on deeply nested JSON (a 500)."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # type: ignore[assignment]  # classes, once imported
    serializer_class = s.TokenRequestSerializer


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/: a JSON 404 like the API's own, not the HTML page."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
