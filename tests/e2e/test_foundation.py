"""The foundation in a real browser: sign-in lands staff in their garden; pages pass axe-core."""

import datetime

import pytest
from playwright.sync_api import expect

from gardens.models import County, Coverage, Municipality, StaffMembership
from tests.factories import GardenFactory, MembershipFactory

from .conftest import SCREENSHOTS, sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture
def roros_garden(transactional_db):
    county = County.objects.create(number="50", name="Trøndelag", valid_from=datetime.date(2018, 1, 1))
    roros = Municipality.objects.create(number="5025", name="Røros", county=county)
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen-naeringshage")
    Coverage.objects.create(garden=garden, municipality=roros)
    return garden


def test_staff_signs_in_and_sees_their_garden(page, live_server, roros_garden, shot):
    staff = MembershipFactory(
        garden=roros_garden,
        role=StaffMembership.Role.STAFF,
        user__email="stine@example.org",
        user__full_name="Stine Stab",
    ).user
    sign_in(page, live_server, staff.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/g/{roros_garden.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rørosregionen Næringshage")
    expect(page.get_by_text("Din arbeidsflate som ansatt i hagen.")).to_be_visible()
    expect(page.get_by_role("link", name="Arbeidsflate: Rørosregionen Næringshage")).to_be_visible()
    shot("foundation-workspace")


def test_wrong_password_gets_a_clear_message(page, live_server, roros_garden):
    MembershipFactory(garden=roros_garden, user__email="stine@example.org")
    sign_in(page, live_server, "stine@example.org", "feil-passord")
    expect(page.get_by_role("alert")).to_contain_text("passord")
    expect(page).to_have_url(f"{live_server.url}/konto/login/")


@pytest.mark.parametrize(
    "path_name",
    ["home", "garden", "sign-in", "find", "find-results", "about-data", "workspace"],
)
def test_page_has_no_accessibility_violations(page, live_server, roros_garden, axe, shot, path_name):
    paths = {
        "home": "/",
        "garden": roros_garden.get_absolute_url(),
        "sign-in": "/konto/login/",
        "find": "/finn-hage/",
        "find-results": "/finn-hage/?q=R%C3%B8ros",
        "about-data": "/om-dataene/",
        "workspace": roros_garden.get_workspace_url(),
    }
    if path_name == "workspace":
        MembershipFactory(garden=roros_garden, user__email="stine@example.org")
        sign_in(page, live_server, "stine@example.org", PASSWORD)
    page.goto(live_server.url + paths[path_name])
    assert page.locator("h1").count() == 1
    assert axe() == []
    shot(f"axe-{path_name}")


def test_language_switch_to_english_and_back(page, live_server, roros_garden):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Næringshagenettverket")
    page.get_by_label("Språk").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("The business garden network")
    page.get_by_label("Language").select_option("nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Næringshagenettverket")


def test_home_is_usable_on_a_phone(browser, live_server, roros_garden, shot):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nb-NO")
    phone = context.new_page()
    phone.goto(live_server.url + "/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    phone.screenshot(path=str(SCREENSHOTS / "phone-home.png"), full_page=True)
    context.close()
