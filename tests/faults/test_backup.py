"""`make backup` / `make restore`: a populated database and its uploaded files round-trip into a fresh one.

PostgreSQL only (pg_dump/pg_restore): the portal's production database, and CI's.
"""

import psycopg
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from core.backup import DUMP, MEDIA
from tests.conftest import skip_or_fail
from tests.factories import TargetCompanyFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def connect(dbname: str, **extra) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           password=db["PASSWORD"], dbname=dbname, **extra)


def table_fingerprints(dbname: str) -> dict[str, tuple[int, str | None]]:
    """Each model table's row count and a digest of all its rows, as the database holds them."""
    tables = sorted({model._meta.db_table for model in apps.get_models()})
    with connect(dbname) as conn:
        return {table: conn.execute(
            f'SELECT count(*), md5(string_agg(t::text, \'|\' ORDER BY t::text)) FROM "{table}" t').fetchone()
            for table in tables}


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped at the end."""
    if connection.vendor != "postgresql":
        skip_or_fail("backups are pg_dump/pg_restore: the test database must be PostgreSQL (DATABASE_URL)")
    name = f"{connection.settings_dict['NAME']}_restored"
    with connect("postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    connection.close()
    with connect("postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_every_row_and_file(settings, tmp_path, fresh_database, garden_a, admin_a):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_network", verbosity=0)
    record = TargetCompanyFactory(garden=garden_a)
    record.contract_file.save("avtale.pdf", ContentFile(b"%PDF-1.4 signert avtale"), save=True)
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "liste æøå.xlsx").write_bytes(b"PK\x03\x04 regneark")
    files = {path.relative_to(settings.MEDIA_ROOT): path.read_bytes()
             for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()}
    before = table_fingerprints(connection.settings_dict["NAME"])
    assert sum(count for count, _ in before.values()) > 500  # a populated database, not an empty schema

    call_command("backup", target=str(tmp_path / "backups"), verbosity=0)
    (folder,) = (tmp_path / "backups").iterdir()
    assert sorted(path.name for path in folder.iterdir()) == sorted([DUMP, MEDIA])

    # Restore into the fresh database and an empty media folder, as on a new machine.
    restored_media = tmp_path / "restored-media"
    settings.MEDIA_ROOT = restored_media
    # The command reads settings.DATABASES as `make restore` would with DATABASE_URL naming the new database.
    # (The dict is patched and put back by hand: replacing DATABASES would make Django drop its connections.)
    default = settings.DATABASES["default"]
    settings.DATABASES["default"] = {**default, "NAME": fresh_database}
    try:
        call_command("restore", str(folder), verbosity=0)
    finally:
        settings.DATABASES["default"] = default

    assert table_fingerprints(fresh_database) == before
    assert {path.relative_to(restored_media): path.read_bytes()
            for path in restored_media.rglob("*") if path.is_file()} == files
    assert (restored_media / record.contract_file.name).read_bytes() == b"%PDF-1.4 signert avtale"


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a backup made by `make backup`"):
        call_command("restore", str(tmp_path))
