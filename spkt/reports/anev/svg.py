"""Charts drawn on the server as SVG strings: no script, no CDN, no inline style. Colours come from
CSS classes (static/css/anev.css); labels are escaped."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from spkt.core.timeutil import HARI

BAR_H, GAP, LABEL_W, CHART_W = 14, 6, 190, 560
LABEL_CHARS = 26  # what fits in LABEL_W at the chart's label size


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], title: str
) -> SafeString:
    """Horizontal grouped bars: one group per row, one bar per series (this period, the previous
    one, a year before), scaled to the largest value."""
    peak = max((v for _label, values in rows for v in values), default=0) or 1
    group_h = len(series) * BAR_H + GAP * 2
    height = max(1, len(rows)) * group_h + 30
    width = CHART_W - LABEL_W - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {CHART_W} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, name in enumerate(series):
        parts.append(
            f'<rect class="s{i}" x="{LABEL_W + i * 150}" y="4" width="10" height="10"/>'
            f'<text x="{LABEL_W + 14 + i * 150}" y="13" class="legend">{escape(name)}</text>'
        )
    for r, (label, values) in enumerate(rows):
        top = 24 + r * group_h
        # A label longer than its column is shortened; the full text is its tooltip.
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{top + group_h / 2 + 4}" class="label" '
            f'text-anchor="end"><title>{escape(label)}</title>{escape(short)}</text>'
        )
        for i, value in enumerate(values):
            w = round(width * value / peak, 1)
            y = top + GAP + i * BAR_H
            parts.append(
                f'<rect class="s{i}" x="{LABEL_W}" y="{y}" width="{w}" height="{BAR_H - 2}"/>'
                f'<text x="{LABEL_W + w + 4}" y="{y + BAR_H - 4}" class="value">{value}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def heat_map(cells: dict[tuple[int, int], int], title: str) -> SafeString:
    """7 x 24: weekday (Senin first) by hour, five shades by share of the busiest cell."""
    peak = max(cells.values(), default=0)
    size, left, top = 20, 60, 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heat" role="img" '
        f'viewBox="0 0 {left + 24 * size + 4} {top + 7 * size + 4}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for hour in range(0, 24, 3):
        parts.append(
            f'<text x="{left + hour * size + 2}" y="{top - 6}" class="legend">{hour:02d}</text>'
        )
    for day in range(7):
        y = top + day * size
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" class="label" text-anchor="end">'
            f"{escape(HARI[day])}</text>"
        )
        for hour in range(24):
            n = cells.get((day, hour), 0)
            level = 0 if not n or not peak else min(4, 1 + (4 * n - 1) // peak)
            parts.append(
                f'<rect class="h{level}" x="{left + hour * size}" y="{y}" width="{size - 2}" '
                f'height="{size - 2}"><title>{escape(HARI[day])} {hour:02d}:00 — {n}</title></rect>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
