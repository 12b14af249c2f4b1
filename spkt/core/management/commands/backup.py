"""Back up this installation (database, uploaded files, manifest) into a new directory.
The encryption keys are never written into it: keep them apart (docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spkt.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a backup (database, media files, manifest) into a new or empty directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup(options["directory"], say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
