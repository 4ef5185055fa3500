"""An entrepreneur from Tynset signs up, asks Rørosregionen for help and reads the staff's answer, in a browser."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from gardens.models import County, Coverage, Municipality, StaffMembership
from members.models import HelpRequest
from tests.factories import GardenFactory, MembershipFactory

from .conftest import SCREENSHOTS, inject_axe, sign_in


@pytest.fixture(autouse=True)
def _signup_open(settings):
    """Public sign-up is closed unless PORTAL_SIGNUP_OPEN=true (the default is false); these tests open it."""
    settings.PORTAL_SIGNUP_OPEN = True


STAFF_PASSWORD = "correct-horse-battery"
PASSWORD = "fjellbekk-morgen-42"


@pytest.fixture
def roros(transactional_db):
    county = County.objects.create(number="34", name="Innlandet")
    tynset = Municipality.objects.create(number="3427", name="Tynset", county=county)
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    Coverage.objects.create(garden=garden, municipality=tynset)
    return garden


def no_violations(page) -> list[str]:
    inject_axe(page)
    return page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id + ': ' + "
                         "v.nodes.map(n => n.target.join(' ')).join(', '))")


def test_entrepreneur_signs_up_asks_and_reads_the_answer(browser, page, live_server, settings, roros, axe, shot):
    # live_server runs in this process: e-mail lands in django.core.mail.outbox.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = live_server.url
    mail.outbox = []
    # An empty cache of its own for the rate limits (clearing Redis would flush the broker too).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "e2e-help"}}
    cache.clear()
    staff = MembershipFactory(garden=roros, role=StaffMembership.Role.ADMIN, user__email="stine@example.org",
                              user__full_name="Stine Stab").user

    # Sign up.
    page.goto(f"{live_server.url}/konto/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Opprett konto")
    assert axe() == []
    shot("help-signup")
    page.get_by_label("Fullt navn").fill("Tora Tynset")
    page.get_by_label("E-postadresse").fill("tora@example.org")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_label("Passord (gjenta)").fill(PASSWORD)
    page.get_by_role("button", name="Opprett konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft e-postadressen din")
    assert axe() == []

    # Confirm the address from the e-mail.
    assert [m.to for m in mail.outbox] == [["tora@example.org"]]
    link = re.search(r"http://\S+/konto/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_text("Bekreft at tora@example.org er e-postadressen din.")).to_be_visible()
    assert axe() == []
    shot("help-confirm-email")
    page.get_by_role("button", name="Bekreft").click()
    page.goto(f"{live_server.url}/min-side/")
    if "/konto/login/" in page.url:
        sign_in(page, live_server, "tora@example.org", PASSWORD)
        page.goto(f"{live_server.url}/min-side/")

    # Fill the short profile.
    expect(page.get_by_role("heading", level=1)).to_have_text("Min side")
    page.get_by_label("Organisasjonsnummer").fill("123456789")
    page.get_by_label("Kommune").select_option(label="Tynset (3427)")
    page.get_by_role("button", name="Lagre profil").click()
    expect(page.get_by_text("ikke et gyldig organisasjonsnummer")).to_be_visible()
    expect(page.get_by_label("Organisasjonsnummer")).to_have_value("123456789")
    page.get_by_label("Organisasjonsnummer").fill("")
    page.get_by_role("button", name="Lagre profil").click()
    expect(page.get_by_role("status")).to_contain_text("Profilen din er lagret.")
    expect(page.get_by_label("Kommune")).to_have_value(str(Municipality.objects.get(number="3427").pk))

    # Find the garden serving Tynset and ask it for help.
    # The municipality is known, so the page links straight to the gardens serving it: no second search.
    page.get_by_role("main").get_by_role("link", name="Hager som dekker Tynset").click()
    expect(page.get_by_label("Kommune")).to_have_value("3427")
    page.get_by_role("link", name="Be Rørosregionen Næringshage om hjelp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Be Rørosregionen Næringshage om hjelp")
    assert axe() == []
    shot("help-ask")
    page.get_by_label("Hva trenger du hjelp med?").fill("Jeg vil starte et bakeri i Tynset og trenger hjelp med "
                                                        "forretningsplanen.")
    page.get_by_label("Kommunen din").select_option(label="Tynset (3427)")
    page.get_by_role("button", name="Send forespørsel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Takk, forespørselen din er sendt")
    shot("help-ask-done")
    request = HelpRequest.objects.get()
    assert request.notification.sent_at is not None
    assert [m.to for m in mail.outbox[1:]] == [["stine@example.org"]]

    # Staff, in another browser, find it in the inbox and answer.
    staff_context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    staff_page = staff_context.new_page()
    sign_in(staff_page, live_server, staff.email, STAFF_PASSWORD)
    staff_page.get_by_role("link", name="Forespørsler 1 ny").click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("Forespørsler")
    expect(staff_page.get_by_role("table")).to_contain_text("Tora Tynset")
    assert no_violations(staff_page) == []
    staff_page.screenshot(path=str(SCREENSHOTS / "help-inbox.png"), full_page=True)
    staff_page.get_by_role("link", name="Tora Tynset").click()
    expect(staff_page.get_by_text("Jeg vil starte et bakeri i Tynset")).to_be_visible()
    assert no_violations(staff_page) == []
    staff_page.get_by_role("textbox", name="Svar").fill("Velkommen! Ring meg på tirsdag, så går vi gjennom planen.")
    staff_page.get_by_role("button", name="Send svar").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Svaret ditt er lagret og på vei til tora@example.org.")
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("besvart")
    staff_page.screenshot(path=str(SCREENSHOTS / "help-detail-answered.png"), full_page=True)
    assert mail.outbox[-1].to == ["tora@example.org"]
    assert "Ring meg på tirsdag" in mail.outbox[-1].body

    # The entrepreneur reads the answer on their page.
    page.goto(f"{live_server.url}/min-side/")
    requests = page.get_by_role("region", name="Dine forespørsler")
    expect(requests).to_contain_text("Rørosregionen Næringshage")
    expect(requests).to_contain_text("Ring meg på tirsdag, så går vi gjennom planen.")
    expect(requests).to_contain_text("besvart")
    assert axe() == []
    shot("help-my-page")
    staff_context.close()
