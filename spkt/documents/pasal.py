"""The reference list of criminal-law articles is data (documents/data/pasal.json), loaded into
the Pasal table by a migration and by ``manage.py load_pasal`` when the file is updated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import models

DATA = Path(__file__).resolve().parent / "data" / "pasal.json"


def pasal_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["articles"]
    return rows


def pasal_load(model: type[models.Model]) -> int:  # Pasal, or its historical model
    """Insert or refresh every article; returns how many rows the file holds."""
    rows = pasal_rows()
    for row in rows:
        model._default_manager.update_or_create(
            book=row["book"],
            article=row["article"],
            defaults={
                "title": row["title"][:160],
                "equivalent": row.get("equivalent", ""),
                "uncertain": bool(row.get("uncertain")),
            },
        )
    return len(rows)
