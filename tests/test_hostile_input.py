"""Property-based tests: hostile and odd input never answers 500, never stores script that runs,
never writes half a change. Example counts are kept small so the suite stays fast (and it runs
on PostgreSQL in CI, where NUL in text must be caught by validation, not by the database).
"""

import itertools

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import TargetCompany

from .factories import TargetCompanyFactory, valid_org_number

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=20),
    st.sampled_from([
        "\x00", "Tyn\x00set", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
        "'; DROP TABLE members_company; --", "=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)",
        "9" * 30, "-1", "1e400", "NaN", "2025-02-30", "31.12.99999", "Ã¦Ã¸Ã¥", "\udcff".encode(
            "utf-8", "surrogatepass").decode("latin-1"), "x" * 20000,
    ]),
)
SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
numbers = itertools.count(5000)


@pytest.fixture
def record(garden_a):
    return TargetCompanyFactory(garden=garden_a)


@SETTINGS
@given(params=st.dictionaries(st.sampled_from(["q", "phase", "status", "municipality", "section", "adviser",
                                               "year", "o"]), HOSTILE, max_size=4))
def test_company_list_and_exports_never_fail(client, garden_a, staff_a, record, params):
    client.force_login(staff_a)
    slug = {"garden_slug": garden_a.slug}
    for url in (reverse("members:company-list", kwargs=slug),
                reverse("members:company-export", kwargs={**slug, "fmt": "csv"})):
        assert client.get(url, params).status_code == 200


@SETTINGS
@given(query=HOSTILE)
def test_find_garden_and_competence_never_fail(client, db, query):
    assert client.get("/finn-hage/", {"q": query}).status_code == 200
    assert client.get("/kompetanse/", {"q": query}).status_code == 200


@SETTINGS
@given(name=HOSTILE, notes=HOSTILE, start=HOSTILE | st.dates().map(str), phase=HOSTILE | st.just("mapping"))
def test_company_create_is_all_or_nothing_and_never_renders_script(client, garden_a, staff_a, name, notes,
                                                                    start, phase):
    client.force_login(staff_a)
    before = TargetCompany.objects.count()
    response = client.post(reverse("members:company-create", kwargs={"garden_slug": garden_a.slug}), {
        "org_number": valid_org_number(next(numbers)), "name": name, "notes": notes,
        "contract_start": start, "phase": phase})
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        assert TargetCompany.objects.count() == before + 1
        page = client.get(response["Location"]).content.decode()
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    else:
        assert TargetCompany.objects.count() == before


@SETTINGS
@given(data=st.fixed_dictionaries({"fu-date": HOSTILE, "fu-kind": HOSTILE | st.just("meeting"),
                                   "fu-hours": HOSTILE, "fu-summary": HOSTILE, "fu-own_share": HOSTILE}))
def test_follow_up_never_fails(client, garden_a, staff_a, record, data):
    client.force_login(staff_a)
    before = record.follow_ups.count()
    url = reverse("members:follow-up-add", kwargs={"garden_slug": garden_a.slug, "pk": record.pk})
    response = client.post(url, data)
    assert response.status_code in (200, 302, 400)
    assert record.follow_ups.count() in (before, before + 1)


@SETTINGS
@given(data=st.fixed_dictionaries({"kf-year": HOSTILE, "kf-turnover": HOSTILE, "kf-employees": HOSTILE,
                                   "kf-women_in_leadership": HOSTILE, "kf-leaders_total": HOSTILE}))
def test_key_figures_never_fail(client, garden_a, staff_a, record, data):
    client.force_login(staff_a)
    url = reverse("members:key-figures-save", kwargs={"garden_slug": garden_a.slug, "pk": record.pk})
    assert client.post(url, data).status_code in (200, 302, 400)
