"""Who may open a garden's workspace: the permission matrix over personas."""

import pytest
from django.urls import reverse

from gardens.models import StaffMembership
from tests.conftest import PERSONAS
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Every garden URL and the status each persona gets. A new garden URL needs a row here.
EXPECTED = {
    "gardens:workspace": {
        "anonymous": 302,
        "entrepreneur": 404,
        "staff_a": 200,
        "admin_a": 200,
        "staff_b": 404,
        "reader": 200,
        "superuser": 404,
    },
}


@pytest.mark.parametrize("url_name", sorted(EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(persona_client, garden_a, url_name, persona):
    client = persona_client(persona)
    response = client.get(reverse(url_name, kwargs={"garden_slug": garden_a.slug}))
    assert response.status_code == EXPECTED[url_name][persona]


def garden_url_names() -> set[str]:
    """Every named URL (in any app namespace) that takes a garden_slug."""
    from django.urls import get_resolver

    names = set()
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        for name in resolver.reverse_dict:
            if isinstance(name, str) and any(
                "garden_slug" in params
                for possibilities, *_ in resolver.reverse_dict.getlist(name)
                for _format, params in possibilities
            ):
                names.add(f"{namespace}:{name}")
    return names


def test_every_garden_url_has_a_row_in_the_matrix():
    names = garden_url_names()
    assert "gardens:workspace" in names
    assert names <= set(EXPECTED), f"no row in the permission matrix for {names - set(EXPECTED)}"


def test_ended_membership_loses_access(client, garden_a):
    import datetime

    membership = MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF)
    client.force_login(membership.user)
    url = reverse("gardens:workspace", kwargs={"garden_slug": garden_a.slug})
    assert client.get(url).status_code == 200
    membership.valid_to = datetime.date(2021, 1, 1)
    membership.save()
    assert client.get(url).status_code == 404


def test_unknown_garden_is_404_for_members_too(persona_client, staff_a):
    client = persona_client("staff_a")
    assert client.get(reverse("gardens:workspace", kwargs={"garden_slug": "nope"})).status_code == 404


def test_sign_in_lands_staff_in_their_workspace(client, staff_a, garden_a):
    client.force_login(staff_a)
    response = client.get(reverse("network_portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == garden_a.get_workspace_url()
