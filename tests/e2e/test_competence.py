"""The competence directory in a real browser: a staff member publishes, a visitor finds them."""

import pytest
from playwright.sync_api import expect

from gardens import services
from gardens.models import CompetenceArea, County, Coverage, Municipality, StaffMembership
from tests.factories import GardenFactory, MembershipFactory

from .conftest import inject_axe, sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture
def setting(transactional_db):
    county = County.objects.create(number="50", name="Trøndelag")
    roros = Municipality.objects.create(number="5025", name="Røros", county=county)
    Municipality.objects.create(number="5026", name="Holtålen", county=county)
    tynset = Municipality.objects.create(number="3427", name="Tynset", county=county)
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    other = GardenFactory(name="Tynset Næringshage", slug="tynset")
    Coverage.objects.create(garden=garden, municipality=roros)
    Coverage.objects.create(garden=other, municipality=tynset)
    CompetenceArea.objects.create(name="Næringsutvikling", slug="naeringsutvikling")
    CompetenceArea.objects.create(name="Eksport", slug="eksport")
    MembershipFactory(garden=garden, role=StaffMembership.Role.STAFF, user__email="stine@example.org",
                      user__full_name="Stine Stab")
    # A colleague who wrote a profile but never published it.
    kare = MembershipFactory(garden=garden, user__full_name="Kåre Skjult", user__email="kare@example.org").user
    services.staff_profile_update(user=kare, by=kare, data={
        "headline": "Næringsutvikling i fjellet", "competence_areas": list(CompetenceArea.objects.all()),
        "is_public": False,
    })
    # Someone in another garden, published, to show the municipality filter narrows the list.
    tor = MembershipFactory(garden=other, user__full_name="Tor Tynset").user
    services.staff_profile_update(user=tor, by=tor, data={"headline": "Eksportrådgiver", "is_public": True})
    return {"garden": garden}


def test_staff_publishes_and_a_visitor_finds_them(browser, page, live_server, setting, axe, shot):
    sign_in(page, live_server, "stine@example.org", PASSWORD)
    page.get_by_role("link", name="Min kompetanseprofil").click()
    expect(page.get_by_role("heading", name="Min kompetanseprofil")).to_be_visible()
    expect(page.get_by_text("Ikke publisert")).to_be_visible()
    page.get_by_label("Overskrift").fill("Hjelper gründere med næringsutvikling")
    page.get_by_label("Om meg").fill("Tjue år med små bedrifter i fjellregionen.")
    page.get_by_label("Næringsutvikling").check()
    page.get_by_label("Røros").check()
    page.locator("main").get_by_label("Språk", exact=True).fill("norsk, English")
    page.get_by_label("Kapasitet tilbudt andre hager").fill("To dager i måneden")
    page.get_by_label("Publiser profilen min i kompetansekatalogen").check()
    expect(page.get_by_text("E-postadressen din vises aldri")).to_be_visible()
    assert axe() == []
    shot("competence-edit")
    page.get_by_role("button", name="Lagre profil").click()
    expect(page.get_by_text("Profilen din er lagret og publisert i kompetansekatalogen.")).to_be_visible()
    expect(page.get_by_text("Publisert", exact=True)).to_be_visible()

    visitor = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto(f"{live_server.url}/")
    visitor.get_by_role("link", name="Kompetansekatalog").click()
    visitor.get_by_label("Søk", exact=True).fill("naeringsutvikling")
    visitor.get_by_role("button", name="Søk").click()
    cards = visitor.locator(".competence-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Stine Stab")
    expect(cards.first).to_contain_text("Rørosregionen Næringshage")
    expect(cards.first).to_contain_text("Røros")
    expect(visitor.get_by_text("Kåre Skjult")).to_have_count(0)
    assert "@" not in visitor.locator("main").inner_text()
    assert axe_on(visitor) == []
    visitor.screenshot(path=str(shot_path("competence-directory-search")), full_page=True)

    visitor.get_by_role("link", name="Nullstill filtre").click()
    expect(visitor.locator(".competence-card")).to_have_count(2)
    visitor.get_by_label("Kommune").select_option(label="Røros (5025)")
    visitor.get_by_role("button", name="Søk").click()
    expect(visitor.locator(".competence-card")).to_have_count(1)
    expect(visitor.locator(".competence-card").first).to_contain_text("Stine Stab")

    visitor.get_by_role("link", name="Stine Stab", exact=True).click()
    expect(visitor.get_by_role("heading", name="Stine Stab")).to_be_visible()
    expect(visitor.get_by_text("Tjue år med små bedrifter i fjellregionen.")).to_be_visible()
    assert "@" not in visitor.locator("main").inner_text()
    assert axe_on(visitor) == []
    visitor.screenshot(path=str(shot_path("competence-profile")), full_page=True)

    # The unpublished colleague is nowhere: not by name, not on the garden's page.
    visitor.goto(f"{live_server.url}/kompetanse/?q=kare")
    expect(visitor.get_by_text("Ingen i katalogen passer til dette søket.")).to_be_visible()
    visitor.goto(f"{live_server.url}/hager/rorosregionen/")
    expect(visitor.get_by_text("Næringsutvikling i fjellet")).to_have_count(0)
    visitor.context.close()


def axe_on(other_page) -> list[dict]:
    """Run axe-core on a page other than the fixture's."""

    inject_axe(other_page)
    return other_page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )


def shot_path(name: str):
    from .conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
