from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load demo data for Polsek Kota Selatan (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        from spkt.demo.seed import seed_all

        self.stdout.write(f"Demo data ready: {seed_all()}")
