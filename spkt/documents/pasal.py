"""The reference list of criminal-law articles is data (documents/data/pasal.json), loaded into
the Pasal table by a migration and by ``manage.py load_pasal`` when the file is updated."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "pasal.json"


def pasal_rows() -> list[dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["articles"]


def pasal_load(model) -> int:
    """Insert or refresh every article; returns how many rows the file holds."""
    rows = pasal_rows()
    for row in rows:
        model.objects.update_or_create(
            book=row["book"],
            article=row["article"],
            defaults={
                "title": row["title"][:160],
                "equivalent": row.get("equivalent", ""),
                "uncertain": bool(row.get("uncertain")),
            },
        )
    return len(rows)
