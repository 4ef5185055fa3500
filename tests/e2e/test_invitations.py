"""Invite a colleague, accept by e-mail link with a new account, end the membership: in a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from gardens.models import StaffMembership
from tests.factories import GardenFactory, MembershipFactory

from .conftest import SCREENSHOTS, inject_axe, sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture
def garden(transactional_db):
    return GardenFactory(name="Alfa Næringshage", slug="alfa")


@pytest.fixture
def admin(garden):
    return MembershipFactory(
        garden=garden, role=StaffMembership.Role.ADMIN, user__email="anne@example.org", user__full_name="Anne Admin"
    ).user


def test_admin_invites_newcomer_who_joins_and_later_leaves(browser, page, live_server, settings, garden, admin,
                                                            axe, shot):
    # live_server runs in this process, so the e-mail lands in django.core.mail.outbox.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = live_server.url
    mail.outbox = []
    staff_page = f"{live_server.url}/g/{garden.slug}/ansatte/"

    sign_in(page, live_server, admin.email, PASSWORD)
    page.get_by_role("link", name="Ansatte").click()
    expect(page).to_have_url(staff_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ansatte")
    assert axe() == []
    shot("invitations-staff-page")

    page.get_by_label("E-postadresse").fill("new@example.org")
    page.get_by_label("Rolle:").select_option("staff")
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.get_by_role("status")).to_contain_text("En invitasjon er på vei til new@example.org.")
    expect(page.get_by_role("table").nth(1)).to_contain_text("new@example.org")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.org"]
    link = re.search(r"http://\S+/invitasjon/\S+/", message.body).group(0)

    newcomer_context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    newcomer = newcomer_context.new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Bli med i Alfa Næringshage")
    expect(newcomer.get_by_text("Anne Admin har invitert deg")).to_be_visible()
    expect(newcomer.get_by_label("E-postadresse")).to_have_value("new@example.org")
    inject_axe(newcomer)
    violations = newcomer.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)")
    assert violations == []
    newcomer.screenshot(path=str(SCREENSHOTS / "invitations-accept-page.png"), full_page=True)

    newcomer.get_by_label("Fullt navn").fill("Nina Ny")
    newcomer.get_by_label("Passord", exact=True).fill("fjellbekk-morgen-42")
    newcomer.get_by_label("Passord (gjenta)").fill("fjellbekk-morgen-42")
    newcomer.get_by_role("button", name="Opprett konto og aksepter").click()
    expect(newcomer).to_have_url(f"{live_server.url}/g/{garden.slug}/")
    expect(newcomer.get_by_role("status")).to_contain_text("Velkommen til Alfa Næringshage!")
    expect(newcomer.get_by_text("Din arbeidsflate som ansatt i hagen.")).to_be_visible()
    newcomer.screenshot(path=str(SCREENSHOTS / "invitations-newcomer-workspace.png"), full_page=True)

    page.goto(staff_page)
    colleagues = page.get_by_role("table").first
    expect(colleagues).to_contain_text("Nina Ny")
    page.get_by_role("link", name="Avslutt medlemskap for Nina Ny").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avslutte medlemskapet til Nina Ny?")
    assert axe() == []
    shot("invitations-end-confirm")
    page.get_by_role("button", name="Avslutt medlemskap").click()
    expect(page.get_by_role("status")).to_contain_text("Nina Ny har ikke lenger tilgang til Alfa Næringshage.")
    page.get_by_text("Vis 1 avsluttet medlemskap").click()
    expect(page.get_by_role("region", name="Tidligere kolleger")).to_contain_text("Nina Ny")
    shot("invitations-staff-after-ending")

    response = newcomer.reload()
    assert response.status == 404
    newcomer_context.close()
