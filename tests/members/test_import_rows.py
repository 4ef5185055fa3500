"""The import's rows live in a table of their own: read into it as a stream, checked and committed a chunk
at a time, shown a page at a time. These tests pin what that must not change for the admin, and the cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import imports
from members.models import ImportBatch, ImportRow, TargetCompany
from tests.factories import TargetCompanyFactory, valid_org_number
from tests.members.test_import import csv_file, roros, upload  # noqa: F401 (roros: a fixture)

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status
HEADER = "orgnr;navn;kontraktstart"


def rows(count: int, first: int = 1000) -> list[str]:
    return [f"{valid_org_number(first + i)};Bedrift {i} AS;01.02.2025" for i in range(count)]


def checked(garden, by, count: int, django_capture_on_commit_callbacks) -> ImportBatch:
    """A file of `count` good rows uploaded and checked (by the worker when it is large)."""
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(garden, by, csv_file([HEADER, *rows(count)]))
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED
    return batch


def test_the_preview_pages_through_the_stored_rows_with_a_fixed_query_count(
    client, garden_a, admin_a, django_assert_num_queries, django_capture_on_commit_callbacks
):
    batch = checked(garden_a, admin_a, 250, django_capture_on_commit_callbacks)
    assert ImportRow.objects.filter(batch=batch).count() == 250
    client.force_login(admin_a)
    url = reverse("members:import-preview", kwargs={"garden_slug": garden_a.slug, "batch_pk": batch.pk})
    # 1 session, 2 user, 3 garden, 4 memberships (access and navigation), 5 the batch, 6 the row and problem
    # counts, 7 the page of rows: the same as for a file that fits on one page.
    with django_assert_num_queries(7):
        html = client.get(url, {"page": 3}).content.decode()
    assert html.count('<th scope="row">') == 50  # lines 202–251 of 250 rows, a hundred a page
    assert ">251<" in html and ">201<" not in html
    assert "250" in html  # the summary counts every row, not the page


def test_a_file_over_the_row_bound_leaves_no_rows_behind(garden_a, admin_a, settings):
    settings.IMPORT_MAX_ROWS = 120
    batch = upload(garden_a, admin_a, csv_file([HEADER, *rows(121)]))
    assert batch.status == Status.FAILED and "120" in batch.error
    assert not ImportRow.objects.exists()


def test_choosing_the_columns_again_replaces_the_rows(garden_a, admin_a):
    batch = upload(garden_a, admin_a, csv_file([HEADER, *rows(5)]))
    assert batch.status == Status.PREVIEWED
    mapping = {int(p): f for p, f in batch.columns["mapping"].items()}
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=mapping)
    assert batch.status == Status.PREVIEWED
    assert [r["line"] for r in batch.rows] == [2, 3, 4, 5, 6]


def test_the_commit_costs_queries_per_chunk_not_per_row(garden_a, admin_a, django_capture_on_commit_callbacks):
    counts = {}
    for count, first in ((300, 1000), (900, 5000)):
        with django_capture_on_commit_callbacks(execute=True):
            batch = upload(garden_a, admin_a, csv_file([HEADER, *rows(count, first)]))
        batch.refresh_from_db()
        assert batch.status == Status.PREVIEWED
        with CaptureQueriesContext(connection) as queries:
            batch = imports.import_batch_commit(batch=batch, by=admin_a)
        assert batch.status == Status.DONE and batch.created_count == count
        counts[count] = len(queries)
    # Three times the rows, one more chunk of 500 to check and write: its queries (SQLite splits each
    # INSERT at 999 parameters, so a few more there than on PostgreSQL), not one or more per row.
    assert counts[900] - counts[300] < 60 and counts[900] < 120, counts
    assert TargetCompany.objects.filter(garden=garden_a).count() == 1200


def test_a_company_registered_elsewhere_since_the_preview_stops_the_commit(garden_a, garden_b, admin_a):
    batch = upload(garden_a, admin_a, csv_file([HEADER, *rows(3)]))
    assert batch.status == Status.PREVIEWED
    TargetCompanyFactory(garden=garden_b, org_number=valid_org_number(1001), company__org_number=valid_org_number(1001))
    batch = imports.import_batch_commit(batch=batch, by=admin_a)
    assert batch.status == Status.PREVIEWED
    assert batch.error.startswith("Noe er endret siden forhåndsvisningen: 1 rad har nå et problem.")
    assert [(row.line, row.has_problems) for row in batch.import_rows.order_by("line")] == [
        (2, False), (3, True), (4, False)]
    assert not TargetCompany.objects.filter(garden=garden_a).exists()
    # Importing the ready rows now leaves that one out.
    batch = imports.import_batch_commit(batch=batch, by=admin_a, ready_only=True)
    assert batch.status == Status.DONE and batch.created_count == 2 and batch.columns["left_out"] == [3]
