"""The record page's small forms never hide an error: the page comes back with the input, the panel open,
the first error focused and tied to its field; the browser's limits are the server's."""

import re

import pytest
from django.urls import reverse

from members.models import ContactPerson, DevelopmentGoal, FollowUpEntry, KeyFigures
from tests.factories import TargetCompanyFactory

pytestmark = pytest.mark.django_db


def url(name, target):
    return reverse(name, kwargs={"garden_slug": target.garden.slug, "pk": target.pk})


@pytest.fixture
def target(garden_a):
    return TargetCompanyFactory(garden=garden_a)


def open_details_around(html: str, field_id: str) -> bool:
    """Whether the <details> that holds the field is rendered open."""
    before = html[: html.index(f'id="{field_id}"')]
    return before.rfind("<details open>") > before.rfind("</details>") or bool(
        re.search(r"<details open>(?:(?!</details>).)*$", before, re.S)
    )


def test_follow_up_with_30_hours_comes_back_open_with_the_input(client, staff_a, target):
    client.force_login(staff_a)
    response = client.post(url("members:follow-up-add", target), {
        "fu-date": "2025-04-02", "fu-kind": "meeting", "fu-hours": "30", "fu-summary": "Lang workshop"})
    html = response.content.decode()
    assert response.status_code == 400
    assert not FollowUpEntry.objects.exists()
    assert "Lang workshop" in html and 'value="30"' in html  # nothing typed is lost
    assert open_details_around(html, "id_fu-hours")
    field = re.search(r"<input[^>]*id=\"id_fu-hours\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field and "autofocus" in field
    assert 'aria-describedby="id_fu-hours_error"' in field
    assert re.search(r'id="id_fu-hours_error"[^>]*>.*mellom 0 og 24', html)


def test_hours_field_has_the_servers_limits_in_the_browser(client, staff_a, target):
    client.force_login(staff_a)
    html = client.get(url("members:company-detail", target)).content.decode()
    field = re.search(r"<input[^>]*id=\"id_fu-hours\"[^>]*>", html).group(0)
    assert 'max="24"' in field and 'min="0"' in field and "required" in field
    year = re.search(r"<input[^>]*id=\"id_kf-year\"[^>]*>", html).group(0)
    assert 'min="1990"' in year and "max=" in year
    summary = re.search(r'<textarea[^>]*id="id_fu-summary"[^>]*>', html).group(0)
    assert "required" in summary


def test_key_figures_with_more_women_leaders_than_positions_come_back(client, staff_a, target):
    client.force_login(staff_a)
    response = client.post(url("members:key-figures-save", target), {
        "kf-year": "2025", "kf-turnover": "1234567", "kf-women_in_leadership": "3", "kf-leaders_total": "2"})
    html = response.content.decode()
    assert response.status_code == 400
    assert not KeyFigures.objects.exists()
    assert 'value="1234567"' in html
    assert open_details_around(html, "id_kf-women_in_leadership")
    field = re.search(r"<input[^>]*id=\"id_kf-women_in_leadership\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field and "autofocus" in field


def test_goal_without_description_comes_back_open(client, staff_a, target):
    client.force_login(staff_a)
    response = client.post(url("members:goal-add", target), {"goal-description": "", "goal-status": "planned",
                                                            "goal-due": "2026-13-40"})
    html = response.content.decode()
    assert response.status_code == 400 and not DevelopmentGoal.objects.exists()
    assert open_details_around(html, "id_goal-description")
    assert html.count("autofocus") == 1  # one field focused: the first error


def test_contact_with_a_bad_email_keeps_the_name(client, staff_a, target):
    client.force_login(staff_a)
    response = client.post(url("members:contact-add", target), {
        "contact-name": "Kari Kontakt", "contact-email": "ikke-en-adresse", "contact-legal_basis": "contract"})
    html = response.content.decode()
    assert response.status_code == 400 and not ContactPerson.objects.exists()
    assert 'value="Kari Kontakt"' in html and open_details_around(html, "id_contact-email")


def test_only_the_failed_form_is_bound(client, staff_a, target):
    client.force_login(staff_a)
    html = client.post(url("members:contact-add", target), {"contact-name": ""}).content.decode()
    assert not open_details_around(html, "id_kf-year")
    assert not open_details_around(html, "id_goal-description")


def test_a_valid_follow_up_still_redirects_to_the_log(client, staff_a, target):
    client.force_login(staff_a)
    response = client.post(url("members:follow-up-add", target), {
        "fu-date": "2025-04-02", "fu-kind": "meeting", "fu-hours": "1.5", "fu-summary": "Møte"})
    assert response.status_code == 302 and response["Location"].endswith("#follow-up")
    assert FollowUpEntry.objects.count() == 1


def test_workspace_overview_counts_and_lists_goals_due_this_week(client, staff_a, garden_a, monkeypatch):
    import datetime

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2026, 12, 2))  # a Wednesday
    active = TargetCompanyFactory(garden=garden_a, company__name="Aktiv AS")
    TargetCompanyFactory(garden=garden_a, status="withdrawn", withdrawn_reason="Flyttet")
    FollowUpEntry.objects.create(target=active, date=datetime.date(2026, 3, 1), kind="meeting", hours=1.5,
                                 summary="Møte")
    FollowUpEntry.objects.create(target=active, date=datetime.date(2025, 3, 1), kind="meeting", hours=9,
                                 summary="I fjor")
    DevelopmentGoal.objects.create(target=active, description="Sende søknad", due=datetime.date(2026, 12, 4))
    DevelopmentGoal.objects.create(target=active, description="Glemt mål", due=datetime.date(2026, 11, 1))
    DevelopmentGoal.objects.create(target=active, description="Neste uke", due=datetime.date(2026, 12, 9))
    DevelopmentGoal.objects.create(target=active, description="Nådd", due=datetime.date(2026, 12, 3),
                                   status="achieved")
    client.force_login(staff_a)
    html = client.get(reverse("members:workspace", kwargs={"garden_slug": garden_a.slug})).content.decode()
    assert "Sende søknad" in html and "Glemt mål" in html
    assert "Neste uke" not in html and "Nådd" not in html
    assert "<strong>1</strong> <a href=\"/g/alfa/malbedrifter/?status=active\">aktive målbedrifter</a>" in html
    assert "<strong>1,5</strong> timer i 2026" in html
    assert "30.11.–06.12.2026" in html
    assert html.count("badge-overdue") == 1  # the goal from November


def test_need_help_goes_straight_to_the_entrepreneurs_municipality(client, entrepreneur):
    from gardens.models import County, Municipality
    from members.models import EntrepreneurProfile

    county = County.objects.create(number="50", name="Trøndelag")
    roros = Municipality.objects.create(number="5025", name="Røros", county=county)
    EntrepreneurProfile.objects.create(user=entrepreneur, municipality=roros)
    client.force_login(entrepreneur)
    html = client.get(reverse("members:my-page")).content.decode()
    assert reverse("network_portal:find") + "?q=5025" in html
    assert "Hager som dekker Røros" in html


def _inputs(html: str, prefix: str) -> dict[str, dict[str, str]]:
    """name → attributes of every <input>/<textarea>/<select> of the form with field prefix `prefix`."""
    from html.parser import HTMLParser

    found: dict[str, dict[str, str]] = {}

    class Fields(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = {k: v or "" for k, v in attrs}
            if tag in ("input", "textarea", "select") and attrs.get("name", "").startswith(f"{prefix}-"):
                found[attrs["name"].removeprefix(f"{prefix}-")] = {**attrs, "tag": tag}

    Fields().feed(html)
    return found


# Valid values for each record-page form: the checks change one field at a time.
VALID = {
    "fu": {"date": "2025-04-02", "kind": "meeting", "hours": "1.5", "summary": "Møte", "next_step": "",
           "own_share": ""},
    "kf": {"year": "2025", "turnover": "", "value_creation": "", "employees": "", "women_in_leadership": "",
           "leaders_total": ""},
    "goal": {"description": "Søke midler", "status": "planned", "due": ""},
    "contact": {"name": "Kari", "role": "", "email": "", "phone": "", "legal_basis": "contract"},
}
FORMS = {"fu": "members:follow-up-add", "kf": "members:key-figures-save", "goal": "members:goal-add",
         "contact": "members:contact-add"}


@pytest.mark.parametrize("prefix", list(FORMS))
def test_browser_limits_are_the_servers(client, staff_a, target, prefix):
    """Every max, min, maxlength and required the browser is told is exactly where the server draws the line."""
    from decimal import Decimal

    client.force_login(staff_a)
    html = client.get(url("members:company-detail", target)).content.decode()
    fields = _inputs(html, prefix)
    assert set(VALID[prefix]) <= set(fields)
    if prefix == "kf":  # the figures' years and counts are tested against the highest legal values too
        VALID["kf"]["leaders_total"] = "32767"

    def accepted(name: str, value: str) -> bool:
        data = {f"{prefix}-{k}": v for k, v in {**VALID[prefix], name: value}.items()}
        response = client.post(url(FORMS[prefix], target), data)
        assert response.status_code in (302, 400), response.status_code
        return response.status_code == 302

    assert accepted("-", ""), "the valid values are refused"  # (an unknown name changes nothing)
    checked = 0
    for name, attrs in fields.items():
        if name not in VALID[prefix]:
            continue
        step = Decimal(attrs.get("step") or "1") if attrs.get("step") not in (None, "any") else Decimal("0.01")
        if "max" in attrs:
            assert accepted(name, attrs["max"]), f"{prefix}-{name}: the browser's max {attrs['max']} is refused"
            assert not accepted(name, str(Decimal(attrs["max"]) + step)), f"{prefix}-{name}: above max accepted"
            checked += 1
        if "min" in attrs:
            assert accepted(name, attrs["min"]), f"{prefix}-{name}: the browser's min {attrs['min']} is refused"
            assert not accepted(name, str(Decimal(attrs["min"]) - step)), f"{prefix}-{name}: below min accepted"
            checked += 1
        if "maxlength" in attrs:
            longest = int(attrs["maxlength"])
            assert accepted(name, "x" * longest if name != "email" else "k" * (longest - 12) + "@example.org")
            assert not accepted(name, "x" * (longest + 1)), f"{prefix}-{name}: longer than maxlength accepted"
            checked += 1
        if "required" in attrs:
            assert not accepted(name, ""), f"{prefix}-{name}: required in the browser but not on the server"
        elif VALID[prefix][name] != "" and attrs["tag"] != "select":  # a select without a blank is never empty
            assert accepted(name, ""), f"{prefix}-{name}: required on the server but not in the browser"
    assert checked, "no limits found"
