"""Projects in a real browser: a partner admin enters spending; outsiders see only the public part."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from agreements.models import Organisation
from gardens.models import StaffMembership
from projects.models import Grant, Project, ProjectPartner
from tests.factories import GardenFactory, MembershipFactory

from .conftest import sign_in

PASSWORD = "correct-horse-battery"
NBSP = "\u00a0"


@pytest.fixture
def kraftsenter(transactional_db):
    roros = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    orkdal = GardenFactory(name="Næringshagen i Orkdalsregionen", slug="orkdal")
    siva = Organisation.objects.create(name="Siva", slug="siva", kind=Organisation.Kind.STATE)
    kmd = Organisation.objects.create(name="Kommunal- og moderniseringsdepartementet", slug="kmd",
                                      kind=Organisation.Kind.MINISTRY)
    project = Project.objects.create(
        name="Regionalt Kraftsenter Midt-Norge", slug="regionalt-kraftsenter-midt-norge",
        purpose="– Utvikle næringslivet i hver region.", lead_garden=roros, duration_years=3,
    )
    ProjectPartner.objects.create(project=project, garden=roros)
    ProjectPartner.objects.create(project=project, garden=orkdal)
    Grant.objects.create(project=project, funder=siva, on_behalf_of=kmd, amount=Decimal("6000000.00"))
    return project


def test_partner_admin_enters_spending_and_sees_remaining(page, live_server, kraftsenter, axe, shot):
    admin = MembershipFactory(garden=kraftsenter.lead_garden, role=StaffMembership.Role.ADMIN,
                              user__email="anne@example.org", user__full_name="Anne Admin").user
    sign_in(page, live_server, admin.email, PASSWORD)

    page.goto(f"{live_server.url}/prosjekter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prosjekter")
    row = page.get_by_role("row", name="Regionalt Kraftsenter Midt-Norge")
    expect(row).to_contain_text(f"6{NBSP}000{NBSP}000{NBSP}kr")
    assert axe() == []
    shot("projects-list")

    page.get_by_role("link", name="Regionalt Kraftsenter Midt-Norge").click()
    page.get_by_role("link", name="Registrer utgift").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrer utgift")
    assert axe() == []
    # A negative amount is refused with a clear message, and what was typed stays.
    page.get_by_label("År").fill("2025")
    page.get_by_label("Dato").fill("2025-05-02")
    page.get_by_label("Beløp (kr)").fill("-100")
    page.get_by_label("Finansiør").select_option(label="Siva")
    page.get_by_label("Partnerhage").select_option(label="Rørosregionen Næringshage")
    page.get_by_label("Beskrivelse").fill("Prosjektleder, mai")
    page.get_by_role("button", name="Lagre utgiften").click()
    expect(page.get_by_text("Beløpet kan ikke være negativt.")).to_be_visible()
    expect(page.get_by_label("Beskrivelse")).to_have_value("Prosjektleder, mai")
    assert axe() == []
    shot("projects-spending-form-error")

    page.get_by_label("Beløp (kr)").fill("250 000,50")
    page.get_by_role("button", name="Lagre utgiften").click()
    expect(page.get_by_text("Utgiften er registrert.")).to_be_visible()
    expect(page.locator("[data-total=granted]")).to_have_text(f"6{NBSP}000{NBSP}000{NBSP}kr")
    expect(page.locator("[data-total=spent]")).to_have_text(f"250{NBSP}000,50{NBSP}kr")
    expect(page.locator("[data-total=remaining]")).to_have_text(f"5{NBSP}749{NBSP}999,50{NBSP}kr")
    row = page.get_by_role("row", name="Siva på vegne av Kommunal- og moderniseringsdepartementet")
    expect(row).to_contain_text("Hele perioden")
    expect(row).to_contain_text(f"5{NBSP}749{NBSP}999,50{NBSP}kr")

    # A milestone past its date and a report due within two weeks get their badges.
    today = datetime.date.today()
    page.get_by_role("textbox", name="Milepæl").fill("Oppstartsmøte")
    page.locator("#id_ms-due").fill((today - datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Legg til milepæl").click()
    expect(page.get_by_role("listitem").filter(has_text="Oppstartsmøte")).to_contain_text("forfalt")
    page.locator("#id_rep-period").fill("2025")
    page.locator("#id_rep-due").fill((today + datetime.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Legg til framdriftsrapport").click()
    expect(page.get_by_role("listitem").filter(has_text="Registrer som levert")).to_contain_text("frist snart")
    assert axe() == []
    shot("projects-detail-partner-admin")


def test_non_partner_staff_sees_only_the_public_part(page, live_server, kraftsenter, axe, shot):
    outsider_garden = GardenFactory(name="Beta Næringshage", slug="beta")
    staff = MembershipFactory(garden=outsider_garden, role=StaffMembership.Role.ADMIN,
                              user__email="bjorn@example.org").user
    sign_in(page, live_server, staff.email, PASSWORD)
    page.goto(f"{live_server.url}{kraftsenter.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Regionalt Kraftsenter Midt-Norge")
    expect(page.get_by_text("Næringshagen i Orkdalsregionen")).to_be_visible()
    expect(page.get_by_text("3 år, årstall ikke oppgitt")).to_be_visible()
    expect(page.get_by_role("heading", name="Økonomi")).to_have_count(0)
    expect(page.locator("[data-total]")).to_have_count(0)
    assert f"000{NBSP}kr" not in page.content()  # no amounts at all
    expect(page.get_by_role("link", name="Registrer utgift")).to_have_count(0)
    assert axe() == []
    shot("projects-detail-public")
