from typing import Any

from django.core.management.base import BaseCommand

from spkt.documents.models import Pasal
from spkt.documents.pasal import pasal_load


class Command(BaseCommand):
    help = "Load or refresh the criminal-law article list from spkt/documents/data/pasal.json."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{pasal_load(Pasal)} articles loaded.")
