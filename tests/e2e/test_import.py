"""Importing target companies in a real browser: a bad row blocks the import, a fixed file imports,
and the progress bar follows a batch checked by a worker."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from gardens.models import County, Coverage, Municipality, MunicipalityChange, StaffMembership
from members.models import ImportBatch, TargetCompany
from tests.factories import GardenFactory, MembershipFactory, valid_org_number

from .conftest import sign_in

PASSWORD = "correct-horse-battery"
ORG = [valid_org_number(n) for n in range(1, 6)]
BAD_ORG = ORG[1][:-1] + str((int(ORG[1][-1]) + 1) % 10)


@pytest.fixture
def garden(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old_county = County.objects.create(number="16", name="Sør-Trøndelag", valid_to=datetime.date(2017, 12, 31))
    county = County.objects.create(number="50", name="Trøndelag", valid_from=datetime.date(2018, 1, 1))
    old = Municipality.objects.create(number="1640", name="Røros", county=old_county,
                                      valid_to=datetime.date(2017, 12, 31))
    roros = Municipality.objects.create(number="5025", name="Røros", county=county,
                                        valid_from=datetime.date(2018, 1, 1))
    MunicipalityChange.objects.create(old=old, new=roros, effective=datetime.date(2018, 1, 1), kind="renumbered")
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen-naeringshage")
    Coverage.objects.create(garden=garden, municipality=roros)
    MembershipFactory(garden=garden, role=StaffMembership.Role.ADMIN, user__email="anne@example.org",
                      user__full_name="Anne Admin")
    return garden


def spreadsheet(path, second_org: str):
    """What Norwegian Excel saves as "CSV (semikolondelt)": Windows-1252 and semicolons."""
    lines = [
        "Organisasjonsnummer;Bedriftsnavn;Kommune;Kontraktstart;Fase",
        f"{ORG[0]};Rørosmeieriet AS;1640;01.02.2025;utvikling",
        f"{second_org};Bergstaden Bakeri AS;Røros;15.03.2025;",
        f"{ORG[2]};Fjellnett Sæter AS;5025;2025-04-01;vekst",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def test_admin_imports_a_spreadsheet_after_fixing_a_bad_row(page, live_server, garden, axe, shot, tmp_path):
    sign_in(page, live_server, "anne@example.org", PASSWORD)
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer målbedrifter")
    assert axe() == []
    shot("import-upload")

    page.get_by_label("Regneark (CSV eller XLSX)").set_input_files(spreadsheet(tmp_path / "malbedrifter.csv", BAD_ORG))
    page.get_by_role("button", name="Last opp og sjekk").click()
    expect(page.get_by_text("Ingenting kan importeres ennå.")).to_be_visible()
    problem_row = page.locator("tr.row-problem")
    expect(problem_row).to_have_count(1)
    expect(problem_row).to_contain_text("Bergstaden Bakeri AS")
    expect(problem_row).to_contain_text(f"{BAD_ORG} er ikke et gyldig organisasjonsnummer")
    expect(page.get_by_text("Lest som CSV i Windows-1252, skilt med «;».")).to_be_visible()
    expect(page.get_by_role("cell", name="1640 → Røros (5025)")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Importer \d"))).to_have_count(0)
    assert axe() == []
    shot("import-preview-problem")

    page.get_by_role("link", name="Last opp en rettet fil").click()
    page.get_by_label("Regneark (CSV eller XLSX)").set_input_files(spreadsheet(tmp_path / "rettet.csv", ORG[1]))
    page.get_by_role("button", name="Last opp og sjekk").click()
    expect(page.get_by_text("Alle 3 rader er klare.")).to_be_visible()
    expect(page.locator("tr.row-problem")).to_have_count(0)
    assert axe() == []
    shot("import-preview-ready")

    page.get_by_role("button", name="Importer 3 målbedrifter").click()
    expect(page).to_have_url(f"{live_server.url}/g/{garden.slug}/malbedrifter/")
    expect(page.get_by_text("3 målbedrifter ble importert fra rettet.csv.")).to_be_visible()
    for name in ("Rørosmeieriet AS", "Bergstaden Bakeri AS", "Fjellnett Sæter AS"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    shot("import-done-list")
    assert TargetCompany.objects.filter(garden=garden).count() == 3

    page.get_by_role("link", name="Import", exact=True).click()
    recent = page.get_by_role("table")
    expect(recent).to_contain_text("rettet.csv")
    expect(recent).to_contain_text("importert")
    expect(recent).to_contain_text("klar til gjennomgang")  # the first upload, with its problem, stays unimported


def test_progress_bar_follows_a_batch_checked_by_a_worker(page, live_server, garden, axe, shot):
    """The worker is simulated by updating the batch; the page polls status.json and reloads when done."""
    admin = garden.memberships.get().user
    rows = [{"line": i + 2, "values": {"org_number": valid_org_number(10 + i), "name": f"Bedrift {i} AS",
                                       "contract_start": "01.01.2025"}} for i in range(400)]
    batch = ImportBatch.objects.create(garden=garden, uploaded_by=admin, original_name="stor.xlsx", rows=rows,
                                       status=ImportBatch.Status.UPLOADED, total_rows=400, processed_rows=100)
    sign_in(page, live_server, "anne@example.org", PASSWORD)
    page.goto(f"{live_server.url}/g/{garden.slug}/import/{batch.pk}/")
    bar = page.locator("progress")
    expect(bar).to_have_attribute("value", "100")
    expect(page.get_by_text("Sjekket 100 av 400 rader.")).to_be_visible()
    assert axe() == []
    shot("import-progress")

    ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=300)
    expect(page.get_by_text("Sjekket 300 av 400 rader.")).to_be_visible(timeout=5000)
    assert bar.evaluate("el => el.value") == 300

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTING, processed_rows=400)
    expect(page.get_by_text(re.compile("Lagrer 400 målbedrifter"))).to_be_visible(timeout=5000)
    assert bar.evaluate("el => el.hasAttribute('value')") is False  # indeterminate while writing

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.DONE, created_count=400)
    expect(page.get_by_text("400 målbedrifter ble importert.")).to_be_visible(timeout=5000)
    expect(page.locator("progress")).to_have_count(0)
