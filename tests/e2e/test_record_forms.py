"""Every form on the record page, in a real browser at desktop and phone width: an error never hides.

The page comes back with the input, the form's panel open, the first error in view and focused, and the
error read with its field (aria-describedby). Where the browser can check a limit itself (the 24 hours,
a required field, an e-mail address) it does, before anything is sent; the server-side path is then
exercised as an older browser would, with the form's `noValidate` set.
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gardens.models import StaffMembership
from members.models import ContactPerson, DevelopmentGoal, FollowUpEntry, KeyFigures, TargetCompany
from tests.factories import GardenFactory, MembershipFactory, TargetCompanyFactory

from .conftest import sign_in

PASSWORD = "correct-horse-battery"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def record_page(request, page, live_server, transactional_db):
    """Staff of a garden on a record with a long follow-up log (so the forms sit far down the page)."""
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    MembershipFactory(garden=garden, role=StaffMembership.Role.STAFF, user__email="stine@example.org",
                      user__full_name="Stine Stab")
    target = TargetCompanyFactory(garden=garden, company__name="Fjellost AS",
                                  contract_start=datetime.date(2025, 1, 1))
    for day in range(1, 16):
        FollowUpEntry.objects.create(target=target, date=datetime.date(2025, 3, day), kind="meeting",
                                     hours=1, summary=f"Møte nummer {day}")
    page.set_viewport_size(SIZES[request.param])
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    page.goto(live_server.url + target.get_absolute_url())
    return page, request.param


def open_panel(page, field_id: str) -> None:
    """Unfold the <details> that holds the field, as a person clicks its summary."""
    page.locator(f"details:has(#{field_id}) > summary").click()


def submit_without_browser_checks(page, field_id: str) -> None:
    with page.expect_navigation():
        page.evaluate("(id) => { const f = document.getElementById(id).form; f.noValidate = true;"
                      " f.querySelector('button[type=submit]').click(); }", field_id)


def assert_error_shown_on(page, field_id: str, message: str, *, in_panel: bool = True) -> None:
    field = page.locator(f"#{field_id}")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(field).to_have_attribute("aria-invalid", "true")
    if in_panel:
        assert page.evaluate(f"document.getElementById('{field_id}').closest('details').open") is True
    described_by = field.get_attribute("aria-describedby")
    assert described_by and f"{field_id}_error" in described_by.split()
    expect(page.locator(f"#{field_id}_error")).to_contain_text(message)
    expect(page.locator(f"#{field_id}_error")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_follow_up_over_24_hours_is_stopped_by_the_browser_then_by_the_server(record_page, axe, shot):
    page, size = record_page
    open_panel(page, "id_fu-hours")
    page.locator("#id_fu-kind").select_option(index=1)
    page.locator("#id_fu-hours").fill("30")
    page.locator("#id_fu-summary").fill("Heldags workshop")
    page.locator("#id_fu-hours").evaluate("el => el.form.querySelector('button[type=submit]').click()")
    # The browser's own check (max="24", as the server's) keeps the page and the input.
    assert page.locator("#id_fu-hours").evaluate("el => el.validity.rangeOverflow") is True
    assert not FollowUpEntry.objects.filter(summary="Heldags workshop").exists()

    submit_without_browser_checks(page, "id_fu-hours")
    assert_error_shown_on(page, "id_fu-hours", "mellom 0 og 24")
    expect(page.locator("#id_fu-summary")).to_have_value("Heldags workshop")
    expect(page.locator("#id_fu-hours")).to_have_value("30")
    assert not FollowUpEntry.objects.filter(summary="Heldags workshop").exists()
    assert axe() == []
    shot(f"record-form-follow-up-error-{size}")


def test_key_figures_with_more_women_leaders_than_positions(record_page, axe, shot):
    page, size = record_page
    open_panel(page, "id_kf-year")
    page.locator("#id_kf-year").fill("2025")
    page.locator("#id_kf-turnover").fill("1234567")
    page.locator("#id_kf-women_in_leadership").fill("3")
    page.locator("#id_kf-leaders_total").fill("2")
    with page.expect_navigation():
        page.locator("#id_kf-year").evaluate("el => el.form.querySelector('button[type=submit]').click()")
    assert_error_shown_on(page, "id_kf-women_in_leadership", "Kan ikke være flere enn")
    expect(page.locator("#id_kf-turnover")).to_have_value("1234567")
    assert not KeyFigures.objects.exists()
    assert axe() == []
    shot(f"record-form-key-figures-error-{size}")


def test_goal_without_description(record_page, axe):
    page, _size = record_page
    open_panel(page, "id_goal-description")
    page.locator("#id_goal-due").fill("2026-06-01")
    page.locator("#id_goal-description").evaluate("el => el.form.querySelector('button[type=submit]').click()")
    assert page.locator("#id_goal-description").evaluate("el => el.validity.valueMissing") is True
    submit_without_browser_checks(page, "id_goal-description")
    assert_error_shown_on(page, "id_goal-description", "påkrev")
    expect(page.locator("#id_goal-due")).to_have_value("2026-06-01")
    assert not DevelopmentGoal.objects.exists()
    assert axe() == []


def test_contact_with_a_bad_email(record_page, axe, shot):
    page, size = record_page
    open_panel(page, "id_contact-name")
    page.locator("#id_contact-name").fill("Kari Kontakt")
    page.locator("#id_contact-email").fill("kari-uten-krollalfa")
    page.locator("#id_contact-name").evaluate("el => el.form.querySelector('button[type=submit]').click()")
    assert page.locator("#id_contact-email").evaluate("el => el.validity.typeMismatch") is True
    submit_without_browser_checks(page, "id_contact-name")
    assert_error_shown_on(page, "id_contact-email", "e-postadresse")
    expect(page.locator("#id_contact-name")).to_have_value("Kari Kontakt")
    assert not ContactPerson.objects.exists()
    assert axe() == []
    shot(f"record-form-contact-error-{size}")


def test_withdrawing_without_a_reason_on_the_edit_page(record_page, live_server, axe, shot):
    """The record's status is changed on its edit page: withdrawn needs a reason, and says so at the field."""
    page, size = record_page
    target = TargetCompany.objects.get(company__name="Fjellost AS")
    page.goto(live_server.url + reverse("members:company-edit", kwargs={"garden_slug": target.garden.slug,
                                                                        "pk": target.pk}))
    page.locator("#id_notes").fill("Flytter til Trondheim")
    page.locator("#id_status").select_option("withdrawn")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Lagre endringene").click()
    assert answer.value.status == 400
    assert_error_shown_on(page, "id_withdrawn_reason", "Skriv hvorfor bedriften trakk seg", in_panel=False)
    expect(page.locator("#id_status")).to_have_value("withdrawn")
    expect(page.locator("#id_notes")).to_have_value("Flytter til Trondheim")
    target.refresh_from_db()
    assert target.status == "active" and target.notes != "Flytter til Trondheim"
    assert axe() == []
    shot(f"record-form-edit-status-error-{size}")


def test_registering_with_a_bad_organisasjonsnummer(record_page, live_server, axe):
    page, _size = record_page
    page.goto(live_server.url + reverse("members:company-create", kwargs={"garden_slug": "rorosregionen"}))
    page.locator("#id_org_number").fill("123")
    page.locator("#id_name").fill("Beholdt Navn AS")
    page.locator("#id_contract_start").fill("2025-03-01")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Registrer målbedrift").click()
    assert answer.value.status == 400
    assert_error_shown_on(page, "id_org_number", "9 siffer", in_panel=False)
    expect(page.locator("#id_name")).to_have_value("Beholdt Navn AS")
    assert not TargetCompany.objects.filter(company__name="Beholdt Navn AS").exists()
    assert axe() == []
