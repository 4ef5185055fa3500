"""Solør leaves the programme and hands its target companies to Magnor, in a real browser.

Solør's admin asks, Magnor's admin (in a browser of their own) confirms, and the records
arrive in Magnor's list with "Transferred from Solør" and their history.
"""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from gardens.models import StaffMembership
from members import services
from tests.factories import GardenFactory, MembershipFactory, TargetCompanyFactory

from .conftest import SCREENSHOTS, inject_axe, sign_in

PASSWORD = "correct-horse-battery"


def axe_violations(page) -> list[dict]:
    """The `axe` fixture's check, for a page in a second browser context."""
    inject_axe(page)
    return page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )


@pytest.fixture
def gardens(transactional_db):
    solor = GardenFactory(name="Solør Næringshage", slug="solor")
    magnor = GardenFactory(name="Magnor Næringshage", slug="magnor")
    GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    sigrid = MembershipFactory(garden=solor, role=StaffMembership.Role.ADMIN, user__email="sigrid@example.org",
                               user__full_name="Sigrid Solør").user
    MembershipFactory(garden=magnor, role=StaffMembership.Role.ADMIN, user__email="magne@example.org",
                      user__full_name="Magne Magnor")
    skog = TargetCompanyFactory(garden=solor, company__name="Skogbruk Solør AS")
    TargetCompanyFactory(garden=solor, company__name="Flisa Trevare AS")
    TargetCompanyFactory(garden=solor, company__name="Kirkenær Kafé AS")
    services.follow_up_log(target=skog, by=sigrid, date=datetime.date(2025, 5, 6), kind="meeting",
                           hours=Decimal("2"), summary="Møte om ny sagbrukslinje")
    return {"solor": solor, "magnor": magnor}


def test_solor_hands_two_companies_to_magnor_who_confirms(page, browser, live_server, gardens, axe, shot):
    # Solør's admin asks.
    sign_in(page, live_server, "sigrid@example.org", PASSWORD)
    page.get_by_role("link", name="Overføringer", exact=True).click()
    expect(page.get_by_text("Hagen deres har ikke overført noen målbedrifter.")).to_be_visible()
    page.get_by_role("link", name="Overfør målbedrifter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overfør målbedrifter")
    for name in ("Flisa Trevare AS", "Kirkenær Kafé AS", "Skogbruk Solør AS"):
        expect(page.get_by_label(name, exact=False)).to_be_checked()  # all ticked: Solør hands over everything
    page.get_by_role("combobox", name="Mottakende hage").select_option(label="Magnor Næringshage")
    page.get_by_label("Kirkenær Kafé AS", exact=False).uncheck()
    page.get_by_label("Merknad til mottakende hage").fill("Solør går ut av programmet fra 1. juli.")
    assert axe() == []
    shot("transfer-form")
    page.get_by_role("button", name="Be mottakende hage om å bekrefte").click()

    expect(page.get_by_text("2 målbedrifter venter på at Magnor Næringshage bekrefter overføringen.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overføring fra Solør Næringshage til Magnor Næringshage")
    expect(page.get_by_role("button", name="Avbryt overføringen")).to_be_visible()
    expect(page.get_by_role("button", name="Bekreft og overta 2 bedrifter")).to_have_count(0)
    assert axe() == []
    shot("transfer-detail-sender")
    assert [m.to for m in mail.outbox] == [["magne@example.org"]]

    # Magnor's admin, in a browser of their own, confirms.
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    magnor = context.new_page()
    sign_in(magnor, live_server, "magne@example.org", PASSWORD)
    magnor.get_by_role("link", name="Overføringer", exact=True).click()
    incoming = magnor.get_by_role("region", name="Innkommende")
    expect(incoming.get_by_role("cell", name="Venter på bekreftelse")).to_be_visible()
    incoming.get_by_role("link", name="Solør Næringshage").click()
    expect(magnor.get_by_text("Solør går ut av programmet fra 1. juli.")).to_be_visible()
    expect(magnor.get_by_role("cell", name="Kirkenær Kafé AS")).to_have_count(0)
    assert axe_violations(magnor) == []
    magnor.screenshot(path=str(SCREENSHOTS / "transfer-detail-receiver.png"), full_page=True)
    magnor.get_by_role("button", name="Bekreft og overta 2 bedrifter").click()
    expect(magnor.get_by_text("2 målbedrifter hører nå til Magnor Næringshage")).to_be_visible()
    expect(magnor.get_by_text("bekreftet av Magne Magnor")).to_be_visible()

    magnor.get_by_role("link", name="Målbedrifter", exact=True).click()
    expect(magnor.get_by_role("link", name="Skogbruk Solør AS")).to_be_visible()
    expect(magnor.get_by_role("link", name="Flisa Trevare AS")).to_be_visible()
    expect(magnor.get_by_role("link", name="Kirkenær Kafé AS")).to_have_count(0)
    magnor.get_by_role("link", name="Skogbruk Solør AS").click()
    expect(magnor.get_by_text("Overført fra Solør Næringshage.")).to_be_visible()
    expect(magnor.get_by_text("Møte om ny sagbrukslinje")).to_be_visible()
    magnor.screenshot(path=str(SCREENSHOTS / "transfer-record-arrived.png"), full_page=True)
    magnor.get_by_role("link", name="Historikk").click()
    expect(magnor.get_by_text("Magne Magnor fullførte overføringen av Skogbruk Solør AS (Magnor Næringshage)")) \
        .to_be_visible()
    expect(magnor.get_by_text("Sigrid Solør ba om å overføre Skogbruk Solør AS (Solør Næringshage)")).to_be_visible()
    assert axe_violations(magnor) == []
    magnor.screenshot(path=str(SCREENSHOTS / "transfer-history.png"), full_page=True)
    context.close()

    # Back at Solør the transferred records are gone; the one left behind stays.
    page.get_by_role("link", name="Målbedrifter", exact=True).click()
    expect(page.get_by_role("link", name="Kirkenær Kafé AS")).to_be_visible()
    expect(page.get_by_role("link", name="Skogbruk Solør AS")).to_have_count(0)
    page.get_by_role("link", name="Overføringer", exact=True).click()
    expect(page.get_by_role("region", name="Utgående").get_by_text("fullført")).to_be_visible()
    shot("transfer-list-sender")
