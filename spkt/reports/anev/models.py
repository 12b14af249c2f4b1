"""Daily aggregates behind the Anev: one row per unit, duty day, metric and key.

Filled for closed duty days by ``manage.py anev_aggregate`` (and its periodic task); the Anev reads
these rows for aggregated days and queries the records live for every other day (today), so a
month for a Polda with a hundred Polsek reads a few thousand rows instead of millions of contacts.
"""

from __future__ import annotations

from django.db import models


class DailyStat(models.Model):
    """``value`` of ``metric``/``key`` (e.g. contacts/whatsapp) at ``unit`` on duty day ``day``.

    A row ``day``/``done`` marks the (unit, day) as aggregated, so a day with no activity at all is
    still known to be complete and is not recomputed live."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    metric = models.CharField(max_length=20)
    key = models.CharField(max_length=60, blank=True)
    value = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "metric", "key"], name="dailystat_unit_day_metric_key_uniq"
            )
        ]
        indexes = [
            # Serves the Anev read: the units of a subtree over a period, summed by metric/key.
            models.Index(fields=["day", "unit"], name="dailystat_day_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.metric}/{self.key}={self.value}"
