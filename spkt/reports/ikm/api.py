"""GET /api/ikm/: the survey summary of a unit (rolled up with the units below it) for a month or
a date range, with the results page's permission."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from spkt.core.dates import DateInputError
from spkt.org.permissions import Action, require, visible_units
from spkt.org.selectors import unit_selected
from spkt.reports.ikm.models import ServiceKind
from spkt.reports.ikm.period import period_from
from spkt.reports.ikm.selectors import ikm_summary

SCORE: dict[str, Any] = {"max_digits": 6, "decimal_places": 3}


class ElementSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    nrr = serializers.DecimalField(max_digits=4, decimal_places=2)
    weighted = serializers.DecimalField(**SCORE)


class IkmSummarySerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="Hari terakhir periode (inklusif)")
    service = serializers.CharField(allow_null=True)
    responses = serializers.IntegerField()
    services = serializers.IntegerField(help_text="Jumlah layanan pada periode")
    minimum_sample = serializers.IntegerField(help_text="Sampel minimum Krejcie–Morgan")
    sample_reached = serializers.BooleanField()
    ikm = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    category = serializers.CharField(allow_null=True)
    performance = serializers.CharField(allow_null=True)
    elements = ElementSerializer(many=True)


@extend_schema(
    operation_id="ikm_summary",
    parameters=[
        OpenApiParameter("unit", int, description="Id satuan (default: satuan pengguna)"),
        OpenApiParameter("bulan", str, description="Bulan TTTT-BB (default: bulan ini)"),
        OpenApiParameter("dari", OpenApiTypes.DATE, description="Tanggal awal (dengan sampai)"),
        OpenApiParameter("sampai", OpenApiTypes.DATE, description="Tanggal akhir, inklusif"),
        OpenApiParameter("layanan", str, enum=ServiceKind.values, description="Jenis layanan"),
    ],
    responses={200: IkmSummarySerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def ikm(request: Request) -> Response:
    unit = unit_selected(request)
    require(request.user, Action.REPORT_VIEW, unit)
    try:
        period = period_from(request.query_params)
    except DateInputError as exc:
        raise ValidationError({"periode": [str(exc)]}) from None
    service = request.query_params.get("layanan") or None
    if service is not None and service not in ServiceKind.values:
        raise ValidationError({"layanan": [_("Jenis layanan tidak dikenal.")]})
    unit_ids = list(
        visible_units(request.user).filter(path__startswith=unit.path).values_list("pk", flat=True)
    )
    summary = ikm_summary(unit_ids=unit_ids, start=period.start, end=period.end, service=service)
    data = {
        "unit": unit.pk,
        "start": period.first,
        "end": period.last,
        "service": service,
        "responses": summary.responses,
        "services": summary.services,
        "minimum_sample": summary.minimum_sample,
        "sample_reached": summary.sample_reached,
        "ikm": summary.ikm,
        "category": summary.category,
        "performance": summary.performance,
        "elements": [vars(row) for row in summary.elements],
    }
    return Response(IkmSummarySerializer(data).data)
