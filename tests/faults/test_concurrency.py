"""Concurrent writers: no lost update, no lost follow-up entry.

Real concurrency needs each writer on its own database connection, committing for real:
threads on PostgreSQL (SQLite serialises writers through one file lock, so locally on SQLite
these skip; in CI they run on PostgreSQL).
"""

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from members.models import FollowUpEntry
from tests.conftest import skip_or_fail
from tests.factories import MembershipFactory, TargetCompanyFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent writers need PostgreSQL (DATABASE_URL)")


def url(name, target):
    return reverse(name, kwargs={"garden_slug": target.garden.slug, "pk": target.pk})


def run_together(calls):
    """Start every call at the same moment, each in its own thread (and database connection)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_people_saving_the_same_record_at_once_lose_nothing(garden_a, staff_a, admin_a):
    target = TargetCompanyFactory(garden=garden_a, notes="")
    clients = {"Fra stab": signed_in(staff_a), "Fra admin": signed_in(admin_a)}
    forms = {notes: client.get(url("members:company-edit", target)).content.decode()
             for notes, client in clients.items()}
    versions = {notes: re.search(r'name="version" value="(\d+)"', html).group(1) for notes, html in forms.items()}
    assert set(versions.values()) == {"1"}  # both opened the same version

    def save(notes):
        return lambda: clients[notes].post(url("members:company-edit", target), {
            "name": target.company.name, "contract_start": "2025-01-01", "phase": "growth", "status": "active",
            "notes": notes, "version": versions[notes]})

    responses = dict(zip(clients, run_together([save(notes) for notes in clients]), strict=True))
    statuses = sorted(getattr(response, "status_code", response) for response in responses.values())
    # The stale one is refused with 409 Conflict, its input kept on the page.
    assert statuses == [302, 409], responses
    (winner,) = [notes for notes, response in responses.items() if response.status_code == 302]
    (loser,) = [notes for notes, response in responses.items() if response.status_code == 409]
    refused = responses[loser].content.decode()
    assert "Noen andre lagret denne posten" in refused
    assert loser in refused  # the refused person's own input is kept in the form
    target.refresh_from_db()
    assert (target.notes, target.version) == (winner, 2)


def test_twenty_follow_up_entries_at_once_all_land(garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a)
    staff = [staff_a] + [MembershipFactory(garden=garden_a).user for _ in range(19)]
    clients = [signed_in(user) for user in staff]

    def log(number):
        return lambda: clients[number].post(url("members:follow-up-add", target), {
            "fu-date": "2025-04-02", "fu-kind": "meeting", "fu-hours": "0.5", "fu-summary": f"Møte {number}"})

    responses = run_together([log(number) for number in range(20)])
    assert [getattr(response, "status_code", response) for response in responses] == [302] * 20
    assert sorted(FollowUpEntry.objects.filter(target=target).values_list("summary", flat=True)) == sorted(
        f"Møte {number}" for number in range(20))
