"""The network reports: every figure against an independent computation on a generated dataset.

The dataset is seeded (random.Random(2026)) on top of the real national geography, with
companies in municipalities whose county changed with the 2020 and 2024 reforms, companies
with missing key figures and a company with two records in one year. The expected values are
computed here in plain Python over the rows, and the counties from the SSB file itself, never
with the code under test.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from gardens.geography import ChangeGraph
from gardens.models import County, Coverage, Municipality, ReaderCounty
from members.models import FollowUpEntry, TargetCompany
from network_portal import reports
from tests.factories import UserFactory
from tests.report_data import YEAR, make_report_world

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world(db):
    return make_report_world()


def in_period(target, start, end) -> bool:
    return (target.contract_start <= end and (target.contract_end is None or target.contract_end >= start)
            and target.status != TargetCompany.Status.MERGED)


def expected_targets(start, end) -> list[TargetCompany]:
    """Plain Python: records in the period, the latest per company."""
    latest = {}
    for target in TargetCompany.objects.select_related("company").order_by("contract_start", "pk"):
        if in_period(target, start, end):
            latest[target.company_id] = target
    return list(latest.values())


def test_effect_indicators_match_a_plain_computation(world):
    period = reports.Period(YEAR)
    gardens = list(world["gardens"].values())
    figures = reports.effect_indicators(gardens, period)
    for name in ("turnover", "value_creation", "employees"):
        base = now = Decimal(0)
        counted = left_out = 0
        for target in expected_targets(period.start, period.end):
            if target.contract_start.year >= YEAR:
                continue
            by_year = {k.year: getattr(k, name) for k in target.key_figures.all()}
            b, n = by_year.get(target.contract_start.year), by_year.get(YEAR)
            if b is None or n is None:
                left_out += 1
            else:
                base, now, counted = base + b, now + n, counted + 1
        growth = figures[None][name]
        assert (growth.baseline, growth.report, growth.counted, growth.left_out) == (base, now, counted, left_out)
        assert counted > 5 and left_out > 0  # the dataset has both kinds
        assert growth.percent == ((now / base - 1) * 100).quantize(Decimal("0.1"))


def test_counts_match_a_plain_computation_and_no_company_is_counted_twice(world):
    for period in (reports.Period(YEAR), reports.Period(YEAR, 2), reports.Period(2019)):
        rows = expected_targets(period.start, period.end)
        assert len({t.company_id for t in rows}) == len(rows)
        active = sum(1 for t in rows if t.contract_start <= period.end and (
            (t.contract_end and t.contract_end > period.end) or (t.contract_end is None and t.status == "active")))
        new = sum(1 for t in rows if period.start <= t.contract_start <= period.end)
        ended = sum(1 for t in rows if t.contract_end and t.contract_end <= period.end)
        counts = reports.target_company_counts(list(world["gardens"].values()), period)[None]
        assert (counts.active, counts.new, counts.ended) == (active, new, ended), period


def _county_from_the_ssb_file(number_2024: str, day: datetime.date) -> str:
    """Independently of the portal's loader and graph: the county of `day` read from the CSV."""
    path = settings.BASE_DIR / "data" / "reference" / "kommuner_history_national.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            valid_to = D.fromisoformat(row["valid_to"]) if row["valid_to"] else D.max
            if number_2024 in row["numbers_2024"].split("|") and D.fromisoformat(row["valid_from"]) <= day <= valid_to:
                return row["county_name"]
    raise AssertionError(number_2024)


@pytest.mark.parametrize("year,counties", [
    (2020, {"Innlandet", "Viken", "Trøndelag"}), (2021, {"Innlandet", "Viken", "Trøndelag"}),
    (2024, {"Innlandet", "Østfold", "Trøndelag"}),
])
def test_counties_are_those_of_the_period_and_add_up(world, year, counties):
    period = reports.Period(year)
    gardens = list(world["gardens"].values())
    by_place = reports.counts_by_place(gardens, period, ChangeGraph.load())
    expected: dict[str, int] = {}
    for target in expected_targets(period.start, period.end):
        municipality = target.company.municipality
        name = _county_from_the_ssb_file(municipality.number, period.end) if municipality else ""
        expected[name] = expected.get(name, 0) + 1
    assert {(c.county.name if c.county else ""): c.count for c in by_place} == expected
    assert {c.county.name for c in by_place if c.county} == counties
    for county in by_place:  # a county's total is the sum of its municipalities
        assert county.count == sum(p.count for p in county.municipalities)


def test_follow_up_hours_match_a_plain_sum(world):
    period = reports.Period(YEAR)
    figures = reports.follow_up_by_garden(list(world["gardens"].values()), period)
    for garden in world["gardens"].values():
        entries = [e for e in FollowUpEntry.objects.filter(adviser_garden=garden) if e.date.year == YEAR]
        expected = (sum((e.hours for e in entries), Decimal(0)), len(entries))
        got = figures.get(garden.pk, reports.FollowUp())
        assert (got.hours, got.activities) == expected


def test_a_county_reader_sees_only_the_gardens_of_their_county_as_of_the_period(world):
    reader = UserFactory(is_network_reader=True)
    ReaderCounty.objects.create(user=reader, county=County.objects.get(number="34", name="Innlandet"))
    from gardens.access import report_access

    access = report_access(reader)
    graph = ChangeGraph.load()
    # Independently: gardens covering a municipality numbered 34xx today (Hedmark's 04xx, Oppland's 05xx before).
    expected = sorted({c.garden.name for c in Coverage.objects.select_related("garden", "municipality")
                       if c.municipality.number.startswith("34")})
    assert "Hage INN" in expected and "Magnor Næringshage" in expected
    for year in (2019, 2021, 2024):  # Hedmark's gardens in 2019 are Innlandet's
        names = [g.name for g in reports.gardens_in_scope(access, reports.ReportFilter(reports.Period(year)), graph)]
        assert names == expected
        assert "Hage OST" not in names and "Hage TRD" not in names


# 1 session, 2 user, 3 reader's counties, 4 years with data, 5 change graph, 6 gardens in scope,
# 7 per garden: effect indicators, counts and women leaders (one scan of the records and their key figures),
# 8 follow-up by garden and kind with the hours given to and received from other gardens (one scan of the
# period's follow-ups), 9-10 by place (counts, their municipalities with counties; the shaded map's targets
# come from the same rows), 11 by phase, section and cohort at once, 12 requests, 13 agreements' meetings,
# 14 projects' grants, 15 their spending, 16 the trend, 17 the reader's subscription, 18 the reader's
# earlier exports, 19 navigation memberships, and the filter's choices: 20 gardens, 21 networks, 22 counties
DASHBOARD_QUERIES = 22


def test_the_dashboard_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(UserFactory(is_network_reader=True))
    url = reverse("network_portal:reports")
    client.get(url, {"year": YEAR})
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url, {"year": YEAR})
    assert response.status_code == 200
    # The map shaded by hours adds its one query (the follow-ups per municipality).
    with django_assert_num_queries(DASHBOARD_QUERIES + 1):
        assert client.get(url, {"year": YEAR, "map": "hours"}).status_code == 200


def test_the_export_totals_equal_the_page(client, world):
    client.force_login(UserFactory(is_network_reader=True))
    page = client.get(reverse("network_portal:reports"), {"year": YEAR})
    figures = page.context["figures"]
    response = client.get(reverse("network_portal:reports-export", args=["xlsx"]), {"year": YEAR})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Hage" and rows[-1][0] == "Alle"
    assert rows[-1][1] == figures["counts"].active == sum(r[1] for r in rows[1:-1])
    assert isinstance(rows[-1][4], int | float)  # numbers, not text
    assert float(rows[-1][4]) == float(figures["follow_up"].hours)


def test_staff_see_their_garden_against_the_network_not_other_gardens(client, world):
    staff = world["staff"]["inn"]
    client.force_login(staff)
    html = client.get(reverse("network_portal:reports"), {"year": YEAR}).content.decode()
    assert "Hage INN i nettverket" in html and "Nettverkets gjennomsnitt" in html
    assert "Hage OST" not in html and "Hage TRD" not in html


def test_the_public_page_shows_no_company_and_suppresses_small_cells(client, world):
    html = client.get(reverse("network_portal:programme"), {"year": YEAR}).content.decode()
    assert not any(name in html for name in TargetCompany.objects.values_list("company__name", flat=True))
    period = reports.Period(YEAR)
    by_place = reports.counts_by_place(list(world["gardens"].values()), period, ChangeGraph.load())
    small = [c for c in by_place if c.count < reports.SUPPRESS_BELOW]
    for county in by_place:
        if county.county and county.count >= reports.SUPPRESS_BELOW:
            assert f"<td>{county.county.name}</td><td class=\"num\">{county.count}</td>" in html
    for county in small:
        if county.county:
            assert f"<td>{county.county.name}</td><td class=\"num\">–</td>" in html
    assert "færre enn 3 bedrifter" in html


def test_readers_land_on_the_reports_after_signing_in(client, world):
    client.force_login(UserFactory(is_network_reader=True))
    assert client.get(reverse("network_portal:dashboard"))["Location"] == reverse("network_portal:reports")


def test_the_pdf_is_the_report_with_its_charts(client, world, tmp_path):
    import shutil
    import subprocess

    client.force_login(UserFactory(is_network_reader=True))
    response = client.get(reverse("network_portal:reports-export", args=["pdf"]), {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(response.content)
    assert shutil.which("pdftotext"), "poppler-utils is needed (installed by .ci/run)"
    first = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"Nettverksrapport · {YEAR}" in first
    assert "Aktive målbedrifter ved slutten av hvert år" in first  # a chart on the first page (SVG text)
    everything = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Effektindikatorer" in everything and "Per hage" in everything
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_agreement_meetings_and_project_money_per_funder(world):
    from agreements.models import Agreement, AgreementParty, Meeting, Obligation
    from gardens.models import Organisation
    from projects.models import Expense, Grant, Project

    garden = world["gardens"]["inn"]
    agreement = Agreement.objects.create(name="Avtale INN", slug="avtale-inn")
    AgreementParty.objects.create(agreement=agreement, garden=garden)
    obligation = Obligation.objects.create(agreement=agreement, description="Kvartalsmøte", recurrence="quarterly",
                                           starts_on=D(YEAR, 1, 1))
    for month, status in ((2, "held"), (5, "held"), (8, "planned"), (11, "cancelled")):
        Meeting.objects.create(agreement=agreement, obligation=obligation, title="Møte", date=D(YEAR, month, 15),
                               status=status)
    Meeting.objects.create(agreement=agreement, title="Ekstra", date=D(YEAR, 6, 1), status="held")
    siva = Organisation.objects.create(name="Testfond", slug="testfond")
    project = Project.objects.create(name="Prosjekt INN", slug="prosjekt-inn", lead_garden=garden, start_year=YEAR,
                                     end_year=YEAR + 2)
    Grant.objects.create(project=project, funder=siva, amount=Decimal("600000.00"))
    Expense.objects.create(project=project, year=YEAR, date=D(YEAR, 3, 1), amount=Decimal("150000.50"), funder=siva,
                           description="x")
    Expense.objects.create(project=project, year=YEAR + 1, date=D(YEAR + 1, 3, 1), amount=Decimal("1"), funder=siva,
                           description="later")
    period = reports.Period(YEAR)
    [row] = [m for m in reports.meetings_required_and_held([garden], period) if m["slug"] == "avtale-inn"]
    assert (row["required"], row["held"]) == (4, 3)
    [money] = [m for m in reports.project_money([garden], period) if m["funder"] == "Testfond"]
    assert (money["granted"], money["spent"], money["remaining"]) == (
        Decimal("600000.00"), Decimal("150000.50"), Decimal("449999.50"))


def test_a_reader_subscribes_and_gets_each_quarter_once(client, world, django_capture_on_commit_callbacks):
    from django.core import mail

    from core.models import AuditEntry
    from network_portal.reports_mail import quarterly_reports_send

    reader = UserFactory(is_network_reader=True, email="siva@example.org")
    client.force_login(reader)
    client.post(reverse("network_portal:reports-subscription"), {"subscribe": "1"})
    assert AuditEntry.objects.filter(action="network_portal.reportsubscription.created").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert quarterly_reports_send(today=D(2024, 4, 15)) == 1
        assert quarterly_reports_send(today=D(2024, 5, 20)) == 0  # the same quarter: once
    [message] = mail.outbox
    assert message.to == ["siva@example.org"] and "1. kvartal 2024" in message.subject
    assert "rapporter/?year=2024&quarter=1" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert quarterly_reports_send(today=D(2024, 7, 2)) == 1  # the next quarter
    client.post(reverse("network_portal:reports-subscription"), {"subscribe": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        assert quarterly_reports_send(today=D(2024, 10, 2)) == 0
    assert len(mail.outbox) == 2


def test_women_share_groupings_and_shared_hours_match_plain_computations(world):
    from collections import Counter

    period = reports.Period(YEAR)
    gardens = list(world["gardens"].values())
    rows = expected_targets(period.start, period.end)
    figures = [k for t in rows for k in t.key_figures.all() if k.year == YEAR]
    women = sum(k.women_in_leadership for k in figures if k.women_in_leadership is not None
                and k.leaders_total is not None)
    leaders = sum(k.leaders_total for k in figures if k.women_in_leadership is not None
                  and k.leaders_total is not None)
    assert reports.women_in_leadership(gardens, period)[None] == (women, leaders)
    labels = dict(TargetCompany.Phase.choices)
    assert dict(reports.counts_by(gardens, period, "phase")) == dict(Counter(labels[t.phase] for t in rows))
    assert dict(reports.counts_by(gardens, period, "cohort")) == dict(Counter(t.contract_start.year for t in rows))
    # The report page's one-query versions: the same figures.
    at_once = reports.counts_by_phase_section_and_cohort(gardens, period)
    assert dict(at_once["phase"]) == dict(Counter(labels[t.phase] for t in rows))
    assert dict(at_once["cohort"]) == dict(Counter(t.contract_start.year for t in rows))
    assert dict(at_once["section"]) == dict(Counter(
        t.company.industry.section if t.company.industry_id else None for t in rows))
    assert [key for key, _n in at_once["cohort"]] == sorted({t.contract_start.year for t in rows})  # in order
    per_garden = reports.garden_figures(gardens, period)
    assert per_garden.women[None] == (women, leaders)
    for garden in gardens:
        mine = [k for k in figures if k.target.garden_id == garden.pk and k.women_in_leadership is not None
                and k.leaders_total is not None]
        assert per_garden.women.get(garden.pk, (0, 0)) == (sum(k.women_in_leadership for k in mine),
                                                           sum(k.leaders_total for k in mine))
    assert per_garden.counts == reports.target_company_counts(gardens, period)
    # Hours given across gardens: a colleague of Hage OST logs on a company of Hage INN.
    inn, ost = world["gardens"]["inn"], world["gardens"]["ost"]
    target = next(t for t in rows if t.garden_id == inn.pk)
    FollowUpEntry.objects.create(target=target, date=D(YEAR, 5, 5), kind="advice", hours=Decimal("3.5"),
                                 adviser=world["staff"]["ost"], adviser_garden=ost, summary="delt")
    shared = reports.shared_hours(gardens, period)
    assert shared[ost.pk] == (Decimal("3.5"), Decimal(0)) and shared[inn.pk] == (Decimal(0), Decimal("3.5"))
    # A county reader's scope: the hours count for the garden in scope whoever's adviser logged them.
    assert reports.shared_hours([inn], period) == {inn.pk: (Decimal(0), Decimal("3.5"))}
    assert reports.shared_hours([ost], period) == {ost.pk: (Decimal("3.5"), Decimal(0))}
    # …and the hours of the other garden's adviser are not the garden's own follow-up.
    own = FollowUpEntry.objects.filter(adviser_garden=inn, date__year=YEAR)
    assert reports.follow_up_by_garden([inn], period)[None].hours == sum(e.hours for e in own)
    assert reports.follow_up_by_garden([inn], period)[None].activities == own.count()


def test_requests_received_answered_median_and_converted(world):
    from django.utils import timezone

    from members.models import HelpRequest, HelpRequestMessage

    garden = world["gardens"]["inn"]
    base = timezone.make_aware(datetime.datetime(YEAR, 3, 1, 9, 0))
    waits = [2, 5, 30]  # hours to the first answer
    for i, hours in enumerate(waits):
        request = HelpRequest.objects.create(garden=garden, name=f"G{i}", email=f"g{i}@example.org", message="?")
        HelpRequest.objects.filter(pk=request.pk).update(created_at=base)
        HelpRequestMessage.objects.create(request=request, body="notat", is_internal=True,
                                          created_at=base + datetime.timedelta(minutes=5))
        HelpRequestMessage.objects.create(request=request, body="svar",
                                          created_at=base + datetime.timedelta(hours=hours))
    unanswered = HelpRequest.objects.create(garden=garden, name="U", email="u@example.org", message="?")
    HelpRequest.objects.filter(pk=unanswered.pk).update(created_at=base)
    converted = TargetCompany.objects.filter(garden=garden).select_related("company").first()
    HelpRequest.objects.filter(pk=unanswered.pk).update(company=converted.company)
    figures = reports.help_requests([garden], reports.Period(YEAR))
    assert (figures.received, figures.answered, figures.converted) == (4, 3, 1)
    assert figures.median_hours_to_answer == 5.0  # the internal note is not an answer


def test_the_map_is_shaded_by_the_chosen_figure(client, world):
    client.force_login(UserFactory(is_network_reader=True))
    period = reports.Period(YEAR)
    gardens = list(world["gardens"].values())
    counts = reports.figure_by_municipality(gardens, period, "targets")
    assert sum(counts.values()) == sum(1 for t in expected_targets(period.start, period.end)
                                       if t.company.municipality_id)
    from collections import Counter
    plain = Counter(t.company.municipality.number for t in expected_targets(period.start, period.end)
                    if t.company.municipality_id)
    assert counts == plain == reports.place_figures(gardens, period, ChangeGraph.load())[1]
    hours = reports.figure_by_municipality(gardens, period, "hours")
    assert sum(hours.values()) == sum(e.hours for e in FollowUpEntry.objects.select_related("target__company")
                                      if e.date.year == YEAR and e.target.company.municipality_id)
    page = client.get(reverse("network_portal:reports"), {"year": YEAR, "map": "hours"}).content.decode()
    assert 'class="shaded-map"' in page and "Skyggelegg kommunene etter" in page
    top = max(hours, key=lambda n: hours[n])
    name = Municipality.objects.get(number=top, valid_to__isnull=True).name
    assert f"<title>{name}: " in page  # each municipality says its figure
