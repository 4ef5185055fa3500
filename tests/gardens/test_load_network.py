"""load_network: the real reference data and the seed network, loaded atomically and idempotently.

A full load takes well under a second on SQLite, so each test loads its own copy
inside its own transaction.
"""

import datetime
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agreements.models import Agreement, Signatory
from core.loading import DEFAULT_DATA_DIR, LoadError
from core.models import AuditEntry
from gardens.geography import municipality_resolve
from gardens.models import County, Coverage, Garden, GardenStatus, IndustryCode, Municipality
from network_portal.loading import AUDIT_ACTION, LOADED_MODELS, load_network
from projects.models import Grant, Project

ROROS = "rorosregionen-naeringshage"


@pytest.fixture
def loaded(db) -> dict[str, int]:
    return load_network()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/reference to break in tests."""
    for path in DEFAULT_DATA_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in LOADED_MODELS}


def test_loads_every_current_municipality_industry_code_and_garden(loaded):
    assert Municipality.objects.filter(valid_to__isnull=True).count() == 357
    assert IndustryCode.objects.count() == 1811
    assert Garden.objects.count() == 8
    assert loaded["gardens.Municipality"] == Municipality.objects.count()


def test_counties_current_and_historic(loaded):
    current = County.objects.filter(valid_to__isnull=True)
    assert current.count() == 15
    assert County.objects.get(number="50").valid_from == datetime.date(2018, 1, 1)
    assert County.objects.get(number="34").valid_from == datetime.date(2020, 1, 1)
    assert County.objects.get(number="56").valid_from == datetime.date(2024, 1, 1)
    assert County.objects.get(number="15").valid_from is None  # Møre og Romsdal: same row throughout
    assert County.objects.get(number="04", name="Hedmark").valid_to == datetime.date(2019, 12, 31)
    assert County.objects.get(number="16", name="Sør-Trøndelag").valid_to == datetime.date(2017, 12, 31)
    assert County.objects.get(number="17", name="Nord-Trøndelag").valid_to == datetime.date(2017, 12, 31)


def municipality_lookup(query, on=None):
    return municipality_resolve(query, on).municipalities


def test_codes_are_read_as_strings_with_parents(loaded):
    subclass = IndustryCode.objects.select_related("parent__parent").get(code="01.110")
    assert subclass.level == 5
    assert subclass.parent.code == "01.11"
    assert subclass.parent.parent.code == "01.1"
    assert IndustryCode.objects.get(code="01").parent.code == "A"
    assert IndustryCode.objects.filter(level=1, parent__isnull=True).count() == 21
    assert Municipality.objects.get(number="0301").name == "Oslo"


def test_old_and_new_number_both_find_roros_today(loaded):
    for number in ("1640", "5025"):
        [roros] = municipality_lookup(number)
        assert (roros.number, roros.name, roros.valid_to) == ("5025", "Røros", None)


def test_todays_number_in_2015_finds_roros_1640_in_sor_trondelag(loaded):
    [roros] = municipality_lookup("5025", on=datetime.date(2015, 1, 1))
    assert roros.number == "1640"
    assert roros.county.name == "Sør-Trøndelag"


def test_tynsets_hedmark_number_finds_tynset_in_innlandet(loaded):
    [tynset] = municipality_lookup("0437")
    assert (tynset.number, tynset.name, tynset.county.name) == ("3427", "Tynset", "Innlandet")


def test_snillfjord_today_is_three_municipalities(loaded):
    found = municipality_lookup("1613")
    assert [(m.number, m.name) for m in found] == [("5055", "Heim"), ("5056", "Hitra"), ("5059", "Orkland")]
    [in_2019] = municipality_lookup("1613", on=datetime.date(2019, 6, 1))
    assert (in_2019.number, in_2019.valid_from, in_2019.valid_to) == (
        "5012",
        datetime.date(2018, 1, 1),
        datetime.date(2019, 12, 31),
    )


def test_ssb_name_with_county_is_matched_to_the_current_row(loaded):
    # SSB calls the unit "Våler (Innlandet)"; the portal's name is Våler, shown with its county.
    assert list(Municipality.objects.filter(number="3419").values_list("name", flat=True)) == ["Våler"]
    [valer] = municipality_lookup("0426")
    assert (valer.number, valer.name) == ("3419", "Våler")


def test_intermediate_number_has_its_own_years(loaded):
    orkdal = Municipality.objects.get(number="5024")
    assert (orkdal.name, orkdal.valid_from, orkdal.valid_to) == (
        "Orkdal",
        datetime.date(2018, 1, 1),
        datetime.date(2019, 12, 31),
    )
    assert Municipality.objects.get(number="5059").valid_from == datetime.date(2020, 1, 1)
    assert Municipality.objects.get(number="1580").valid_from == datetime.date(2024, 1, 1)


def test_second_run_changes_nothing_and_writes_no_audit_entry(loaded):
    assert AuditEntry.objects.filter(action=AUDIT_ACTION).count() == 1
    before = _counts()
    coverage_before = list(Coverage.objects.order_by("pk").values())

    again = load_network()

    assert again == loaded == before == _counts()
    assert list(Coverage.objects.order_by("pk").values()) == coverage_before
    assert AuditEntry.objects.filter(action=AUDIT_ACTION).count() == 1


def test_rorosregionen_covers_roros_holtalen_and_tynset_as_inferred(loaded):
    garden = Garden.objects.get(slug=ROROS)
    current = {c.municipality.number: c for c in garden.coverages.current().select_related("municipality")}
    assert {"5025", "5026", "3427"} <= set(current)
    assert len(current) == 8
    assert not current["5025"].is_inferred and not current["5026"].is_inferred
    assert current["3427"].is_inferred
    assert "Nord-Østerdalen" in current["3427"].inference_note


def test_statuses_say_what_is_stated(loaded):
    magnor_role = GardenStatus.objects.get(garden__slug="magnor-naeringshage", kind="regional_role")
    assert magnor_role.valid_from == datetime.date(2017, 1, 1)
    solor_left = GardenStatus.objects.get(garden__slug="solor-naeringshage", kind="left_programme")
    assert solor_left.valid_from is None
    assert "ikke oppgitt" in solor_left.description
    assert GardenStatus.objects.get(garden__slug="sor-osterdal-naeringshage", kind="in_programme").is_inferred
    assert not GardenStatus.objects.get(garden__slug=ROROS, kind="in_programme").is_inferred


def test_orkdalsregionen_candidates_are_inferred_and_deduplicated(loaded):
    coverage = Coverage.objects.filter(garden__slug="naeringshagen-i-orkdalsregionen")
    assert sorted(coverage.values_list("municipality__number", flat=True)) == ["5029", "5055", "5059", "5061"]
    assert all(c.is_inferred and c.inference_note for c in coverage)


def test_kraftsenter_project_and_grant(loaded):
    project = Project.objects.get(name="Regionalt Kraftsenter Midt-Norge")
    assert project.partnerships.count() == 4
    assert project.lead_garden.slug == ROROS
    assert project.is_inferred and "Sigrid M. Jansen" in project.inference_note
    assert (project.municipality_count_stated, project.duration_years) == (25, 3)
    assert project.municipalities.count() == 13
    assert not project.municipalities.filter(valid_to__isnull=False).exists()
    grant = Grant.objects.select_related("funder", "on_behalf_of").get(project=project)
    assert grant.amount == Decimal("6000000.00")
    assert (grant.funder.name, grant.on_behalf_of.short_name, grant.year) == ("Siva", "KMD", None)
    assert project.call.total_amount == Decimal("30000000.00")


def test_agreements_have_four_garden_parties_and_signatories(loaded):
    for agreement in Agreement.objects.filter(kind=Agreement.Kind.NETWORK):
        assert agreement.parties.filter(garden__isnull=False).count() == 4
        assert not agreement.parties.filter(organisation__isnull=False).exists()
    umbrella = Agreement.objects.get(kind=Agreement.Kind.UMBRELLA)
    assert umbrella.name == "Sør-Hedmark Næringspark"
    assert sorted(umbrella.gardens.values_list("slug", flat=True)) == [
        "magnor-naeringshage", "odal-naeringshage", "solor-naeringshage"]
    hedmark = Agreement.objects.get(name="Samarbeidsavtale mellom næringshagene i Hedmark")
    signed = hedmark.signatories.filter(role=Signatory.Role.SIGNED)
    assert signed.count() == 4
    assert all(s.party_id is not None for s in signed)
    assert signed.get(name="Borge Nordfjeld").party.garden.slug == "magnor-naeringshage"
    present = hedmark.signatories.filter(role=Signatory.Role.PRESENT)
    assert sorted(present.values_list("name", flat=True)) == ["Espen Køhn", "Heidi Lyng"]
    assert not present.filter(party__isnull=False).exists()
    assert hedmark.areas.count() == 7


def test_missing_file_raises_and_writes_nothing(db, data_copy):
    (data_copy / "nace_sn2007.csv").unlink()

    with pytest.raises(LoadError, match="nace_sn2007.csv"):
        load_network(data_dir=data_copy)

    assert Municipality.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_late_error_rolls_back_what_was_already_written(db, data_copy):
    # The seed is processed after the municipalities and codes have been written.
    seed = data_copy / "network_seed.yaml"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("  - id: kmd\n", "  - ident: kmd\n"), encoding="utf-8"
    )

    with pytest.raises(LoadError, match="network_seed.yaml is malformed"):
        load_network(data_dir=data_copy)

    assert Municipality.objects.count() == 0
    assert IndustryCode.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_error_in_the_last_step_rolls_back_every_app(db, data_copy):
    # Projects load last, after gardens and agreements have written their rows.
    seed = data_copy / "network_seed.yaml"
    text = seed.read_text(encoding="utf-8")
    partners = "    partners: [trondersk_kystkompetanse,"
    assert text.count(partners) == 1
    seed.write_text(text.replace(partners, "    partners: [no_such_garden,"), encoding="utf-8")

    with pytest.raises(LoadError, match="network_seed.yaml is malformed: missing key or id 'no_such_garden'"):
        load_network(data_dir=data_copy)

    assert Municipality.objects.count() == 0
    assert Garden.objects.count() == 0
    assert Agreement.objects.count() == 0
    assert Project.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_portal_texts_come_from_the_texts_file(db, data_copy):
    texts = data_copy / "network_texts.yaml"
    text = texts.read_text(encoding="utf-8")
    assert text.count("Et kompetansenettverk, ikke et hus.") == 1
    texts.write_text(text.replace("Et kompetansenettverk, ikke et hus.", "Endret tekst."), encoding="utf-8")

    load_network(data_dir=data_copy)

    assert Garden.objects.get(slug=ROROS).description.startswith("Endret tekst. Dekket først Røros og Holtålen")
    umbrella = Agreement.objects.get(kind=Agreement.Kind.UMBRELLA)
    assert umbrella.purpose.startswith("Næringshagene i sørfylket av Hedmark – Solør, Magnor og Odal")
    assert umbrella.signed_when_note == "kunngjort på en pressekonferanse en tirsdag (dato ikke oppgitt)"


def test_missing_texts_file_raises_and_writes_nothing(db, data_copy):
    (data_copy / "network_texts.yaml").unlink()

    with pytest.raises(LoadError, match="Data file not found: .*network_texts.yaml"):
        load_network(data_dir=data_copy)

    assert Municipality.objects.count() == 0


def test_malformed_csv_names_file_and_line(db, data_copy):
    path = data_copy / "kommuner.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("\n5025,", "\n525,", 1), encoding="utf-8")

    with pytest.raises(LoadError, match=r"kommuner\.csv, line \d+: bad kommunenummer '525'"):
        load_network(data_dir=data_copy)


def test_command_exits_with_clear_error(db, data_copy):
    (data_copy / "kommuner_changes_national.csv").unlink()

    with pytest.raises(CommandError, match="Data file not found: .*kommuner_changes_national.csv"):
        call_command("load_network", data_dir=data_copy, stdout=StringIO())

    assert County.objects.count() == 0


def test_command_prints_counts_then_reports_no_changes(db):
    out = StringIO()
    call_command("load_network", stdout=out)
    assert "gardens.IndustryCode" in out.getvalue() and "1811" in out.getvalue()

    out = StringIO()
    call_command("load_network", stdout=out)
    assert "nothing changed" in out.getvalue()


def test_garden_org_numbers_stay_empty(loaded):
    # The articles give no organisasjonsnummer; none may be invented.
    assert not Garden.objects.exclude(org_number="").exists()


def test_agreement_texts_are_bokmal_and_sources_have_readable_titles(loaded):
    hedmark = Agreement.objects.get(name="Samarbeidsavtale mellom næringshagene i Hedmark")
    assert hedmark.signed_when_note == "en tirsdag (datoen er ikke oppgitt)"
    assert hedmark.signed_place == "Sivanett i Trondheim"
    assert hedmark.purpose.startswith("Et forpliktende samarbeid")
    assert hedmark.areas.order_by("position").first().description.startswith("Felles samhandlingsmøter")
    assert hedmark.signatories.get(name="Heidi Lyng").title == "seksjonsleder for næringshager i Siva"
    project = Project.objects.get(name="Regionalt Kraftsenter Midt-Norge")
    assert project.purpose.startswith("– Utvikle næringslivet i hver region")
    assert project.source == "presseartikkel uten tittel om Regionalt Kraftsenter Midt-Norge"
    roros = Garden.objects.get(slug=ROROS)
    assert "«Åpner for næringslivet i hele regionen»" in roros.source
    for model in (Garden, GardenStatus, Coverage, Agreement, Signatory, Project):
        assert not model.objects.filter(source__contains=".txt").exists(), model


def test_reload_updates_english_rows_of_an_earlier_load(loaded):
    """A database loaded before the bokmål texts: a second run rewrites, and adds no row."""
    hedmark = Agreement.objects.get(name="Samarbeidsavtale mellom næringshagene i Hedmark")
    first = hedmark.areas.get(position=0)
    first.description = "Joint interaction meetings (felles samhandlingsmøter) once per quarter"
    first.save()
    Agreement.objects.filter(pk=hedmark.pk).update(
        signed_place="during Sivanett in Trondheim", source="001_5df68589fc438db5.txt")
    areas = hedmark.areas.count()
    load_network()
    hedmark.refresh_from_db()
    assert hedmark.signed_place == "Sivanett i Trondheim"
    assert hedmark.source == "«Næringshagene i Hedmark med samarbeidsavtale»"
    assert hedmark.areas.count() == areas
    assert hedmark.areas.get(position=0).description.startswith("Felles samhandlingsmøter hvert kvartal")


def test_gardens_get_their_contact_details_stated_or_derived_with_their_source(loaded, client):
    from gardens.models import GardenContact

    roros = Garden.objects.get(slug=ROROS)
    person = roros.contacts.get(kind=GardenContact.Kind.PERSON)
    assert (person.value, person.is_inferred) == ("Sigrid M. Jansen", False)
    assert person.source == ("«Åpner for næringslivet i hele regionen»; "
                             "«Næringshagene i Sør-Trøndelag inngår samarbeidsavtale»")
    website = roros.contacts.get(kind=GardenContact.Kind.WEBSITE)
    assert website.is_inferred and "roroshagen.no/nyheter/" in website.source and website.inference_note
    magnor = Garden.objects.get(name="Magnor Næringshage").contacts.get(kind=GardenContact.Kind.PLACE)
    assert magnor.is_inferred and magnor.value == "Magnor i Eidskog kommune"
    assert set(Garden.objects.filter(contacts__isnull=True).values_list("name", flat=True)) == set()
    assert not any(".txt" in c.source for c in GardenContact.objects.all())  # never the internal file names

    html = client.get(roros.get_absolute_url()).content.decode()
    assert "Ingen kontaktopplysninger er registrert ennå" not in html
    assert "Sigrid M. Jansen</strong>, daglig leder" in html
    assert 'href="https://roroshagen.no/"' in html and "utledet" in html
    assert "Kilde: «Åpner for næringslivet i hele regionen»" in html
    magnor_page = client.get(Garden.objects.get(name="Magnor Næringshage").get_absolute_url()).content.decode()
    assert "Magnor i Eidskog kommune" in magnor_page and "Utledet av navnet" in magnor_page
    directory = client.get("/hager/").content.decode()
    assert "Ingen kontaktopplysninger ennå" not in directory and "Borge Nordfjeld" in directory


def test_a_second_load_leaves_the_contact_details_as_they_are(loaded):
    from gardens.models import GardenContact

    before = list(GardenContact.objects.values_list("garden__name", "position", "kind", "value"))
    assert load_network()["gardens.GardenContact"] == len(before)
    assert list(GardenContact.objects.values_list("garden__name", "position", "kind", "value")) == before
