"""Personal data in a browser: an entrepreneur downloads their data and deletes their account; a garden
admin (signed in with two factors) erases a contact person. At desktop (1280) and phone (390 × 844) width."""

import json

import pytest
from playwright.sync_api import expect

from core.models import AuditEntry, User
from gardens.models import StaffMembership
from members.help_services import help_request_create
from members.models import ContactPerson, HelpRequest
from tests.factories import TEST_TOTP_SECRET, MembershipFactory, TargetCompanyFactory, UserFactory, give_totp

from .conftest import sign_in

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


# The innermost elements that stick out to the right of the viewport (what to fix when a page is too wide).
WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
  && ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1)).slice(0, 3)
  .map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def fits(page) -> None:
    """Nothing wider than the viewport (the phone's 390 px included)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], page.evaluate(WIDEST)


@pytest.mark.parametrize("size", list(SIZES))
def test_an_entrepreneur_downloads_their_data_and_deletes_the_account(page, live_server, transactional_db, axe,
                                                                       shot, size):
    page.set_viewport_size(SIZES[size])
    garden = MembershipFactory(role=StaffMembership.Role.STAFF).garden
    eli = UserFactory(email="eli@example.org", full_name="Eli Gründer")
    help_request_create(garden=garden, requester=eli, name="", email="", message="Hjelp med budsjettet")

    sign_in(page, live_server, "eli@example.org", PASSWORD)
    page.goto(f"{live_server.url}/min-side/")
    expect(page.get_by_role("heading", name="Dine data")).to_be_visible()
    assert axe() == []
    fits(page)
    shot(f"privacy-my-page-{size}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned mine data").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["account"]["email"] == "eli@example.org"
    assert data["help_requests"][0]["message"] == "Hjelp med budsjettet"

    page.get_by_role("link", name="Slett kontoen min").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slett kontoen min")
    assert axe() == []
    fits(page)
    shot(f"privacy-delete-account-{size}")
    page.get_by_role("button", name="Slett kontoen min").click()  # not confirmed: the errors say what is missing
    expect(page.get_by_text("Kryss av for å bekrefte at kontoen skal slettes.")).to_be_visible()
    assert axe() == []
    page.get_by_label("Passordet ditt").fill(PASSWORD)
    page.get_by_label("Ja, slett kontoen min og personopplysningene mine.").check()
    page.get_by_role("button", name="Slett kontoen min").click()
    expect(page.get_by_text("Kontoen din og personopplysningene dine er slettet.")).to_be_visible()
    assert axe() == []
    shot(f"privacy-account-deleted-{size}")

    assert not User.objects.filter(email="eli@example.org").exists()
    kept = HelpRequest.objects.get()
    assert (kept.garden, kept.email, kept.message) == (garden, "", "[slettet]")
    page.goto(f"{live_server.url}/min-side/")
    assert "/konto/login/" in page.url


@pytest.mark.parametrize("size", list(SIZES))
def test_a_garden_admin_erases_a_contact_person(page, live_server, transactional_db, axe, shot, size):
    page.set_viewport_size(SIZES[size])
    admin = MembershipFactory(role=StaffMembership.Role.ADMIN, user__email="anne@example.org",
                              user__full_name="Anne Admin").user
    give_totp(admin)
    target = TargetCompanyFactory(garden=admin.memberships.get().garden, company__name="Fjellbekk AS")
    ContactPerson.objects.create(target=target, name="Kari Kontaktsen", email="kari@fjellbekk.no", phone="91234567")

    sign_in(page, live_server, "anne@example.org", PASSWORD, totp_secret=TEST_TOTP_SECRET)
    page.goto(live_server.url + target.get_absolute_url())
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("Kari Kontaktsen")
    contacts.get_by_role("link", name="Slett personopplysninger Kari Kontaktsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slett personopplysningene om Kari Kontaktsen")
    assert axe() == []
    shot(f"privacy-erase-contact-{size}")
    fits(page)
    page.get_by_label("Ja, slett personopplysningene om denne kontaktpersonen.").check()
    page.get_by_role("button", name="Slett personopplysninger").click()
    expect(page.get_by_text("Personopplysningene om kontaktpersonen er slettet.")).to_be_visible()
    expect(page.locator("#contacts")).not_to_contain_text("Kari Kontaktsen")
    assert axe() == []
    fits(page)
    shot(f"privacy-contact-erased-{size}")

    page.goto(live_server.url + target.get_absolute_url() + "historikk/")
    expect(page.locator("main")).to_contain_text("slettet personopplysningene om en kontaktperson")
    expect(page.locator("main")).not_to_contain_text("Kari")
    assert AuditEntry.objects.filter(action="members.contactperson.erased", actor=admin).count() == 1
