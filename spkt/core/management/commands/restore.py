"""Restore a backup written by ``backup`` into an EMPTY database and an empty media directory
(this installation's, or the ones given). Refuses a database that already holds tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spkt.core.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and media directory, then check the heads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database-url", help="the empty target database (default: this one)")
        parser.add_argument("--media-dir", type=Path, help="the empty target media directory")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Target(url=options["database_url"], media=options["media_dir"])
        try:
            restore(options["directory"], target, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
