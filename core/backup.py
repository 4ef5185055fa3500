"""Back up and restore the portal: the PostgreSQL database and the uploaded files, together.

A backup is one timestamped folder under var/backups/ (or BACKUP_DIR):

    database.dump   pg_dump's custom format (pg_restore reads it; compressed)
    media.tar.gz    everything under MEDIA_ROOT: signed contracts, agreement documents, imports, reports

The database alone is not a backup: its rows point at those files. pg_dump and pg_restore
are PostgreSQL's own client programs (postgresql-client, the server's major version or newer);
the password goes to them in PGPASSWORD, never on the command line.
"""

import datetime
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings

DUMP = "database.dump"
MEDIA = "media.tar.gz"


class BackupError(Exception):
    """What went wrong, in a sentence for the operator."""


def _pg(db: dict) -> tuple[list[str], dict]:
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://…); the embedded SQLite file "
                          "is for development: copy var/db.sqlite3 instead.")
    args = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    return args, {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def backup_create(*, db: dict | None = None, media_root: Path | None = None, target: Path | None = None) -> Path:
    """Dump the database and pack the uploaded files into a new timestamped folder; returns it."""
    db = db or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    args, env = _pg(db)
    base = Path(target or os.environ.get("BACKUP_DIR") or Path(settings.BASE_DIR) / "var" / "backups")
    folder = base / datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=False)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args,
          f"--file={folder / DUMP}", db["NAME"]], env)
    with tarfile.open(folder / MEDIA, "w:gz") as tar:
        if media_root.exists():
            for child in sorted(media_root.iterdir()):
                tar.add(child, arcname=child.name)
    return folder


def backup_restore(folder: Path, *, db: dict | None = None, media_root: Path | None = None) -> None:
    """Put the folder's database and files back: replaces the database's tables and MEDIA_ROOT.

    The files go into a new folder first and replace MEDIA_ROOT only when complete; the old
    MEDIA_ROOT is kept beside it as `<name>.before-restore-<time>` until the operator removes it.
    """
    db = db or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    folder = Path(folder)
    for name in (DUMP, MEDIA):
        if not (folder / name).is_file():
            raise BackupError(f"{folder} holds no {name}: not a backup made by `make backup`.")
    args, env = _pg(db)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", *args, f"--dbname={db['NAME']}", str(folder / DUMP)], env)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{media_root.name}.restoring-", dir=media_root.parent))
    with tarfile.open(folder / MEDIA, "r:gz") as tar:
        tar.extractall(staging, filter="data")  # no absolute paths, no "..", no devices
    if media_root.exists():
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        media_root.rename(media_root.with_name(f"{media_root.name}.before-restore-{stamp}"))
    shutil.move(str(staging), str(media_root))
