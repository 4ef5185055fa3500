"""Agreements in a real browser: a party admin records a quarterly meeting as held; outsiders see no documents."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from agreements import services
from agreements.models import (
    ActionItem,
    Agreement,
    AgreementDocument,
    AgreementParty,
    Meeting,
    NetworkEvent,
    Obligation,
)
from gardens.models import StaffMembership
from tests.factories import GardenFactory, MembershipFactory

from .conftest import sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture
def setting(transactional_db, settings, tmp_path):
    """The Hedmark agreement between two gardens with its quarterly obligation; a third garden outside it."""
    settings.MEDIA_ROOT = tmp_path
    magnor = GardenFactory(name="Magnor Næringshage", slug="magnor")
    odal = GardenFactory(name="Odal Næringshage", slug="odal")
    outside = GardenFactory(name="Rørosregionen Næringshage", slug="roros")
    agreement = Agreement.objects.create(
        name="Samarbeidsavtale mellom næringshagene i Hedmark", slug="hedmark",
        purpose="Forpliktende samarbeid om ressurser og kompetanse i fylket.",
    )
    for garden in (magnor, odal):
        AgreementParty.objects.create(agreement=agreement, garden=garden)
    year = timezone.localdate().year
    obligation = Obligation.objects.create(
        agreement=agreement, description="Felles samhandlingsmøte hvert kvartal",
        recurrence=Obligation.Recurrence.QUARTERLY, starts_on=datetime.date(year, 1, 1),
    )
    services.obligation_generate_meetings(obligation=obligation, until=datetime.date(year, 12, 31))
    document = AgreementDocument.objects.create(
        agreement=agreement, title="Signert avtale", file=SimpleUploadedFile("avtale.pdf", b"%PDF-1.4")
    )
    admin = MembershipFactory(garden=magnor, role=StaffMembership.Role.ADMIN, user__email="leif@example.org",
                              user__full_name="Leif Klausen").user
    colleague = MembershipFactory(garden=odal, role=StaffMembership.Role.STAFF, user__email="tove@example.org",
                                  user__full_name="Tove Gulbrandsen").user
    outsider = MembershipFactory(garden=outside, role=StaffMembership.Role.STAFF, user__email="ola@example.org",
                                 user__full_name="Ola Utenfor").user
    return {"agreement": agreement, "document": document, "admin": admin, "colleague": colleague,
            "outsider": outsider, "year": year}


def test_party_admin_records_a_quarterly_meeting_as_held(page, live_server, setting, axe, shot):
    agreement = setting["agreement"]
    sign_in(page, live_server, "leif@example.org", PASSWORD)

    page.goto(f"{live_server.url}/avtaler/")
    page.get_by_role("link", name="Avtaler", exact=True).first.wait_for()
    expect(page.get_by_role("row", name="Samarbeidsavtale mellom næringshagene i Hedmark")).to_contain_text(
        "Magnor Næringshage"
    )
    assert axe() == []
    shot("agreements-list")

    page.get_by_role("link", name="Samarbeidsavtale mellom næringshagene i Hedmark").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(agreement.name)
    expect(page.get_by_text("0 av 4 møter avholdt")).to_be_visible()
    assert axe() == []
    shot("agreements-detail")

    first = Meeting.objects.filter(agreement=agreement).order_by("date").first()
    page.get_by_role("link", name="Felles samhandlingsmøte hvert kvartal").first.click()
    expect(page).to_have_url(f"{live_server.url}{first.get_absolute_url()}")
    page.get_by_label("Status").select_option(label="avholdt")
    page.get_by_label("Sted").fill("Kongsvinger")
    page.get_by_label("Tove Gulbrandsen").check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv referatet")  # held needs minutes; nothing lost
    expect(page.get_by_label("Sted")).to_have_value("Kongsvinger")
    page.get_by_label("Referat").fill("Erfaringsdeling om felles utviklingsverktøy.")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("status")).to_contain_text("Endringene er lagret")

    actions = (("Send referat til partene", "Tove Gulbrandsen"), ("Planlegg neste møte", "Leif Klausen"))
    for description, owner in actions:
        page.get_by_label("Beskrivelse").fill(description)
        page.get_by_label("Ansvarlig").select_option(label=owner)
        page.get_by_label("Frist").fill(f"{setting['year']}-12-01")
        page.get_by_role("button", name="Legg til", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Oppfølgingspunktet er lagt til")
    expect(page.locator("#actions li")).to_have_count(2)
    assert axe() == []
    shot("agreements-meeting")

    page.goto(f"{live_server.url}/avtaler/{agreement.slug}/samsvar/")
    expect(page.get_by_role("row", name=str(setting["year"]))).to_contain_text("1 av 4 avholdt")
    assert axe() == []
    shot("agreements-compliance")

    first.refresh_from_db()
    assert first.status == Meeting.Status.HELD and list(first.attendees.all()) == [setting["colleague"]]
    assert ActionItem.objects.filter(meeting=first).count() == 2


def test_staff_of_a_non_party_garden_gets_404_for_a_document(page, live_server, setting):
    sign_in(page, live_server, "ola@example.org", PASSWORD)
    page.goto(f"{live_server.url}/avtaler/hedmark/")
    expect(page.get_by_text("Forpliktende samarbeid om ressurser")).to_be_visible()
    expect(page.get_by_text("Signert avtale")).to_have_count(0)
    response = page.goto(f"{live_server.url}/avtaler/hedmark/dokumenter/{setting['document'].pk}/")
    assert response.status == 404


def test_signing_up_for_a_full_event_puts_you_on_the_waiting_list(page, live_server, setting, axe, shot):
    start = timezone.now() + datetime.timedelta(days=14)
    event = NetworkEvent.objects.create(
        agreement=setting["agreement"], title="Nettverkssamling på Hamar", place="Hamar",
        starts_at=start, ends_at=start + datetime.timedelta(hours=4), capacity=1,
    )
    services.event_register(event=event, user=setting["colleague"])
    sign_in(page, live_server, "leif@example.org", PASSWORD)

    page.goto(f"{live_server.url}/arrangementer/")
    expect(page.get_by_text("1 av 1 plasser tatt")).to_be_visible()
    assert axe() == []
    page.get_by_role("link", name="Nettverkssamling på Hamar").click()
    page.get_by_role("button", name="Sett meg på ventelisten").click()
    expect(page.get_by_role("status")).to_contain_text("ventelisten")
    expect(page.get_by_text("Du er nummer 1 på ventelisten.")).to_be_visible()
    assert axe() == []
    shot("agreements-event")

    services.event_cancel(event=event, user=setting["colleague"])
    page.reload()
    expect(page.get_by_text("Du har plass.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Legg til i kalenderen (.ics)").click()
    assert "BEGIN:VEVENT" in open(download.value.path(), encoding="utf-8").read()
