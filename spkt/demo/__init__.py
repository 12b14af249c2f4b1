"""The demo: data for Polsek Kota Selatan (``manage.py seed_demo``) and the local sinks the demo
channel accounts deliver to (``manage.py demo_sinks``). The top layer of the app graph (ADR 0047):
it uses every app's services, and no app imports it.

The seeding lives in ``spkt.demo.seed``; its names are also reachable as ``spkt.demo.<name>``.
They load on first use, because this package is an installed app and Django imports it before
the models are ready.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CASES",
    "DEMO_EMAIL_SLUG",
    "DEMO_PASSWORD",
    "DEMO_SMS_KEY",
    "DEMO_SMS_SLUG",
    "DEMO_WHATSAPP_SLUG",
    "EQUIPMENT",
    "KELURAHAN",
    "NIGHT",
    "POLSEK",
    "SQUADS",
    "demo_sink_accounts",
    "seed_all",
    "seed_cases",
    "seed_contacts",
    "seed_daily_report",
    "seed_equipment",
    "seed_field_tasks",
    "seed_people",
    "seed_reports",
    "seed_surveys",
    "seed_units",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from spkt.demo import seed

        return getattr(seed, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
