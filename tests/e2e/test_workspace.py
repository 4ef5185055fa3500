"""The garden workspace in a real browser: a target company from registration to history."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from gardens.models import County, Coverage, Municipality, StaffMembership
from members import services
from members.models import TargetCompany
from tests.factories import GardenFactory, MembershipFactory, TargetCompanyFactory

from .conftest import inject_axe, sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture
def setting(transactional_db):
    county = County.objects.create(number="50", name="Trøndelag")
    roros = Municipality.objects.create(number="5025", name="Røros", county=county)
    Municipality.objects.create(number="5026", name="Holtålen", county=county)
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    Coverage.objects.create(garden=garden, municipality=roros)
    staff = MembershipFactory(garden=garden, role=StaffMembership.Role.STAFF, user__email="stine@example.org",
                              user__full_name="Stine Stab").user
    return {"garden": garden, "staff": staff}


def test_invited_colleague_registers_logs_finds_and_sees_history(browser, page, live_server, settings, setting,
                                                                  axe, shot):
    """The issue's main flow: invite → accept → add a target company → log a follow-up → filter → history."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = live_server.url
    mail.outbox = []
    garden = setting["garden"]
    MembershipFactory(garden=garden, role=StaffMembership.Role.ADMIN, user__email="anne@example.org",
                      user__full_name="Anne Admin")
    sign_in(page, live_server, "anne@example.org", PASSWORD)
    page.get_by_role("link", name="Ansatte").click()
    page.get_by_label("E-postadresse").fill("nina@example.org")
    page.get_by_role("button", name="Send invitasjon").click()
    link = re.search(r"http://\S+/invitasjon/\S+/", mail.outbox[0].body).group(0)

    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    nina = context.new_page()
    nina.goto(link)
    nina.get_by_label("Fullt navn").fill("Nina Ny")
    nina.get_by_label("Passord", exact=True).fill("fjellbekk-morgen-42")
    nina.get_by_label("Passord (gjenta)").fill("fjellbekk-morgen-42")
    nina.get_by_role("button", name="Opprett konto og aksepter").click()
    expect(nina.get_by_text("Din arbeidsflate som ansatt i hagen.")).to_be_visible()
    register_log_filter_and_see_history(nina, garden, "Nina Ny", axe_page=nina, shot=shot)
    context.close()


def register_log_filter_and_see_history(page, garden, full_name, *, axe_page, shot):
    """Register Fjellost AS, log a follow-up, find it in the filtered list and read its history."""

    def no_violations():

        inject_axe(axe_page)
        assert axe_page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)") == []

    page.get_by_role("link", name="Målbedrifter", exact=True).click()
    expect(page.get_by_text("Hagen din har ingen målbedrifter i portalen ennå.")).to_be_visible()
    page.get_by_role("link", name="Legg til den første").click()

    page.get_by_label("Organisasjonsnummer").fill("930 000 019")
    page.get_by_label("Bedriftsnavn").fill("Fjellost AS")
    page.get_by_label("Kommune").select_option(label="Røros (5025)")
    page.get_by_label("Kontraktstart").fill("2025-03-01")
    page.get_by_label("Ansvarlig rådgiver").select_option(label=full_name)
    no_violations()
    shot("workspace-create")
    page.get_by_role("button", name="Registrer målbedrift").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Fjellost AS")
    expect(page.get_by_text("Fjellost AS er registrert som målbedrift.")).to_be_visible()
    page.get_by_label("Dato").fill("2025-04-02")
    page.get_by_label("Type").select_option(label="møte")
    page.get_by_label("Timer").fill("1.5")
    page.get_by_label("Sammendrag").fill("Kartleggingsmøte om eksport")
    page.get_by_label("Neste steg").fill("Sende tilbud om workshop")
    page.get_by_role("button", name="Registrer", exact=True).click()
    expect(page.get_by_text("Oppfølgingen er registrert.")).to_be_visible()
    expect(page.get_by_text("Kartleggingsmøte om eksport")).to_be_visible()
    no_violations()
    shot("workspace-detail")

    TargetCompanyFactory(garden=garden, company__name="Annen Bedrift AS", phase="growth")
    page.get_by_role("link", name="Målbedrifter", exact=True).click()
    page.get_by_label("Fase").select_option(label="kartlegging")
    page.get_by_label("Søk").fill("fjell")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_text("1 målbedrift", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Fjellost AS")).to_be_visible()
    expect(page.get_by_role("link", name="Annen Bedrift AS")).to_have_count(0)
    no_violations()
    shot("workspace-list")

    page.get_by_role("link", name="Fjellost AS").click()
    page.get_by_role("link", name="Historikk").click()
    created = f"{full_name} registrerte Fjellost AS ({garden.name}) som målbedrift"
    expect(page.get_by_text(created)).to_be_visible()
    expect(page.get_by_text(f"{full_name} registrerte en oppfølging")).to_be_visible()
    expect(page.get_by_text("Kartleggingsmøte om eksport")).to_be_visible()
    no_violations()
    shot("workspace-history")


def test_outsider_opening_another_gardens_company_by_url_gets_404(page, live_server, setting):
    other_garden = GardenFactory(name="Magnor Næringshage", slug="magnor")
    MembershipFactory(garden=other_garden, user__email="outsider@example.org")
    target = TargetCompanyFactory(garden=setting["garden"], company__name="Hemmelig AS")
    sign_in(page, live_server, "outsider@example.org", PASSWORD)
    response = page.goto(live_server.url + target.get_absolute_url())
    assert response.status == 404
    expect(page.get_by_text("Hemmelig AS")).to_have_count(0)


def test_stale_edit_is_refused_with_the_message(page, live_server, setting, shot, axe):
    target = TargetCompanyFactory(garden=setting["garden"], company__name="Fjellost AS", notes="")
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    page.goto(live_server.url + target.get_absolute_url())
    page.get_by_role("link", name="Endre", exact=True).click()
    page.get_by_label("Notater").fill("Min versjon")

    # A colleague saves in the meantime.
    colleague = MembershipFactory(garden=setting["garden"], user__full_name="Kari Kollega").user
    services.target_company_update(target=target, by=colleague, expected_version=1,
                                   data={"phase": TargetCompany.Phase.GROWTH})

    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_text("Noen andre lagret denne posten mens du redigerte.")).to_be_visible()
    expect(page.get_by_text("Kari Kollega endret Fjellost AS")).to_be_visible()
    expect(page.get_by_label("Notater")).to_have_value("Min versjon")
    assert axe() == []
    shot("workspace-stale-edit")
    target.refresh_from_db()
    assert target.notes == "" and target.phase == "growth"

    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_text("Endringene er lagret.")).to_be_visible()
    target.refresh_from_db()
    assert target.notes == "Min versjon"
    assert target.contract_start == datetime.date(2025, 1, 1)


@pytest.mark.parametrize("size", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_the_overview_counts_and_lists_what_is_due_this_week(page, live_server, setting, axe, shot, size):
    """Staff open the workspace: the figures, an overdue agreement meeting marked and counted, a link to it."""
    from agreements.models import ActionItem, Agreement, AgreementParty, Meeting
    from members.models import DevelopmentGoal

    garden, staff = setting["garden"], setting["staff"]
    today = datetime.date.today()
    record = TargetCompanyFactory(garden=garden, company__name="Fjellost AS", phase="growth")
    DevelopmentGoal.objects.create(target=record, description="Søke innovasjonsmidler", due=today)
    agreement = Agreement.objects.create(name="Samarbeidsavtale Fjellregionen", slug="fjellregionen", purpose="-")
    AgreementParty.objects.create(agreement=agreement, garden=garden)
    forgotten = Meeting.objects.create(agreement=agreement, title="Glemt vårmøte",
                                       date=today - datetime.timedelta(days=40))
    ActionItem.objects.create(meeting=forgotten, description="Sende referatet", owner=staff,
                              due_on=today - datetime.timedelta(days=30))
    page.set_viewport_size(size)
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    page.goto(live_server.url + garden.get_workspace_url())
    figures = page.get_by_role("list", name="Hagen i tall")
    expect(figures).to_contain_text("1 aktive målbedrifter")
    expect(figures).to_contain_text("2 forfalte frister")
    expect(page.locator(".phase-counts")).to_contain_text("Vekst 1")
    due = page.locator("section[aria-labelledby=h-due]")
    expect(due).to_contain_text("2 er forfalt")
    expect(due.get_by_role("link", name="Fjellost AS")).to_be_visible()
    expect(due.locator("li", has_text="Glemt vårmøte").locator(".badge-overdue")).to_have_text("forfalt")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert axe() == []
    shot(f"workspace-overview-due-{'phone' if size['width'] < 500 else 'desktop'}")
    due.get_by_role("link", name="Glemt vårmøte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Glemt vårmøte")
    expect(page.locator("h1 .badge-overdue")).to_have_text("forfalt")
