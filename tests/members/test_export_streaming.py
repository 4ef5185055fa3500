"""The target-company export streams: records are read and totalled a chunk at a time, whatever the size.

Memory is bounded by one chunk (EXPORT_CHUNK records with their follow-up totals), so an export of
ten thousand records needs what one of a hundred does; `make bench` measures the peak. Here: each
further chunk costs the same fixed queries, and every record is in the file once with its totals.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import selectors
from members.models import FollowUpEntry

from ..factories import TargetCompanyFactory

pytestmark = pytest.mark.django_db


def export(client, garden) -> tuple[list[list[str]], int]:
    url = reverse("members:company-export", kwargs={"garden_slug": garden.slug, "fmt": "csv"})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and response.streaming
    return list(csv.reader(io.StringIO(body), delimiter=";"))[1:], len(captured)


def test_each_chunk_costs_the_same_queries_and_every_record_comes_once(client, garden_a, staff_a, monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 3)
    client.force_login(staff_a)
    first = [TargetCompanyFactory(garden=garden_a) for _ in range(3)]
    FollowUpEntry.objects.create(target=first[0], date="2026-01-05", kind="meeting", hours=Decimal("1.5"),
                                 summary="Møte")
    one_chunk, queries_one = export(client, garden_a)
    for _ in range(6):
        TargetCompanyFactory(garden=garden_a)
    three_chunks, queries_three = export(client, garden_a)

    assert queries_three - queries_one == 2  # one totals query per further chunk of three
    assert len(one_chunk) == 3 and len(three_chunks) == 9
    assert len({row[0] for row in three_chunks}) == 9  # each organisasjonsnummer once
    totals = {row[0]: (row[-2], row[-1]) for row in three_chunks}
    assert totals[first[0].company.org_number] == ("1", "1,5")
    assert totals[first[1].company.org_number] == ("0", "0")
