"""Who may open what under /g/<garden-slug>/: the permission matrix over personas.

Outsiders get 404 (we never confirm another garden's records exist); members or
network readers without the permission get 403; anonymous visitors are sent to sign in.
A new garden URL without a row here fails `test_every_garden_url_has_a_row`.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.utils import timezone

from gardens.models import HelpRequest, Invitation, StaffMembership
from members.models import CompetenceShare, ContactPerson, DevelopmentGoal, ImportBatch, TransferRequest
from tests.conftest import PERSONAS
from tests.factories import MembershipFactory, TargetCompanyFactory

pytestmark = pytest.mark.django_db

# Expected status per persona.
READ = {"anonymous": 302, "entrepreneur": 404, "staff_a": 200, "admin_a": 200, "staff_b": 404, "reader": 200,
        "superuser": 404}
WRITE_PAGE = {**READ, "reader": 403}
# POST endpoints answer a (rejected) empty form with a redirect back to the record.
WRITE_POST = {**WRITE_PAGE, "staff_a": 302, "admin_a": 302}
ADMIN_PAGE = {**WRITE_PAGE, "staff_a": 403}
ADMIN_POST = {**WRITE_POST, "staff_a": 403}
PUBLIC = dict.fromkeys(READ, 200)
# Pages that belong to one named person: everyone else gets 404.
NOT_YOURS = {persona: (302 if persona == "anonymous" else 404) for persona in READ}

# (url name, method, expected statuses)
MATRIX = [
    ("gardens:workspace", "get", READ),
    ("members:company-list", "get", READ),
    ("members:company-export", "get", READ),
    ("members:company-detail", "get", READ),
    ("members:company-history", "get", READ),
    ("members:contract-download", "get", READ),
    ("members:company-create", "get", WRITE_PAGE),
    ("members:company-edit", "get", WRITE_PAGE),
    ("members:company-merge", "get", WRITE_PAGE),
    ("members:follow-up-add", "post", WRITE_POST),
    ("members:key-figures-save", "post", WRITE_POST),
    ("members:goal-add", "post", WRITE_POST),
    ("members:goal-update", "post", WRITE_POST),
    ("members:contact-add", "post", WRITE_POST),
    ("members:contact-delete", "post", WRITE_POST),
    # Imports are for garden admins only (can_import_companies). The fixture's batch is previewed with no
    # rows: the admin's commit is refused with a message and the cancel succeeds, both redirecting (302).
    ("members:import-upload", "get", ADMIN_PAGE),
    ("members:import-template", "get", ADMIN_PAGE),
    ("members:import-preview", "get", ADMIN_PAGE),
    ("members:import-status", "get", ADMIN_PAGE),
    ("members:import-commit", "post", ADMIN_POST),
    ("members:import-cancel", "post", ADMIN_POST),
    # Transfers: the fixture's transfer goes from garden A to garden B and is reached under A's slug, so
    # staff_b (garden B) gets 404 here like any outsider; under B's slug they read it (tests/members/test_transfers.py).
    ("members:transfer-list", "get", READ),
    ("members:transfer-detail", "get", READ),
    ("members:transfer-create", "get", ADMIN_PAGE),
    # Only the receiving admin may confirm: admin_a (sending side) is turned back with a message (302).
    ("members:transfer-confirm", "post", ADMIN_POST),
    ("members:transfer-cancel", "post", ADMIN_POST),
    ("gardens:staff", "get", READ),
    # An empty invitation form re-shows the staff page with the errors (nothing typed is lost).
    ("gardens:staff-invite", "post", {**ADMIN_POST, "admin_a": 200}),
    ("gardens:staff-invitation-resend", "post", ADMIN_POST),
    ("gardens:staff-invitation-revoke", "post", ADMIN_POST),
    ("gardens:staff-end", "get", ADMIN_PAGE),
    ("gardens:staff-end", "post", ADMIN_POST),
    ("gardens:staff-role", "post", ADMIN_POST),
    # Help requests: the asking pages are public; the inbox reads like the workspace. An empty answer or
    # conversion form re-shows the request with the errors (400); an empty assignment unassigns (302).
    ("gardens:ask-garden", "get", PUBLIC),
    ("gardens:ask-done", "get", PUBLIC),
    ("gardens:help-inbox", "get", READ),
    ("gardens:help-detail", "get", READ),
    ("gardens:help-assign", "post", WRITE_POST),
    ("gardens:help-answer", "post", {**WRITE_POST, "staff_a": 400, "admin_a": 400}),
    ("gardens:help-close", "post", WRITE_POST),
    ("gardens:help-convert", "post", {**WRITE_POST, "staff_a": 400, "admin_a": 400}),
    # Competence sharing: the fixture's share is addressed to an extra colleague in garden A, so no persona
    # is its recipient (their own pages are tested in tests/members/test_sharing.py).
    ("members:share-create", "post", WRITE_POST),
    ("members:share-close", "post", WRITE_POST),
    ("members:shared-list", "get", READ),
    ("members:shared-detail", "get", NOT_YOURS),
    ("members:shared-respond", "post", NOT_YOURS),
    ("members:shared-log", "post", NOT_YOURS),
    ("members:shared-close", "post", NOT_YOURS),
]


def garden_url_params() -> dict[str, set[str]]:
    """Every named URL (in any app namespace) that takes a garden_slug, with its parameters."""
    found: dict[str, set[str]] = {}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        for name in resolver.reverse_dict:
            if not isinstance(name, str):
                continue
            for possibilities, *_ in resolver.reverse_dict.getlist(name):
                for _format, params in possibilities:
                    if "garden_slug" in params:
                        found[f"{namespace}:{name}"] = set(params)
    return found


@pytest.fixture
def record(garden_a, garden_b, settings, tmp_path):
    """A target company of garden A with a contract file, a goal, a contact, a pending transfer to B,
    an open invitation and a colleague."""
    settings.MEDIA_ROOT = tmp_path
    target = TargetCompanyFactory(garden=garden_a)
    target.contract_file.save("kontrakt.pdf", ContentFile(b"%PDF-1.4 test"))
    goal = DevelopmentGoal.objects.create(target=target, description="Eksport til Sverige")
    contact = ContactPerson.objects.create(target=target, name="Kari Kontakt")
    transfer = TransferRequest.objects.create(from_garden=garden_a, to_garden=garden_b)
    transfer.targets.add(target)
    invitation = Invitation.objects.create(
        garden=garden_a, email="invitert@example.org", token="matrix-token",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    # A colleague of its own, so that ending a membership never changes a persona's access mid-matrix.
    colleague = MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF)
    batch = ImportBatch.objects.create(garden=garden_a, original_name="malbedrifter.csv",
                                       status=ImportBatch.Status.PREVIEWED)
    share = CompetenceShare.objects.create(target=target, colleague=colleague.user, colleague_garden=garden_a,
                                           message="Hjelp med eksport", status=CompetenceShare.Status.ACCEPTED)
    help_request = HelpRequest.objects.create(garden=garden_a, name="Eli Gründer", email="eli@example.org",
                                              message="Hjelp med budsjett")
    return {"help_request_pk": help_request.pk,
            "share_pk": share.pk, "pk": target.pk, "goal_pk": goal.pk, "contact_pk": contact.pk, "fmt": "csv",
            "transfer_pk": transfer.pk, "invitation_pk": invitation.pk, "membership_pk": colleague.pk,
            "batch_pk": batch.pk}


@pytest.mark.parametrize("url_name,method,expected", MATRIX, ids=[row[0] for row in MATRIX])
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(persona_client, garden_a, record, url_name, method, expected, persona):
    params = garden_url_params()[url_name]
    kwargs = {"garden_slug": garden_a.slug, **{k: v for k, v in record.items() if k in params}}
    client = persona_client(persona)
    response = getattr(client, method)(reverse(url_name, kwargs=kwargs))
    assert response.status_code == expected[persona]


def test_every_garden_url_has_a_row():
    names = set(garden_url_params())
    assert "gardens:workspace" in names
    covered = {row[0] for row in MATRIX}
    assert names <= covered, f"no row in the permission matrix for {sorted(names - covered)}"


def test_another_gardens_record_is_404_even_for_its_id(client, staff_a, garden_b):
    """Staff of A guessing the id of B's record under A's slug, or under B's slug, get 404."""
    other = TargetCompanyFactory(garden=garden_b)
    client.force_login(staff_a)
    garden_a_slug = staff_a.memberships.get().garden.slug
    for slug in (garden_a_slug, garden_b.slug):
        url = reverse("members:company-detail", kwargs={"garden_slug": slug, "pk": other.pk})
        assert client.get(url).status_code == 404


def test_ended_membership_loses_access(client, garden_a):
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
