"""Erase the contact persons of contracts that ended longer ago than PERSONAL_DATA_RETENTION_DAYS, by hand.

The daily beat task (members.tasks.contacts_retention_sweep_task) does the same; running both is harmless.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from members.privacy import contacts_due_for_erasure, contacts_retention_sweep


class Command(BaseCommand):
    help = "Erase contact persons of contracts ended longer ago than PERSONAL_DATA_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be erased.")

    def handle(self, *args, dry_run: bool = False, **options):
        days = settings.PERSONAL_DATA_RETENTION_DAYS
        if dry_run:
            count = contacts_due_for_erasure().count()
            self.stdout.write(f"{count} contact person(s) past the retention of {days} days would be erased.")
            return
        count = contacts_retention_sweep()
        self.stdout.write(self.style.SUCCESS(f"Erased {count} contact person(s) past the retention of {days} days."))
