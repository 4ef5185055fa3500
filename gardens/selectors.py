"""Reads about gardens and geography."""

import datetime

from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from core.text import search_terms

from .geography import ChangeGraph
from .models import (
    Coverage,
    Garden,
    GardenStatus,
    Municipality,
    Network,
    NetworkMembership,
    StaffMembership,
    valid_on_q,
)


def current_municipalities() -> QuerySet[Municipality]:
    """Today's municipalities with their county, for choosing one (a form's dropdown)."""
    return Municipality.objects.current().with_county().order_by("name", "number")


def current_municipality_names() -> list[str]:
    """Today's municipality names, each once, for the search field's suggestions."""
    return list(Municipality.objects.current().order_by("name").values_list("name", flat=True).distinct())


def gardens_for_directory() -> QuerySet[Garden]:
    """Gardens with the number of municipalities they cover today and their networks."""
    current = valid_on_q(timezone.localdate(), prefix="coverages__")
    return Garden.objects.annotate(
        municipality_count=Count("coverages", filter=current, distinct=True)
    ).prefetch_related("networks", "statuses")


def gardens_directory(on: datetime.date | None = None, *, prefetch: tuple = ()) -> list[Garden]:
    """Every garden with what the directory shows, in four queries (and one per `prefetch`).

    Each garden gets `coverage_now` (municipality and county), `network_memberships_now`
    (network) and `statuses_now`; the page above adds its own (the agreements) in `prefetch`.
    """
    on = on or timezone.localdate()
    gardens = list(
        Garden.objects.order_by("name").prefetch_related(
            Prefetch(
                "coverages",
                queryset=Coverage.objects.valid_on(on).select_related("municipality__county")
                .order_by("municipality__name", "municipality__number"),
                to_attr="coverage_now",
            ),
            Prefetch(
                "network_memberships",
                queryset=NetworkMembership.objects.valid_on(on)
                .select_related("network").order_by("network__name"),
                to_attr="network_memberships_now",
            ),
            Prefetch("statuses", queryset=GardenStatus.objects.valid_on(on), to_attr="statuses_now"),
            *prefetch,
        )
    )
    for garden in gardens:
        # Having left the programme overrides the statuses it left; an unknown start sorts first.
        statuses = sorted(garden.statuses_now, key=lambda s: (s.valid_from or datetime.date.min, s.kind))
        left = [s for s in statuses if s.kind == GardenStatus.Kind.LEFT_PROGRAMME]
        garden.statuses_now = left[-1:] or statuses
    return gardens


def gardens_for_map(on: datetime.date | None = None) -> list[Garden]:
    """Every garden with `coverage_now` (its municipalities today), in two queries."""
    on = on or timezone.localdate()
    return list(
        Garden.objects.order_by("name").prefetch_related(
            Prefetch(
                "coverages",
                queryset=Coverage.objects.valid_on(on).select_related("municipality")
                .order_by("municipality__name", "municipality__number"),
                to_attr="coverage_now",
            )
        )
    )


def garden_coverage(garden: Garden) -> tuple[list[Coverage], list[Coverage]]:
    """The garden's coverage split into (now, before), each with municipality and county."""
    today = timezone.localdate()
    rows = list(garden.coverages.select_related("municipality__county").order_by("municipality__name"))
    now = [c for c in rows if c.is_valid_on(today)]
    before = [c for c in rows if not c.is_valid_on(today)]
    return now, before


def garden_staff(garden: Garden) -> list[StaffMembership]:
    """People working in the garden today."""
    return list(
        garden.memberships.valid_on(timezone.localdate()).select_related("user").order_by("role", "user__full_name")
    )


def gardens_serving(municipalities: list[Municipality], on: datetime.date | None = None, *,
                    graph: ChangeGraph | None = None, prefetch: tuple = ()) -> list[Coverage]:
    """Coverage rows (garden and municipality) serving any of `municipalities` on `on`.

    Coverage follows the municipality across renumberings and mergers: a row recorded for
    1640 Røros serves 5025 Røros too (and the other way round), so no reform makes a
    garden's coverage silently disappear. The page above adds what it shows (`prefetch`).
    """
    on = on or timezone.localdate()
    graph = graph or ChangeGraph.load()
    places = {m.pk: graph.same_place(m) for m in municipalities}
    rows = (
        Coverage.objects.valid_on(on)
        .filter(municipality_id__in=set().union(*places.values()))
        .select_related("garden", "municipality__county")
        .prefetch_related(Prefetch("garden__networks", queryset=Network.objects.prefetch_related("gardens")),
                          *prefetch)
        .order_by("garden__name", "municipality__name")
    )
    # One row per garden and municipality asked about; `serves` is the municipality asked about.
    found: dict[tuple[int, int], Coverage] = {}
    for coverage in rows:
        for municipality in municipalities:
            if coverage.municipality_id in places[municipality.pk] and (coverage.garden_id, municipality.pk) \
                    not in found:
                coverage.serves = municipality
                found[(coverage.garden_id, municipality.pk)] = coverage
                break
    return list(found.values())


def garden_memberships(garden: Garden) -> tuple[list[StaffMembership], list[StaffMembership]]:
    """The garden's memberships split into (not ended, ended), with each person, in one query."""
    today = timezone.localdate()
    rows = list(garden.memberships.select_related("user").order_by("user__full_name", "user__email", "-valid_from"))
    ended = [m for m in rows if m.valid_to is not None and m.valid_to < today]
    ended.sort(key=lambda m: m.valid_to, reverse=True)
    return [m for m in rows if m.valid_to is None or m.valid_to >= today], ended


def open_invitations(garden: Garden) -> QuerySet:
    """The garden's invitations that can still be accepted, newest first, with who sent them."""
    return (
        garden.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by", "mail")
        .order_by("-created_at")
    )


# The competence directory. Search and name order are computed in Python and stored on the
# profile (search_text, sort_key), so SQLite and PostgreSQL find and order exactly alike.

def current_membership_exists(**where) -> Exists:
    """A subquery: the profile's person has a membership valid today (and matching `where`)."""
    return Exists(
        StaffMembership.objects.current().filter(user=OuterRef("user"), **where)
    )


def published_profiles() -> QuerySet:
    """Profiles the directory may show: opted in, by someone with a current membership."""
    from .models import StaffProfile

    return StaffProfile.objects.filter(is_public=True).filter(current_membership_exists())


def profiles_for_directory(queryset: QuerySet | None = None) -> QuerySet:
    """Published profiles with everything a card shows, in Norwegian name order (six queries a page)."""
    queryset = published_profiles() if queryset is None else queryset
    return (
        queryset.select_related("user")
        .prefetch_related(
            "competence_areas",
            "industry_sections",
            "municipalities_served",
            Prefetch(
                "user__memberships",
                queryset=StaffMembership.objects.current().select_related("garden").order_by("garden__name"),
                to_attr="current_memberships",
            ),
        )
        .order_by("sort_key", "pk")
    )


def profiles_matching(queryset: QuerySet, query: str) -> QuerySet:
    """Profiles whose folded text contains every word of `query` (ae/oe/aa-insensitive)."""
    from django.db import connection

    terms = search_terms(query)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        # Full-text search over the folded column; the 'simple' configuration because the
        # text is already folded (a Norwegian stemmer would see "naringsutvikling" as a foreign
        # word). Prefix terms (word:*) find "utvikl" in "utvikling" as icontains does.
        # The vector is written as the GIN index of migration 0002 is (SearchVector would add a
        # COALESCE the index does not have, and PostgreSQL would compute it for every row again).
        from django.contrib.postgres.search import SearchQuery, SearchVectorField

        tsquery = " & ".join(f"{term}:*" for term in terms)
        vector = Func(F("search_text"), template="to_tsvector('simple'::regconfig, %(expressions)s)",
                      output_field=SearchVectorField())
        return queryset.annotate(search=vector).filter(
            search=SearchQuery(tsquery, search_type="raw", config="simple")
        )
    # search_text starts every word with a space, so " term" is a word prefix, as term:* above.
    for term in terms:
        queryset = queryset.filter(search_text__contains=f" {term}")
    return queryset
