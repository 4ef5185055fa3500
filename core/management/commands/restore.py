"""`manage.py restore <folder>`: put a backup's database and uploaded files back (core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a folder made by `manage.py backup`: replaces the database's tables and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder under var/backups/")

    def handle(self, *args, folder, **options):
        try:
            backup_restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {folder}")
