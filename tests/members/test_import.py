"""Importing target companies from CSV or XLSX: reading, checking every row, committing all or nothing."""

import datetime
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from core.models import AuditEntry
from gardens.models import County, Coverage, IndustryCode, Municipality, MunicipalityChange
from members import imports, services
from members.models import Company, ImportBatch, ImportRow, KeyFigures, TargetCompany
from members.tasks import import_commit_task, import_preview_task
from tests.factories import TargetCompanyFactory, valid_org_number

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status
ORG = [valid_org_number(n) for n in range(1, 400)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def roros(db):
    """Røros as 1640 (Sør-Trøndelag, until 2017) and 5025 (Trøndelag, from 2018)."""
    old_county = County.objects.create(number="16", name="Sør-Trøndelag", valid_to=datetime.date(2017, 12, 31))
    new_county = County.objects.create(number="50", name="Trøndelag", valid_from=datetime.date(2018, 1, 1))
    old = Municipality.objects.create(number="1640", name="Røros", county=old_county,
                                      valid_to=datetime.date(2017, 12, 31))
    new = Municipality.objects.create(number="5025", name="Røros", county=new_county,
                                      valid_from=datetime.date(2018, 1, 1))
    MunicipalityChange.objects.create(old=old, new=new, effective=datetime.date(2018, 1, 1), kind="renumbered")
    return new


@pytest.fixture
def valer(db):
    """The two current municipalities called Våler."""
    ostfold = County.objects.create(number="31", name="Østfold", valid_from=datetime.date(2024, 1, 1))
    innlandet = County.objects.create(number="34", name="Innlandet", valid_from=datetime.date(2020, 1, 1))
    return [
        Municipality.objects.create(number="3114", name="Våler", county=ostfold, shares_name=True),
        Municipality.objects.create(number="3419", name="Våler", county=innlandet, shares_name=True),
    ]


@pytest.fixture
def software(db):
    section = IndustryCode.objects.create(code="J", level=1, section="J", name="Informasjon og kommunikasjon")
    return IndustryCode.objects.create(code="62.010", level=5, section="J", name="Programmeringstjenester",
                                       parent=section)


def csv_file(lines: list[str], name: str = "malbedrifter.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "malbedrifter.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(garden, by, file, **choices) -> ImportBatch:
    """Upload, then go on with the guessed columns (as an admin pressing "Check the rows" does)."""
    batch = imports.import_batch_upload(garden=garden, by=by, upload=file)
    if batch.status == Status.MAPPING:
        guessed = {int(p): f for p, f in batch.columns["guessed"].items()}
        batch = imports.import_batch_map(batch=batch, by=by, mapping=guessed, **choices)
    return batch


def problems_of(batch: ImportBatch) -> dict[int, list[str]]:
    """Line → the problems as the admin reads them (bokmål)."""
    return {row["line"]: [imports.describe_problem(p) for p in row["problems"]] for row in batch.rows}


def simple_rows(count: int, start: int = 0) -> list[str]:
    return [f"{ORG[start + i]};Bedrift {start + i} AS;01.0{1 + i % 9}.2025" for i in range(count)]


# --- reading files -----------------------------------------------------------------------------


def test_csv_utf8_with_commas_is_read():
    parsed = imports.parse_upload(csv_file([
        "Organisasjonsnummer,Navn,Kontraktstart,Fase",
        f"{ORG[0]},Fjellost AS,01.02.2025,vekst",
        f'{ORG[1]},"Komma, Punktum og Søn AS",2025-03-15,',
    ]))
    assert (parsed.kind, parsed.encoding, parsed.delimiter) == ("csv", "UTF-8", ",")
    assert [parsed.values(r)["name"] for r in parsed.rows] == ["Fjellost AS", "Komma, Punktum og Søn AS"]
    assert [r.line for r in parsed.rows] == [2, 3]
    assert parsed.columns == {"org_number": "Organisasjonsnummer", "name": "Navn", "contract_start": "Kontraktstart",
                              "phase": "Fase"}


def test_csv_windows_1252_with_semicolons_keeps_the_norwegian_letters():
    # As Norwegian Excel saves "CSV (semikolondelt)": Windows-1252, semicolons, CRLF.
    raw = (b"Org.nr;Firmanavn;Kommune;Kontrakt start\r\n"
           + ORG[0].encode() + b";Bl\xe5b\xe6r \xd8stby AS;R\xf8ros;01.02.2025\r\n"
           + ORG[1].encode() + b";S\xe6ter\xe5s Bakeri AS;;02.02.2025\r\n")
    parsed = imports.parse_upload(SimpleUploadedFile("eksport.csv", raw))
    assert (parsed.encoding, parsed.delimiter) == ("Windows-1252", ";")
    assert [parsed.values(r)["name"] for r in parsed.rows] == ["Blåbær Østby AS", "Sæterås Bakeri AS"]
    assert parsed.values(parsed.rows[0])["municipality"] == "Røros"


def test_utf8_with_bom_and_english_headers():
    parsed = imports.parse_upload(SimpleUploadedFile(
        "list.csv", "\ufefforg_number;name;contract_start;contract_end\r\n".encode()
        + f"{ORG[0]};Ærlig Arbeid AS;01.01.2025;31.12.2027\r\n".encode()))
    assert parsed.columns["org_number"] == "org_number"  # the BOM is not part of the first header
    assert parsed.values(parsed.rows[0]) == {"org_number": ORG[0], "name": "Ærlig Arbeid AS",
                                             "contract_start": "01.01.2025", "contract_end": "31.12.2027"}


def test_xlsx_numbers_and_excel_dates_become_text(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, xlsx_file([
        ["Organisasjonsnummer", "Bedriftsnavn", "Kommunenummer", "Kontraktstart", "Kontraktslutt", "Fargekode"],
        [int(ORG[0]), "Rørosmeieriet AS", 1640, datetime.datetime(2025, 2, 1), None, "ignorert"],
        [],
        [int(ORG[1]), "Fjellnett AS", "5025", "2025-03-01", datetime.date(2027, 2, 28), ""],
    ]))
    assert batch.status == Status.PREVIEWED, batch.error
    assert batch.columns["kind"] == "xlsx" and batch.columns["ignored"] == ["Fargekode"]
    first, second = batch.rows
    assert first["values"]["org_number"] == ORG[0]
    assert first["values"]["contract_start"] == "01.02.2025"
    assert first["clean"]["contract_start"] == "2025-02-01"
    assert first["clean"]["municipality_id"] == roros.pk
    assert second["line"] == 4  # the blank row is skipped, but lines are the spreadsheet's own numbers
    assert second["clean"]["contract_end"] == "2027-02-28"
    assert imports.problem_count(batch.rows) == 0


def test_missing_required_columns_are_named_and_the_columns_can_be_chosen_again(garden_a, admin_a):
    batch = imports.import_batch_upload(garden=garden_a, by=admin_a, upload=csv_file(["navn;kommune",
                                                                                      "Fjellost AS;Røros"]))
    assert batch.status == Status.MAPPING
    with pytest.raises(ValidationError) as error:
        imports.import_batch_map(batch=batch, by=admin_a, mapping={0: "name", 1: "municipality"})
    assert error.value.messages == ["Velg en kolonne for organisasjonsnummer, kontraktstart."]
    batch.refresh_from_db()
    assert batch.status == Status.MAPPING
    assert not TargetCompany.objects.exists()


@pytest.mark.parametrize("name,content,expected", [
    ("malbedrifter.xlsx", os.urandom(4096), "Excel"),
    ("malbedrifter.csv", bytes(range(256)) * 16, "ikke en CSV- eller Excel-fil"),
    ("tom.csv", b"   \r\n", "Filen er tom"),
    ("gammel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls"),
    ("bare-overskrift.csv", b"orgnr;navn;kontraktstart\r\n", "ingen bedrifter"),
    ("zip.xlsx", b"PK\x03\x04" + b"\x00" * 100, "Excel"),
])
def test_unreadable_files_fail_with_a_clear_message_and_write_nothing(garden_a, admin_a, name, content, expected):
    batch = upload(garden_a, admin_a, SimpleUploadedFile(name, content))
    assert batch.status == Status.FAILED
    assert expected in batch.error
    assert batch.finished_at is not None
    assert not TargetCompany.objects.exists() and not Company.objects.exists()


def test_more_rows_than_the_configured_bound_is_refused(garden_a, admin_a, settings):
    settings.IMPORT_MAX_ROWS = 50
    lines = ["orgnr;navn;kontraktstart"] + [f"{ORG[i % 300]};Bedrift {i};01.01.2025" for i in range(51)]
    batch = upload(garden_a, admin_a, csv_file(lines))
    assert batch.status == Status.FAILED and "50" in batch.error


def test_a_file_over_the_size_limit_is_refused_and_not_stored(garden_a, admin_a, settings):
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    content = b"orgnr;navn;kontraktstart\r\n" + b"x" * settings.IMPORT_MAX_BYTES
    batch = upload(garden_a, admin_a, SimpleUploadedFile("stor.csv", content))
    assert batch.status == Status.FAILED and "5 MB" in batch.error
    assert not batch.file


def test_dates_in_every_accepted_form():
    assert imports.parse_date("1.2.2025") == datetime.date(2025, 2, 1)
    assert imports.parse_date("2025-02-01") == datetime.date(2025, 2, 1)
    assert imports.parse_date("45689") == datetime.date(2025, 2, 1)  # an Excel day number
    for bad in ("31.02.2025", "2025/02/01", "01.02.0225", "snart"):
        with pytest.raises(ValueError):
            imports.parse_date(bad)


# --- checking rows -----------------------------------------------------------------------------


def test_bad_org_number_is_a_problem_on_its_row_and_blocks_the_commit(garden_a, admin_a):
    bad = ORG[1][:-1] + str((int(ORG[1][-1]) + 1) % 10)
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kontraktstart", f"{ORG[0]};God AS;01.01.2025", f"{bad};Feil AS;01.01.2025",
        "12345;Kort AS;01.01.2025",
    ]))
    assert batch.status == Status.PREVIEWED
    problems = problems_of(batch)
    assert problems[2] == []
    assert problems[3] == [f"{bad} er ikke et gyldig organisasjonsnummer (kontrollsifferet stemmer ikke)."]
    assert problems[4] == ["Et organisasjonsnummer har nøyaktig 9 siffer."]  # the same sentence as the forms
    with pytest.raises(ValidationError, match="2 rader har problemer"):
        imports.import_batch_commit(batch=batch, by=admin_a)
    assert import_commit_task.delay(batch.pk, admin_a.pk).get() == Status.PREVIEWED  # refused by the task too
    assert not TargetCompany.objects.exists()
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED


def test_old_municipality_number_resolves_to_today_s(garden_a, admin_a, roros, valer):
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kommune;kontraktstart",
        f"{ORG[0]};Gammel AS;1640;01.01.2025",
        f"{ORG[1]};Navn AS;røros;01.01.2025",
        f"{ORG[2]};Våler AS;Våler;01.01.2025",
        f"{ORG[3]};Tall AS;3419;01.01.2025",
        f"{ORG[4]};Ukjent AS;Atlantis;01.01.2025",
        f"{ORG[5]};Feiltall AS;9999;01.01.2025",
    ]))
    rows = {row["line"]: row for row in batch.rows}
    assert rows[2]["clean"]["municipality_id"] == roros.pk and rows[2]["clean"]["municipality"] == "Røros (5025)"
    assert rows[3]["clean"]["municipality_id"] == roros.pk
    assert rows[5]["clean"]["municipality_id"] == valer[1].pk
    problems = problems_of(batch)
    assert problems[4] == ["Flere kommuner heter Våler (Våler (Østfold) 3114, Våler (Innlandet) 3419). "
                           "Oppgi kommunenummeret i stedet."]
    assert problems[6] == ["Ingen kommune heter eller het Atlantis."]
    assert problems[7] == ["Ingen kommune har nummeret 9999."]


def test_national_old_numbers_and_names_are_explained_and_a_split_asks_to_choose(garden_a, admin_a):
    """The real national data: numbers from every reform resolve, with the reason on the row."""
    from network_portal.loading import load_network

    load_network()
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kommune;kontraktstart",
        f"{ORG[0]};Sarpsborg AS;3003;01.01.2025",
        f"{ORG[1]};Tromsø AS;5401;01.01.2025",
        f"{ORG[2]};Snillfjord AS;Snillfjord;01.01.2025",
        f"{ORG[3]};Våler AS;Våler 3419;01.01.2025",
        f"{ORG[4]};Orkdal AS;Orkdal;01.01.2025",
    ]))
    rows = {row["line"]: row for row in batch.rows}
    notes = {line: [imports.describe_problem(n) for n in row["notes"] if n["field"] == "municipality"
                    and "utenfor" not in imports.describe_problem(n)] for line, row in rows.items()}
    assert rows[2]["clean"]["municipality"] == "Sarpsborg (3105)"
    assert notes[2] == ["3003 var nummeret til Sarpsborg 2020–2023; i dag er det 3105 Sarpsborg, Østfold."]
    assert rows[3]["clean"]["municipality"] == "Tromsø (5501)"
    assert notes[3] == ["5401 var nummeret til Tromsø 2020–2023; i dag er det 5501 Tromsø, Troms."]
    assert problems_of(batch)[4] == [
        "5012 var nummeret til Snillfjord 2018–2019; i dag er området delt mellom 5055 Heim, Trøndelag, "
        "5056 Hitra, Trøndelag og 5059 Orkland, Trøndelag. Velg den kommunen bedriften ligger i, og skriv nummeret."]
    assert rows[5]["clean"]["municipality"] == "Våler (Innlandet) (3419)" and problems_of(batch)[5] == []
    assert rows[6]["clean"]["municipality"] == "Orkland (5059)"
    assert notes[6] == ["5024 var nummeret til Orkdal 2018–2019; i dag er det en del av 5059 Orkland, Trøndelag."]


def test_the_same_org_number_twice_in_the_file(garden_a, admin_a):
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kontraktstart", f"{ORG[0]};En AS;01.01.2025", f"{ORG[1]};To AS;01.01.2025",
        f"{ORG[0][:3]} {ORG[0][3:6]} {ORG[0][6:]} MVA;En igjen AS;01.01.2025",
    ]))
    problems = problems_of(batch)
    expected = [f"Organisasjonsnummeret {ORG[0]} står mer enn én gang i filen (linje 2, 4)."]
    assert problems[2] == expected and problems[4] == expected and problems[3] == []


def test_already_a_target_company_here_or_of_another_garden(garden_a, garden_b, admin_a):
    TargetCompanyFactory(garden=garden_b, company__org_number=ORG[0], company__name="Betas eget navn AS")
    TargetCompanyFactory(garden=garden_a, company__org_number=ORG[1])
    TargetCompanyFactory(garden=garden_b, company__org_number=ORG[2], status=TargetCompany.Status.COMPLETED)
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kontraktstart", f"{ORG[0]};Beta sin AS;01.01.2025", f"{ORG[1]};Vår AS;01.01.2025",
        f"{ORG[2]};Ferdig hos Beta AS;01.01.2025",
    ]))
    problems = problems_of(batch)
    # The sentences of services.org_number_in_use: the other garden is named, never what it typed.
    assert len(problems[2]) == 1 and "aktiv målbedrift i Beta Næringshage" in problems[2][0]
    assert "Betas eget navn" not in str(batch.rows)
    assert len(problems[3]) == 1 and "aktiv målbedrift i denne hagen" in problems[3][0]
    assert problems[4] == []  # completed elsewhere: free to become ours
    assert batch.rows[2]["notes"] == []


def test_optional_columns_phase_industry_and_adviser(garden_a, admin_a, staff_a, staff_b, software):
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kontraktstart;kontraktslutt;fase;næringskode;rådgiver",
        f"{ORG[0]};Alt riktig AS;01.01.2025;31.12.2027;Vekst;62.010;{staff_a.email.upper()}",
        f"{ORG[1]};Alt galt AS;01.01.2025;31.12.2024;oppstart;99.999;{staff_b.email}",
        f"{ORG[2]};Navn som rådgiver AS;01.01.2025;;;;Stine Stab",
    ]))
    ok, wrong, by_name = batch.rows
    assert ok["problems"] == []
    assert ok["clean"] == {**ok["clean"], "phase": "growth", "industry_id": software.pk, "adviser_id": staff_a.pk,
                           "contract_end": "2027-12-31"}
    assert [imports.describe_problem(p) for p in wrong["problems"]] == [
        "Kontraktslutt er før kontraktstart.",
        "oppstart er ikke en fase. Bruk en av: kartlegging, utvikling, vekst, avslutning.",
        "99.999 er ikke en SN2007-næringskode. Skriv den som 62.010 eller 01.1.",
        f"{staff_b.email} er ikke ansatt i denne hagen nå. Oppgi e-postadressen til en ansatt.",
    ]
    assert by_name["problems"] == [] and by_name["clean"]["adviser_id"] == staff_a.pk
    assert by_name["clean"]["phase"] == "mapping"


def test_missing_values_and_the_template_example_row(garden_a, admin_a):
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kontraktstart", ";Uten nummer AS;01.01.2025", f"{ORG[0]};;",
        "999 999 999;Eksempelbedrift AS;01.01.2025",
    ]))
    problems = problems_of(batch)
    assert problems[2] == ["Organisasjonsnummeret mangler."]
    assert problems[3] == ["Bedriftsnavnet mangler.", "Kontraktstart mangler."]
    assert problems[4] == ["Dette er eksempelraden fra malen. Slett den før du importerer."]


def test_municipality_outside_the_garden_s_coverage_is_a_note_not_a_problem(garden_a, admin_a, roros, valer):
    Coverage.objects.create(garden=garden_a, municipality=valer[0])
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kommune;kontraktstart",
                                                f"{ORG[0]};Fjell AS;5025;1.1.2025"]))
    row = batch.rows[0]
    assert row["problems"] == []
    assert [imports.describe_problem(n) for n in row["notes"]] == ["Røros er utenfor kommunene hagen din dekker."]


def test_checking_a_file_uses_a_fixed_number_of_queries(garden_a, admin_a, roros, software, django_assert_num_queries):
    def rows(count):
        return [{"line": i + 2, "cells": [ORG[i], f"B{i}", "1640", "01.01.2025", "62.010", admin_a.email]}
                for i in range(count)]

    mapping = dict(enumerate(["org_number", "name", "municipality", "contract_start", "industry", "adviser"]))

    # 1 active target companies, 2 industry codes, 3 staff, 4-5 municipality_lookup("1640")
    # (once per distinct number), 6 the garden's coverage. (No lookup of other records' names: tenancy.)
    for count in (5, 300):
        with django_assert_num_queries(6):
            checked = imports.check_rows(garden=garden_a, rows=rows(count), mapping=mapping)
        assert imports.problem_count(checked) == 0


def test_checking_reports_progress_after_every_chunk(garden_a):
    rows = [{"line": i + 2, "cells": [ORG[i % 300], "B", "1.1.2025"]} for i in range(1200)]
    seen = []
    imports.check_rows(garden=garden_a, rows=rows, mapping={0: "org_number", 1: "name", 2: "contract_start"},
                       progress=seen.append)
    assert seen == [500, 1000, 1200]


def test_problems_are_stored_as_msgids_and_read_in_the_viewer_s_language(garden_a, admin_a):
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", f"{ORG[0]};Uten dato AS;i fjor"]))
    problem = batch.rows[0]["problems"][0]
    assert problem["msg"] == "%(value)s is not a date. Write dates like 31.12.2025."
    assert imports.describe_problem(problem) == "i fjor er ikke en dato. Skriv datoer som 31.12.2025."
    with translation.override("en"):
        assert imports.describe_problem(problem) == "i fjor is not a date. Write dates like 31.12.2025."


# --- committing --------------------------------------------------------------------------------


def test_commit_creates_every_target_company_and_audits_the_import(garden_a, admin_a, roros):
    batch = upload(garden_a, admin_a, csv_file([
        "orgnr;navn;kommune;kontraktstart;fase", f"{ORG[0]};Første AS;1640;01.01.2025;utvikling",
        f"{ORG[1]};Andre AS;;02.01.2025;",
    ]))
    batch = imports.import_batch_commit(batch=batch, by=admin_a)
    assert batch.status == Status.DONE and batch.created_count == 2 and batch.progress_percent == 100
    first = TargetCompany.objects.get(company__org_number=ORG[0])
    assert (first.garden, first.company.municipality, first.phase, first.contract_start) == (
        garden_a, roros, "development", datetime.date(2025, 1, 1))
    entry = AuditEntry.objects.get(action="members.import.committed")
    assert entry.actor == admin_a and entry.garden_id == garden_a.pk
    assert entry.changes == {"file": [None, "malbedrifter.csv"], "rows": [None, 2], "created": [None, 2]}
    assert AuditEntry.objects.filter(action="members.targetcompany.created").count() == 2
    # Committing again (a double click, a task delivered twice) writes nothing more.
    assert imports.import_batch_commit(batch=batch, by=admin_a).status == Status.DONE
    assert TargetCompany.objects.count() == 2


def test_a_failure_on_the_third_row_rolls_back_everything(garden_a, admin_a, monkeypatch):
    from members.imports import writing

    real = services.target_companies_import
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["records"])
        if len(calls) == 2:  # the second chunk: lines 4 and 5
            raise ValidationError("Databasen sa nei.")
        return real(**kwargs)

    monkeypatch.setattr(writing, "WRITE_CHUNK", 2)
    monkeypatch.setattr(services, "target_companies_import", failing)
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(5)]))
    batch = imports.import_batch_commit(batch=batch, by=admin_a)
    assert len(calls) == 2
    assert batch.status == Status.FAILED
    assert batch.error == "Linje 4 kunne ikke importeres: Databasen sa nei. Ingenting ble importert."
    assert not TargetCompany.objects.exists()
    assert not Company.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["members.targetcompany.created",
                                                     "members.import.committed"]).exists()


def test_an_unexpected_error_also_rolls_back_and_says_so(garden_a, admin_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "target_companies_import", broken)
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(2)]))
    batch = imports.import_batch_commit(batch=batch, by=admin_a)
    assert batch.status == Status.FAILED and "en uventet feil (RuntimeError)" in batch.error
    assert not TargetCompany.objects.exists()


def test_commit_checks_again_and_stops_if_another_garden_took_a_company_meanwhile(garden_a, garden_b, admin_a):
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(3)]))
    assert imports.problem_count(batch.rows) == 0
    TargetCompanyFactory(garden=garden_b, company__org_number=ORG[1])
    batch = imports.import_batch_commit(batch=batch, by=admin_a)
    assert batch.status == Status.PREVIEWED
    assert batch.error == "Noe er endret siden forhåndsvisningen: 1 rad har nå et problem. Ingenting ble importert."
    assert "Beta Næringshage" in problems_of(batch)[3][0]
    assert TargetCompany.objects.filter(garden=garden_a).count() == 0


def test_cancel_discards_the_batch(garden_a, admin_a):
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(2)]))
    assert imports.import_batch_cancel(batch=batch, by=admin_a) is True
    assert batch.status == Status.ABORTED
    assert AuditEntry.objects.filter(action="members.import.aborted", actor=admin_a).exists()
    assert imports.import_batch_commit(batch=batch, by=admin_a).status == Status.ABORTED
    assert imports.import_batch_cancel(batch=batch, by=admin_a) is False
    assert not TargetCompany.objects.exists()


def test_a_large_file_is_checked_and_committed_by_celery_tasks(
    garden_a, admin_a, django_capture_on_commit_callbacks
):
    rows = simple_rows(imports.SYNC_LIMIT + 50)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *rows]))
        assert batch.status == Status.UPLOADED  # not checked in the request: queued
        assert batch.total_rows == 250
    assert len(callbacks) == 1
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED and batch.processed_rows == 250
    assert import_preview_task.delay(batch.pk).get() == Status.PREVIEWED  # a second run changes nothing

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = imports.import_batch_commit_start(batch=batch, by=admin_a)
        assert batch.status == Status.IMPORTING
    assert len(callbacks) == 1
    batch.refresh_from_db()
    assert batch.status == Status.DONE and batch.created_count == 250 and batch.finished_at
    assert TargetCompany.objects.filter(garden=garden_a).count() == 250
    assert AuditEntry.objects.get(action="members.import.committed").actor == admin_a
    assert import_commit_task.delay(batch.pk, admin_a.pk).get() == Status.DONE
    assert TargetCompany.objects.filter(garden=garden_a).count() == 250


def test_the_preview_task_leaves_a_cancelled_batch_alone(garden_a, admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(201)]))
    imports.import_batch_cancel(batch=batch, by=admin_a)
    callbacks[0]()
    batch.refresh_from_db()
    assert batch.status == Status.ABORTED


def test_the_template_reads_back_and_its_example_row_is_caught(client, garden_a, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("members:import-template", kwargs={"garden_slug": garden_a.slug}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[0] == (
        "Organisasjonsnummer;Bedriftsnavn;Kommune;Kontraktstart;Kontraktslutt;Fase;Næringskode (SN2007);"
        "Ansvarlig rådgiver")
    parsed = imports.parse_upload(SimpleUploadedFile("mal.csv", content))
    assert set(parsed.columns) == {"org_number", "name", "municipality", "contract_start", "contract_end", "phase",
                                   "industry", "adviser"}
    assert parsed.ignored == []
    batch = upload(garden_a, admin_a, SimpleUploadedFile("mal.csv", content))
    assert "eksempelraden" in problems_of(batch)[2][0]


# --- views -------------------------------------------------------------------------------------


def import_url(name, garden, **kwargs):
    return reverse(f"members:{name}", kwargs={"garden_slug": garden.slug, **kwargs})


def post_mapping(client, garden, batch, **fields):
    """Post the columns page with the guessed fields, changed by `fields` (column_3="contract_start" …)."""
    batch.refresh_from_db()
    data = {f"column_{p}": f for p, f in batch.columns["guessed"].items()}
    data.update(fields)
    return client.post(import_url("import-mapping", garden, batch_pk=batch.pk), data)


def test_upload_preview_commit_through_the_pages(client, garden_a, admin_a, roros):
    client.force_login(admin_a)
    page = client.get(import_url("import-upload", garden_a))
    assert page.status_code == 200 and "Ingen importer ennå." in page.content.decode()
    response = client.post(import_url("import-upload", garden_a), {"file": csv_file([
        "orgnr;navn;kommune;kontraktstart", f"{ORG[0]};Fjellost AS;1640;01.02.2025",
        f"{ORG[1]};Malmplassen AS;;01.03.2025",
    ])})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == import_url("import-preview", garden_a, batch_pk=batch.pk)
    # The columns first: each with the field guessed for it.
    mapping_page = client.get(response["Location"])
    assert mapping_page.status_code == 302
    assert mapping_page["Location"] == import_url("import-mapping", garden_a, batch_pk=batch.pk)
    response = post_mapping(client, garden_a, batch)
    assert response["Location"] == import_url("import-preview", garden_a, batch_pk=batch.pk)
    html = client.get(response["Location"]).content.decode()
    assert "Fjellost AS" in html and "→ Røros (5025)" in html
    assert "Importer 2 målbedrifter" in html
    assert "Lest som CSV i UTF-8, skilt med «;»." in html

    response = client.post(import_url("import-commit", garden_a, batch_pk=batch.pk), follow=True)
    assert response.redirect_chain[-1][0] == reverse("members:company-list", kwargs={"garden_slug": garden_a.slug})
    html = response.content.decode()
    assert "2 målbedrifter ble importert fra malbedrifter.csv." in html
    assert "Fjellost AS" in html and "Malmplassen AS" in html


def test_preview_with_problems_offers_the_ready_rows_and_a_full_commit_is_refused(client, garden_a, admin_a):
    client.force_login(admin_a)
    client.post(import_url("import-upload", garden_a), {"file": csv_file([
        "orgnr;navn;kontraktstart;Fargekode", f"{ORG[0]};God AS;01.01.2025;blå", f"{ORG[1]};Uten dato AS;;blå",
    ])})
    batch = ImportBatch.objects.get()
    post_mapping(client, garden_a, batch)
    html = client.get(import_url("import-preview", garden_a, batch_pk=batch.pk)).content.decode()
    assert "1 rad har et problem." in html
    assert 'class="row-problem"' in html and "Kontraktstart mangler." in html
    assert "Importer 2 målbedrifter" not in html and "Importer den klare raden nå" in html
    assert import_url("import-problems", garden_a, batch_pk=batch.pk) in html
    assert "Disse kolonnene ble ikke gjenkjent og blir ignorert: Fargekode" in html
    response = client.post(import_url("import-commit", garden_a, batch_pk=batch.pk), follow=True)
    assert "1 rad har et problem." in response.content.decode()
    assert not TargetCompany.objects.exists()
    only = client.get(import_url("import-preview", garden_a, batch_pk=batch.pk) + "?problems=1").content.decode()
    assert "Uten dato AS" in only and "God AS" not in only


def test_a_failed_upload_shows_the_reason(client, garden_a, admin_a):
    client.force_login(admin_a)
    response = client.post(import_url("import-upload", garden_a),
                           {"file": SimpleUploadedFile("bilde.xlsx", os.urandom(2000))}, follow=True)
    html = response.content.decode()
    assert "Ingenting ble importert" in html and "kunne ikke leses som en Excel-fil" in html


def test_upload_without_a_file_is_a_form_error(client, garden_a, admin_a):
    client.force_login(admin_a)
    response = client.post(import_url("import-upload", garden_a), {})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_status_json_reports_progress(client, garden_a, admin_a):
    batch = ImportBatch.objects.create(garden=garden_a, original_name="stor.csv", status=Status.UPLOADED,
                                       total_rows=400, processed_rows=100)
    client.force_login(admin_a)
    url = import_url("import-status", garden_a, batch_pk=batch.pk)
    data = client.get(url).json()
    assert data == {**data, "status": "uploaded", "phase": "checking", "finished": False, "processed_rows": 100,
                    "total_rows": 400, "percent": 25}
    assert data["message"] == "Sjekket 100 av 400 rader."
    batch.status, batch.processed_rows = Status.IMPORTING, 400
    batch.save()
    data = client.get(url).json()
    assert data["phase"] == "writing" and data["message"].startswith("Lagrer 400 målbedrifter.")
    batch.status = Status.DONE
    batch.save()
    assert client.get(url).json()["finished"] is True


def test_progress_page_works_without_javascript(client, garden_a, admin_a):
    batch = ImportBatch.objects.create(garden=garden_a, original_name="stor.csv", status=Status.UPLOADED,
                                       total_rows=400, processed_rows=100)
    client.force_login(admin_a)
    html = client.get(import_url("import-preview", garden_a, batch_pk=batch.pk)).content.decode()
    assert '<progress aria-labelledby="progress-heading" max="400" value="100">' in html
    assert "Sjekket 100 av 400 rader." in html and ">Oppdater</a>" in html
    assert "js/import-progress.js" in html


def test_cancel_through_the_page(client, garden_a, admin_a):
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(1)]))
    client.force_login(admin_a)
    response = client.post(import_url("import-cancel", garden_a, batch_pk=batch.pk), follow=True)
    assert "Importen av malbedrifter.csv er avbrutt; ingenting ble importert." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == Status.ABORTED


def test_another_gardens_batch_is_404(client, garden_a, garden_b, admin_a):
    other = ImportBatch.objects.create(garden=garden_b, original_name="beta.csv", status=Status.PREVIEWED)
    client.force_login(admin_a)
    for name, method in (("import-preview", "get"), ("import-status", "get"), ("import-commit", "post"),
                         ("import-cancel", "post")):
        assert getattr(client, method)(import_url(name, garden_a, batch_pk=other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.status == Status.PREVIEWED


def test_staff_cannot_import_and_do_not_see_the_tab(client, garden_a, staff_a, admin_a):
    client.force_login(staff_a)
    assert client.get(import_url("import-upload", garden_a)).status_code == 403
    response = client.post(import_url("import-upload", garden_a), {"file": csv_file(["orgnr;navn;kontraktstart"])})
    assert response.status_code == 403 and not ImportBatch.objects.exists()
    workspace = reverse("members:workspace", kwargs={"garden_slug": garden_a.slug})
    assert import_url("import-upload", garden_a) not in client.get(workspace).content.decode()
    client.force_login(admin_a)
    assert import_url("import-upload", garden_a) in client.get(workspace).content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_upload_page_query_count_is_fixed(client, garden_a, admin_a, django_assert_num_queries, count):
    for i in range(count):
        batch = ImportBatch.objects.create(garden=garden_a, original_name=f"fil-{i}.csv", uploaded_by=admin_a)
        ImportRow.objects.bulk_create(ImportRow(batch=batch, line=line, cells=["x"]) for line in range(2, 102))
    client.force_login(admin_a)
    # 1 session, 2 user, 3 garden, 4 memberships (access and navigation), 5 recent imports with uploader.
    with django_assert_num_queries(5):
        response = client.get(import_url("import-upload", garden_a))
    assert response.content.decode().count("fil-") == min(count, 20)


@pytest.mark.parametrize("count", [5, 60])
def test_preview_page_query_count_is_fixed(client, garden_a, admin_a, django_assert_num_queries, count):
    batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(count)]))
    client.force_login(admin_a)
    # 1 session, 2 user, 3 garden, 4 memberships (access and navigation), 5 the batch with its uploader,
    # 6 the row and problem counts, 7 the page of rows.
    with django_assert_num_queries(7):
        response = client.get(import_url("import-preview", garden_a, batch_pk=batch.pk))
    assert response.content.decode().count('<th scope="row">') == count


# --- files as Norwegian offices really send them (issue 11) ---------------------------------------


def excel_csv(lines: list[str], name: str = "malbedrifter.csv") -> SimpleUploadedFile:
    """Exactly as Norwegian Excel saves "CSV (semikolondelt)": Windows-1252, semicolons, CRLF, no BOM."""
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode("cp1252"), content_type="text/csv")


def test_avtalestart_and_kommune_with_kommunenr_the_number_wins_and_disagreement_is_a_problem(
    garden_a, admin_a, roros
):
    batch = upload(garden_a, admin_a, excel_csv([
        "Org.nr.;Bedriftsnavn;Kommune;Kommunenr;Avtalestart",
        f"{ORG[0]};Rørosmeieriet AS;;1640;01.02.2025",
        f"{ORG[1]};Bergstaden AS;Røros;5025;15.03.2025",
        f"{ORG[2]};Feil Sted AS;Oslo;5025;15.03.2025",
    ]))
    assert batch.status == Status.PREVIEWED, batch.error
    assert batch.columns["read"] == {"org_number": "Org.nr.", "name": "Bedriftsnavn", "municipality": "Kommune",
                                     "municipality_number": "Kommunenr", "contract_start": "Avtalestart"}
    first, second, third = batch.rows
    assert first["problems"] == [] and first["clean"]["municipality_id"] == roros.pk  # the old number, resolved
    assert second["problems"] == [] and second["clean"]["municipality_id"] == roros.pk
    assert third["clean"]["municipality_id"] is None
    assert [p["field"] for p in third["problems"]] == ["municipality"]


def test_xlsx_with_a_merged_title_row_real_dates_merged_cells_and_a_sum_row(garden_a, admin_a, staff_a, roros):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Målbedrifter Rørosregionen 2025"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["Organisasjonsnummer", "Firma", "", "Startdato", "Rådgiver", "Omsetning"])
    sheet.append([int(ORG[0]), "Rørosmeieriet AS", "", datetime.datetime(2025, 2, 1), staff_a.email, 1234567.5])
    sheet.append([int(ORG[1]), "Fjellnett AS", "", datetime.date(2025, 3, 1), None, "2 500 000,00"])
    sheet.merge_cells("E4:E5")  # one adviser for both companies
    sheet.append(["Sum", None, None, None, None, 3734567.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = imports.import_batch_upload(garden=garden_a, by=admin_a,
                                        upload=SimpleUploadedFile("liste.xlsx", buffer.getvalue()))
    assert batch.status == Status.MAPPING, batch.error
    guessed = {int(p): f for p, f in batch.columns["guessed"].items()}
    assert guessed == {0: "org_number", 1: "name", 3: "contract_start", 4: "adviser", 5: "turnover"}
    # Key figures and no year column: the year is chosen once for the file.
    with pytest.raises(ValidationError) as error:
        imports.import_batch_map(batch=batch, by=admin_a, mapping=guessed)
    assert "året" in error.value.messages[0]
    batch = imports.import_batch_map(batch=batch, by=admin_a, mapping=guessed, key_figures_year=2024)
    assert batch.status == Status.PREVIEWED, batch.error
    assert batch.columns["header_line"] == 3
    assert [r["line"] for r in batch.rows] == [4, 5]
    assert [imports.describe_problem(n) for n in batch.columns["notes"]] == [
        "Linje 6 («Sum») er en sum- eller totalrad og ble utelatt."]
    assert [r["clean"]["adviser_id"] for r in batch.rows] == [staff_a.pk, staff_a.pk]
    assert batch.rows[0]["clean"]["contract_start"] == "2025-02-01"
    assert [r["problems"] for r in batch.rows] == [[], []]
    assert [r["clean"]["figures"] for r in batch.rows] == [{"year": 2024, "turnover": "1234568"},
                                                          {"year": 2024, "turnover": "2500000"}]
    imports.import_batch_commit(batch=batch, by=admin_a)
    assert sorted(KeyFigures.objects.values_list("year", "turnover")) == [(2024, 1234568), (2024, 2500000)]


def test_contacts_key_figures_status_and_notes_are_imported_and_audited(garden_a, admin_a, staff_a, roros):
    batch = upload(garden_a, admin_a, excel_csv([
        "Orgnr;Navn;Kommunenummer;Kontraktstart;Status;Merknad;Kontaktperson;Rolle;E-post;Telefon;"
        "Kontaktperson 2;E-post 2;År;Omsetning;Verdiskaping;Ansatte;Kvinner i ledelsen;Ledere",
        f"{ORG[0]};Rørosmeieriet AS;5025;01.02.2025;aktiv;Første møte i mars;Kari Nordmann;daglig leder;"
        f"kari@example.org;+47 900 00 000;Ola Nordmann;ola@example.org;2024;1\u00a0234\u00a0567,50;"
        "-12 000;3,5;1;2",
    ]))
    assert batch.status == Status.PREVIEWED, batch.error
    assert batch.rows[0]["problems"] == []
    batch = imports.import_batch_commit(batch=batch, by=admin_a)
    assert batch.status == Status.DONE, batch.error
    target = TargetCompany.objects.get()
    assert target.notes == "Første møte i mars" and target.company.municipality == roros
    assert sorted(target.contacts.values_list("name", "email")) == [("Kari Nordmann", "kari@example.org"),
                                                                   ("Ola Nordmann", "ola@example.org")]
    figures = target.key_figures.get()
    assert (figures.year, str(figures.turnover), str(figures.value_creation), str(figures.employees)) == (
        2024, "1234568", "-12000", "3.5")
    assert (figures.women_in_leadership, figures.leaders_total) == (1, 2)
    actions = sorted(AuditEntry.objects.filter(target_type="members.targetcompany", target_id=str(target.pk))
                     .values_list("action", flat=True))
    assert actions == ["members.contactperson.created", "members.contactperson.created",
                       "members.keyfigures.created", "members.targetcompany.created"]


@pytest.mark.parametrize(("text", "expected"), [
    ("1 234 567,50", "1234567.50"), ("1\u00a0234\u00a0567", "1234567"), ("1.234.567", "1234567"),
    ("12,5", "12.5"), ("1 000,-", "1000"), ("kr 250", "250"), ("\u2212300", "-300"), ("1,234,567.50", "1234567.50"),
])
def test_norwegian_number_formats(text, expected):
    assert str(imports.parse_number(text)) == expected


@pytest.mark.parametrize("bad", ["", "mange", "1e400", "NaN", "12,5,x"])
def test_not_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        imports.parse_number(bad)


def test_hostile_cells_are_row_problems_and_nothing_is_written(garden_a, admin_a):
    batch = upload(garden_a, admin_a, excel_csv([
        "orgnr;navn;kontraktstart;omsetning;år",
        f"{ORG[0]};=HYPERLINK(\"http://x\");01.01.2025;;",
        f"{ORG[1]};Null\x00Byte AS;01.01.2025;;",
        f"{ORG[2]};{'Å' * 6000};01.01.2025;;",
        f"{ORG[3]};Stor AS;01.01.2025;{'9' * 30};2024",
        f"{ORG[4]};Dato AS;31.02.2025;;",
        f"{ORG[5]};Bra AS;01.01.2025;100;2024",
    ]))
    assert batch.status == Status.PREVIEWED, batch.error
    problems = problems_of(batch)
    assert all(problems[line] for line in (2, 3, 4, 5, 6)) and problems[7] == []
    with pytest.raises(ValidationError):
        imports.import_batch_commit(batch=batch, by=admin_a)
    assert not TargetCompany.objects.exists() and not Company.objects.exists()


def test_a_broker_that_is_down_leaves_the_batch_committable_with_a_message(
    garden_a, admin_a, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from members import tasks

    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(garden_a, admin_a, csv_file(["orgnr;navn;kontraktstart", *simple_rows(imports.SYNC_LIMIT + 1)]))
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED, batch.error

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_commit_task, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_batch_commit_start(batch=batch, by=admin_a)
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED
    assert "Ingenting ble importert" in batch.error
    assert not TargetCompany.objects.exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):  # the broker is back: it imports
        imports.import_batch_commit_start(batch=batch, by=admin_a)
    batch.refresh_from_db()
    assert batch.status == Status.DONE and TargetCompany.objects.count() == imports.SYNC_LIMIT + 1
