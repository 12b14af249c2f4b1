"""REST framework pieces every app's API uses (spkt.api wires them; fieldhelp and reports serialize
with them): date-times whose output is valid wherever the schema says ``format: date-time``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


class DateTimeField(serializers.DateTimeField):
    """RFC 3339 on output: in the station's zone (+08:00) when that offset is whole minutes, else in
    UTC. Early dates in Asia/Makassar are in local mean time, +07:57:36, which RFC 3339 cannot
    write; near year 1 or 9999 a conversion can overflow. Input stays DRF's (out of range: 400)."""

    def to_representation(self, value: Any) -> Any:
        output_format = getattr(self, "format", api_settings.DATETIME_FORMAT)
        if (
            not isinstance(value, datetime)
            or value.tzinfo is None
            or output_format is None
            or output_format.lower() != ISO_8601
        ):
            return super().to_representation(value)
        zone = getattr(self, "timezone", None) or self.default_timezone()
        for target in (zone, UTC):
            try:
                at = value.astimezone(target)
            except OverflowError:
                continue
            if not (at.utcoffset() or timedelta()) % timedelta(minutes=1):
                text = at.isoformat()
                return text[:-6] + "Z" if text.endswith("+00:00") else text
        # Only an instant UTC cannot hold (year 1, in local mean time) gets here: its offset is cut
        # to whole minutes, a few seconds off rather than an invalid date-time.
        offset = (value.utcoffset() or timedelta()) // timedelta(minutes=1)
        sign, minutes = ("-", -offset) if offset < 0 else ("+", offset)
        return (
            f"{value.replace(tzinfo=None).isoformat()}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        )


class ModelSerializer(serializers.ModelSerializer[Any]):
    """Model fields with the API's own date-time output (``DateTimeField`` above)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }
