"""Personas and shared fixtures (STYLE.md practice 8).

anonymous, entrepreneur, staff of garden A, admin of garden A, staff of garden B
(the outsider), a network reader (Siva / county), and a superuser.
"""

import os

import pytest

from gardens.models import StaffMembership

from .factories import GardenFactory, MembershipFactory, UserFactory

# With REQUIRE_SERVICES=true (set by .ci/run) a test that needs a service which is
# missing fails instead of skipping: CI must run everything.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip on a developer machine without the service; fail in CI."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Tests run with DEBUG off but without collectstatic: serve static files unhashed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing passwords the production way costs a third of a second each; tests need not pay it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_runs_tasks_in_process(request):
    """Tests see a task's effect at once (mail in the outbox), even when REDIS_URL is set in CI.

    Only tests marked `services` talk to a real broker and worker.
    """
    from network_portal.celery import app

    if request.node.get_closest_marker("services"):
        yield
        return
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def garden_a(db):
    return GardenFactory(name="Alfa Næringshage", slug="alfa")


@pytest.fixture
def garden_b(db):
    return GardenFactory(name="Beta Næringshage", slug="beta")


@pytest.fixture
def staff_a(garden_a):
    return MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF, user__full_name="Stine Stab").user


@pytest.fixture
def admin_a(garden_a):
    return MembershipFactory(garden=garden_a, role=StaffMembership.Role.ADMIN, user__full_name="Anne Admin").user


@pytest.fixture
def staff_b(garden_b):
    return MembershipFactory(garden=garden_b, role=StaffMembership.Role.STAFF, user__full_name="Bjørn Utenfor").user


@pytest.fixture
def reader(db):
    return UserFactory(full_name="Siri Siva", is_network_reader=True, reader_organisation="Siva")


@pytest.fixture
def entrepreneur(db):
    return UserFactory(full_name="Eli Gründer")


@pytest.fixture
def superuser(db):
    return UserFactory(full_name="Super Bruker", is_staff=True, is_superuser=True)


PERSONAS = ["anonymous", "entrepreneur", "staff_a", "admin_a", "staff_b", "reader", "superuser"]


@pytest.fixture
def persona_client(client, request):
    """A test client signed in as the named persona (or anonymous)."""

    def make(name: str):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return make
