from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load demo data for Polsek Kota Selatan (idempotent)."

    def handle(self, *args, **options) -> None:
        from spkt.demo import seed_all

        self.stdout.write(f"Demo data ready: {seed_all()}")
