"""Target company records: services, list with filters and export, edit without lost updates, history, merge."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry
from gardens.models import County, Coverage, IndustryCode, Municipality, StaffMembership
from members import services
from members.models import FollowUpEntry, KeyFigures, TargetCompany
from members.views import FOLLOW_UP_LOG_SHOWN, HISTORY_PAGE_SIZE
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    MunicipalityFactory,
    TargetCompanyFactory,
    valid_org_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo(db):
    county = County.objects.create(number="50", name="Trøndelag")
    return {
        "roros": Municipality.objects.create(number="5025", name="Røros", county=county),
        "oppdal": Municipality.objects.create(number="5021", name="Oppdal", county=county),
    }


@pytest.fixture
def industry(db):
    section = IndustryCode.objects.create(code="C", level=1, section="C", name="Industri")
    division = IndustryCode.objects.create(code="10", level=2, section="C", name="Næringsmidler", parent=section)
    return IndustryCode.objects.create(code="10.890", level=5, section="C", name="Annen næringsmiddel",
                                       parent=division)


def url(name, target, **extra):
    return reverse(name, kwargs={"garden_slug": target.garden.slug, "pk": target.pk, **extra})


# --- services -------------------------------------------------------------------------------


def test_create_finds_or_creates_the_company_and_audits(garden_a, staff_a, geo):
    target = services.target_company_create(
        garden=garden_a, by=staff_a, org_number="910 000 004", name="Fjellost AS",
        contract_start=datetime.date(2025, 3, 1), municipality=geo["roros"],
    )
    assert target.company.org_number == "910000004"
    entry = AuditEntry.objects.get(action="members.targetcompany.created")
    assert entry.actor == staff_a and entry.garden_id == garden_a.pk
    assert entry.changes["company.name"] == [None, "Fjellost AS"]


def test_bad_org_number_is_refused(garden_a, staff_a):
    with pytest.raises(ValidationError, match="kontrollsifferet"):
        services.target_company_create(garden=garden_a, by=staff_a, org_number="910000005", name="X",
                                       contract_start=datetime.date(2025, 1, 1))


def test_company_is_active_target_of_one_garden_at_a_time(garden_a, garden_b, staff_a):
    other = TargetCompanyFactory(garden=garden_b)
    with pytest.raises(ValidationError, match=garden_b.name):
        services.target_company_create(garden=garden_a, by=staff_a, org_number=other.company.org_number,
                                       name="X", contract_start=datetime.date(2025, 1, 1))
    assert TargetCompany.objects.count() == 1


def test_company_may_be_member_of_several_gardens(garden_a, garden_b):
    from members.models import MemberCompany

    company = CompanyFactory()
    MemberCompany.objects.create(garden=garden_a, company=company)
    MemberCompany.objects.create(garden=garden_b, company=company)
    assert company.memberships.count() == 2


def test_update_records_old_and_new_values(garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a)
    services.target_company_update(target=target, by=staff_a, expected_version=1,
                                   data={"phase": TargetCompany.Phase.GROWTH, "name": "Nytt Navn AS"})
    target.refresh_from_db()
    assert target.version == 2 and target.company.name == "Nytt Navn AS"
    entry = AuditEntry.objects.get(action="members.targetcompany.updated")
    assert entry.changes["phase"] == ["kartlegging", "vekst"]
    assert entry.changes["company.name"][1] == "Nytt Navn AS"


def test_stale_update_is_refused_and_writes_nothing(garden_a, staff_a, admin_a):
    target = TargetCompanyFactory(garden=garden_a)
    services.target_company_update(target=target, by=admin_a, expected_version=1, data={"notes": "Admins notat"})
    with pytest.raises(services.StaleEdit) as error:
        services.target_company_update(target=target, by=staff_a, expected_version=1, data={"notes": "Mitt notat"})
    target.refresh_from_db()
    assert target.notes == "Admins notat"
    assert [e.changes["notes"] for e in error.value.entries] == [["", "Admins notat"]]


def test_no_change_means_no_audit_entry(garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a)
    services.target_company_update(target=target, by=staff_a, expected_version=1, data={"notes": ""})
    assert not AuditEntry.objects.filter(action="members.targetcompany.updated").exists()


def test_audit_entries_are_append_only(garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a)
    services.follow_up_log(target=target, by=staff_a, date=datetime.date(2025, 5, 2), kind="meeting",
                           hours=Decimal("1.5"), summary="Oppstart")
    entry = AuditEntry.objects.get()
    entry.action = "forged"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_merge_moves_everything_and_keeps_both_histories(garden_a, staff_a):
    keep = TargetCompanyFactory(garden=garden_a, contract_start=datetime.date(2025, 1, 1))
    duplicate = TargetCompanyFactory(garden=garden_a, company=keep.company, status="completed",
                                     contract_start=datetime.date(2023, 6, 1))
    services.follow_up_log(target=duplicate, by=staff_a, date=datetime.date(2023, 7, 1), kind="advice",
                           hours=Decimal("2"), summary="Gammel oppfølging")
    KeyFigures.objects.create(target=duplicate, year=2023, turnover=1000)
    services.target_companies_merge(keep=keep, duplicate=duplicate, by=staff_a)
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert keep.follow_ups.get().summary == "Gammel oppfølging"
    assert keep.key_figures.get().year == 2023
    assert keep.contract_start == datetime.date(2023, 6, 1)
    assert duplicate.status == "merged" and duplicate.merged_into == keep
    from members.selectors import target_company_history

    actions = [e.action for e in target_company_history(keep)]
    assert "members.followupentry.created" in actions  # the duplicate's history shows on the kept record
    assert "members.targetcompany.merged" in actions


def test_merge_refuses_records_of_different_companies(garden_a, staff_a):
    a, b = TargetCompanyFactory(garden=garden_a), TargetCompanyFactory(garden=garden_a, status="completed")
    with pytest.raises(ValidationError):
        services.target_companies_merge(keep=a, duplicate=b, by=staff_a)


# --- views ----------------------------------------------------------------------------------


def test_staff_registers_a_target_company(client, garden_a, staff_a, geo, industry):
    Coverage.objects.create(garden=garden_a, municipality=geo["roros"])
    client.force_login(staff_a)
    response = client.post(reverse("members:company-create", kwargs={"garden_slug": garden_a.slug}), {
        "org_number": "910000004", "name": "Fjellost AS", "municipality": geo["oppdal"].pk, "industry": "10.890",
        "contract_start": "2025-03-01", "phase": "mapping", "adviser": staff_a.pk,
    }, follow=True)
    target = TargetCompany.objects.get()
    assert target.garden == garden_a and target.company.industry == industry and target.adviser == staff_a
    html = response.content.decode()
    assert "Fjellost AS" in html
    assert "utenfor kommunene hagen din dekker" in html  # Oppdal is outside the garden's coverage


def test_form_errors_keep_the_input(client, garden_a, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("members:company-create", kwargs={"garden_slug": garden_a.slug}), {
        "org_number": "123", "name": "Beholdt Navn AS", "contract_start": "2025-03-01", "industry": "99.999",
        "phase": "mapping",
    })
    html = response.content.decode()
    assert response.status_code == 400
    assert "nøyaktig 9 siffer" in html and "99.999 er ikke en SN2007-næringskode" in html
    assert 'value="Beholdt Navn AS"' in html
    # The first error is focused and each error is read with its field.
    assert re.search(r'<input[^>]*name="org_number"[^>]*autofocus', html)
    assert 'aria-describedby="id_org_number_error"' in html and 'id="id_org_number_error"' in html
    assert not TargetCompany.objects.exists()


def test_adviser_dropdown_lists_only_the_gardens_people(client, garden_a, staff_a, staff_b):
    client.force_login(staff_a)
    html = client.get(reverse("members:company-create", kwargs={"garden_slug": garden_a.slug})).content.decode()
    assert staff_a.full_name in html
    assert staff_b.full_name not in html


def test_adviser_from_another_garden_is_rejected(client, garden_a, staff_a, staff_b):
    client.force_login(staff_a)
    client.post(reverse("members:company-create", kwargs={"garden_slug": garden_a.slug}), {
        "org_number": "910000004", "name": "X AS", "contract_start": "2025-03-01", "phase": "mapping",
        "adviser": staff_b.pk,
    })
    assert not TargetCompany.objects.exists()


def test_stale_edit_is_refused_with_what_changed(client, garden_a, staff_a, admin_a):
    target = TargetCompanyFactory(garden=garden_a, notes="")
    services.target_company_update(target=target, by=admin_a, expected_version=1, data={"notes": "Fra admin"})
    client.force_login(staff_a)
    response = client.post(url("members:company-edit", target), {
        "name": target.company.name, "contract_start": "2025-01-01", "phase": "growth", "status": "active",
        "notes": "Fra stab", "version": 1,
    })
    html = response.content.decode()
    assert response.status_code == 409  # Conflict: nothing saved, the other's changes shown
    assert "Noen andre lagret denne posten" in html
    assert "Fra admin" in html  # what changed meanwhile
    assert "Fra stab" in html  # the person's own input is kept
    target.refresh_from_db()
    assert target.notes == "Fra admin" and target.phase == "mapping"


def test_withdrawn_needs_a_reason(client, garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a)
    client.force_login(staff_a)
    response = client.post(url("members:company-edit", target), {
        "name": target.company.name, "contract_start": "2025-01-01", "phase": "mapping", "status": "withdrawn",
        "version": 1,
    })
    html = response.content.decode()
    assert response.status_code == 400 and "Skriv hvorfor bedriften trakk seg" in html
    assert re.search(r'<textarea[^>]*name="withdrawn_reason"[^>]*autofocus', html)
    assert 'id="id_withdrawn_reason_error"' in html


def test_follow_up_key_figures_goal_and_contact_show_on_record_and_history(client, garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a, contract_start=datetime.date(2025, 1, 1))
    client.force_login(staff_a)
    client.post(url("members:follow-up-add", target), {
        "fu-date": "2025-04-02", "fu-kind": "meeting", "fu-hours": "1.5", "fu-summary": "Kartleggingsmøte",
        "fu-next_step": "Sende tilbud", "fu-adviser": staff_a.pk,
    })
    client.post(url("members:key-figures-save", target), {"kf-year": "2025", "kf-turnover": "1200000",
                                                          "kf-employees": "3"})
    client.post(url("members:key-figures-save", target), {"kf-year": "2025", "kf-turnover": "1300000",
                                                          "kf-employees": "3"})
    client.post(url("members:goal-add", target), {"goal-description": "Eksport til Sverige",
                                                  "goal-status": "planned"})
    client.post(url("members:contact-add", target), {"contact-name": "Kari Kontakt", "contact-legal_basis": "contract"})
    assert target.key_figures.get().turnover == 1300000  # same year updated, not duplicated
    html = client.get(url("members:company-detail", target)).content.decode()
    for text in ("Kartleggingsmøte", "Sende tilbud", "Eksport til Sverige", "Kari Kontakt", "grunnlinje"):
        assert text in html
    history = client.get(url("members:company-history", target)).content.decode()
    assert "1\u00a0200\u00a0000" in history and "1\u00a0300\u00a0000" in history and ">1,5<" in history


def test_follow_up_with_bad_hours_says_why(client, garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a)
    client.force_login(staff_a)
    response = client.post(url("members:follow-up-add", target), {
        "fu-date": "2025-04-02", "fu-kind": "meeting", "fu-hours": "30", "fu-summary": "For lenge"}, follow=True)
    assert "mellom 0 og 24" in response.content.decode()
    assert not FollowUpEntry.objects.exists()


def make_list(garden, count, adviser=None):
    for i in range(count):
        target = TargetCompanyFactory(garden=garden, adviser=adviser,
                                      phase="growth" if i % 2 else "mapping",
                                      contract_start=datetime.date(2020 + i % 5, 1, 1))
        FollowUpEntry.objects.create(target=target, date=datetime.date(2025, 1, 1), kind="meeting",
                                     hours=Decimal("1"), summary="x", adviser=adviser)


def test_list_filters_by_phase_year_and_text(client, garden_a, staff_a):
    make_list(garden_a, 10, adviser=staff_a)
    special = TargetCompanyFactory(garden=garden_a, company__name="Spesiell Sag AS",
                                   contract_start=datetime.date(2019, 5, 1))
    client.force_login(staff_a)
    list_url = reverse("members:company-list", kwargs={"garden_slug": garden_a.slug})
    assert "5 målbedrifter" in client.get(list_url, {"phase": "growth"}).content.decode()
    html = client.get(list_url, {"q": "spesiell"}).content.decode()
    assert "1 målbedrift" in html and special.company.name in html
    html = client.get(list_url, {"q": special.company.org_number[:6]}).content.decode()
    assert special.company.name in html
    assert "2 målbedrifter" in client.get(list_url, {"year": "2020"}).content.decode()
    assert "Ingen målbedrifter passer" in client.get(list_url, {"q": "finnes ikke"}).content.decode()


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = html[html.index(f'name="{name}"'):]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[:select.index("</select>")])


def test_list_filters_offer_the_gardens_own_municipalities_sections_and_advisers(
        client, garden_a, garden_b, staff_a, staff_b, geo, industry):
    Coverage.objects.create(garden=garden_a, municipality=geo["oppdal"])
    elsewhere = Municipality.objects.create(number="3401", name="Kongsvinger", county=geo["roros"].county)
    TargetCompanyFactory(garden=garden_b, company__municipality=elsewhere)  # another garden's record
    in_roros = TargetCompanyFactory(garden=garden_a, adviser=staff_a, company__name="Røros Ost AS",
                                    company__municipality=geo["roros"], company__industry=industry)
    other = TargetCompanyFactory(garden=garden_a, company__name="Oppdal Sag AS")
    client.force_login(staff_a)
    list_url = reverse("members:company-list", kwargs={"garden_slug": garden_a.slug})
    html = client.get(list_url).content.decode()
    # Covered or where the garden's companies are, by name; never another garden's municipality.
    assert _options(html, "municipality") == [
        ("", "Alle"), (str(geo["oppdal"].pk), "Oppdal (5021)"), (str(geo["roros"].pk), "Røros (5025)")]
    assert _options(html, "section") == [("", "Alle"), ("C", "C Industri")]
    advisers = dict(_options(html, "adviser"))
    assert advisers[str(staff_a.pk)] == staff_a.full_name and str(staff_b.pk) not in advisers
    # Each row links to its record.
    assert f'href="{url("members:company-detail", in_roros)}"' in html
    for params, shown, hidden in (({"municipality": geo["roros"].pk}, in_roros, other),
                                  ({"section": "C"}, in_roros, other),
                                  ({"adviser": staff_a.pk}, in_roros, other)):
        html = client.get(list_url, params).content.decode()
        assert shown.company.name in html and hidden.company.name not in html, params
        assert f'<option value="{next(iter(params.values()))}" selected>' in html
    # An id the list does not offer (another garden's adviser) is a form error and filters nothing.
    html = client.get(list_url, {"adviser": staff_b.pk}).content.decode()
    assert "Velg på nytt fra listen" in html and in_roros.company.name in html and other.company.name in html


def test_list_rows_say_the_county_of_a_shared_municipality_name_and_the_advisers_email_without_a_name(
        client, garden_a, staff_a, geo):
    county = County.objects.create(number="34", name="Innlandet")
    valer = Municipality.objects.create(number="3419", name="Våler", county=county, shares_name=True)
    nameless = MembershipFactory(garden=garden_a, user__full_name="", user__email="uten.navn@example.org").user
    TargetCompanyFactory(garden=garden_a, company__municipality=valer, adviser=nameless,
                         contract_start=datetime.date(2024, 3, 1))
    TargetCompanyFactory(garden=garden_a, company__municipality=geo["roros"])
    client.force_login(staff_a)
    html = client.get(reverse("members:company-list", kwargs={"garden_slug": garden_a.slug})).content.decode()
    assert "<td>Våler (Innlandet)</td>" in html and "<td>Røros</td>" in html
    assert "<td>uten.navn@example.org</td>" in html and "<td>01.03.2024</td>" in html
    assert "<td>0 oppføringer, 0 t</td>" in html


@pytest.mark.parametrize("rows", [5, 500])
def test_list_query_count_is_fixed(client, django_assert_num_queries, garden_a, staff_a, rows):
    make_list(garden_a, rows, adviser=staff_a)
    client.force_login(staff_a)
    list_url = reverse("members:company-list", kwargs={"garden_slug": garden_a.slug})
    # 1 session, 2 user, 3 garden, 4 the user's memberships (this garden's access and the navigation),
    # 5 count for the paginator (no join to the follow-up log), 6 the page of records with company,
    # municipality, county and adviser, 7 the follow-up count and hours of just those 25 records,
    # 8 the filter's choices (municipalities, sections, advisers in one UNION, read as the form is shown).
    with django_assert_num_queries(8) as captured:
        response = client.get(list_url, {"o": "-start"})
    assert response.status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    assert "COUNT(*)" in sql[4] and "followupentry" not in sql[4]
    assert "followupentry" not in sql[5] and "LIMIT" in sql[5]
    assert "followupentry" in sql[6] and "GROUP BY" in sql[6]
    assert "UNION" in sql[7]
    assert "1 oppføring, 1 t" in response.content.decode()


@pytest.mark.parametrize("entries", [5, 500])
def test_detail_and_history_query_counts_are_fixed(client, django_assert_num_queries, garden_a, staff_a, entries):
    target = TargetCompanyFactory(garden=garden_a, company__municipality=MunicipalityFactory())
    for i in range(entries):
        services.follow_up_log(target=target, by=staff_a, date=datetime.date(2025, 1, 1), kind="advice",
                               hours=Decimal("1"), summary=f"Råd {i}")
        KeyFigures.objects.create(target=target, year=1990 + i, turnover=i)
    client.force_login(staff_a)
    # 1 session, 2 user, 3 garden, 4 the user's memberships (access and navigation), 5 record with company,
    # municipality, county, industry, adviser, origin, 6 coverage check, 7 the latest follow-ups with
    # advisers, 8 key figures, 9 goals, 10 contacts, 11 requests for help from other gardens, 12 advisers
    # for the follow-up form. (The colleagues of other gardens are listed on the request's own page.)
    with django_assert_num_queries(12):
        response = client.get(url("members:company-detail", target))
    assert response.status_code == 200
    shown = min(entries, FOLLOW_UP_LOG_SHOWN)
    assert response.content.decode().count("Råd ") == shown
    # The whole log on request: the same queries.
    with django_assert_num_queries(12):
        response = client.get(url("members:company-detail", target), {"logg": "alle"})
    assert response.content.decode().count("Råd ") == entries
    # 1-5 as above, 6 merged records, 7 how many changes in all, 8 the page's audit entries with their gardens.
    with django_assert_num_queries(8):
        response = client.get(url("members:company-history", target))
    html = response.content.decode()
    assert html.count("Råd ") == min(entries, HISTORY_PAGE_SIZE)
    assert f"Råd {entries - 1}<" in html  # newest first
    if entries > HISTORY_PAGE_SIZE:
        pages = -(-entries // HISTORY_PAGE_SIZE)
        assert f"{entries} endringer i alt" in html and f"Side 1 av {pages}" in html
        last = client.get(url("members:company-history", target), {"page": pages}).content.decode()
        assert "Råd 0<" in last and last.count("Råd ") == entries - (pages - 1) * HISTORY_PAGE_SIZE


def test_export_is_exactly_the_filtered_list_and_neutralises_formulas(client, garden_a, staff_a):
    make_list(garden_a, 4)
    TargetCompanyFactory(garden=garden_a, company__name="=HYPERLINK(\"http://x\")", phase="growth")
    client.force_login(staff_a)
    base = {"garden_slug": garden_a.slug}
    response = client.get(reverse("members:company-export", kwargs={**base, "fmt": "csv"}), {"phase": "growth"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Organisasjonsnummer"
    assert len(rows) == 1 + 3  # header + the two growth rows of make_list + the formula one
    assert any(r[1] == "'=HYPERLINK(\"http://x\")" for r in rows)
    response = client.get(reverse("members:company-export", kwargs={**base, "fmt": "xlsx"}), {"phase": "growth"})
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # XLSX: the text exactly as typed, stored as a text cell (never a formula), no apostrophe.
    assert len(names) == 3 and "=HYPERLINK(\"http://x\")" in names
    formula_cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[1].value.startswith("="))
    assert formula_cell.data_type == "s"
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert client.get(reverse("members:company-export", kwargs={**base, "fmt": "pdf"})).status_code == 404


def test_export_writes_dates_and_hours_the_norwegian_way_and_keeps_xlsx_numbers_real(client, garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a, contract_start=datetime.date(2025, 3, 1),
                                  contract_end=datetime.date(2027, 12, 31))
    services.follow_up_log(target=target, by=staff_a, date=datetime.date(2025, 4, 2), kind="advice",
                           hours=Decimal("1.50"), summary="Råd")
    client.force_login(staff_a)
    base = {"garden_slug": garden_a.slug}
    response = client.get(reverse("members:company-export", kwargs={**base, "fmt": "csv"}))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[7:9] == ["01.03.2025", "31.12.2027"] and row[-1] == "1,5"
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    response = client.get(reverse("members:company-export", kwargs={**base, "fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    start, end = next(sheet.iter_rows(min_row=2))[7:9]
    assert start.is_date and start.value.date() == datetime.date(2025, 3, 1) and start.number_format == "DD.MM.YYYY"
    hours = next(sheet.iter_rows(min_row=2))[-1]
    assert hours.data_type == "n" and hours.value == 1.5  # a real number Excel can sum


def test_contract_upload_and_download(client, garden_a, staff_a, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    target = TargetCompanyFactory(garden=garden_a)
    client.force_login(staff_a)
    client.post(url("members:company-edit", target), {
        "name": target.company.name, "contract_start": "2025-01-01", "phase": "mapping", "status": "active",
        "version": 1, "contract_file": SimpleUploadedFile("avtale.pdf", b"%PDF-1.4 kontrakt"),
    })
    response = client.get(url("members:contract-download", target))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 kontrakt"
    bad = client.post(url("members:company-edit", target), {
        "name": target.company.name, "contract_start": "2025-01-01", "phase": "mapping", "status": "active",
        "version": 2, "contract_file": SimpleUploadedFile("virus.exe", b"MZ"),
    })
    assert "Last opp kontrakten som PDF" in bad.content.decode()


def test_reader_sees_records_but_no_edit_controls(client, garden_a, reader):
    target = TargetCompanyFactory(garden=garden_a)
    client.force_login(reader)
    html = client.get(url("members:company-detail", target)).content.decode()
    assert target.company.name in html
    assert url("members:company-edit", target) not in html


def test_staff_of_ended_membership_keeps_their_records(client, garden_a):
    membership = MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF)
    target = TargetCompanyFactory(garden=garden_a, adviser=membership.user)
    membership.valid_to = datetime.date(2020, 12, 31)
    membership.save()
    target.refresh_from_db()
    assert target.adviser == membership.user
    assert valid_org_number(0) != valid_org_number(1)


def test_sort_options_say_each_direction_once_in_bokmal(client, garden_a, staff_a):
    make_list(garden_a, 3, adviser=staff_a)
    client.force_login(staff_a)
    list_url = reverse("members:company-list", kwargs={"garden_slug": garden_a.slug})
    html = client.get(list_url).content.decode()
    select = html[html.index('name="o"'):]
    select = select[:select.index("</select>")]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options[:4] == ["Navn (A–Å)", "Navn (Å–A)", "Kontraktstart (nyeste først)", "Kontraktstart (eldste først)"]
    assert len(options) == len(set(options)) == 10
    assert "descending" not in select
    names = [t.company.name for t in garden_a.target_companies.select_related("company")]
    reversed_page = client.get(list_url, {"o": "-name"}).content.decode()
    assert reversed_page.index(max(names)) < reversed_page.index(min(names))


def test_history_shows_labels_and_values_the_norwegian_way(client, garden_a, staff_a):
    target = TargetCompanyFactory(garden=garden_a, company__municipality=MunicipalityFactory())
    services.follow_up_log(target=target, by=staff_a, date=datetime.date(2025, 3, 1), kind="advice",
                           hours=Decimal("1.50"), summary="Rådgiving", own_share=Decimal("1234567"))
    AuditEntry.objects.create(
        action="members.targetcompany.updated", actor_label="Kari", target_type="members.targetcompany",
        target_id=str(target.pk), target_label=str(target),
        changes={"contract_start": ["2024-01-01", "2025-03-01"],
                 "created_at": [None, "2026-12-02T02:36:41.998481+00:00"],
                 "adviser_garden": [None, "Alfa"], "is_demo": [True, False]},
    )
    client.force_login(staff_a)
    html = client.get(reverse("members:company-history", kwargs={"garden_slug": garden_a.slug, "pk": target.pk}))
    text = re.sub(r"<[^>]+>", " ", html.content.decode())
    assert "01.03.2025" in text and "01.01.2024" in text
    assert "02.12.2026 kl. 03:36" in text  # Oslo is UTC+1 in December
    assert "1,5" in text and "1\u00a0234\u00a0567\u00a0kr" in text
    assert "Rådgivers næringshage" in text and "Opprettet" in text
    assert "Created at" not in text and "Adviser garden" not in text and "1.5" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
