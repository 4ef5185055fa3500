"""The garden's workspace overview: the figures staff open every morning and what is due this week."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import ActionItem, Agreement, AgreementParty, Meeting
from members.models import DevelopmentGoal, HelpRequest
from tests.factories import GardenFactory, TargetCompanyFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.date(2026, 12, 2)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: WEDNESDAY)
    return WEDNESDAY


def workspace(client, user, garden) -> str:
    client.force_login(user)
    response = client.get(reverse("members:workspace", kwargs={"garden_slug": garden.slug}))
    assert response.status_code == 200
    return response.content.decode()


def agreement_of(garden, name="Samarbeidsavtale Alfa–Gamma", slug="alfa-gamma") -> Agreement:
    agreement = Agreement.objects.create(name=name, slug=slug, purpose="Samhandling.")
    AgreementParty.objects.create(agreement=agreement, garden=garden)
    return agreement


def test_counts_active_records_by_phase_and_open_requests(client, staff_a, garden_a, garden_b, today):
    TargetCompanyFactory(garden=garden_a, phase="mapping")
    TargetCompanyFactory(garden=garden_a, phase="growth")
    TargetCompanyFactory(garden=garden_a, phase="growth")
    TargetCompanyFactory(garden=garden_a, phase="growth", status="withdrawn", withdrawn_reason="Flyttet")
    TargetCompanyFactory(garden=garden_b, phase="growth")  # another garden's record is not counted
    for status in ("new", "assigned", "answered", "closed"):
        HelpRequest.objects.create(garden=garden_a, name="G", email="g@example.org", message="?", status=status)
    HelpRequest.objects.create(garden=garden_b, name="G", email="g@example.org", message="?")
    html = workspace(client, staff_a, garden_a)
    assert "<strong>3</strong> <a" in html and "aktive målbedrifter" in html
    assert 'Kartlegging <strong>1</strong>' in html and 'Vekst <strong>2</strong>' in html
    assert 'Utvikling <strong>0</strong>' in html
    assert "<strong>2</strong> <a href=\"/g/alfa/foresporsler/\">åpne henvendelser</a>" in html


def test_meetings_and_actions_due_this_week_and_overdue_are_listed_and_counted(client, staff_a, garden_a, today):
    agreement = agreement_of(garden_a)
    other = Agreement.objects.create(name="Andres avtale", slug="andre", purpose="-")
    Meeting.objects.create(agreement=agreement, title="Styringsmøte desember", date=datetime.date(2026, 12, 4))
    forgotten = Meeting.objects.create(agreement=agreement, title="Glemt høstmøte", date=datetime.date(2026, 10, 1))
    Meeting.objects.create(agreement=agreement, title="Holdt møte", date=datetime.date(2026, 11, 3), status="held")
    Meeting.objects.create(agreement=agreement, title="Neste år", date=datetime.date(2027, 1, 5))
    Meeting.objects.create(agreement=other, title="Ikke vår avtale", date=datetime.date(2026, 12, 3))
    ActionItem.objects.create(meeting=forgotten, description="Sende referat", due_on=datetime.date(2026, 11, 20))
    ActionItem.objects.create(meeting=forgotten, description="Bestille lokale", due_on=datetime.date(2026, 12, 6))
    ActionItem.objects.create(meeting=forgotten, description="Gjort tiltak", due_on=datetime.date(2026, 11, 1),
                              done=True)
    html = workspace(client, staff_a, garden_a)
    assert "Styringsmøte desember" in html and "Glemt høstmøte" in html
    assert "Holdt møte" not in html and "Neste år" not in html and "Ikke vår avtale" not in html
    assert "Sende referat" in html and "Bestille lokale" in html and "Gjort tiltak" not in html
    assert html.count("badge-overdue") == 2  # the October meeting and the November action
    assert "1 denne uken, 1 forfalt" in html
    assert 'class="stat-problem"><strong>2</strong>' in html
    assert "2 er forfalt" in html
    assert "01.10.2026" in html and "04.12.2026" in html


def test_a_garden_with_nothing_due_says_so_and_how_to_start(client, admin_a, garden_a, today):
    html = workspace(client, admin_a, garden_a)
    assert "Ingenting forfaller denne uken" in html
    assert "Ingen målbedrifter ennå." in html and "importer hagens liste" in html
    assert "stat-problem" not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_query_count_is_fixed(client, django_assert_num_queries, staff_a, garden_a, today, rows):
    agreement = agreement_of(garden_a)
    AgreementParty.objects.create(agreement=agreement, garden=GardenFactory(name="Gamma Næringshage", slug="gamma"))
    for i in range(rows):
        target = TargetCompanyFactory(garden=garden_a, phase=["mapping", "growth"][i % 2])
        day = today + datetime.timedelta(i % 5 - 2)
        DevelopmentGoal.objects.create(target=target, description=f"Mål {i}", due=day)
        meeting = Meeting.objects.create(agreement=agreement, title=f"Møte {i}", date=day)
        ActionItem.objects.create(meeting=meeting, description=f"Tiltak {i}", due_on=today - datetime.timedelta(1))
        HelpRequest.objects.create(garden=garden_a, name="G", email="g@example.org", message="?")
    client.force_login(staff_a)
    # 1 session, 2 user, 3 garden with the tabs' counts, 4 memberships (access and navigation), 5 the
    # records' counts (active, by phase), 6 follow-ups and hours this year, 7 open help requests, 8 goals'
    # counts, 9 goals due with their companies, 10 meetings' counts, 11 meetings due with their
    # agreements, 12 actions' counts, 13 actions due with meeting, agreement and owner, 14 colleagues,
    # 15 coverage, 16 the latest records.
    with django_assert_num_queries(16):
        response = client.get(reverse("members:workspace", kwargs={"garden_slug": garden_a.slug}))
    html = response.content.decode()
    assert html.count('href="/avtaler/alfa-gamma/moter/') == min(rows, 20) * 2  # meetings and their actions
