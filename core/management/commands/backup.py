"""`manage.py backup`: the database and the uploaded files into one timestamped folder (core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the PostgreSQL database (pg_dump) and MEDIA_ROOT into var/backups/<time>/ (or BACKUP_DIR)."

    def add_arguments(self, parser):
        parser.add_argument("--target", help="folder to create the backup in (default var/backups/)")

    def handle(self, *args, target=None, **options):
        try:
            folder = backup_create(target=target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(folder))
