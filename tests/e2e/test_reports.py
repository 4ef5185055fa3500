"""The network reports in a real browser: a county reader, a garden admin and the public, at desktop and phone width."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from gardens.models import County, ReaderCounty, StaffMembership
from tests.factories import MembershipFactory, UserFactory
from tests.report_data import make_report_world

from .conftest import SCREENSHOTS, inject_axe, sign_in

PASSWORD = "correct-horse-battery"
SIZES = [(1280, 900), (390, 844)]


@pytest.fixture
def world(transactional_db):
    return make_report_world()


def new_page(browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nb-NO",
                                  accept_downloads=True)
    return context, context.new_page()


def run_axe(page):

    inject_axe(page)
    return page.evaluate("async () => (await axe.run()).violations.map(v => v.id)")


@pytest.mark.parametrize("width,height", SIZES, ids=["desktop", "phone"])
def test_a_county_reader_filters_to_2021_sees_their_gardens_and_exports(browser, live_server, world, width, height,
                                                                        monkeypatch):
    from network_portal.models import ReportExport
    from network_portal.tasks import report_export_task

    # The worker is this test: the export waits (queued) until the test runs its task, so the page's
    # progress bar and its polling are seen doing their work.
    queued = []
    monkeypatch.setattr(report_export_task, "delay", lambda *args: queued.append(args))
    reader = UserFactory(email=f"fylke{width}@example.org", is_network_reader=True, full_name="Fylke Leser")
    ReaderCounty.objects.create(user=reader, county=County.objects.get(number="34", name="Innlandet"))
    context, page = new_page(browser, width, height)
    sign_in(page, live_server, reader.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/rapporter/")  # readers land on the reports
    page.get_by_label("År", exact=True).select_option("2021")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2021")
    per_garden = page.get_by_role("table", name="Per hage")
    expect(per_garden.get_by_role("link", name="Hage INN")).to_be_visible()
    assert per_garden.get_by_text("Hage OST").count() == 0 and per_garden.get_by_text("Hage TRD").count() == 0
    expect(page.get_by_role("img", name="Vekst i omsetning siden utgangspunktet (%)")).to_be_visible()
    total = int(per_garden.locator("tfoot td").first.inner_text())
    hours = per_garden.locator("tfoot td").nth(3).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the report scrolls sideways"
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"reports-county-{width}.png"), full_page=True)

    page.get_by_role("button", name="Last ned XLSX").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nettverksrapport 2021 som XLSX")
    bar = page.get_by_role("progressbar", name="Lager filen")
    expect(bar).to_have_attribute("value", "0")
    expect(page.get_by_role("status")).to_contain_text("Venter på bakgrunnsarbeideren")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the export page scrolls sideways"
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"reports-export-waiting-{width}.png"), full_page=True)
    export = ReportExport.objects.get(requested_by=reader)
    assert queued == [(export.pk, 1)] and export.query.startswith("year=2021&quarter=&")

    report_export_task(*queued[0])  # the worker makes the file; the page notices by itself
    download_link = page.get_by_role("link", name="Last ned rapport-2021.xlsx")
    expect(download_link).to_be_visible(timeout=10_000)
    expect(page.get_by_role("progressbar", name="Filen din er klar")).to_have_attribute("value", "100")
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"reports-export-done-{width}.png"), full_page=True)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "rapport-2021.xlsx"
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    names = [r[0] for r in rows[1:-1]]
    assert "Hage INN" in names and "Hage OST" not in names and "Hage TRD" not in names
    assert rows[-1][0] == "Alle" and rows[-1][1] == total == sum(r[1] for r in rows[1:-1])
    assert float(rows[-1][4]) == float(hours.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    context.close()


@pytest.mark.parametrize("width,height", SIZES, ids=["desktop", "phone"])
def test_a_garden_admin_sees_their_garden_against_the_network(browser, live_server, world, width, height):
    garden = world["gardens"]["ost"]
    admin = MembershipFactory(garden=garden, role=StaffMembership.Role.ADMIN, user__email=f"a{width}@example.org").user
    context, page = new_page(browser, width, height)
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/rapporter/?year=2023")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hage OST i nettverket")
    table = page.get_by_role("table", name="Hagen din mot nettverket")
    expect(table.get_by_role("columnheader", name="Nettverkets gjennomsnitt")).to_be_visible()
    assert page.get_by_text("Hage INN").count() == 0 and page.get_by_text("Hage TRD").count() == 0
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"reports-garden-{width}.png"), full_page=True)
    context.close()


def test_the_public_figures_show_no_company(browser, live_server, world):
    from members.models import TargetCompany

    context, page = new_page(browser, 390, 844)
    page.goto(f"{live_server.url}/tall/?year=2023")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmet i tall · 2023")
    text = page.locator("main").inner_text()
    assert not any(name in text for name in TargetCompany.objects.values_list("company__name", flat=True))
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "reports-public-390.png"), full_page=True)
    context.close()
