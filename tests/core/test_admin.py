"""The admin obeys the portal's rules: audit entries (inline rows too), versions, no moving records."""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditEntry
from members.models import ContactPerson, TargetCompany
from members.services import changes_since
from tests.factories import TargetCompanyFactory

pytestmark = pytest.mark.django_db


def change_url(target) -> str:
    return reverse("admin:members_targetcompany_change", args=[target.pk])


def form_data(target, **overrides) -> dict:
    """What the admin's change form posts for `target` with one contact inline and no other inline rows."""
    data = {
        "company": target.company_id, "contract_start": target.contract_start.isoformat(), "contract_end": "",
        "phase": target.phase, "status": target.status, "withdrawn_reason": "", "adviser": "",
        "notes": target.notes, "transferred_from": "", "merged_into": "",
        "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0",
        "key_figures-TOTAL_FORMS": "0", "key_figures-INITIAL_FORMS": "0",
        "goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_a_change_in_the_admin_bumps_the_version_and_is_audited(admin_client, garden_a):
    target = TargetCompanyFactory(garden=garden_a)
    response = admin_client.post(change_url(target), form_data(target, phase="growth", notes="Fra admin"))
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert (target.phase, target.version) == ("growth", 2)
    entry = AuditEntry.objects.get(action="members.targetcompany.updated")
    assert entry.garden_id == garden_a.pk and entry.actor_label == "Super Bruker"
    assert entry.changes["version"] == [1, 2] and entry.changes["notes"] == ["", "Fra admin"]
    # A form opened in the portal before the admin's change is now stale, and says what changed.
    assert [e.pk for e in changes_since(target, 1)] == [entry.pk]


def test_the_garden_cannot_be_changed_in_the_admin(admin_client, garden_a, garden_b):
    target = TargetCompanyFactory(garden=garden_a)
    page = admin_client.get(change_url(target)).content.decode()
    assert 'name="garden"' not in page  # shown read-only
    admin_client.post(change_url(target), form_data(target, garden=garden_b.pk))
    target.refresh_from_db()
    assert target.garden == garden_a  # moving a record is the transfer both gardens confirm


def test_inline_rows_are_audited_on_the_record(admin_client, garden_a):
    target = TargetCompanyFactory(garden=garden_a)
    contact = ContactPerson.objects.create(target=target, name="Kari Kontakt", email="kari@example.org")
    data = form_data(target, **{
        "contacts-TOTAL_FORMS": "2", "contacts-INITIAL_FORMS": "1",
        "contacts-0-id": contact.pk, "contacts-0-target": target.pk, "contacts-0-name": "Kari Kontakt",
        "contacts-0-role": "", "contacts-0-email": "kari.ny@example.org", "contacts-0-phone": "",
        "contacts-0-legal_basis": "contract",
        "contacts-1-target": target.pk, "contacts-1-name": "Ola Ny", "contacts-1-role": "daglig leder",
        "contacts-1-email": "", "contacts-1-phone": "", "contacts-1-legal_basis": "contract",
    })
    response = admin_client.post(change_url(target), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = {e.action: e for e in AuditEntry.objects.filter(target_type="members.targetcompany",
                                                            target_id=str(target.pk))}
    assert entries["members.contactperson.updated"].changes == {
        "part": "Kari Kontakt", "email": ["kari@example.org", "kari.ny@example.org"]}
    assert entries["members.contactperson.created"].changes["name"] == [None, "Ola Ny"]
    assert entries["members.contactperson.created"].garden_id == garden_a.pk
    # The record's own fields did not change: no version bump, no entry for the record itself.
    assert "members.targetcompany.updated" not in entries
    assert TargetCompany.objects.get(pk=target.pk).version == 1


def test_deleting_an_inline_row_is_audited(admin_client, garden_a):
    target = TargetCompanyFactory(garden=garden_a, contract_start=datetime.date(2025, 1, 1))
    contact = ContactPerson.objects.create(target=target, name="Kari Kontakt")
    data = form_data(target, **{
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "1",
        "contacts-0-id": contact.pk, "contacts-0-target": target.pk, "contacts-0-name": "Kari Kontakt",
        "contacts-0-role": "", "contacts-0-email": "", "contacts-0-phone": "",
        "contacts-0-legal_basis": "contract", "contacts-0-DELETE": "on",
    })
    assert admin_client.post(change_url(target), data).status_code == 302
    assert not ContactPerson.objects.exists()
    entry = AuditEntry.objects.get(action="members.contactperson.deleted")
    assert entry.target_id == str(target.pk) and entry.changes["name"] == ["Kari Kontakt", None]


def test_every_model_is_in_the_admin_with_the_audited_base():
    from django.apps import apps
    from django.contrib import admin

    from core.admin import AuditedAdmin, ReadOnlyAdmin

    ours = [m for m in apps.get_models() if m._meta.app_label in {"core", "gardens", "members", "agreements",
                                                                  "projects"}]
    assert len(ours) > 30
    for model in ours:
        model_admin = admin.site._registry.get(model)
        assert model_admin is not None, f"{model._meta.label} is not in the admin"
        assert isinstance(model_admin, AuditedAdmin | ReadOnlyAdmin), model._meta.label
