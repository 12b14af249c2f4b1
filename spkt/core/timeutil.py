"""Time helpers: the station works in WITA (Asia/Makassar); the database stores UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def local(value: datetime) -> datetime:
    return timezone.localtime(value)


def today() -> date:
    return timezone.localdate()


def local_datetime(day: date, hour: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def duty_day_bounds(day: date, start_hour: int) -> tuple[datetime, datetime]:
    """A duty day runs 24 hours from the unit's shift start hour (e.g. 08:00 WITA to 08:00 WITA)."""
    start = local_datetime(day, start_hour)
    return start, start + timedelta(days=1)


def duty_day_of(moment: datetime, start_hour: int) -> date:
    moment = local(moment)
    day = moment.date()
    return day - timedelta(days=1) if moment.hour < start_hour else day


BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def tanggal(day: date) -> str:
    """A date as official letters write it: 27 November 2026 (independent of the UI language)."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def hari(day: date) -> str:
    return HARI[day.weekday()]


def waktu(moment: datetime) -> str:
    """A moment in WITA as people read it: "Selasa, 1 Desember 2026 pukul 02.30 WITA"
    (independent of the UI language, like ``tanggal``)."""
    moment = local(moment) if timezone.is_aware(moment) else moment
    return f"{hari(moment.date())}, {tanggal(moment.date())} pukul {moment:%H.%M} WITA"
