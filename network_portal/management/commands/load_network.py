"""`manage.py load_network`: load the reference data and the seed network (idempotent)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.loading import DEFAULT_DATA_DIR, LoadError
from core.models import AuditEntry
from network_portal.loading import AUDIT_ACTION, load_network


class Command(BaseCommand):
    help = "Load counties, municipalities, SN2007 codes and the seed network from data/reference/."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help=f"Folder with the reference files (default {DEFAULT_DATA_DIR}).",
        )

    def handle(self, *args, data_dir: Path | None = None, **options) -> None:
        entries_before = AuditEntry.objects.filter(action=AUDIT_ACTION).count()
        started = time.monotonic()
        try:
            counts = load_network(data_dir=data_dir)
        except LoadError as exc:
            raise CommandError(f"{exc}\nNothing was loaded.") from exc
        elapsed = time.monotonic() - started
        for label, count in counts.items():
            self.stdout.write(f"  {label:<28} {count:>5}")
        # The service writes an audit entry only when something changed.
        if AuditEntry.objects.filter(action=AUDIT_ACTION).count() > entries_before:
            self.stdout.write(self.style.SUCCESS(f"Loaded in {elapsed:.1f} s."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Already up to date; nothing changed ({elapsed:.1f} s)."))
