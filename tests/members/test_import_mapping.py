"""The import's column mapping, saved mappings, importing the ready rows, the problem rows as a file,
and restarting a stalled import (issue 11). Files are shaped as Norwegian Excel saves them."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.models import AuditEntry
from gardens.models import County, Municipality, MunicipalityChange
from members import imports
from members.models import ImportBatch, SavedImportMapping, TargetCompany
from tests.factories import MembershipFactory, valid_org_number

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status
ORG = [valid_org_number(n) for n in range(1, 60)]
BAD_ORG = ORG[1][:-1] + str((int(ORG[1][-1]) + 1) % 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def roros(db):
    old_county = County.objects.create(number="16", name="Sør-Trøndelag", valid_to=datetime.date(2017, 12, 31))
    new_county = County.objects.create(number="50", name="Trøndelag", valid_from=datetime.date(2018, 1, 1))
    old = Municipality.objects.create(number="1640", name="Røros", county=old_county,
                                      valid_to=datetime.date(2017, 12, 31))
    new = Municipality.objects.create(number="5025", name="Røros", county=new_county,
                                      valid_from=datetime.date(2018, 1, 1))
    MunicipalityChange.objects.create(old=old, new=new, effective=datetime.date(2018, 1, 1), kind="renumbered")
    Municipality.objects.create(number="0301", name="Oslo", county=County.objects.create(number="03", name="Oslo"))
    return new


def excel_csv(lines: list[str], name: str = "malbedrifter.csv") -> SimpleUploadedFile:
    """Exactly as Norwegian Excel saves "CSV (semikolondelt)": Windows-1252, semicolons, CRLF, no BOM."""
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode("cp1252"), content_type="text/csv")


def excel_xlsx(rows: list[list], name: str = "liste.xlsx", title: str | None = "Målbedrifter 2025"):
    """An XLSX with a merged title row above the header, as offices keep them."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # as typed by a person: "=Feil AS" is text, not a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(garden, by, file) -> ImportBatch:
    return imports.import_batch_upload(garden=garden, by=by, upload=file)


def guessed(batch) -> dict[int, str]:
    return {int(p): f for p, f in batch.columns["guessed"].items()}


# Our own column names for these offices' words: "Avtaledato" is known, "Oppstart hos oss" and
# "Selskapets navn" are not.
OWN_HEADERS = "Orgnr;Selskapets navn;Sted;Kommune-ID;Oppstart hos oss;Farge"


def own_file(name="eksport.csv", second_org=BAD_ORG):
    return excel_csv([
        OWN_HEADERS,
        f"{ORG[0]};Rørosmeieriet AS;;1640;01.02.2025;blå",
        f"{second_org};Bergstaden AS;Røros;5025;15.03.2025;grønn",
        f"{ORG[2]};Feil Sted AS;Oslo;5025;15.03.2025;",
        f"{ORG[3]};Fjellnett Sæter AS;Røros;;01.04.2025;rød",
    ], name=name)


OWN_MAPPING = {0: "org_number", 1: "name", 2: "municipality", 3: "municipality_number", 4: "contract_start"}


# --- the mapping ------------------------------------------------------------------------------------


def test_upload_shows_each_column_with_its_guess_and_unknown_headers_do_not_block(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    assert batch.status == Status.MAPPING and batch.error == ""
    assert batch.columns["headers"] == OWN_HEADERS.split(";")
    assert guessed(batch) == {0: "org_number"}  # the rest is unknown: ignored until chosen
    assert batch.columns["samples"][0][:2] == [ORG[0], "Rørosmeieriet AS"]
    assert (batch.columns["kind"], batch.columns["encoding"], batch.columns["delimiter"]) == (
        "csv", "Windows-1252", ";")
    assert not TargetCompany.objects.exists()
    assert AuditEntry.objects.filter(action="members.import.uploaded").count() == 1


def test_mapped_by_hand_the_number_wins_and_a_disagreeing_name_is_a_row_problem(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file(second_org=ORG[1]))
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=OWN_MAPPING)
    assert batch.status == Status.PREVIEWED, batch.error
    assert batch.columns["read"] == {"org_number": "Orgnr", "name": "Selskapets navn", "municipality": "Sted",
                                     "municipality_number": "Kommune-ID", "contract_start": "Oppstart hos oss"}
    assert batch.columns["ignored"] == ["Farge"]
    first, second, third, fourth = batch.rows
    assert first["problems"] == [] and first["clean"]["municipality_id"] == roros.pk  # old number, no name
    assert second["problems"] == [] and second["clean"]["municipality_id"] == roros.pk  # they agree
    assert [p["field"] for p in third["problems"]] == ["municipality"]  # Oslo vs 5025: a row problem
    assert "5025" in imports.describe_problem(third["problems"][0])
    assert fourth["problems"] == [] and fourth["clean"]["municipality_id"] == roros.pk  # only the name
    assert AuditEntry.objects.get(action="members.import.mapped").changes["rows"] == [None, 4]


def test_a_field_chosen_twice_or_a_required_field_left_out_is_refused_with_reasons(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    with pytest.raises(ValidationError) as error:
        imports.import_batch_map(batch=batch, by=admin_a, mapping={0: "org_number", 1: "name", 2: "name"})
    assert error.value.messages == [
        "Velg en kolonne for kontraktstart.",
        "Navn er valgt for mer enn én kolonne («Selskapets navn», «Sted»). Velg det én gang.",
    ]
    batch.refresh_from_db()
    assert batch.status == Status.MAPPING and batch.rows == []


def test_the_key_figures_year_as_a_column_or_chosen_once_for_the_file(garden_a, admin_a):
    batch = upload(garden_a, admin_a, excel_csv([
        "Orgnr;Navn;Avtalestart;Regnskapsår;Omsetning",
        f"{ORG[0]};Med år AS;01.02.2025;2023;1 234 567,50",
        f"{ORG[1]};Uten år AS;01.02.2025;;2 000",
    ]))
    assert guessed(batch)[3] == "year"
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=guessed(batch), key_figures_year=2024)
    assert [r["clean"]["figures"]["year"] for r in batch.rows] == [2023, 2024]  # the column wins
    assert batch.columns["key_figures_year"] == 2024


def test_changing_the_columns_from_the_preview_checks_the_rows_again(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file(second_org=ORG[1]))
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping={0: "org_number", 1: "name", 4: "contract_start"})
    assert batch.status == Status.PREVIEWED and batch.rows[0]["clean"]["municipality_id"] is None
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=OWN_MAPPING)
    assert batch.status == Status.PREVIEWED and batch.rows[0]["clean"]["municipality_id"] == roros.pk


# --- saved mappings -----------------------------------------------------------------------------------


def test_a_saved_mapping_is_applied_to_the_next_file_with_the_same_headers(garden_a, garden_b, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file(second_org=ORG[1]))
    imports.import_batch_map(batch=batch, by=admin_a, mapping=OWN_MAPPING, save_as="Eksport fra CRM")
    saved = SavedImportMapping.objects.get()
    assert (saved.garden, saved.name, saved.mapping) == (garden_a, "Eksport fra CRM",
                                                        {str(p): f for p, f in OWN_MAPPING.items()})
    assert AuditEntry.objects.filter(action="members.importmapping.saved", garden_id=garden_a.pk).exists()

    # Next month: the same columns, written a little differently; no question asked.
    again = upload(garden_a, admin_a, excel_csv([
        "ORGNR;Selskapets Navn;sted;Kommune ID;Oppstart  hos oss;Farge",
        f"{ORG[10]};Nytt Firma AS;;5025;01.05.2025;",
    ], name="mai.csv"))
    assert again.status == Status.PREVIEWED, again.error
    assert again.columns["saved_mapping"] == "Eksport fra CRM"
    assert again.rows[0]["problems"] == [] and again.rows[0]["clean"]["name"] == "Nytt Firma AS"

    # Saving again for the same headers replaces the mapping instead of adding a second one.
    third = upload(garden_a, admin_a, own_file(name="juni.csv", second_org=ORG[1]))
    imports.import_batch_map(batch=third, by=admin_a, mapping={**OWN_MAPPING, 5: "notes"}, save_as="CRM v2")
    assert SavedImportMapping.objects.count() == 1 and SavedImportMapping.objects.get().name == "CRM v2"

    # Another garden's file with the same headers is not mapped by garden A's choice.
    admin_b = MembershipFactory(garden=garden_b, role="admin").user
    assert upload(garden_b, admin_b, own_file(name="beta.csv")).status == Status.MAPPING

    # A file with other headers is not either.
    other = upload(garden_a, admin_a, excel_csv(["Orgnr;Navn;Avtalestart", f"{ORG[20]};Annen AS;01.01.2025"]))
    assert other.status == Status.MAPPING


# --- the ready rows now, the problem rows as a file -------------------------------------------------


def test_the_ready_rows_are_imported_and_the_problem_rows_left_out(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=OWN_MAPPING)
    assert imports.problem_count(batch.rows) == 2  # the bad org number, Oslo against 5025
    with pytest.raises(ValidationError):
        imports.import_batch_commit(batch=batch, by=admin_a)  # all rows: refused
    batch = imports.import_batch_commit(batch=batch, by=admin_a, ready_only=True)
    assert batch.status == Status.DONE and batch.created_count == 2
    assert sorted(TargetCompany.objects.values_list("company__name", flat=True)) == [
        "Fjellnett Sæter AS", "Rørosmeieriet AS"]
    assert batch.columns["left_out"] == [3, 4]
    assert AuditEntry.objects.get(action="members.import.committed").changes["left_out"] == [None, 2]


def test_nothing_ready_is_refused_even_for_the_ready_rows(garden_a, admin_a):
    batch = upload(garden_a, admin_a, excel_csv(["Orgnr;Navn;Avtalestart", f"{BAD_ORG};Feil AS;01.01.2025"]))
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=guessed(batch))
    with pytest.raises(ValidationError) as error:
        imports.import_batch_commit_start(batch=batch, by=admin_a, ready_only=True)
    assert "Ingen rad er klar" in error.value.messages[0]
    assert not TargetCompany.objects.exists()


def test_a_ready_row_that_breaks_while_writing_rolls_back_the_whole_commit(garden_a, admin_a, roros, monkeypatch):
    from members import services

    batch = upload(garden_a, admin_a, own_file())
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=OWN_MAPPING)

    def failing(**kwargs):
        raise ValidationError("Noe gikk galt.")

    monkeypatch.setattr(services, "target_companies_import", failing)
    batch = imports.import_batch_commit(batch=batch, by=admin_a, ready_only=True)
    assert batch.status == Status.FAILED and "Ingenting ble importert" in batch.error
    assert not TargetCompany.objects.exists()


def test_problem_rows_as_csv_keep_the_encoding_separator_and_columns_with_a_problem_column(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=OWN_MAPPING)
    content, content_type, name = imports.problem_rows_file(columns=batch.columns, rows=batch.rows,
                                                            name=batch.original_name)
    assert (content_type, name) == ("text/csv; charset=cp1252", "eksport-problemrader.csv")
    assert not content.startswith(b"\xef\xbb\xbf")
    text = content.decode("cp1252")  # Windows-1252, as uploaded: æøå survive
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert lines[0] == [*OWN_HEADERS.split(";"), "Problem"]
    assert [line[1] for line in lines[1:]] == ["Bergstaden AS", "Feil Sted AS"]
    assert lines[1][:6] == [BAD_ORG, "Bergstaden AS", "Røros", "5025", "15.03.2025", "grønn"]
    assert lines[1][6].startswith(f"Organisasjonsnummer: {BAD_ORG} er ikke et gyldig organisasjonsnummer")
    assert lines[2][6].startswith("Kommune (navn): Kommunen Oslo og kommunenummeret 5025")
    assert "\r\n" in text


def test_problem_rows_of_an_xlsx_come_back_as_xlsx(garden_a, admin_a, staff_a):
    upload_file = excel_xlsx([
        ["Organisasjonsnummer", "Firma", "Startdato", "Rådgiver"],
        [int(ORG[0]), "God AS", datetime.datetime(2025, 2, 1), staff_a.email],
        [int(BAD_ORG), "=Feil AS", datetime.datetime(2025, 2, 1), "ukjent@example.org"],
        ["Sum", None, None, None],
    ])
    batch = upload(garden_a, admin_a, upload_file)
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=guessed(batch))
    content, content_type, name = imports.problem_rows_file(columns=batch.columns, rows=batch.rows,
                                                            name=batch.original_name)
    assert name == "liste-problemrader.xlsx" and content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Organisasjonsnummer", "Firma", "Startdato", "Rådgiver", "Problem"]
    assert rows[1][:4] == [BAD_ORG, "=Feil AS", "01.02.2025", "ukjent@example.org"]
    assert sheet["B2"].data_type == "s"  # text, never a formula
    assert "Organisasjonsnummer:" in rows[1][4] and "Ansvarlig rådgiver:" in rows[1][4]
    assert len(rows) == 2  # the sum row stays out


def test_fixed_problem_rows_upload_again_with_the_saved_mapping_and_import(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=OWN_MAPPING, save_as="CRM")
    batch = imports.import_batch_commit(batch=batch, by=admin_a, ready_only=True)
    content, _type, name = imports.problem_rows_file(columns=batch.columns, rows=batch.rows,
                                                     name=batch.original_name)
    fixed = content.decode("cp1252").replace(BAD_ORG, ORG[1]).replace(";Oslo;", ";Røros;")
    again = upload(garden_a, admin_a, SimpleUploadedFile(name, fixed.encode("cp1252")))
    assert again.status == Status.PREVIEWED, again.error  # the Problem column changes nothing
    assert again.columns["saved_mapping"] == "CRM" and again.columns["ignored"] == ["Farge"]
    assert imports.problem_count(again.rows) == 0
    imports.import_batch_commit(batch=again, by=admin_a)
    assert TargetCompany.objects.filter(garden=garden_a).count() == 4


# --- a stalled import --------------------------------------------------------------------------------


def stalled(garden, admin, status=Status.IMPORTING, minutes=30):
    batch = upload(garden, admin, excel_csv(["Orgnr;Navn;Avtalestart", f"{ORG[0]};God AS;01.01.2025"]))
    batch = imports.import_batch_map(batch=batch, by=admin, mapping=guessed(batch))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, processed_rows=1, progress_at=timezone.now() - datetime.timedelta(minutes=minutes))
    batch.refresh_from_db()
    return batch


def test_a_stalled_import_is_recognised_after_the_configured_minutes(garden_a, admin_a, settings):
    settings.IMPORT_STALE_MINUTES = 10
    assert imports.import_batch_is_stale(stalled(garden_a, admin_a, minutes=11)) is True
    assert imports.import_batch_is_stale(stalled(garden_a, admin_a, minutes=2)) is False
    assert imports.import_batch_is_stale(stalled(garden_a, admin_a, status=Status.PREVIEWED)) is False


def test_a_stalled_import_is_started_again_and_imports_once(garden_a, admin_a, django_capture_on_commit_callbacks):
    batch = stalled(garden_a, admin_a)
    assert imports.import_batch_restart(batch=batch, by=admin_a) is True
    batch.refresh_from_db()
    assert batch.status == Status.DONE and TargetCompany.objects.count() == 1  # the eager test worker ran it
    assert AuditEntry.objects.filter(action="members.import.restarted", actor=admin_a).exists()
    assert imports.import_batch_restart(batch=batch, by=admin_a) is False
    assert TargetCompany.objects.count() == 1


def test_a_stalled_check_is_started_again(garden_a, admin_a):
    batch = stalled(garden_a, admin_a, status=Status.UPLOADED)
    assert imports.import_batch_restart(batch=batch, by=admin_a) is True
    assert batch.status == Status.PREVIEWED


def test_an_import_still_moving_is_neither_restarted_nor_cancelled(garden_a, admin_a):
    batch = stalled(garden_a, admin_a, minutes=1)
    assert imports.import_batch_restart(batch=batch, by=admin_a) is False
    assert imports.import_batch_cancel(batch=batch, by=admin_a) is False
    batch.refresh_from_db()
    assert batch.status == Status.IMPORTING


def test_a_stalled_import_can_be_cancelled(garden_a, admin_a):
    batch = stalled(garden_a, admin_a)
    assert imports.import_batch_cancel(batch=batch, by=admin_a) is True
    assert batch.status == Status.ABORTED and not TargetCompany.objects.exists()
    from members.tasks import import_commit_task

    assert import_commit_task.delay(batch.pk, admin_a.pk).get() == Status.ABORTED  # a late task writes nothing
    assert not TargetCompany.objects.exists()


# --- the pages ---------------------------------------------------------------------------------------


def url(name, garden, **kwargs):
    return reverse(f"members:{name}", kwargs={"garden_slug": garden.slug, **kwargs})


def test_the_columns_page_shows_headers_samples_and_guesses(client, garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    client.force_login(admin_a)
    response = client.get(url("import-mapping", garden_a, batch_pk=batch.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Velg kolonnene: eksport.csv" in html
    assert 'id="header-1">Selskapets navn</th>' in html and "Rørosmeieriet AS" in html
    assert '<option value="org_number" selected>Organisasjonsnummer</option>' in html
    assert html.count('<option value="" selected>Ignorer denne kolonnen</option>') == 5
    assert html.count("Ikke gjenkjent") == 5
    assert 'for="id_column_4">Felt for kolonnen «Oppstart hos oss»' in html


def test_the_columns_page_refuses_a_bad_choice_with_400_and_keeps_it(client, garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    client.force_login(admin_a)
    response = client.post(url("import-mapping", garden_a, batch_pk=batch.pk),
                           {"column_0": "org_number", "column_1": "name", "column_2": "name", "save_as": "X"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Velg en kolonne for kontraktstart." in html
    assert html.count('<option value="name" selected>') == 2
    assert not SavedImportMapping.objects.exists()
    batch.refresh_from_db()
    assert batch.status == Status.MAPPING


def test_map_save_import_the_ready_rows_and_download_the_rest_through_the_pages(client, garden_a, admin_a, roros):
    client.force_login(admin_a)
    client.post(url("import-upload", garden_a), {"file": own_file()})
    batch = ImportBatch.objects.get()
    data = {f"column_{p}": f for p, f in OWN_MAPPING.items()}
    response = client.post(url("import-mapping", garden_a, batch_pk=batch.pk), {**data, "save_as": "CRM"},
                           follow=True)
    html = response.content.decode()
    assert "Kolonneoppsettet «CRM» er lagret" in html
    assert "Importer de 2 klare radene nå" in html and "Last ned de 2 radene med problemer" in html

    download = client.get(url("import-problems", garden_a, batch_pk=batch.pk))
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=cp1252"
    assert download["Content-Disposition"] == 'attachment; filename="eksport-problemrader.csv"'
    assert download.content.decode("cp1252").splitlines()[0].endswith(";Farge;Problem")

    response = client.post(url("import-commit", garden_a, batch_pk=batch.pk), {"ready_only": "1"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url("import-preview", garden_a, batch_pk=batch.pk)
    assert "2 målbedrifter ble importert fra eksport.csv." in html
    assert "2 rader med problemer ble utelatt." in html
    assert TargetCompany.objects.count() == 2
    assert client.get(url("import-problems", garden_a, batch_pk=batch.pk)).status_code == 200  # still there


def test_no_problem_rows_is_404_for_the_download(client, garden_a, admin_a):
    batch = upload(garden_a, admin_a, excel_csv(["Orgnr;Navn;Avtalestart", f"{ORG[0]};God AS;01.01.2025"]))
    client.force_login(admin_a)
    assert client.get(url("import-problems", garden_a, batch_pk=batch.pk)).status_code == 404
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=guessed(batch))
    assert client.get(url("import-problems", garden_a, batch_pk=batch.pk)).status_code == 404


def test_a_stalled_import_page_offers_restart_and_cancel(client, garden_a, admin_a):
    batch = stalled(garden_a, admin_a)
    client.force_login(admin_a)
    html = client.get(url("import-preview", garden_a, batch_pk=batch.pk)).content.decode()
    assert "Importen har stoppet opp." in html
    assert url("import-restart", garden_a, batch_pk=batch.pk) in html
    response = client.post(url("import-restart", garden_a, batch_pk=batch.pk), follow=True)
    assert "Importen av malbedrifter.csv er startet igjen." in response.content.decode()
    assert TargetCompany.objects.count() == 1
    response = client.post(url("import-restart", garden_a, batch_pk=batch.pk), follow=True)
    assert "Denne importen har ikke stoppet opp" in response.content.decode()


def test_a_moving_import_page_does_not_offer_restart(client, garden_a, admin_a):
    batch = stalled(garden_a, admin_a, minutes=1)
    client.force_login(admin_a)
    html = client.get(url("import-preview", garden_a, batch_pk=batch.pk)).content.decode()
    assert "Importen har stoppet opp." not in html and "start-igjen" not in html


def test_another_gardens_batch_is_404_on_the_new_pages(client, garden_a, garden_b, admin_a):
    other = ImportBatch.objects.create(garden=garden_b, original_name="beta.csv", status=Status.MAPPING,
                                       columns={"headers": ["a", "b"], "guessed": {}, "samples": [["1", "2"]]})
    client.force_login(admin_a)
    for name, method in (("import-mapping", "get"), ("import-mapping", "post"), ("import-problems", "get"),
                         ("import-restart", "post")):
        assert getattr(client, method)(url(name, garden_a, batch_pk=other.pk)).status_code == 404


@pytest.mark.parametrize("count", [3, 40])
def test_the_columns_page_query_count_is_fixed(client, garden_a, admin_a, django_assert_num_queries, count):
    headers = ";".join(["Orgnr", "Navn", "Avtalestart", *(f"Egen kolonne {i}" for i in range(count))])
    batch = upload(garden_a, admin_a, excel_csv([headers, f"{ORG[0]};God AS;01.01.2025" + ";x" * count]))
    client.force_login(admin_a)
    # 1 session, 2 user, 3 garden, 4 memberships (access and navigation), 5 the batch with its uploader.
    with django_assert_num_queries(5):
        response = client.get(url("import-mapping", garden_a, batch_pk=batch.pk))
    assert response.content.decode().count('<select name="column_') == count + 3


def test_an_import_can_be_cancelled_at_the_columns_step(client, garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, own_file())
    client.force_login(admin_a)
    response = client.post(url("import-cancel", garden_a, batch_pk=batch.pk), follow=True)
    assert "Importen av eksport.csv er avbrutt; ingenting ble importert." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == Status.ABORTED
    # The columns page of a cancelled import leads back to its page; nothing can be mapped any more.
    response = client.post(url("import-mapping", garden_a, batch_pk=batch.pk), {"column_0": "org_number"})
    assert response.status_code == 302 and response["Location"] == url("import-preview", garden_a, batch_pk=batch.pk)
    assert not TargetCompany.objects.exists()
