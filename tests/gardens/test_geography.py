"""Every Norwegian municipality number since 2017, and each county as of the date (SSB's classification).

All of this runs on the real data in data/reference/, loaded as `manage.py load_network` does.
"""

import datetime

import pytest
from django.urls import reverse

from gardens.geography import ChangeGraph, municipality_resolve
from gardens.models import County, Coverage, Municipality, MunicipalityChange
from gardens.selectors import gardens_serving
from members.forms import MunicipalityChoiceField
from network_portal.loading import load_network
from tests.factories import GardenFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def loaded(db):
    return load_network()


def current(number: str) -> Municipality:
    return Municipality.objects.get(number=number, valid_to__isnull=True)


def now_numbers(query, on=None):
    return [m.number for m in municipality_resolve(query, on).now]


def then(query, on):
    [municipality] = municipality_resolve(query, on).municipalities
    return municipality.number, municipality.name, municipality.county.name


@pytest.mark.parametrize("day,municipalities,counties", [
    (D(2017, 6, 1), 426, 19), (D(2018, 6, 1), 422, 18), (D(2019, 6, 1), 422, 18), (D(2020, 6, 1), 356, 11),
    (D(2023, 6, 1), 356, 11), (D(2024, 6, 1), 357, 15), (D(2017, 1, 1), 426, 19), (D(2019, 12, 31), 422, 18),
])
def test_municipalities_and_counties_valid_on_a_date(loaded, day, municipalities, counties):
    assert Municipality.objects.valid_on(day).count() == municipalities
    assert County.objects.valid_on(day).count() == counties
    # Every municipality of the day sits in a county of the same day.
    assert not Municipality.objects.valid_on(day).exclude(county__in=County.objects.valid_on(day)).exists()


@pytest.mark.parametrize("old,today", [
    ("1640", ["5025"]), ("0437", ["3427"]), ("1567", ["5061"]), ("0137", ["3114"]), ("3018", ["3114"]),
    ("3003", ["3105"]), ("0105", ["3105"]), ("3803", ["3905"]), ("5401", ["5501"]), ("1902", ["5501"]),
    ("1507", ["1580", "1508"]), ("0301", ["0301"]), ("0501", ["3405"]), ("1201", ["4601"]),
    ("1613", ["5055", "5056", "5059"]), ("1850", ["1875", "1806"]), ("437", ["3427"]),
])
def test_old_numbers_lead_to_todays_municipalities(loaded, old, today):
    assert now_numbers(old) == today


def test_chains_through_every_reform(loaded):
    # Våler (Østfold): 0137 until 2019, 3018 in Viken 2020–2023, 3114 in Østfold since 2024.
    assert then("0137", D(2019, 6, 1)) == ("0137", "Våler", "Østfold")
    assert then("0137", D(2021, 6, 1)) == ("3018", "Våler", "Viken")
    assert then("0137", D(2024, 6, 1)) == ("3114", "Våler", "Østfold")
    # Rindal moved from Møre og Romsdal to Trøndelag in 2019.
    assert then("1567", D(2018, 6, 1)) == ("1567", "Rindal", "Møre og Romsdal")
    assert then("5061", D(2018, 6, 1)) == ("1567", "Rindal", "Møre og Romsdal")
    change = MunicipalityChange.objects.get(old__number="1567")
    assert (change.new.number, change.kind, change.effective) == ("5061", "moved_county", D(2019, 1, 1))
    assert then("1640", D(2017, 6, 1)) == ("1640", "Røros", "Sør-Trøndelag")
    assert then("0301", D(2017, 6, 1)) == ("0301", "Oslo", "Oslo")


def test_a_number_not_yet_in_use_says_what_it_was_then(loaded):
    answer = municipality_resolve("3405", D(2019, 6, 1))
    assert [(m.number, m.name, m.county.name) for m in answer.municipalities] == [("0501", "Lillehammer",
                                                                                    "Oppland")]
    assert not Municipality.objects.filter(number="3405").valid_on(D(2019, 6, 1)).exists()
    [former] = answer.former
    assert former.sentence == "3405 var ikke i bruk 01.06.2019; da var Lillehammer 0501 Lillehammer, Oppland."


def test_every_number_since_2017_resolves_to_a_2024_municipality(loaded, django_assert_num_queries):
    graph = ChangeGraph.load()
    today = D(2024, 6, 1)
    rows = list(Municipality.objects.select_related("county"))
    assert len(rows) == 853 and len({m.number for m in rows}) == 835
    with django_assert_num_queries(0):  # the graph answers everything it was loaded with
        for row in rows:
            successors = graph.follow([row], today)
            assert successors, f"{row} leads nowhere"
            assert all(m.valid_to is None for m in successors), row


@pytest.mark.parametrize("query,sentence", [
    # renumbered by a county reform
    ("3003", "3003 var nummeret til Sarpsborg 2020–2023; i dag er det 3105 Sarpsborg, Østfold."),
    ("0105", "0105 var nummeret til Sarpsborg fram til 2019; i dag er det 3105 Sarpsborg, Østfold."),
    # moved to another county
    ("1567", "1567 var nummeret til Rindal fram til 2018; i dag er det 5061 Rindal, Trøndelag."),
    # merged
    ("1638", "1638 var nummeret til Orkdal fram til 2017; i dag er det en del av 5059 Orkland, Trøndelag."),
    # split
    ("1613", "1613 var nummeret til Snillfjord fram til 2017; i dag er området delt mellom 5055 Heim, Trøndelag, "
             "5056 Hitra, Trøndelag og 5059 Orkland, Trøndelag."),
    ("1507", "1507 var nummeret til Ålesund 2020–2023; i dag er området delt mellom 1580 Haram, Møre og Romsdal "
             "og 1508 Ålesund, Møre og Romsdal."),
    # by an old name
    ("Snillfjord", "5012 var nummeret til Snillfjord 2018–2019; i dag er området delt mellom 5055 Heim, "
                   "Trøndelag, 5056 Hitra, Trøndelag og 5059 Orkland, Trøndelag."),
    ("Tysfjord", "1850 var nummeret til Tysfjord fram til 2019; i dag er området delt mellom 1875 Hamarøy, "
                 "Nordland og 1806 Narvik, Nordland."),
])
def test_each_kind_of_change_is_explained_in_words(loaded, query, sentence):
    assert [f.sentence for f in municipality_resolve(query).former] == [sentence]


def test_old_names_resolve_on_their_date_and_today(loaded):
    assert then("Sarpsborg", D(2019, 6, 1)) == ("0105", "Sarpsborg", "Østfold")
    assert now_numbers("Sarpsborg") == ["3105"]
    assert now_numbers("Snillfjord") == ["5055", "5056", "5059"]
    assert now_numbers("snillfjord") == ["5055", "5056", "5059"]
    # A name that is still in use needs no explanation.
    assert municipality_resolve("Røros").former == []


def test_a_shared_name_is_shown_with_its_county_and_a_number_settles_it(loaded):
    valer = municipality_resolve("Våler").now
    assert [m.display_name for m in valer] == ["Våler (Østfold)", "Våler (Innlandet)"]
    assert now_numbers("Våler 3419") == ["3419"]
    assert [m.display_name for m in municipality_resolve("Herøy").now] == ["Herøy (Møre og Romsdal)",
                                                                           "Herøy (Nordland)"]
    assert current("5025").display_name == "Røros"
    # In the forms that take a municipality too.
    field = MunicipalityChoiceField(queryset=Municipality.objects.current().filter(number__in=["3114", "5025"]))
    assert sorted(label for _value, label in list(field.choices)[1:]) == ["Røros (5025)", "Våler (Østfold) (3114)"]
    # Shared names of old periods (Os in Hedmark and in Hordaland until 2019).
    assert Municipality.objects.get(number="0441").display_name == "Os (Hedmark)"


def test_a_lookup_costs_two_queries_whatever_the_chain(loaded, django_assert_num_queries):
    for query in ("0137", "Snillfjord", "3405", "Våler"):
        with django_assert_num_queries(2):  # 1 the number's or name's periods, 2 the change graph
            municipality_resolve(query, D(2019, 6, 1))


def test_coverage_follows_the_municipality_across_reforms(loaded):
    garden = GardenFactory(slug="fjellet")
    old_roros = Municipality.objects.get(number="1640")
    roros = current("5025")
    # Recorded against the old number: still serves Røros today.
    Coverage.objects.create(garden=garden, municipality=old_roros, valid_from=D(2010, 1, 1))
    assert garden in {c.garden for c in gardens_serving([roros])}
    # Recorded against today's number from 2008: served 1640 Røros in 2017.
    rorosregionen = Coverage.objects.filter(municipality=roros).select_related("garden").first().garden
    served_2017 = {c.garden for c in gardens_serving(ChangeGraph.load().follow([roros], D(2017, 6, 1)), D(2017, 6, 1))}
    assert rorosregionen in served_2017
    # A sibling of a merger is not the same place: Heim is not Orkland.
    heim = current("5055")
    Coverage.objects.create(garden=garden, municipality=heim)
    assert garden not in {c.garden for c in gardens_serving([current("5059")])}


def test_find_your_garden_explains_national_numbers(client, loaded):
    for query, text in [
        ("3003", "3003 var nummeret til Sarpsborg 2020–2023; i dag er det 3105 Sarpsborg, Østfold."),
        ("5401", "5401 var nummeret til Tromsø 2020–2023; i dag er det 5501 Tromsø, Troms."),
        ("1201", "1201 var nummeret til Bergen fram til 2019; i dag er det 4601 Bergen, Vestland."),
        ("0137", "0137 var nummeret til Våler fram til 2019; i dag er det 3114 Våler, Østfold."),
    ]:
        html = client.get(reverse("network_portal:find"), {"q": query}).content.decode()
        assert text in html
        assert "Ingen kommune passer" not in html


def test_find_page_query_count_is_the_same_for_an_old_and_a_new_number(client, loaded, django_assert_num_queries):
    # 1-2 the lookup (change graph, periods), 3 coverage with garden and municipality, 4 the gardens'
    # networks (their other gardens add one where there is a network), 5 the gardens' agreements,
    # 6 today's municipality names for the suggestions
    for query in ("1640", "5025", "Tynset", "0437"):
        with django_assert_num_queries(6):
            response = client.get(reverse("network_portal:find"), {"q": query})
        assert "Rørosregionen Næringshage" in response.content.decode()


def test_loading_twice_changes_nothing(loaded):
    assert load_network() == loaded
    assert Municipality.objects.count() == 853 and MunicipalityChange.objects.count() == 500
    assert County.objects.count() == 33


def test_the_admin_search_finds_today_s_municipality_for_an_old_number(client, loaded, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:gardens_municipality_changelist"), {"q": "3003"}).content.decode()
    assert ">3105<" in html and ">3003<" in html  # today's Sarpsborg, and the old number itself
    assert ">3105<" in client.get(reverse("admin:gardens_municipality_changelist"), {"q": "0105"}).content.decode()
