"""JSON figures of the compliance page and the Anev, with the pages' permissions."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from spkt.core import clock
from spkt.core.dates import parse_date, parse_month
from spkt.core.timeutil import duty_day_of
from spkt.org.permissions import Action, require
from spkt.org.selectors import unit_selected
from spkt.reports.anev import periods
from spkt.reports.anev.anev import anev_report
from spkt.reports.anev.standards import standards_month

UNIT_PARAM = OpenApiParameter("unit", int, description="Id satuan (default: satuan pengguna)")


class RowSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    url = serializers.CharField()
    met = serializers.IntegerField()
    total = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class MissSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    day = serializers.DateField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    url = serializers.CharField()
    officer = serializers.CharField()
    shift = serializers.CharField(source="shift_label")
    detail = serializers.CharField()


class StandardSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    available = serializers.BooleanField()
    met = serializers.IntegerField()
    total = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    unmeasured = serializers.IntegerField()
    response_median_min = serializers.FloatField(allow_null=True)
    by_shift = RowSerializer(many=True)
    by_officer = RowSerializer(many=True)
    misses = MissSerializer(many=True)


class StandardsSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    month = serializers.CharField()
    standards = StandardSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class LineSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))
    is_percent = serializers.BooleanField()
    vs_previous = serializers.CharField()
    vs_year = serializers.CharField()


class KelurahanSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class UnitLineSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.name")
    contacts = serializers.IntegerField()
    lp = serializers.IntegerField()
    crime3c = serializers.IntegerField()
    cleared = serializers.IntegerField()
    sop = serializers.CharField()


class AnevSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    periode = serializers.CharField()
    has_data = serializers.BooleanField()
    periods = PeriodSerializer(many=True)
    services = LineSerializer(many=True)
    crime = LineSerializer(many=True)
    sop = LineSerializer(many=True)
    kelurahan = KelurahanSerializer(many=True)
    heat = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="7 baris (Senin..Minggu) x 24 jam",
    )
    units = UnitLineSerializer(many=True)


@extend_schema(
    operation_id="standards",
    parameters=[
        UNIT_PARAM,
        OpenApiParameter("bulan", OpenApiTypes.STR, description="TTTT-BB (default: bulan ini)"),
    ],
    responses={200: StandardsSerializer},
)
@api_view(["GET"])
def standards(request: Request) -> Response:
    unit = unit_selected(request)
    require(request.user, Action.COMPLIANCE_VIEW, unit)
    raw = request.query_params.get("bulan")
    try:
        month = (
            parse_month(raw)
            if raw
            else duty_day_of(clock.now(), unit.shift_start_hour).replace(day=1)
        )
    except DjangoValidationError as exc:
        raise ValidationError({"bulan": exc.messages}) from None
    data = {
        "unit": unit.pk,
        "month": month.strftime("%Y-%m"),
        "standards": standards_month(unit=unit, month=month),
    }
    return Response(StandardsSerializer(data).data)


@extend_schema(
    operation_id="anev",
    parameters=[
        UNIT_PARAM,
        OpenApiParameter("periode", OpenApiTypes.STR, enum=list(periods.KINDS)),
        OpenApiParameter("tanggal", OpenApiTypes.DATE, description="2000-01-01 s.d. 2100-12-31"),
    ],
    responses={200: AnevSerializer},
)
@api_view(["GET"])
def anev(request: Request) -> Response:
    unit = unit_selected(request)
    require(request.user, Action.REPORT_VIEW, unit)
    kind = request.query_params.get("periode") or periods.MONTH
    if kind not in periods.KINDS:
        raise ValidationError({"periode": [_("Periode tidak dikenal; pilih minggu atau bulan.")]})
    raw = request.query_params.get("tanggal")
    try:
        day = parse_date(raw) if raw else duty_day_of(clock.now(), unit.shift_start_hour)
    except DjangoValidationError as exc:
        raise ValidationError({"tanggal": exc.messages}) from None
    report = anev_report(unit=unit, kind=kind, day=day)
    data = {
        "unit": unit.pk,
        "periode": kind,
        "has_data": report.has_data,
        "periods": report.periods,
        "services": report.services,
        "crime": report.crime,
        "sop": report.sop,
        "kelurahan": [{"name": name, "count": n} for name, n in report.kelurahan],
        "heat": [[report.heat.get((d, h), 0) for h in range(24)] for d in range(7)],
        "units": report.rollup,
    }
    return Response(AnevSerializer(data).data)
