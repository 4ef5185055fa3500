"""The phone layout (390 × 844): a folded menu, the list's filters folded so the list comes first."""

import pytest
from playwright.sync_api import expect

from gardens.models import StaffMembership
from tests.factories import GardenFactory, MembershipFactory, TargetCompanyFactory

from .conftest import sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture
def staff(transactional_db):
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    MembershipFactory(garden=garden, role=StaffMembership.Role.STAFF, user__email="stine@example.org")
    for i in range(8):
        TargetCompanyFactory(garden=garden, company__name=f"Bedrift {i} AS")
    return garden


def test_phone_menu_folds_and_unfolds(page, live_server, staff, axe, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    menu = page.get_by_role("button", name="Meny")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".site-nav a[href='/finn-hage/']")).to_be_hidden()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 120, f"the folded header takes {header_height} px"
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".site-nav a[href='/finn-hage/']")).to_be_visible()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    assert axe() == []
    shot("phone-menu-open")


def test_desktop_shows_the_menu_without_a_button(page, live_server, staff):
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    expect(page.get_by_role("button", name="Meny")).to_be_hidden()
    expect(page.locator(".site-nav a[href='/finn-hage/']")).to_be_visible()


def test_list_filters_are_folded_on_a_phone_and_open_on_a_desktop(page, live_server, staff, shot):
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    list_url = f"{live_server.url}/g/{staff.slug}/malbedrifter/"
    page.goto(list_url)
    assert page.locator("details.filter-details").evaluate("d => d.open") is True
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(list_url)
    assert page.locator("details.filter-details").evaluate("d => d.open") is False
    first = page.locator("main table tbody tr a").first
    shot("phone-company-list")
    expect(first).to_be_in_viewport()  # the list starts on the first screen, not 1,500 px down
    # A filter in use stays open, so the person sees what narrows the list.
    page.goto(list_url + "?q=Bedrift")
    assert page.locator("details.filter-details").evaluate("d => d.open") is True


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_entrepreneur_replies_to_the_gardens_answer(page, live_server, staff, width, height, axe, shot):
    from members.help_services import help_request_answer
    from members.models import HelpRequest
    from tests.factories import UserFactory

    eli = UserFactory(email="eli@example.org", full_name="Eli Gründer")
    stine = staff.memberships.get().user
    help_request = HelpRequest.objects.create(garden=staff, name="Eli Gründer", email=eli.email,
                                              message="Hjelp med budsjett", requester=eli)
    help_request_answer(help_request=help_request, by=stine, body="Kom innom på tirsdag.")
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server, "eli@example.org", PASSWORD)
    page.goto(live_server.url + "/min-side/")
    page.get_by_text("Svar hagen").click()
    page.get_by_label("Svaret ditt").fill("Tirsdag passer fint.")
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_text("Svaret ditt er sendt til Rørosregionen Næringshage.")).to_be_visible()
    expect(page.get_by_text("Tirsdag passer fint.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe() == []
    shot(f"entrepreneur-reply-{'phone' if width < 500 else 'desktop'}")
