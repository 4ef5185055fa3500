"""Importing target companies in a real browser: an unknown column mapped by hand, the ready rows imported
while the problem row is downloaded, fixed and uploaded again; the progress bar follows a worker."""

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


SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# "Oppstart hos oss" is this office's own word for the contract start: no guess, mapped by hand.
HEADER = "Organisasjonsnummer;Bedriftsnavn;Kommune;Oppstart hos oss;Fase"


def spreadsheet(path, second_org: str):
    """What Norwegian Excel saves as "CSV (semikolondelt)": Windows-1252, semicolons, CRLF, no BOM."""
    lines = [
        HEADER,
        f"{ORG[0]};Rørosmeieriet AS;1640;01.02.2025;utvikling",
        f"{second_org};Bergstaden Bakeri AS;Røros;15.03.2025;",
        f"{ORG[2]};Fjellnett Sæter AS;5025;2025-04-01;vekst",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def fits(page, size: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]


@pytest.mark.parametrize("size", list(SIZES))
def test_map_an_unknown_column_import_the_ready_rows_then_the_fixed_problem_row(
    page, live_server, garden, axe, shot, tmp_path, size
):
    page.set_viewport_size(SIZES[size])
    sign_in(page, live_server, "anne@example.org", PASSWORD)
    page.goto(f"{live_server.url}/g/{garden.slug}/import/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer målbedrifter")
    assert axe() == []
    shot(f"import-upload-{size}")

    # 1. Upload: the columns come first, the unknown one set to "ignore".
    page.get_by_label("Regneark (CSV eller XLSX)").set_input_files(spreadsheet(tmp_path / "malbedrifter.csv", BAD_ORG))
    page.get_by_role("button", name="Last opp og sjekk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velg kolonnene: malbedrifter.csv")
    unknown = page.get_by_label("Felt for kolonnen «Oppstart hos oss»")
    expect(unknown).to_have_value("")
    expect(page.get_by_label("Felt for kolonnen «Bedriftsnavn»")).to_have_value("name")
    expect(page.get_by_role("row", name=re.compile("Oppstart hos oss"))).to_contain_text("01.02.2025")
    assert axe() == []
    fits(page, size)
    shot(f"import-mapping-{size}")

    # 2. Map it, and save the choice for next time.
    unknown.select_option("contract_start")
    page.get_by_label("Lagre kolonneoppsettet som").fill("Eksport fra CRM")
    page.get_by_role("button", name="Sjekk radene").click()
    expect(page.get_by_text("Kolonneoppsettet «Eksport fra CRM» er lagret")).to_be_visible()
    problem_row = page.locator("tr.row-problem")
    expect(problem_row).to_have_count(1)
    expect(problem_row).to_contain_text(f"{BAD_ORG} er ikke et gyldig organisasjonsnummer")
    expect(page.get_by_role("cell", name="1640 → Røros (5025)")).to_be_visible()
    assert axe() == []
    shot(f"import-preview-problem-{size}")

    # 3. Import the two ready rows now.
    page.get_by_role("button", name="Importer de 2 klare radene nå").click()
    expect(page.get_by_text("2 målbedrifter ble importert fra malbedrifter.csv.")).to_be_visible()
    expect(page.get_by_text("1 rad med problem ble utelatt.")).to_be_visible()
    assert TargetCompany.objects.filter(garden=garden).count() == 2
    assert axe() == []
    shot(f"import-done-partly-{size}")

    # 4. Download the problem row: same format and columns, with a Problem column in Norwegian.
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned raden med problem").click()
    assert download.value.suggested_filename == "malbedrifter-problemrader.csv"
    text = open(download.value.path(), "rb").read().decode("cp1252")
    lines = text.split("\r\n")
    assert lines[0] == HEADER + ";Problem"
    assert lines[1].startswith(f"{BAD_ORG};Bergstaden Bakeri AS;Røros;15.03.2025;;Organisasjonsnummer: ")

    # 5. Fix it and upload it: the saved mapping reads it at once, straight to the preview.
    fixed = tmp_path / "rettet.csv"
    fixed.write_bytes(text.replace(BAD_ORG, ORG[1]).encode("cp1252"))
    page.get_by_role("link", name="Last opp en rettet fil").click()
    page.get_by_label("Regneark (CSV eller XLSX)").set_input_files(fixed)
    page.get_by_role("button", name="Last opp og sjekk").click()
    expect(page.get_by_text("Kolonnene ble lest med det lagrede kolonneoppsettet «Eksport fra CRM».")).to_be_visible()
    expect(page.get_by_text("Raden er klar.")).to_be_visible()
    expect(page.locator("tr.row-problem")).to_have_count(0)
    assert axe() == []
    fits(page, size)
    shot(f"import-preview-fixed-{size}")

    # 6. Done.
    page.get_by_role("button", name="Importer 1 målbedrift").click()
    expect(page).to_have_url(f"{live_server.url}/g/{garden.slug}/malbedrifter/")
    expect(page.get_by_text("1 målbedrift ble importert fra rettet.csv.")).to_be_visible()
    for name in ("Rørosmeieriet AS", "Bergstaden Bakeri AS", "Fjellnett Sæter AS"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert TargetCompany.objects.filter(garden=garden).count() == 3


def test_progress_bar_follows_a_batch_checked_by_a_worker(page, live_server, garden, axe, shot):
    """The worker is simulated by updating the batch; the page polls status.json and reloads when done."""
    admin = garden.memberships.get().user
    batch = ImportBatch.objects.create(garden=garden, uploaded_by=admin, original_name="stor.xlsx",
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
