"""Bad input gets a form error, never a 500: the cases the probe of issue 13 found."""

import pytest
from django.urls import reverse

from members.models import KeyFigures, TargetCompany

from ..factories import TargetCompanyFactory

HUGE = "9" * 30


@pytest.fixture
def record(garden_a):
    return TargetCompanyFactory(garden=garden_a)


@pytest.mark.parametrize("year", ["abc", HUGE, "-1", "1e5", "\x00"])
def test_key_figures_with_a_bad_year_is_a_form_error(client, garden_a, staff_a, record, year):
    client.force_login(staff_a)
    url = reverse("members:key-figures-save", kwargs={"garden_slug": garden_a.slug, "pk": record.pk})
    response = client.post(url, {"kf-year": year, "kf-turnover": "1000"})
    assert response.status_code in (200, 302, 400)
    assert not KeyFigures.objects.exists()


@pytest.mark.parametrize("year", ["-1", HUGE, "abc", "2025.5"])
@pytest.mark.parametrize("page", ["list", "csv"])
def test_company_list_and_export_with_a_bad_year_do_not_fail(client, garden_a, staff_a, record, year, page):
    client.force_login(staff_a)
    slug = {"garden_slug": garden_a.slug}
    url = (reverse("members:company-list", kwargs=slug) if page == "list"
           else reverse("members:company-export", kwargs={**slug, "fmt": "csv"}))
    response = client.get(url, {"year": year})
    assert response.status_code == 200


def test_transfer_form_with_an_overflowing_id_is_a_form_error(client, garden_a, garden_b, admin_a, record):
    client.force_login(admin_a)
    url = reverse("members:transfer-create", kwargs={"garden_slug": garden_a.slug})
    response = client.post(url, {"to_garden": HUGE, "targets": [HUGE, str(record.pk)]})
    assert response.status_code in (200, 400)
    assert TargetCompany.objects.get(pk=record.pk).garden_id == garden_a.pk


@pytest.mark.parametrize("query", ["\x00", "Tyn\x00set", "\x1b[0m", "a" * 5000])
def test_find_garden_with_control_characters_does_not_fail(client, db, query):
    response = client.get("/finn-hage/", {"q": query})
    assert response.status_code == 200
