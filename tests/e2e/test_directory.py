"""The public face of the network in a real browser: find your garden, the directory, the map."""

import pytest
from playwright.sync_api import expect

from network_portal.loading import load_network

from .conftest import SCREENSHOTS

ROROS = "rorosregionen-naeringshage"


@pytest.fixture
def network(transactional_db):
    """The real network from data/reference (loads in well under a second)."""
    return load_network()


def test_entrepreneur_finds_their_garden_and_sees_it_on_the_map(page, live_server, network, shot):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Finn din næringshage").click()
    page.get_by_label("Kommune").fill("Tynset")
    page.get_by_role("button", name="Søk").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Tynset")
    expect(page.get_by_role("link", name="Rørosregionen Næringshage", exact=True)).to_be_visible()
    shot("directory-find-tynset")

    page.get_by_role("link", name="Se kommunene til hver hage på kartet").click()
    expect(page).to_have_url(f"{live_server.url}/kart/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Der næringshagene arbeider")
    roros = page.locator('svg a[data-number="5025"]')
    expect(roros).to_have_attribute("href", f"/hager/{ROROS}/")
    assert roros.locator("path").bounding_box()["width"] > 10, "Røros is drawn too small to see"
    legend = page.get_by_role("region", name="Næringshagene")
    expect(legend.get_by_role("link", name="Rørosregionen Næringshage", exact=True)).to_be_visible()
    shot("directory-map")

    roros.click()
    expect(page).to_have_url(f"{live_server.url}/hager/{ROROS}/")


def test_old_number_is_explained(page, live_server, network):
    page.goto(live_server.url + "/finn-hage/")
    page.get_by_label("Kommune").fill("0437")
    page.get_by_role("button", name="Søk").click()
    expect(page.locator(".former-number")).to_contain_text("0437 var nummeret til Tynset fram til 2019")
    expect(page.get_by_role("link", name="Rørosregionen Næringshage", exact=True)).to_be_visible()


@pytest.mark.parametrize("path", ["/hager/", "/finn-hage/?q=Tynset", "/finn-hage/?q=1640", "/kart/"])
def test_public_pages_pass_axe(page, live_server, network, axe, shot, path):
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    assert axe() == []
    shot("axe-directory-" + path.strip("/").replace("/", "-").replace("?q=", "-"))


def test_map_fits_a_phone_with_the_legend_below(browser, live_server, network):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nb-NO")
    phone = context.new_page()
    phone.goto(live_server.url + "/kart/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "the map page scrolls sideways"
    svg = phone.locator("svg[viewBox]").bounding_box()
    legend = phone.locator(".map-legend").bounding_box()
    assert svg["width"] > 300 and legend["y"] > svg["y"] + svg["height"] - 1
    phone.screenshot(path=str(SCREENSHOTS / "phone-directory-map.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_national_old_number_and_an_old_name_are_explained(browser, live_server, network, width, height):
    """A garden in Troms or Østfold: numbers of every reform find today's municipality, in words."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nb-NO")
    page = context.new_page()
    page.goto(live_server.url + "/finn-hage/")
    page.get_by_label("Kommune").fill("3003")
    page.get_by_role("button", name="Søk").click()
    expect(page.locator(".former-number")).to_have_text(
        "3003 var nummeret til Sarpsborg 2020–2023; i dag er det 3105 Sarpsborg, Østfold.")
    expect(page.get_by_text("Sarpsborg (3105, Østfold) har ingen næringshage i nettverket ennå.")).to_be_visible()
    page.get_by_label("Kommune").fill("Snillfjord")
    page.get_by_role("button", name="Søk").click()
    expect(page.locator(".former-number")).to_contain_text("i dag er området delt mellom 5055 Heim")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    page.screenshot(path=str(SCREENSHOTS / f"find-national-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_garden_page_shows_how_to_reach_it_with_derived_details_marked(page, live_server, network, axe, shot,
                                                                          width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/hager/{ROROS}/")
    contact = page.locator(".contact-list")
    expect(contact).to_contain_text("Sigrid M. Jansen, daglig leder")
    expect(contact).to_contain_text("Kilde: «Åpner for næringslivet i hele regionen»")
    website = contact.locator("li", has=page.get_by_role("link", name="roroshagen.no"))
    expect(website.locator(".badge-inferred")).to_have_text("utledet")
    expect(website).to_contain_text("står ikke uttrykkelig")  # the reason is read, not hidden in a tooltip
    expect(page.get_by_text("Ingen kontaktopplysninger er registrert ennå")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe() == []
    shot(f"garden-contact-{'phone' if width < 500 else 'desktop'}")
