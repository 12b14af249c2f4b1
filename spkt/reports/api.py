"""REST endpoints of the daily report: submit (Ka SPKT) and acknowledge (Kapolsek). Same
permission checks as the pages; the draft itself is GET /api/reports/daily/ (spkt.api.views)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from spkt.core.dates import parse_date
from spkt.core.rest import DateTimeField
from spkt.org.permissions import Action, acting_unit, require, visible_units
from spkt.org.request_types import api_user
from spkt.reports import services
from spkt.reports.models import DailyReport
from spkt.reports.selectors import report_get
from spkt.reports.services import MAX_TEXT


class SubmitSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    date = serializers.CharField(
        max_length=40, help_text=_("Hari dinas, TTTT-BB-HH (2000-01-01 s.d. 2100-12-31)")
    )
    situation = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    remarks = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    matters = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)

    def validate_date(self, value: str) -> datetime.date:  # `date` here is the field
        try:
            return parse_date(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class DailyAcknowledgeSerializer(serializers.Serializer):
    disposisi = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)


class StoredReportSerializer(serializers.ModelSerializer):
    submitted_at = DateTimeField()
    shift_closed_at = DateTimeField()
    acknowledged_at = DateTimeField(allow_null=True)
    submit_met = serializers.BooleanField()

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "unit",
            "day",
            "status",
            "snapshot",
            "situation",
            "remarks",
            "matters",
            "submitted_by",
            "submitted_at",
            "shift_closed_at",
            "submit_seconds",
            "submit_met",
            "acknowledged_by",
            "acknowledged_at",
            "disposisi",
        ]


@extend_schema(
    request=SubmitSerializer,
    responses={201: StoredReportSerializer, 400: None, 403: None, 404: None},
)
@api_view(["POST"])
def daily_submit(request: Request) -> Response:
    body = SubmitSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    if "unit" in data:
        unit = visible_units(api_user(request)).filter(pk=data["unit"]).first()
        if unit is None:
            raise Http404
    else:
        unit = acting_unit(api_user(request))
    require(api_user(request), Action.REPORT_SUBMIT, unit)
    try:
        report = services.report_submit(
            actor=api_user(request),
            unit=unit,
            day=data["date"],
            situation=data.get("situation", ""),
            remarks=data.get("remarks", ""),
            matters=data.get("matters", ""),
        )
    except DjangoValidationError as exc:
        raise ValidationError({"detail": exc.messages}) from None
    return Response(StoredReportSerializer(report).data, status=201)


@extend_schema(
    request=DailyAcknowledgeSerializer,
    responses={200: StoredReportSerializer, 400: None, 403: None, 404: None},
)
@api_view(["POST"])
def daily_acknowledge(request: Request, pk: int) -> Response:
    report = report_get(user=api_user(request), pk=pk)
    require(api_user(request), Action.REPORT_ACK, report.unit)
    body = DailyAcknowledgeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        report = services.report_acknowledge(
            actor=api_user(request),
            report=report,
            disposisi=body.validated_data.get("disposisi", ""),
        )
    except DjangoValidationError as exc:
        raise ValidationError({"detail": exc.messages}) from None
    return Response(StoredReportSerializer(report).data)
