"""Public pages of the foundation: home, garden directory and page, find-your-garden."""

import datetime

import pytest
from django.urls import reverse

from gardens.models import County, Coverage, GardenStatus, Municipality, MunicipalityChange, Network, NetworkMembership
from tests.factories import CoverageFactory, GardenFactory, MembershipFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roros(db):
    """Røros as 1640 (Sør-Trøndelag, until 2017) and 5025 (Trøndelag, from 2018)."""
    old_county = County.objects.create(number="16", name="Sør-Trøndelag", valid_to=datetime.date(2017, 12, 31))
    new_county = County.objects.create(number="50", name="Trøndelag", valid_from=datetime.date(2018, 1, 1))
    old = Municipality.objects.create(
        number="1640", name="Røros", county=old_county, valid_to=datetime.date(2017, 12, 31)
    )
    new = Municipality.objects.create(
        number="5025", name="Røros", county=new_county, valid_from=datetime.date(2018, 1, 1)
    )
    MunicipalityChange.objects.create(old=old, new=new, effective=datetime.date(2018, 1, 1), kind="renumbered")
    return new


def make_gardens(count: int, coverages_each: int = 2):
    gardens = []
    network = Network.objects.create(name="Testnettverket", slug="testnettverket")
    for _ in range(count):
        garden = GardenFactory()
        for _ in range(coverages_each):
            CoverageFactory(garden=garden)
        GardenStatus.objects.create(garden=garden, kind=GardenStatus.Kind.IN_PROGRAMME)
        NetworkMembership.objects.create(network=network, garden=garden)
        gardens.append(garden)
    return gardens


def test_home_lists_every_garden_with_its_coverage(client):
    gardens = make_gardens(3, coverages_each=2)
    response = client.get(reverse("network_portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for garden in gardens:
        assert garden.name in html
    assert html.count("2 kommuner") == 3


@pytest.mark.parametrize("count", [5, 50])
def test_home_query_count_is_fixed(client, django_assert_num_queries, count):
    make_gardens(count)
    # 1 gardens with coverage counts, 2 their networks, 3 their statuses,
    # 4 networks, 5 the networks' gardens, 6 agreement count, 7 project count.
    with django_assert_num_queries(7):
        assert client.get(reverse("network_portal:home")).status_code == 200


def test_home_shows_a_helpful_empty_state(client):
    response = client.get(reverse("network_portal:home"))
    assert "load_network" in response.content.decode()


def test_garden_page_separates_current_and_earlier_coverage(client, roros):
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    Coverage.objects.create(garden=garden, municipality=roros)
    ended = MunicipalityFactory(name="Gammelkommune")
    Coverage.objects.create(
        garden=garden, municipality=ended, valid_from=datetime.date(2010, 1, 1), valid_to=datetime.date(2015, 12, 31)
    )
    inferred = MunicipalityFactory(name="Antattkommune")
    Coverage.objects.create(garden=garden, municipality=inferred, is_inferred=True, inference_note="Fra hagens navn")
    response = client.get(garden.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    now, before = html.split("Dekket tidligere")
    assert "Røros" in now and "Antattkommune" in now
    assert "Gammelkommune" in before and "2010–2015" in before
    assert "antatt" in now  # the inferred flag is visible


@pytest.mark.parametrize("coverages", [5, 100])
def test_garden_page_query_count_is_fixed(client, django_assert_num_queries, coverages):
    garden = make_gardens(1, coverages_each=coverages)[0]
    for _ in range(3):
        MembershipFactory(garden=garden)
    # 1 garden, 2 coverage with municipality and county, 3 statuses, 4 staff with users,
    # 5 networks, 6 their gardens, 7 agreements, 8 projects, 9 contact details.
    with django_assert_num_queries(9):
        assert client.get(garden.get_absolute_url()).status_code == 200


def test_unknown_garden_is_404(client):
    assert client.get(reverse("network_portal:garden", kwargs={"slug": "finnes-ikke"})).status_code == 404


@pytest.mark.parametrize("query", ["1640", "5025", "røros", "Rør"])
def test_find_garden_by_old_or_new_number_or_name(client, roros, query):
    garden = GardenFactory(name="Rørosregionen Næringshage", slug="rorosregionen")
    Coverage.objects.create(garden=garden, municipality=roros)
    response = client.get(reverse("network_portal:find"), {"q": query})
    html = response.content.decode()
    assert "Rørosregionen Næringshage" in html
    assert "5025, Trøndelag" in html


def test_find_garden_says_when_nothing_matches_or_nobody_serves(client, roros):
    html = client.get(reverse("network_portal:find"), {"q": "Atlantis"}).content.decode()
    assert "Ingen kommune passer" in html
    html = client.get(reverse("network_portal:find"), {"q": "5025"}).content.decode()
    assert "har ingen næringshage i nettverket ennå" in html


def test_english_is_available(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("network_portal:home")).content.decode()
    assert '<html lang="en">' in html
    assert "The business garden network" in html


def test_bokmal_is_the_default(client):
    html = client.get(reverse("network_portal:home")).content.decode()
    assert '<html lang="nb">' in html
    assert "Næringshagenettverket" in html
    assert "Finn din næringshage" in html


def test_about_data_credits_the_sources(client):
    html = client.get(reverse("network_portal:about-data")).content.decode()
    assert "© Kartverket, CC BY 4.0" in html
    assert "Norsk lisens for offentlige data (NLOD)" in html
