"""The Anev's daily figures per unit and duty day: computed live from the records, stored for
closed days in ``DailyStat`` (``aggregate_days``), and read back as one sum (``stats_for``).

Metrics and keys (values are counts):
  contacts/<channel>       contacts received
  hour/<weekday>-<hour>    contacts by local weekday (0 = Monday) and hour, for the heat map
  docs/<doc type>          documents issued, extensions and re-issues left out
  field/<task type code>   field-help tasks requested
  crime/<3C category>      Laporan Polisi (A and B) by 3C category (see offences.py)
  cleared/lp               LPs whose progress first reached "dilimpahkan" or "selesai" that day
  kel/<kelurahan id>       field tasks placed in a kelurahan, and LPs whose place names one
  std/<n>-met, std/<n>-total   the SOP standards (standards.py), by the day of each case
A row day/done marks a stored (unit, day).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Min, Q, Sum, Value
from django.db.models.functions import ExtractHour, ExtractWeekDay, TruncDate

from spkt.core import clock
from spkt.core.timeutil import duty_day_bounds
from spkt.documents.models import CaseProgress, DocType, Document, LaporanDraft, ProgressStage
from spkt.fieldhelp.models import Task
from spkt.intake.models import Contact
from spkt.org.models import Kelurahan, Unit
from spkt.reports.anev import offences
from spkt.reports.anev.models import DailyStat
from spkt.reports.anev.standards import daily_counts, standards_between

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

Key = tuple[int, date, str, str]  # unit id, duty day, metric, key
LP_TYPES = (DocType.LP_A, DocType.LP_B)
CLEARED_STAGES = (ProgressStage.HANDED_OVER, ProgressStage.CLOSED)
DONE = ("day", "done")


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _duty_day(field: str, hour: int) -> TruncDate:
    """The duty day of a timestamp column in SQL: its local date ``hour`` hours earlier."""
    shifted = ExpressionWrapper(
        F(field) - Value(timedelta(hours=hour)), output_field=DateTimeField()
    )
    return TruncDate(shifted, tzinfo=_zone())


def _by_start_hour(units: list[Unit]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for unit in units:
        groups[unit.shift_start_hour].append(unit.pk)
    return groups


def _count_rows(out: Counter[Key], qs: Iterable[Any], metric: str, key_field: str) -> None:
    for row in qs:
        out[(row["unit_id"], row["day"], metric, str(row[key_field]))] += row["n"]


def live_stats(
    units: list[Unit], first: date, last: date, now: datetime | None = None
) -> Counter[Key]:
    """Every metric of ``units`` for duty days ``first``..``last``, from the records."""
    now = now or clock.now()
    out: Counter[Key] = Counter()
    for hour, ids in _by_start_hour(units).items():
        start = duty_day_bounds(first, hour)[0]
        end = duty_day_bounds(last, hour)[1]
        contacts = Contact.objects.filter(
            unit_id__in=ids, received_at__gte=start, received_at__lt=end
        ).annotate(day=_duty_day("received_at", hour))
        zone = _zone()
        # One pass over the contacts for channels, the heat map and standard 1 (the same rule as
        # standards.standard_contacts: a contact counts once answered or once its due time has
        # passed unanswered).
        judged = Q(first_response_at__isnull=False) | Q(first_response_due_at__lt=now)
        rows = (
            contacts.annotate(
                wd=ExtractWeekDay("received_at", tzinfo=zone),
                hr=ExtractHour("received_at", tzinfo=zone),
            )
            .values("unit_id", "day", "channel", "wd", "hr")
            .annotate(
                n=Count("pk"),
                met=Count("pk", filter=Q(first_response_at__lte=F("first_response_due_at"))),
                total=Count("pk", filter=judged),
            )
            .order_by()
        )
        for row in rows:
            unit_id, day = row["unit_id"], row["day"]
            weekday = (row["wd"] + 5) % 7  # Django: 1 = Sunday .. 7 = Saturday; here 0 = Monday
            out[(unit_id, day, "contacts", row["channel"])] += row["n"]
            out[(unit_id, day, "hour", f"{weekday}-{row['hr']}")] += row["n"]
            out[(unit_id, day, "std", "1-met")] += row["met"]
            out[(unit_id, day, "std", "1-total")] += row["total"]
        docs = Document.objects.filter(
            unit_id__in=ids, issued_at__gte=start, issued_at__lt=end, replaces__isnull=True
        ).annotate(day=_duty_day("issued_at", hour))
        _count_rows(
            out,
            docs.values("unit_id", "day", "doc_type").annotate(n=Count("pk")).order_by(),
            "docs",
            "doc_type",
        )
        tasks = Task.objects.filter(
            unit_id__in=ids, requested_at__gte=start, requested_at__lt=end
        ).annotate(day=_duty_day("requested_at", hour))
        _count_rows(
            out,
            tasks.values("unit_id", "day", "type__code").annotate(n=Count("pk")).order_by(),
            "field",
            "type__code",
        )
        _count_rows(
            out,
            tasks.exclude(kelurahan=None)
            .values("unit_id", "day", "kelurahan_id")
            .annotate(n=Count("pk"))
            .order_by(),
            "kel",
            "kelurahan_id",
        )
        _crime(out, ids, hour, start, end)
        cleared = (
            CaseProgress.objects.filter(
                stage__in=CLEARED_STAGES,
                document__unit_id__in=ids,
                document__doc_type__in=LP_TYPES,
            )
            .values("document_id", "document__unit_id")
            .annotate(first=Min("at"))
            .filter(first__gte=start, first__lt=end)
            .order_by()
        )
        for clear in cleared:
            day = _python_day(clear["first"], hour)
            out[(clear["document__unit_id"], day, "cleared", "lp")] += 1
    for unit in units:
        results = standards_between(unit=unit, first=first, last=last, now=now, only=(2, 3, 4, 5))
        for (number, day), (met, total) in daily_counts(results).items():
            out[(unit.pk, day, "std", f"{number}-met")] += met
            out[(unit.pk, day, "std", f"{number}-total")] += total
    return +out  # drop zeros


def _python_day(moment: datetime, hour: int) -> date:
    return (moment.astimezone(_zone()) - timedelta(hours=hour)).date()


def _crime(out: Counter, ids: list[int], hour: int, start: datetime, end: datetime) -> None:
    drafts = (
        LaporanDraft.objects.filter(
            document__unit_id__in=ids,
            document__issued_at__gte=start,
            document__issued_at__lt=end,
            document__replaces__isnull=True,
        )
        .select_related("document")
        .only("pk", "data", "document__unit_id", "document__issued_at")
        .prefetch_related("offences")
    )
    names: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for kel in Kelurahan.objects.filter(unit_id__in=ids).only("pk", "unit_id", "name"):
        names[kel.unit_id].append((kel.pk, kel.name.lower()))
    for draft in drafts:
        doc = draft.document
        if doc is None:  # drafts issued only (selected above)
            continue
        day = _python_day(doc.issued_at, hour)
        articles = [(p.book, p.article) for p in draft.offences.all()]
        category = offences.classify(articles, draft.data or {})
        out[(doc.unit_id, day, "crime", category)] += 1
        where = str((draft.data or {}).get("event", {}).get("where", "")).lower()
        for pk, name in names[doc.unit_id]:
            if name and name in where:
                out[(doc.unit_id, day, "kel", str(pk))] += 1


# --- Stored aggregates -------------------------------------------------------------------------
def closed_days(unit: Unit, first: date, last: date, now: datetime) -> list[date]:
    days = []
    day = first
    while day <= last:
        if duty_day_bounds(day, unit.shift_start_hour)[1] <= now:
            days.append(day)
        day += timedelta(days=1)
    return days


@transaction.atomic
def aggregate_days(
    *, units: list[Unit], first: date, last: date, now: datetime | None = None
) -> int:
    """(Re)compute and store the closed duty days ``first``..``last`` of ``units``: the rows of
    each (unit, day) are replaced as a whole, so running it again changes nothing."""
    now = now or clock.now()
    stored = 0
    by_days: dict[tuple[date, ...], list[Unit]] = defaultdict(list)
    for unit in units:
        days = closed_days(unit, first, last, now)
        if days:
            by_days[tuple(days)].append(unit)
    for span, group in by_days.items():
        stats = live_stats(group, span[0], span[-1], now)
        ids = [u.pk for u in group]
        DailyStat.objects.filter(unit_id__in=ids, day__gte=span[0], day__lte=span[-1]).delete()
        rows = [
            DailyStat(unit_id=u, day=d, metric=m, key=k, value=v, computed_at=now)
            for (u, d, m, k), v in stats.items()
        ]
        rows += [
            DailyStat(unit_id=u, day=d, metric=DONE[0], key=DONE[1], value=1, computed_at=now)
            for u in ids
            for d in span
        ]
        DailyStat.objects.bulk_create(rows, batch_size=2000)
        stored += len(rows)
    return stored


def stats_for(
    units: list[Unit], first: date, last: date, now: datetime | None = None
) -> dict[int, Counter[tuple[str, str]]]:
    """unit id -> (metric, key) -> value over duty days ``first``..``last``: stored figures for
    aggregated days, live figures for the rest (today, and days not yet aggregated)."""
    now = now or clock.now()
    ids = [u.pk for u in units]
    per_unit: dict[int, Counter] = {pk: Counter() for pk in ids}
    done = defaultdict(set)
    for unit_id, day in DailyStat.objects.filter(
        unit_id__in=ids, day__gte=first, day__lte=last, metric=DONE[0], key=DONE[1]
    ).values_list("unit_id", "day"):
        done[unit_id].add(day)
    rows = (
        DailyStat.objects.filter(unit_id__in=ids, day__gte=first, day__lte=last)
        .exclude(metric=DONE[0])
        .values("unit_id", "metric", "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        per_unit[row["unit_id"]][(row["metric"], row["key"])] += row["total"]
    all_days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    missing = {u.pk: [d for d in all_days if d not in done[u.pk]] for u in units}
    missing_sets = {pk: set(days) for pk, days in missing.items()}
    todo = [u for u in units if missing[u.pk]]
    if todo:
        lo = min(missing[u.pk][0] for u in todo)
        hi = max(missing[u.pk][-1] for u in todo)
        for (unit_id, day, metric, key), value in live_stats(todo, lo, hi, now).items():
            if day in missing_sets[unit_id]:
                per_unit[unit_id][(metric, key)] += value
    return per_unit
