"""The public face of the network: the gardens directory, find-your-garden and the coverage map."""

import datetime
import json
import os
import re

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementParty
from gardens import maps
from gardens.models import County, Coverage, GardenStatus, Municipality, MunicipalityChange, Network, NetworkMembership
from network_portal.loading import load_network
from tests.factories import CoverageFactory, GardenFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

ROROS_SLUG = "rorosregionen-naeringshage"


@pytest.fixture
def trondelag(db) -> County:
    return County.objects.create(number="50", name="Trøndelag", valid_from=datetime.date(2018, 1, 1))


@pytest.fixture
def roros(trondelag) -> Municipality:
    """Røros as 1640 (Sør-Trøndelag, until 2017) and 5025 (Trøndelag, from 2018)."""
    old_county = County.objects.create(number="16", name="Sør-Trøndelag", valid_to=datetime.date(2017, 12, 31))
    end, start = datetime.date(2017, 12, 31), datetime.date(2018, 1, 1)
    old = Municipality.objects.create(number="1640", name="Røros", county=old_county, valid_to=end)
    new = Municipality.objects.create(number="5025", name="Røros", county=trondelag, valid_from=start)
    MunicipalityChange.objects.create(old=old, new=new, effective=datetime.date(2018, 1, 1), kind="renumbered")
    return new


@pytest.fixture
def rorosregionen(roros, trondelag):
    """A garden covering Røros (stated, since 2004) and Holtålen (inferred), in a network and an agreement."""
    garden = GardenFactory(name="Rørosregionen Næringshage", slug=ROROS_SLUG, email="post@rorosregionen.example")
    holtalen = Municipality.objects.create(number="5026", name="Holtålen", county=trondelag)
    Coverage.objects.create(garden=garden, municipality=roros, valid_from=datetime.date(2004, 1, 1))
    Coverage.objects.create(garden=garden, municipality=holtalen, is_inferred=True, inference_note="Fra regionen")
    network = Network.objects.create(name="Fjellnettverket", slug="fjellnettverket")
    NetworkMembership.objects.create(network=network, garden=garden)
    agreement = Agreement.objects.create(name="Samarbeidsavtale i Sør-Trøndelag", slug="samarbeid-st")
    AgreementParty.objects.create(agreement=agreement, garden=garden)
    GardenStatus.objects.create(
        garden=garden, kind=GardenStatus.Kind.IN_PROGRAMME, valid_from=datetime.date(2004, 1, 1)
    )
    return garden


def make_gardens(count: int) -> None:
    network = Network.objects.create(name="Testnettverket", slug="testnettverket")
    agreement = Agreement.objects.create(name="Testavtalen", slug="testavtalen")
    for _ in range(count):
        garden = GardenFactory(phone="72 40 00 00")
        CoverageFactory(garden=garden, valid_from=datetime.date(2010, 1, 1))
        CoverageFactory(garden=garden, is_inferred=True)
        GardenStatus.objects.create(garden=garden, kind=GardenStatus.Kind.IN_PROGRAMME)
        NetworkMembership.objects.create(network=network, garden=garden)
        AgreementParty.objects.create(agreement=agreement, garden=garden)


def entry_of(html: str, garden_name: str) -> str:
    """The directory entry (one <li class="panel directory-entry">) that names the garden."""
    for entry in html.split('class="panel directory-entry"')[1:]:
        if garden_name in entry.split("</h2>")[0]:
            return entry
    raise AssertionError(f"{garden_name} is not in the directory")


# The directory


def test_directory_shows_coverage_networks_agreements_status_and_contact(client, rorosregionen):
    quiet = GardenFactory(name="Stille Næringshage", slug="stille")
    ended = MunicipalityFactory(name="Nedlagtkommune")
    Coverage.objects.create(
        garden=quiet, municipality=ended, valid_from=datetime.date(2001, 1, 1), valid_to=datetime.date(2010, 12, 31)
    )
    html = client.get(reverse("network_portal:garden-list")).content.decode()

    roros = entry_of(html, "Rørosregionen Næringshage")
    assert "Røros" in roros and "siden 2004" in roros
    assert re.search(r"Holtålen\s*<span class=\"badge badge-inferred\"", roros), "Holtålen is not flagged inferred"
    assert "Fjellnettverket" in roros and "Samarbeidsavtale i Sør-Trøndelag" in roros
    assert 'href="mailto:post@rorosregionen.example"' in roros
    assert "I næringshageprogrammet fra 2004" in roros

    stille = entry_of(html, "Stille Næringshage")
    assert "Nedlagtkommune" not in stille  # ended coverage is history, not "covers now"
    assert "Ingen kommuner er registrert" in stille
    assert f'href="{quiet.get_absolute_url()}"' in stille.split("Kontakt")[1]  # no contact details: link to its page


def test_directory_shows_that_a_garden_left_the_programme_not_that_it_is_in_it(client):
    garden = GardenFactory(name="Forlatt Næringshage")
    GardenStatus.objects.create(garden=garden, kind=GardenStatus.Kind.IN_PROGRAMME)
    GardenStatus.objects.create(
        garden=garden, kind=GardenStatus.Kind.LEFT_PROGRAMME, valid_from=datetime.date(2019, 1, 1)
    )
    entry = entry_of(client.get(reverse("network_portal:garden-list")).content.decode(), "Forlatt Næringshage")
    assert "Gått ut av programmet fra 2019" in entry
    assert "I næringshageprogrammet" not in entry


@pytest.mark.parametrize("count", [3, 30])
def test_directory_query_count_is_fixed(client, django_assert_num_queries, count):
    make_gardens(count)
    # 1 gardens, 2 current coverage with municipality and county, 3 current network memberships
    # with network, 4 current programme statuses, 5 agreements, 6 contact details.
    with django_assert_num_queries(6):
        response = client.get(reverse("network_portal:garden-list"))
    assert response.content.decode().count('class="panel directory-entry"') == count


def test_directory_has_an_empty_state(client):
    assert "load_network" in client.get(reverse("network_portal:garden-list")).content.decode()


# Find your garden


def test_old_number_is_explained(client, rorosregionen):
    html = client.get(reverse("network_portal:find"), {"q": "1640"}).content.decode()
    assert "1640 var nummeret til Røros fram til 2017; i dag er det 5025 Røros, Trøndelag." in html
    assert "Rørosregionen Næringshage" in html
    assert "Med i nettverket Fjellnettverket" in html  # the network behind the garden
    assert "Part i Samarbeidsavtale i Sør-Trøndelag" in html


def test_todays_number_and_name_need_no_explanation(client, rorosregionen):
    for query in ["5025", "Røros"]:
        html = client.get(reverse("network_portal:find"), {"q": query}).content.decode()
        assert "var nummeret til" not in html
        assert "Rørosregionen Næringshage" in html


def test_merged_and_split_municipalities_are_explained(client, trondelag):
    old_county = County.objects.create(number="16", name="Sør-Trøndelag", valid_to=datetime.date(2017, 12, 31))
    end = datetime.date(2019, 12, 31)
    orkland = Municipality.objects.create(number="5059", name="Orkland", county=trondelag)
    hitra = Municipality.objects.create(number="5056", name="Hitra", county=trondelag)
    for number, name in [("1638", "Orkdal"), ("1636", "Meldal")]:
        old = Municipality.objects.create(number=number, name=name, county=old_county, valid_to=end)
        MunicipalityChange.objects.create(old=old, new=orkland, effective=end, kind="merged")
    snillfjord = Municipality.objects.create(number="1613", name="Snillfjord", county=old_county, valid_to=end)
    for new in (orkland, hitra):
        MunicipalityChange.objects.create(old=snillfjord, new=new, effective=end, kind="split")

    html = client.get(reverse("network_portal:find"), {"q": "Orkdal"}).content.decode()
    assert "1638 var nummeret til Orkdal fram til 2019; i dag er det en del av 5059 Orkland, Trøndelag." in html
    html = client.get(reverse("network_portal:find"), {"q": "1613"}).content.decode()
    assert "i dag er området delt mellom 5056 Hitra, Trøndelag og 5059 Orkland, Trøndelag." in html


def test_find_offers_todays_names_and_links_to_the_map(client, rorosregionen):
    html = client.get(reverse("network_portal:find")).content.decode()
    options = re.findall(r'<option value="([^"]+)">', html.split('<datalist id="municipality-names">')[1])
    assert options == ["Holtålen", "Røros"]  # today's names, each once; not 1640's row
    assert 'list="municipality-names"' in html
    assert f'href="{reverse("gardens:map")}"' in html


@pytest.mark.parametrize("gardens", [1, 12])
def test_find_query_count_is_fixed(client, django_assert_num_queries, roros, gardens):
    network = Network.objects.create(name="Fjellnettverket", slug="fjellnettverket")
    for _ in range(gardens):
        garden = GardenFactory()
        Coverage.objects.create(garden=garden, municipality=roros)
        NetworkMembership.objects.create(network=network, garden=garden)
    # 1 today's names for the suggestions, 2 the municipalities matching "Rør", 3 the number changes,
    # 4 coverage with garden, municipality and county, 5 the gardens' networks, 6 the networks' gardens,
    # 7 the gardens' agreements.
    with django_assert_num_queries(7):
        response = client.get(reverse("network_portal:find"), {"q": "Rør"})
    assert response.content.decode().count('class="card"') == gardens


def test_find_with_a_very_long_query_is_calm(client, roros):
    response = client.get(reverse("network_portal:find"), {"q": "x" * 5000})
    assert response.status_code == 200
    assert "Ingen kommune passer" in response.content.decode()


# The coverage map


def map_html(client) -> str:
    response = client.get(reverse("gardens:map"))
    assert response.status_code == 200
    return response.content.decode()


def linked_area(html: str, number: str) -> re.Match | None:
    """The map's link for a municipality: groups href, title and fill."""
    return re.search(
        rf'<a href="([^"]+)" data-number="{number}"[^>]*><title>([^<]+)</title><path d="M[^"]+" fill="([^"]+)"', html
    )


def test_map_draws_each_covered_municipality_linked_to_its_garden(client, rorosregionen):
    html = map_html(client)
    roros = linked_area(html, "5025")
    assert roros is not None, "Røros is not drawn as a link"
    assert roros.group(1) == rorosregionen.get_absolute_url()
    assert roros.group(2) == "Røros – Rørosregionen Næringshage"
    assert roros.group(3) == maps.PALETTE[0]
    holtalen = linked_area(html, "5026")
    assert holtalen is not None and holtalen.group(3) == "url(#hatch-0)"  # inferred: hatched in the garden's colour
    assert '<pattern id="hatch-0"' in html
    assert "Stripete: dekningen er antatt" in html
    assert re.search(r'<svg [^>]*aria-labelledby="map-title"', html) and '<title id="map-title">' in html
    assert "© Kartverket, CC BY 4.0" in html.split("</svg>")[1].split("</figure>")[0]
    assert html.count('<path d="M') > 10  # the neighbours are drawn too, for orientation
    assert html.count('data-number="') == 2  # but only covered municipalities are links


def test_municipality_with_two_gardens_links_to_find_your_garden(client, rorosregionen, roros):
    other = GardenFactory(name="Annen Næringshage", slug="annen")  # sorts first, so it gets the first colour
    Coverage.objects.create(garden=other, municipality=roros, is_inferred=True)
    area = linked_area(map_html(client), "5025")
    assert area.group(1) == roros.get_absolute_url()  # find-your-garden lists both
    assert area.group(2) == "Røros – Rørosregionen Næringshage, Annen Næringshage"  # the stated one first
    assert area.group(3) == maps.PALETTE[1]  # in the colour of the garden whose coverage is stated


def test_map_legend_and_text_list_name_every_garden(client, rorosregionen):
    GardenFactory(name="Tom Næringshage", slug="tom")
    html = map_html(client)
    legend = html.split('class="map-legend"')[1].split("</ul>")[0]
    assert "Rørosregionen Næringshage" in legend and "Tom Næringshage" in legend
    assert maps.PALETTE[0] in legend and maps.PALETTE[1] in legend
    listing = html.split('id="h-list"')[1]
    assert "Holtålen (antatt)" in listing and "ingen kommuner registrert i dag" in listing


def test_map_has_a_kart_link_in_the_site_nav(client):
    html = client.get("/").content.decode()
    nav = html.split('class="site-nav"')[1].split("</nav>")[0]
    assert f'href="{reverse("gardens:map")}"' in nav and ">Kart<" in nav


def test_municipality_without_an_outline_does_not_break_the_map(client, rorosregionen, trondelag):
    nowhere = Municipality.objects.create(number="9999", name="Utenkartkommune", county=trondelag)
    Coverage.objects.create(garden=rorosregionen, municipality=nowhere)
    html = map_html(client)
    assert linked_area(html, "5025") is not None
    assert "Ikke på kartet (mangler omriss i kartdataene): Utenkartkommune" in html


def test_map_without_anything_drawable_says_so(client, trondelag):
    garden = GardenFactory(name="Hage uten kart")
    nowhere = Municipality.objects.create(number="9998", name="X", county=trondelag)
    Coverage.objects.create(garden=garden, municipality=nowhere)
    html = map_html(client)
    assert "<svg" not in html.split('id="main"')[1]
    assert "ingenting å tegne ennå" in html


def test_map_survives_a_missing_outline_file(client, rorosregionen, monkeypatch, tmp_path):
    monkeypatch.setattr(maps, "GEOJSON_PATH", tmp_path / "borte.geojson")
    html = map_html(client)
    assert "ingenting å tegne ennå" in html
    assert "Rørosregionen Næringshage" in html  # the list still tells who covers what


def test_outlines_are_read_and_projected_once(client, rorosregionen):
    maps._shapes_for.cache_clear()
    map_html(client)
    map_html(client)
    info = maps._shapes_for.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_a_changed_outline_file_is_read_again(tmp_path):
    path = tmp_path / "k.geojson"
    square = {"type": "Polygon", "coordinates": [[[10, 62], [11, 62], [11, 63], [10, 63], [10, 62]]]}
    feature = {"properties": {"kommunenummer": "5025", "name": "Røros"}, "geometry": square}
    path.write_text(json.dumps({"features": [feature]}))
    first = maps.municipality_shapes(path)
    assert list(first) == ["5025"] and first["5025"].d.startswith("M") and first["5025"].d.endswith("Z")
    path.write_text('{"features": []}')
    os.utime(path, ns=(1, 1))  # a different mtime, as an edited file has
    assert maps.municipality_shapes(path) == {}


@pytest.mark.parametrize("count", [3, 30])
def test_map_query_count_is_fixed(client, django_assert_num_queries, trondelag, count):
    numbers = sorted(maps.municipality_shapes())[:count]  # real outlines, so each one is drawn
    for number in numbers:
        municipality = Municipality.objects.create(number=number, name=f"Kommune {number}", county=trondelag)
        Coverage.objects.create(garden=GardenFactory(), municipality=municipality)
    # 1 gardens, 2 their current coverage with municipality.
    with django_assert_num_queries(2):
        html = map_html(client)
    assert html.count('data-number="') == count


def test_map_of_the_real_network_links_roros_to_rorosregionen(client):
    load_network()
    html = map_html(client)
    roros = linked_area(html, "5025")
    assert roros is not None
    assert roros.group(1) == reverse("network_portal:garden", kwargs={"slug": ROROS_SLUG})
    assert roros.group(2) == "Røros – Rørosregionen Næringshage"
    assert linked_area(html, "3427").group(3).startswith("url(#hatch-")  # Tynset's coverage is inferred
    assert len(html) < 250_000, "the map page has grown too heavy for a phone"
