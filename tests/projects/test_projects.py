"""Funded projects: exact money figures, Norwegian amounts, access per persona, pages, reminders."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import Organisation
from core.models import AuditEntry
from gardens.access import project_access
from gardens.models import StaffMembership
from projects import services
from projects.forms import ExpenseForm, parse_nok
from projects.models import BudgetLine, Expense, FundingCall, Grant, ProgressReport, Project, ProjectPartner
from projects.reminders import progress_report_reminders_send
from projects.selectors import project_finances
from tests.factories import GardenFactory, MembershipFactory

NBSP = "\u00a0"
D = Decimal


@pytest.fixture
def siva(db):
    return Organisation.objects.create(name="Siva", slug="siva", kind=Organisation.Kind.STATE)


@pytest.fixture
def kmd(db):
    return Organisation.objects.create(name="KMD", slug="kmd", kind=Organisation.Kind.MINISTRY)


@pytest.fixture
def fylke(db):
    return Organisation.objects.create(name="Trøndelag fylkeskommune", slug="trondelag", kind=Organisation.Kind.COUNTY)


@pytest.fixture
def project(garden_a, siva, kmd):
    """Garden A leads; garden C is a partner; garden B (staff_b's) is outside."""
    partner = GardenFactory(name="Gamma Næringshage", slug="gamma")
    project = Project.objects.create(name="Kraftsenteret", slug="kraftsenteret", purpose="Utvikle regionen.",
                                     lead_garden=garden_a, start_year=2025, end_year=2027)
    ProjectPartner.objects.create(project=project, garden=garden_a)
    ProjectPartner.objects.create(project=project, garden=partner)
    Grant.objects.create(project=project, funder=siva, on_behalf_of=kmd, amount=D("6000000.00"), year=None)
    return project


def _spend(project, amount, *, year=2025, funder=None, garden=None, by=None):
    return Expense.objects.create(project=project, year=year, date=datetime.date(year, 3, 1), amount=D(amount),
                                  description="x", funder=funder, garden=garden, created_by=by)


# --- Money ---------------------------------------------------------------------------------------------

def test_whole_period_grant_remaining_is_exact(project, siva, django_assert_num_queries):
    _spend(project, "1000000.00", year=2025, funder=siva)
    _spend(project, "234567.89", year=2026, funder=siva)
    with django_assert_num_queries(4):  # grants by funder/year, spending by funder/year, gardens, totals
        figures = project_finances(project)
    [row] = figures["by_funder"]
    assert row == {"funder": "Siva", "on_behalf_of": "KMD", "year": None, "granted": D("6000000.00"),
                   "spent": D("1234567.89"), "remaining": D("4765432.11"), "grant_id": project.grants.get().pk}
    assert (figures["granted"], figures["spent"], figures["remaining"]) == (
        D("6000000.00"), D("1234567.89"), D("4765432.11"))


def test_yearly_grants_and_unfunded_spending_get_their_own_rows(project, siva, fylke):
    Grant.objects.create(project=project, funder=fylke, amount=D("100000.00"), year=2025)
    Grant.objects.create(project=project, funder=fylke, amount=D("50000.00"), year=2026)
    _spend(project, "40000.10", year=2025, funder=fylke)
    _spend(project, "60000.00", year=2026, funder=fylke)
    _spend(project, "999.99", year=2026)  # no funder stated
    rows = {(r["funder"], r["year"]): (r["granted"], r["spent"], r["remaining"])
            for r in project_finances(project)["by_funder"]}
    assert rows == {
        ("Siva", None): (D("6000000.00"), D("0.00"), D("6000000.00")),
        ("Trøndelag fylkeskommune", 2025): (D("100000.00"), D("40000.10"), D("59999.90")),
        ("Trøndelag fylkeskommune", 2026): (D("50000.00"), D("60000.00"), D("-10000.00")),
        (None, 2026): (D("0.00"), D("999.99"), D("-999.99")),
    }
    figures = project_finances(project)
    assert figures["granted"] == D("6150000.00")
    assert figures["spent"] == D("101000.09")


def test_per_partner_budget_spent_remaining(project, garden_a):
    gamma = project.partners.get(slug="gamma")
    BudgetLine.objects.create(project=project, year=2025, category="personnel", amount=D("300000.00"), garden=garden_a)
    BudgetLine.objects.create(project=project, year=2026, category="travel", amount=D("20000.50"), garden=garden_a)
    BudgetLine.objects.create(project=project, year=2025, category="other", amount=D("1000.00"))
    _spend(project, "12345.67", garden=garden_a)
    _spend(project, "500.00", garden=gamma)
    figures = project_finances(project)
    by_garden = {r["garden"].slug: (r["budget"], r["spent"], r["remaining"]) for r in figures["by_garden"]}
    assert by_garden == {
        "alfa": (D("320000.50"), D("12345.67"), D("307654.83")),
        "gamma": (D("0.00"), D("500.00"), D("-500.00")),
    }
    assert figures["unassigned"] == {"budget": D("1000.00"), "spent": D("0.00"), "remaining": D("1000.00")}
    assert figures["budget"] == D("321000.50")


# The nok filter itself is tested in tests/core/test_formatting.py.


@pytest.mark.parametrize("text,expected", [
    ("1 234,50", D("1234.50")), ("250 000,50", D("250000.50")), (f"1{NBSP}234,5", D("1234.50")),
    ("1234.50", D("1234.50")), ("1.234,50", D("1234.50")), ("12 000 kr", D("12000.00")), ("7", D("7.00")),
])
def test_parse_nok_reads_norwegian_notation(text, expected):
    assert parse_nok(text) == expected


@pytest.mark.parametrize("text,message", [
    ("-100", "ikke være negativt"), ("0", "større enn null"),
    ("abc", "for eksempel 1 234,50"), ("1,234", "for eksempel"),
])
def test_expense_form_rejects_bad_amounts_clearly(project, text, message):
    form = ExpenseForm({"year": 2025, "date": "2025-03-01", "amount": text, "description": "Reise"}, project=project)
    assert not form.is_valid()
    assert message in form.errors["amount"][0]


def test_service_refuses_zero_and_writes_audit(project, admin_a, siva):
    with pytest.raises(ValidationError):
        services.expense_create(project=project, by=admin_a, year=2025, date=datetime.date(2025, 1, 1),
                                amount=D("0"), description="x")
    expense = services.expense_create(project=project, by=admin_a, year=2025, date=datetime.date(2025, 1, 1),
                                      amount=D("1234.50"), description="Reise", funder=siva)
    entry = AuditEntry.objects.get(action="projects.expense.created")
    assert entry.target_id == str(expense.pk) and entry.changes["amount"] == [None, "1234.50"]


# --- Access ---------------------------------------------------------------------------------------------

@pytest.fixture
def gamma_admin(project):
    return MembershipFactory(garden=project.partners.get(slug="gamma"), role=StaffMembership.Role.ADMIN).user


def test_project_access_per_persona(project, admin_a, staff_a, staff_b, reader, entrepreneur, gamma_admin):
    from django.contrib.auth.models import AnonymousUser

    assert project_access(AnonymousUser(), project) == project_access(entrepreneur, project)
    assert not project_access(staff_b, project).can_read
    assert project_access(staff_a, project).can_read and not project_access(staff_a, project).can_edit
    assert project_access(admin_a, project).can_edit
    assert project_access(gamma_admin, project).can_edit  # a partner garden's admin, not the lead's
    assert project_access(reader, project).can_read and not project_access(reader, project).can_edit


@pytest.mark.parametrize("persona,sees_money", [
    ("anonymous", False), ("entrepreneur", False), ("staff_b", False),
    ("staff_a", True), ("admin_a", True), ("reader", True),
])
def test_detail_shows_finances_only_to_parties_and_readers(persona_client, project, siva, persona, sees_money):
    _spend(project, "1234567.89", funder=siva)
    response = persona_client(persona).get(project.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Utvikle regionen." in html and "Gamma Næringshage" in html and "2025–2027" in html
    assert (f"4{NBSP}765{NBSP}432,11{NBSP}kr" in html) is sees_money


@pytest.mark.parametrize("persona,status", [
    ("anonymous", 302), ("entrepreneur", 404), ("staff_b", 404), ("staff_a", 403), ("reader", 403), ("admin_a", 200),
])
def test_spending_form_is_for_party_admins(persona_client, project, persona, status):
    response = persona_client(persona).get(reverse("projects:expense-add", args=[project.slug]))
    assert response.status_code == status


@pytest.mark.parametrize("persona,status", [
    ("anonymous", 302), ("staff_b", 404), ("staff_a", 200), ("reader", 200), ("admin_a", 200),
])
def test_report_file_only_for_parties(persona_client, project, persona, status, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = ProgressReport.objects.create(project=project, period="2025", due=datetime.date(2026, 1, 31))
    report.file.save("rapport.pdf", SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 test"))
    response = persona_client(persona).get(reverse("projects:report-file", args=[project.slug, report.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("url_name,extra", [
    ("projects:budget", {}), ("projects:milestone-add", {}), ("projects:report-add", {}),
])
def test_partner_staff_cannot_post_changes(client, staff_a, project, url_name, extra):
    client.force_login(staff_a)
    assert client.post(reverse(url_name, args=[project.slug]), {}).status_code == 403


def test_admin_enters_spending_in_norwegian_notation(client, admin_a, project, siva, garden_a):
    client.force_login(admin_a)
    response = client.post(reverse("projects:expense-add", args=[project.slug]), {
        "year": 2025, "date": "2025-05-02", "amount": "250 000,50", "funder": siva.pk, "garden": garden_a.pk,
        "description": "Prosjektleder",
    })
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.amount, expense.funder, expense.garden, expense.created_by) == (
        D("250000.50"), siva, garden_a, admin_a)
    page = client.get(project.get_absolute_url()).content.decode()
    assert f"5{NBSP}749{NBSP}999,50{NBSP}kr" in page


def test_negative_spending_keeps_what_was_typed(client, admin_a, project):
    client.force_login(admin_a)
    response = client.post(reverse("projects:expense-add", args=[project.slug]), {
        "year": 2025, "date": "2025-05-02", "amount": "-500", "description": "Feilføring",
    })
    assert response.status_code == 200
    assert "Beløpet kan ikke være negativt." in response.content.decode()
    assert 'value="Feilføring"' in response.content.decode()
    assert not Expense.objects.exists()


def test_funder_choices_are_the_projects_funders(client, admin_a, project, fylke):
    client.force_login(admin_a)
    html = client.get(reverse("projects:expense-add", args=[project.slug])).content.decode()
    assert "Siva" in html and "Trøndelag fylkeskommune" not in html


def test_budget_milestone_and_report_flow(client, admin_a, project, garden_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_a)
    slug = project.slug
    client.post(reverse("projects:budget", args=[slug]), {"year": 2025, "category": "personnel",
                                                          "garden": garden_a.pk, "amount": "300 000",
                                                          "description": "Prosjektleder"})
    assert BudgetLine.objects.get().amount == D("300000.00")
    client.post(reverse("projects:milestone-add", args=[slug]), {"ms-title": "Oppstartsmøte", "ms-due": "2025-02-01"})
    milestone = project.milestones.get()
    client.post(reverse("projects:milestone-done", args=[slug, milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done_on is not None
    client.post(reverse("projects:report-add", args=[slug]), {"rep-period": "2025", "rep-due": "2026-01-31"})
    report = project.reports.get()
    client.post(reverse("projects:report-submit", args=[slug, report.pk]), {
        "submitted_on": "2026-01-20", "summary": "Godt i gang.",
        "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
    })
    report.refresh_from_db()
    assert report.submitted_on == datetime.date(2026, 1, 20) and report.file
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"projects.budgetline.created", "projects.milestone.created", "projects.milestone.done",
            "projects.report.created", "projects.report.submitted"} <= actions


def test_call_page_lists_its_projects_and_total(client, project, siva):
    call = FundingCall.objects.create(name="Sivas utlysning", funder=siva, total_amount=D("30000000"))
    project.call = call
    project.save()
    html = client.get(reverse("projects:call-detail", args=[call.pk])).content.decode()
    assert "Kraftsenteret" in html and f"30{NBSP}000{NBSP}000{NBSP}kr" in html


# --- Query counts ----------------------------------------------------------------------------------------

def _many_projects(n, siva):
    gardens = [GardenFactory() for _ in range(3)]
    for i in range(n):
        p = Project.objects.create(name=f"Prosjekt {i:03d}", slug=f"prosjekt-{i:03d}", lead_garden=gardens[0])
        for g in gardens:
            ProjectPartner.objects.create(project=p, garden=g)
        Grant.objects.create(project=p, funder=siva, amount=D("1000.00"))


@pytest.mark.parametrize("n", [5, 60])
def test_list_query_count_is_flat(client, siva, n, django_assert_num_queries):
    _many_projects(n, siva)
    # 1 projects with lead and granted sum, 2 their partner gardens
    with django_assert_num_queries(2):
        response = client.get(reverse("projects:list"))
    assert response.content.decode().count("Prosjekt ") >= n


@pytest.mark.parametrize("n", [5, 60])
def test_detail_query_count_is_flat(client, admin_a, project, siva, garden_a, n, django_assert_num_queries):
    for i in range(n):
        _spend(project, "100.00", funder=siva, garden=garden_a)
        BudgetLine.objects.create(project=project, year=2025, category="other", amount=D("10.00"), garden=garden_a)
        project.milestones.create(title=f"M{i}", due=datetime.date(2025, 6, 1))
        project.reports.create(period=f"R{i}", due=datetime.date(2025, 6, 1))
    client.force_login(admin_a)
    client.get("/")  # warm the session
    # 1 project with lead and call, 2 session, 3 user, 4 access (memberships), 5 partners,
    # 6 latest expenses, 7-10 finances (grants, spending, gardens, totals), 11 budget lines,
    # 12 milestones, 13 reports, 14 the site navigation's memberships
    with django_assert_num_queries(14):
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200


# --- Reminders ---------------------------------------------------------------------------------------------

def test_reminders_go_once_per_stage_to_party_admins(project, admin_a, staff_a, gamma_admin, staff_b,
                                                     django_capture_on_commit_callbacks):
    today = datetime.date(2026, 1, 20)
    soon = ProgressReport.objects.create(project=project, period="2025", due=datetime.date(2026, 1, 31))
    ProgressReport.objects.create(project=project, period="later", due=datetime.date(2026, 6, 1))
    ProgressReport.objects.create(project=project, period="done", due=datetime.date(2026, 1, 10),
                                  submitted_on=datetime.date(2026, 1, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert progress_report_reminders_send(today) == 1
        assert progress_report_reminders_send(today) == 0  # safe to run twice
    [message] = mail.outbox
    assert sorted(message.to) == sorted([admin_a.email, gamma_admin.email])
    assert "2025" in message.subject and "Kraftsenteret" in message.subject
    # Past the due date: one overdue reminder, then nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert progress_report_reminders_send(datetime.date(2026, 2, 1)) == 1
        assert progress_report_reminders_send(datetime.date(2026, 2, 2)) == 0
    soon.refresh_from_db()
    assert set(soon.reminded) == {"due_soon", "overdue"}
    assert len(mail.outbox) == 2
    # An absolute link, and an HTML part like every mail the portal sends.
    assert f"http://127.0.0.1:8000{project.get_absolute_url()}" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_reminder_task_runs(project, admin_a):
    from projects.tasks import send_progress_report_reminders

    ProgressReport.objects.create(project=project, period="2025", due=datetime.date.today())
    assert send_progress_report_reminders.delay().get() == 1
    assert send_progress_report_reminders.delay().get() == 0


# --- The real project ---------------------------------------------------------------------------------------

def test_loaded_project_shows_six_million_from_siva_on_behalf_of_kmd(client, db):
    from network_portal.loading import load_network

    load_network()
    project = Project.objects.get(name="Regionalt Kraftsenter Midt-Norge")
    assert (project.start_year, project.end_year) == (None, None)  # the articles give no years
    [grant] = project.grants.all()
    assert (grant.amount, grant.year, grant.funder.name) == (D("6000000.00"), None, "Siva")
    figures = project_finances(project)
    assert figures["granted"] == D("6000000.00")
    assert figures["by_funder"][0]["year"] is None
    assert project.partners.count() == 4
    html = client.get(reverse("projects:list")).content.decode()
    assert f"6{NBSP}000{NBSP}000{NBSP}kr" in html
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Rørosregionen" in detail and "6\u00a0000\u00a0000" not in detail  # money is not public


def test_garden_page_and_site_nav_link_to_projects(client, project, garden_a):
    html = client.get(garden_a.get_absolute_url()).content.decode()
    assert f'href="{project.get_absolute_url()}"' in html
    assert f'href="{reverse("projects:list")}"' in html


def test_reader_sees_budget_but_cannot_add(client, reader, project):
    client.force_login(reader)
    url = reverse("projects:budget", args=[project.slug])
    assert client.get(url).status_code == 200
    assert client.post(url, {"year": 2025, "category": "other", "amount": "1"}).status_code == 403
    assert not BudgetLine.objects.exists()


# --- Splitting a whole-period grant ------------------------------------------------------------------------

def test_split_must_add_up_exactly_and_keeps_spending_figures(project, admin_a, siva):
    grant = project.grants.get()
    with pytest.raises(ValidationError, match="må være like"):
        services.grant_split(grant=grant, by=admin_a,
                             parts=[(2025, D("2000000.00")), (2026, D("2000000.00")), (2027, D("1999999.99"))])
    assert project.grants.get().year is None  # nothing changed
    _spend(project, "250000.50", year=2026, funder=siva)
    services.grant_split(grant=grant, by=admin_a,
                         parts=[(2025, D("1500000.00")), (2026, D("2500000.00")), (2027, D("2000000.00"))])
    rows = {r["year"]: (r["granted"], r["spent"], r["remaining"]) for r in project_finances(project)["by_funder"]}
    assert rows == {2025: (D("1500000.00"), D("0.00"), D("1500000.00")),
                    2026: (D("2500000.00"), D("250000.50"), D("2249999.50")),
                    2027: (D("2000000.00"), D("0.00"), D("2000000.00"))}
    assert project_finances(project)["granted"] == D("6000000.00")
    assert AuditEntry.objects.filter(action="projects.grant.split").count() == 1


def test_split_page_for_party_admins_only(client, staff_a, admin_a, project):
    grant = project.grants.get()
    url = reverse("projects:grant-split", args=[project.slug, grant.pk])
    client.force_login(staff_a)
    assert client.get(url).status_code == 403
    client.force_login(admin_a)
    response = client.post(url, {"year_1": "2025", "amount_1": "3 000 000", "year_2": "2026",
                                 "amount_2": "2 999 999,99", "year_3": "", "amount_3": ""})
    assert response.status_code == 200 and "må være like" in response.content.decode()
    response = client.post(url, {"year_1": "2025", "amount_1": "3 000 000", "year_2": "2026",
                                 "amount_2": "3 000 000,00"})
    assert response.status_code == 302
    assert sorted(project.grants.values_list("year", "amount")) == [(2025, D("3000000.00")), (2026, D("3000000.00"))]


def test_loading_again_after_a_split_does_not_count_the_grant_twice(db):
    from network_portal.loading import load_network

    load_network()
    project = Project.objects.get(name="Regionalt Kraftsenter Midt-Norge")
    services.grant_split(grant=project.grants.get(), by=None,
                         parts=[(2019, D("2000000.00")), (2020, D("2000000.00")), (2021, D("2000000.00"))])
    load_network()
    assert project_finances(project)["granted"] == D("6000000.00")
    assert not project.grants.filter(year__isnull=True).exists()


def test_bad_milestone_is_shown_again_as_typed(client, admin_a, project):
    client.force_login(admin_a)
    response = client.post(reverse("projects:milestone-add", args=[project.slug]),
                           {"ms-title": "Oppstartsmøte", "ms-due": "31.31.2025"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Oppstartsmøte"' in html and "errorlist" in html
    assert not project.milestones.exists()
