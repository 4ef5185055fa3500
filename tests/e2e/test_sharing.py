"""A cross-garden help request, asked, accepted and used, in a real browser."""

import pytest
from playwright.sync_api import expect

from gardens.models import StaffMembership, StaffProfile
from members.models import FollowUpEntry
from tests.factories import GardenFactory, MembershipFactory, TargetCompanyFactory

from .conftest import SCREENSHOTS, sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture
def two_gardens(transactional_db):
    roros = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    orkdal = GardenFactory(name="Næringshagen i Orkdalsregionen", slug="orkdalsregionen")
    asker = MembershipFactory(garden=roros, role=StaffMembership.Role.STAFF, user__email="stine@example.org",
                              user__full_name="Stine Stab").user
    helper = MembershipFactory(garden=orkdal, role=StaffMembership.Role.STAFF, user__email="ola@example.org",
                               user__full_name="Ola Orkla").user
    StaffProfile.objects.create(user=helper, headline="Forretningsutvikling", is_public=True)
    target = TargetCompanyFactory(garden=roros, company__name="Fjellost AS")
    return {"roros": roros, "orkdal": orkdal, "asker": asker, "helper": helper, "target": target}


def test_colleague_in_another_garden_accepts_and_logs_hours(browser, page, live_server, two_gardens, axe, shot):
    target, orkdal = two_gardens["target"], two_gardens["orkdal"]
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    page.goto(live_server.url + target.get_absolute_url())
    page.get_by_text("Spør en kollega i en annen hage").click()
    page.get_by_label("Kollega i en annen hage").select_option(label="Ola Orkla – Næringshagen i Orkdalsregionen")
    page.get_by_label("Hva trenger dere hjelp med?").fill("Råd om forretningsmodell for gårdsysteri")
    page.get_by_role("button", name="Send forespørsel").click()
    expect(page.get_by_text("Ola Orkla er spurt om hjelp.")).to_be_visible()
    assert axe() == []

    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    ola = context.new_page()
    sign_in(ola, live_server, "ola@example.org", PASSWORD)
    ola.get_by_role("link", name="Hjelp til andre hager").click()
    ola.get_by_role("link", name="Fjellost AS").click()
    expect(ola.get_by_text("Råd om forretningsmodell for gårdsysteri")).to_be_visible()
    ola.get_by_role("button", name="Godta").click()
    expect(ola.get_by_text(target.company.org_number)).to_be_visible()
    ola.get_by_label("Dato").fill("2025-05-02")
    ola.get_by_label("Type").select_option(label="rådgivning")
    ola.get_by_label("Timer").fill("2")
    ola.get_by_label("Sammendrag").fill("Gjennomgang av forretningsmodellen")
    ola.get_by_role("button", name="Registrer", exact=True).click()
    expect(ola.get_by_text("Oppfølgingen er registrert og teller for Næringshagen i Orkdalsregionen.")).to_be_visible()
    ola.screenshot(path=str(SCREENSHOTS / "sharing-helper.png"), full_page=True)
    shot("sharing-asker")

    entry = FollowUpEntry.objects.get()
    assert entry.adviser_garden == orkdal and entry.target == target

    page.reload()
    expect(page.get_by_text("Gjennomgang av forretningsmodellen")).to_be_visible()
    expect(page.get_by_text("(Næringshagen i Orkdalsregionen)").first).to_be_visible()
    page.get_by_role("button", name="Lukk").click()
    expect(page.get_by_text("kollegaen ser ikke lenger bedriften")).to_be_visible()
    ola.reload()
    expect(ola.get_by_text("ikke lenger åpen")).to_be_visible()
    expect(ola.get_by_text(target.company.org_number)).to_have_count(0)
    context.close()
