"""The competence directory: opt-in profiles, Norwegian search and order, filters, query counts."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.models import AuditEntry, User
from core.text import fold_norwegian, name_sort_key
from gardens import services
from gardens.models import (
    CompetenceArea,
    County,
    Coverage,
    IndustryCode,
    Municipality,
    Network,
    NetworkMembership,
    StaffMembership,
    StaffProfile,
)
from tests.factories import GardenFactory, MembershipFactory

DIRECTORY = "/kompetanse/"
EDIT = "/profil/kompetanse/"


@pytest.fixture
def place(garden_a, garden_b):
    county = County.objects.create(number="50", name="Trøndelag")
    roros = Municipality.objects.create(number="5025", name="Røros", county=county)
    holtalen = Municipality.objects.create(number="5026", name="Holtålen", county=county)
    tynset = Municipality.objects.create(number="3427", name="Tynset", county=county)
    old = Municipality.objects.create(number="1640", name="Røros gamle", county=county,
                                      valid_to=datetime.date(2017, 12, 31))
    Coverage.objects.create(garden=garden_a, municipality=roros)
    Coverage.objects.create(garden=garden_a, municipality=holtalen)
    Coverage.objects.create(garden=garden_b, municipality=tynset)
    network = Network.objects.create(name="Fjellnettverket", slug="fjell")
    NetworkMembership.objects.create(network=network, garden=garden_b)
    return {
        "roros": roros, "holtalen": holtalen, "tynset": tynset, "old": old, "network": network,
        "growth": CompetenceArea.objects.create(name="Næringsutvikling", slug="naeringsutvikling"),
        "export": CompetenceArea.objects.create(name="Eksport", slug="eksport"),
        "section": IndustryCode.objects.create(code="C", level=1, section="C", name="Industri"),
    }


def publish(user, *, public: bool = True, **data) -> StaffProfile:
    """Save a profile through the service, as the edit page does."""
    return services.staff_profile_update(user=user, by=user, data={"is_public": public, **data})


def names(response) -> list[str]:
    return [p.user.get_full_name() for p in response.context["profiles"]]


# fold_norwegian and the sort key


@pytest.mark.parametrize("text", ["næringsutvikling", "naeringsutvikling", "naringsutvikling", "NÆRINGSUTVIKLING"])
def test_fold_makes_the_spellings_of_ae_the_same(text):
    assert fold_norwegian(text) == "naringsutvikling"


def test_fold_treats_o_slash_and_a_ring_and_their_spellings_alike():
    assert fold_norwegian("Bjørn Åse") == fold_norwegian("Bjoern Aase") == fold_norwegian("bjorn ase") == "bjorn ase"
    assert fold_norwegian("Tromsø, Kåfjord!") == "tromso kafjord"


def test_sort_key_puts_ae_oe_aa_after_z_in_that_order():
    names_in_order = ["Anders", "Zara", "Ærlend", "Øystein", "Åse", "Ågot"]
    assert sorted(names_in_order, key=name_sort_key) == ["Anders", "Zara", "Ærlend", "Øystein", "Ågot", "Åse"]


# Opt-in: an unpublished profile appears nowhere


def test_unpublished_profile_appears_nowhere(client, staff_a, place):
    profile = publish(staff_a, public=False, headline="Ekspert på næringsutvikling",
                      competence_areas=[place["growth"]])
    assert names(client.get(DIRECTORY)) == []
    assert names(client.get(DIRECTORY, {"q": "næringsutvikling"})) == []
    assert names(client.get(DIRECTORY, {"area": place["growth"].pk})) == []
    assert client.get(reverse("gardens:competence-profile", args=[profile.pk])).status_code == 404
    garden_page = client.get(staff_a.memberships.get().garden.get_absolute_url()).content.decode()
    assert "Ekspert på næringsutvikling" not in garden_page


def test_a_profile_is_unpublished_by_default(staff_a, place):
    profile = services.staff_profile_update(user=staff_a, by=staff_a, data={"headline": "Rådgiver"})
    assert profile.is_public is False and profile.published_at is None


def test_ended_membership_hides_a_published_profile(client, staff_a, place):
    profile = publish(staff_a, headline="Rådgiver")
    assert names(client.get(DIRECTORY)) == ["Stine Stab"]
    StaffMembership.objects.filter(user=staff_a).update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    assert names(client.get(DIRECTORY)) == []
    assert client.get(reverse("gardens:competence-profile", args=[profile.pk])).status_code == 404


def test_unpublishing_hides_the_profile_again(client, staff_a, place):
    profile = publish(staff_a, headline="Rådgiver")
    publish(staff_a, public=False)
    assert names(client.get(DIRECTORY)) == []
    assert client.get(reverse("gardens:competence-profile", args=[profile.pk])).status_code == 404
    profile.refresh_from_db()
    assert profile.published_at is None


def test_no_email_address_is_published(client, staff_a, place):
    profile = publish(staff_a, headline="Rådgiver", bio="Jeg hjelper gründere.")
    for url in (DIRECTORY, reverse("gardens:competence-profile", args=[profile.pk]), DIRECTORY + "?q=stine"):
        page = client.get(url).content.decode()
        assert "Stine Stab" in page
        assert staff_a.email not in page and "@" not in page.split("<main", 1)[1].split("</main>")[0]


# The edit page and the service


def test_only_current_staff_can_edit_a_profile(client, entrepreneur, reader, staff_a, place):
    assert client.get(EDIT).status_code == 302  # anonymous: to the sign-in page
    for person in (entrepreneur, reader):
        client.force_login(person)
        assert client.get(EDIT).status_code == 404
    StaffMembership.objects.filter(user=staff_a).update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(staff_a)
    assert client.get(EDIT).status_code == 404


def test_staff_publish_through_the_edit_page(client, staff_a, place):
    client.force_login(staff_a)
    page = client.get(EDIT)
    assert page.status_code == 200
    assert "never shown" in page.content.decode() or "aldri" in page.content.decode()
    response = client.post(EDIT, {
        "headline": "Hjelper med næringsutvikling", "bio": "Tjue år i regionen.",
        "competence_areas": [place["growth"].pk], "industry_sections": [place["section"].pk],
        "languages": "norsk, English", "municipalities_served": [place["roros"].pk],
        "capacity_note": "To dager i måneden", "capacity_hours_per_month": "15", "is_public": "on",
    })
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=staff_a)
    assert profile.is_public and profile.published_at is not None
    assert list(profile.municipalities_served.all()) == [place["roros"]]
    entry = AuditEntry.objects.get(action="gardens.staffprofile.created")
    assert entry.actor == staff_a and entry.garden_id == staff_a.memberships.get().garden.pk
    assert entry.changes["is_public"] == [None, True]

    client.logout()
    card = client.get(DIRECTORY).content.decode()
    for shown in ("Stine Stab", "Hjelper med næringsutvikling", "Alfa Næringshage", "Næringsutvikling",
                  "Industri", "norsk, English", "Røros", "To dager i måneden"):
        assert shown in card


def test_edit_page_offers_only_the_municipalities_the_garden_covers(client, staff_a, place):
    client.force_login(staff_a)
    choices = {m.pk for m in client.get(EDIT).context["form"].fields["municipalities_served"].queryset}
    assert choices == {place["roros"].pk, place["holtalen"].pk}
    response = client.post(EDIT, {"headline": "Rådgiver", "municipalities_served": [place["tynset"].pk],
                                  "is_public": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["municipalities_served"]
    assert 'value="Rådgiver"' in response.content.decode()  # what was typed is kept
    assert not StaffProfile.objects.filter(user=staff_a).exists()


def test_too_many_hours_gets_a_clear_message(client, staff_a, place):
    client.force_login(staff_a)
    response = client.post(EDIT, {"headline": "Rådgiver", "capacity_hours_per_month": "900"})
    assert response.status_code == 200
    assert response.context["form"].errors["capacity_hours_per_month"]


def test_the_service_refuses_people_who_do_not_work_in_a_garden(entrepreneur, place):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.staff_profile_update(user=entrepreneur, by=entrepreneur, data={"is_public": True})
    assert not StaffProfile.objects.exists()


def test_changing_competence_areas_updates_the_search(client, staff_a, place):
    publish(staff_a, headline="Rådgiver")
    assert names(client.get(DIRECTORY, {"q": "eksport"})) == []
    publish(staff_a, competence_areas=[place["export"]])
    assert names(client.get(DIRECTORY, {"q": "eksport"})) == ["Stine Stab"]
    assert AuditEntry.objects.filter(action="gardens.staffprofile.updated").count() == 1


# Search and filters


@pytest.fixture
def people(staff_a, staff_b, garden_a, place):
    """Stine (garden A, Næringsutvikling), Bjørn (garden B, eksport, serves Røros), Kåre (A, unpublished)."""
    publish(staff_a, headline="Hjelper gründere", competence_areas=[place["growth"]])
    publish(staff_b, headline="Eksportrådgiver", competence_areas=[place["export"]],
            municipalities_served=[place["roros"]], bio="Kjenner naeringsutvikling fra Sverige")
    hidden = MembershipFactory(garden=garden_a, user__full_name="Kåre Skjult").user
    publish(hidden, public=False, headline="Næringsutvikling", competence_areas=[place["growth"]])
    return {"stine": staff_a, "bjorn": staff_b}


@pytest.mark.parametrize("query", ["næringsutvikling", "naeringsutvikling", "naringsutvikling", "NÆRINGSUTVIKLING",
                                   "Næringsutv"])
def test_search_finds_norwegian_words_however_they_are_spelt(client, people, query):
    # Stine has the area "Næringsutvikling"; Bjørn wrote "naeringsutvikling" in his bio.
    assert names(client.get(DIRECTORY, {"q": query})) == ["Bjørn Utenfor", "Stine Stab"]


@pytest.mark.parametrize("query", ["bjørn", "bjoern", "BJORN", "bjørn eksport", "Beta Næringshage"])
def test_search_matches_names_and_gardens_with_every_word(client, people, query):
    assert names(client.get(DIRECTORY, {"q": query})) == ["Bjørn Utenfor"]


def test_search_needs_every_word(client, people):
    assert names(client.get(DIRECTORY, {"q": "stine eksport"})) == []


def test_filter_by_competence_area(client, people, place):
    assert names(client.get(DIRECTORY, {"area": place["growth"].pk})) == ["Stine Stab"]
    assert names(client.get(DIRECTORY, {"area": place["export"].pk})) == ["Bjørn Utenfor"]


def test_filter_by_municipality_served_or_covered_by_the_garden(client, people, place):
    # Røros: covered by Stine's garden A, and served by Bjørn personally.
    assert names(client.get(DIRECTORY, {"municipality": place["roros"].pk})) == ["Bjørn Utenfor", "Stine Stab"]
    assert names(client.get(DIRECTORY, {"municipality": place["holtalen"].pk})) == ["Stine Stab"]
    assert names(client.get(DIRECTORY, {"municipality": place["tynset"].pk})) == ["Bjørn Utenfor"]


def test_filter_by_garden_and_network(client, people, garden_a, place):
    assert names(client.get(DIRECTORY, {"garden": garden_a.pk})) == ["Stine Stab"]
    assert names(client.get(DIRECTORY, {"network": place["network"].pk})) == ["Bjørn Utenfor"]


def test_filters_combine(client, people, place):
    assert names(client.get(DIRECTORY, {"municipality": place["roros"].pk, "q": "eksport"})) == ["Bjørn Utenfor"]


def test_an_unknown_filter_value_gets_a_message_not_an_error(client, people):
    response = client.get(DIRECTORY, {"area": "999999", "page": "x"})
    assert response.status_code == 200
    assert names(response) == []
    assert 'role="alert"' in response.content.decode()


def test_search_uses_the_strategy_of_the_database(people):
    from gardens.selectors import profiles_matching, published_profiles

    sql = str(profiles_matching(published_profiles(), "eksport").query)
    assert ("to_tsquery" in sql) == (connection.vendor == "postgresql")


def test_postgresql_searches_through_the_gin_index(people):
    """The search's vector is the indexed expression, so PostgreSQL reads the index (SQLite: LIKE)."""
    from gardens.selectors import profiles_matching, published_profiles

    queryset = profiles_matching(published_profiles(), "eksport")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: force the choice
            plan = queryset.explain()
        assert "gardens_staffprofile_search_gin" in plan
    else:
        assert "LIKE" in str(queryset.query)


# Order and pagination


def test_directory_is_in_norwegian_name_order(client, garden_a, place):
    for name in ["Åse Aas", "Øystein Ø", "Zara Z", "Ærlend Æ", "Ågot Å", "Anders A"]:
        publish(MembershipFactory(garden=garden_a, user__full_name=name).user)
    assert names(client.get(DIRECTORY)) == ["Anders A", "Zara Z", "Ærlend Æ", "Øystein Ø", "Ågot Å", "Åse Aas"]


def _many_profiles(garden, place, n: int) -> None:
    areas = [place["growth"], place["export"]]
    for i in range(n):
        user = MembershipFactory(garden=garden, user__full_name=f"Person {i:03d}").user
        publish(user, headline=f"Rådgiver {i}", competence_areas=areas, industry_sections=[place["section"]],
                municipalities_served=[place["roros"]], languages="norsk")


@pytest.mark.parametrize("n", [5, 60])
def test_directory_query_count_does_not_grow(client, django_assert_num_queries, garden_a, place, n):
    _many_profiles(garden_a, place, n)
    # 1 the chosen municipality (validating the filter), 2 count for the paginator, 3 the page of
    # profiles with their users, 4-6 their competence areas, industry sections and municipalities,
    # 7 their current memberships with gardens, 8-11 the filter choices (areas, municipalities,
    # gardens, networks).
    with django_assert_num_queries(11):
        response = client.get(DIRECTORY, {"q": "radgiver", "municipality": place["roros"].pk})
    assert len(response.context["profiles"]) == min(n, 24)
    assert response.context["page"].paginator.count == n


@pytest.mark.parametrize("n", [5, 60])
def test_profile_page_query_count_does_not_grow(client, django_assert_num_queries, garden_a, place, n):
    _many_profiles(garden_a, place, n)
    profile = StaffProfile.objects.order_by("pk").last()
    # 1 the profile with its user, 2-4 areas, sections, municipalities, 5 current memberships with gardens.
    with django_assert_num_queries(5):
        assert client.get(reverse("gardens:competence-profile", args=[profile.pk])).status_code == 200


def test_pagination_shows_24_a_page(client, garden_a, place):
    _many_profiles(garden_a, place, 30)
    assert len(names(client.get(DIRECTORY))) == 24
    assert names(client.get(DIRECTORY, {"page": 2})) == [f"Person {i:03d}" for i in range(24, 30)]


def test_contact_link_only_when_help_requests_exist(client, people):
    try:
        reverse("members:ask-staff", kwargs={"profile_pk": 1})
        exists = True
    except NoReverseMatch:
        try:
            reverse("members:ask-staff", kwargs={"pk": 1})
            exists = True
        except NoReverseMatch:
            exists = False
    page = client.get(DIRECTORY).content.decode()
    assert ("Contact through the portal" in page or "Kontakt via portalen" in page) == exists


def test_staff_see_links_to_their_profile(client, staff_a, entrepreneur, garden_a):
    client.force_login(staff_a)
    assert EDIT in client.get(garden_a.get_workspace_url()).content.decode()
    assert EDIT in client.get(DIRECTORY).content.decode()
    client.force_login(entrepreneur)
    assert EDIT not in client.get(DIRECTORY).content.decode()


# The benchmark command


def test_benchmark_runs_and_leaves_nothing_behind(garden_a, place, capsys):
    before = (User.objects.count(), StaffProfile.objects.count(), StaffMembership.objects.count())
    call_command("benchmark", profiles=20, companies=10, runs=2)
    output = capsys.readouterr().out
    assert "median" in output and "p95" in output and "queries" in output
    assert (User.objects.count(), StaffProfile.objects.count(), StaffMembership.objects.count()) == before
    assert not GardenFactory._meta.model.objects.filter(slug__startswith="benchmark").exists()


def test_an_admin_edit_keeps_the_search_in_step(client, superuser, staff_a, place):
    profile = publish(staff_a, headline="Rådgiver")
    client.force_login(superuser)
    url = reverse("admin:gardens_staffprofile_change", args=[profile.pk])
    response = client.post(url, {
        "user": staff_a.pk, "headline": "Rådgiver", "bio": "", "languages": "", "capacity_note": "",
        "competence_areas": [place["export"].pk], "is_public": "on",
        "published_at_0": "", "published_at_1": "",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    client.logout()
    assert names(client.get(DIRECTORY, {"q": "eksport"})) == ["Stine Stab"]
