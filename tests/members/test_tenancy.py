"""Tenancy of shared facts: what one garden writes never changes what another garden sees.

Garden B followed a company up before (its record is ended); garden A then registers the same
organisasjonsnummer and writes everything a garden can write on a record. Every page and export
of garden B is compared byte for byte before and after. (Agreements and projects are shared by
their parties on purpose and are not part of this check.)
"""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditEntry
from members import services
from members.models import Company, TargetCompany

from ..factories import CompanyFactory, MembershipFactory, TargetCompanyFactory


@pytest.fixture
def admin_b(garden_b):
    return MembershipFactory(garden=garden_b, role="admin", user__full_name="Berit Admin").user


@pytest.fixture
def b_record(garden_b):
    return TargetCompanyFactory(garden=garden_b, company=CompanyFactory(name="Bs eget navn AS"),
                                contract_start=datetime.date(2020, 1, 1), contract_end=datetime.date(2022, 12, 31),
                                status=TargetCompany.Status.COMPLETED, notes="Bs egne notater")


def _b_pages(client, user, garden, record) -> dict[str, bytes]:
    client.force_login(user)
    slug = {"garden_slug": garden.slug}
    urls = [
        reverse("members:workspace", kwargs=slug),
        reverse("members:company-list", kwargs=slug) + "?status=",
        reverse("members:company-export", kwargs={**slug, "fmt": "csv"}) + "?status=",
        reverse("members:company-detail", kwargs={**slug, "pk": record.pk}),
        reverse("members:company-history", kwargs={**slug, "pk": record.pk}),
        reverse("members:company-edit", kwargs={**slug, "pk": record.pk}),
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        # The CSRF token in forms changes with every response; nothing else may.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        pages[url] = b"".join(part for part in content.split(b'name="csrfmiddlewaretoken" value="')[0:1]) + \
            b"".join(p.split(b'"', 1)[-1] for p in content.split(b'name="csrfmiddlewaretoken" value="')[1:])
    client.logout()
    return pages


def test_a_gardens_writes_never_change_what_another_garden_sees(client, garden_a, garden_b, admin_a, admin_b,
                                                                b_record):
    before = _b_pages(client, admin_b, garden_b, b_record)
    org_number = b_record.company.org_number

    client.force_login(admin_a)
    slug = {"garden_slug": garden_a.slug}
    response = client.post(reverse("members:company-create", kwargs=slug), {
        "org_number": org_number, "name": "As navn AS", "contract_start": "2025-01-01", "phase": "mapping"})
    assert response.status_code == 302, response.content.decode()[:2000]
    a_record = TargetCompany.objects.get(garden=garden_a)
    assert a_record.company_id != b_record.company_id
    url = lambda name, **kw: reverse(f"members:{name}", kwargs={**slug, "pk": a_record.pk, **kw})  # noqa: E731
    writes = [
        (url("company-edit"), {"name": "Omdøpt av A AS", "contract_start": "2025-01-01", "phase": "growth",
                               "status": "active", "notes": "As notater", "version": a_record.version}),
        (url("follow-up-add"), {"fu-date": "2025-02-01", "fu-kind": "meeting", "fu-hours": "2",
                                "fu-summary": "Møte"}),
        (url("key-figures-save"), {"kf-year": "2025", "kf-turnover": "1000000"}),
        (url("goal-add"), {"goal-description": "Vokse", "goal-status": "planned"}),
        (url("contact-add"), {"contact-name": "Kari Kontakt", "contact-legal_basis": "contract"}),
    ]
    for target_url, data in writes:
        response = client.post(target_url, data)
        assert response.status_code in (200, 302), target_url
    a_record.refresh_from_db()
    assert a_record.company.name == "Omdøpt av A AS"
    assert a_record.key_figures.exists() and a_record.follow_ups.exists() and a_record.contacts.exists()
    client.logout()

    after = _b_pages(client, admin_b, garden_b, b_record)
    for page, content in before.items():
        assert after[page] == content, page
    b_record.refresh_from_db()
    assert b_record.company.name == "Bs eget navn AS"
    assert not AuditEntry.objects.filter(target_type="members.targetcompany", target_id=str(b_record.pk),
                                         garden_id=garden_a.pk).exists()


def test_each_record_gets_its_own_company_row(garden_a, garden_b, staff_a, b_record):
    a_record = services.target_company_create(garden=garden_a, by=staff_a, org_number=b_record.company.org_number,
                                              name="A skriver AS", contract_start=datetime.date(2025, 1, 1))
    assert a_record.company.name == "A skriver AS"
    assert Company.objects.filter(org_number=b_record.company.org_number).count() == 2
    services.target_company_update(target=a_record, by=staff_a, expected_version=a_record.version,
                                   data={"name": "A endrer AS"})
    b_record.refresh_from_db()
    assert b_record.company.name == "Bs eget navn AS"


def test_in_use_message_names_the_garden_not_what_it_typed(client, garden_a, garden_b, staff_a, admin_b):
    b_active = TargetCompanyFactory(garden=garden_b, company=CompanyFactory(name="Hemmelig navn fra B AS"))
    client.force_login(staff_a)
    response = client.post(reverse("members:company-create", kwargs={"garden_slug": garden_a.slug}), {
        "org_number": b_active.company.org_number, "name": "Noe AS", "contract_start": "2025-01-01",
        "phase": "mapping"})
    page = response.content.decode()
    assert "Hemmelig navn fra B AS" not in page
    assert "Beta Næringshage" in page
    assert b_active.get_absolute_url() not in page
    assert not TargetCompany.objects.filter(garden=garden_a).exists()


def test_in_use_message_links_to_ones_own_record(garden_a, staff_a):
    own = TargetCompanyFactory(garden=garden_a)
    message = services.org_number_in_use(own.company.org_number, garden=garden_a)
    assert f'href="{own.get_absolute_url()}"' in message
    assert own.company.name not in message
    assert services.org_number_in_use(own.company.org_number, garden=garden_a, exclude_pk=own.pk) is None
