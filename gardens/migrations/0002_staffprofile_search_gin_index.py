"""A GIN index on the competence directory's full-text vector (PostgreSQL only).

Without it every search computed to_tsvector() for every published profile. The index is on
exactly the expression gardens.selectors.profiles_matching filters on
(to_tsvector('simple', search_text)), so PostgreSQL uses it. SQLite searches with LIKE on the
same folded column and gets no index here: the migration does nothing there.
"""

from django.db import migrations

INDEX = "gardens_staffprofile_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON gardens_staffprofile "
            "USING gin (to_tsvector('simple'::regconfig, search_text))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("gardens", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
