"""The 3C offences (curat, curas, curanmor) from the articles of a Laporan Polisi.

The pasal data (documents/data/pasal.json) has no category field, so the rule is here, by article
of both codes (the old KUHP and its UU 1/2023 equivalent, as the data pairs them):

- **curas** (pencurian dengan kekerasan): KUHP 365 / UU 1/2023 479. Wins over the others: a
  motorbike taken by violence ("begal") is counted as curas, as Polri's 3C tables do.
- **curanmor** (pencurian kendaraan bermotor): theft (KUHP 362 or 363 / UU 1/2023 476 or 477)
  whose LP mentions a motor vehicle in what happened, the account or the evidence (words in
  ``MOTOR_WORDS``): the articles alone do not say what was stolen.
- **curat** (pencurian dengan pemberatan): KUHP 363 / UU 1/2023 477 without a motor vehicle.
- **lainnya**: every other LP, including an LP with no article recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

CURAT, CURAS, CURANMOR, OTHER = "curat", "curas", "curanmor", "lainnya"
CATEGORIES = (CURAT, CURAS, CURANMOR, OTHER)
LABELS = {
    CURAT: _("Curat (pencurian dengan pemberatan)"),
    CURAS: _("Curas (pencurian dengan kekerasan)"),
    CURANMOR: _("Curanmor (pencurian kendaraan bermotor)"),
    OTHER: _("Lainnya"),
}
THEFT = {("KUHP_1946", "362"), ("KUHP_2023", "476")}
AGGRAVATED = {("KUHP_1946", "363"), ("KUHP_2023", "477")}
VIOLENT = {("KUHP_1946", "365"), ("KUHP_2023", "479")}
MOTOR_WORDS = re.compile(
    r"\b(motor|sepeda\s+motor|ranmor|mobil|kendaraan|r2|r4|stnk|bpkb|nopol|pikap|truk)\b",
    re.IGNORECASE,
)


def mentions_motor_vehicle(data: dict) -> bool:
    event = data.get("event") or {}
    texts = [str(event.get("what", "")), str(data.get("account", ""))]
    texts += [str(e) for e in data.get("evidence") or []]
    return any(MOTOR_WORDS.search(t) for t in texts)


def classify(articles: Iterable[tuple[str, str]], data: dict) -> str:
    """The 3C category of one LP from its (book, article) pairs and its written content."""
    found = set(articles)
    if found & VIOLENT:
        return CURAS
    if found & (THEFT | AGGRAVATED) and mentions_motor_vehicle(data):
        return CURANMOR
    if found & AGGRAVATED:
        return CURAT
    return OTHER
