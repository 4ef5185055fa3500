"""Reads about gardens and geography."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from core.text import search_terms

from .models import (
    Coverage,
    Garden,
    GardenStatus,
    Municipality,
    MunicipalityChange,
    Network,
    NetworkMembership,
    StaffMembership,
    valid_on_q,
)


def _change_graph() -> tuple[dict[int, list[Municipality]], dict[int, list[Municipality]]]:
    """Every renumbering/merger/split as (old → new list, new → old list), in one query."""
    forward: dict[int, list[Municipality]] = defaultdict(list)
    backward: dict[int, list[Municipality]] = defaultdict(list)
    for change in MunicipalityChange.objects.select_related("old__county", "new__county"):
        forward[change.old_id].append(change.new)
        backward[change.new_id].append(change.old)
    return forward, backward


def _follow(start: list[Municipality], on: datetime.date, forward, backward) -> list[Municipality]:
    """The rows valid on `on` that `start` leads to, following changes forwards or backwards."""
    found: dict[int, Municipality] = {}
    seen: set[int] = set()
    frontier = start
    while frontier:
        following = []
        for municipality in frontier:
            if municipality.pk in seen:
                continue
            seen.add(municipality.pk)
            if municipality.is_valid_on(on):
                found[municipality.pk] = municipality
            elif municipality.valid_to and municipality.valid_to < on:
                following.extend(forward[municipality.pk])
            elif municipality.valid_from and municipality.valid_from > on:
                following.extend(backward[municipality.pk])
        frontier = following
    return sorted(found.values(), key=lambda m: (m.name, m.number))


def municipality_lookup(number: str, on: datetime.date | None = None) -> list[Municipality]:
    """The municipality or municipalities that `number` means on the day `on` (default today).

    Old numbers find today's municipality (1640 → Røros 5025); today's number with an
    old date finds the old one (5025 in 2015 → Røros 1640, Sør-Trøndelag). A split
    (Snillfjord 2020) gives several. Two queries whatever the chain's length.
    """
    on = on or timezone.localdate()
    start = list(Municipality.objects.filter(number=number.strip()).select_related("county"))
    if not start:
        return []
    return _follow(start, on, *_change_graph())


@dataclass
class FormerNumber:
    """An old number (or old name) the search matched, and what it is today."""

    old: Municipality
    today: list[Municipality]
    merged: bool  # today's municipality also took in others, so the old one is "part of" it

    @property
    def today_label(self) -> str:
        """'5025 Røros, Trøndelag' (several joined with 'and' after a split)."""
        return " / ".join(f"{m.number} {m.name}, {m.county.name}" for m in self.today)


@dataclass
class MunicipalitySearch:
    municipalities: list[Municipality]
    former: list[FormerNumber]


def municipality_search_explained(query: str, on: datetime.date | None = None) -> MunicipalitySearch:
    """Municipalities by number (old or new) or by part of any name they have had, with the
    old numbers and names that led there explained. Two queries whatever matches."""
    query = query.strip()
    if not query:
        return MunicipalitySearch([], [])
    on = on or timezone.localdate()
    if query.isdigit():
        rows = Municipality.objects.filter(number=query.zfill(4) if len(query) == 3 else query)
    else:
        names = Municipality.objects.filter(name__icontains=query).values("number")
        rows = Municipality.objects.filter(number__in=names)
    start = list(rows.select_related("county").order_by("number", "valid_from")[:60])
    if not start:
        return MunicipalitySearch([], [])
    forward, backward = _change_graph()
    former = []
    for row in start:
        if row.valid_to is None or row.valid_to >= on:
            continue
        if not query.isdigit() and query.lower() not in row.name.lower():
            continue  # matched through another name the number had
        today = _follow([row], on, forward, backward)
        # By name, "Røros" (1640) leading to "Røros" (5025) needs no explanation; "Orkdal" does.
        if today and (query.isdigit() or all(m.name != row.name for m in today)):
            merged = len(today) == 1 and len(backward[today[0].pk]) > 1
            former.append(FormerNumber(old=row, today=today, merged=merged))
    if not query.isdigit():  # by name, the last number an old name had says enough (Orkdal: 5024, not 1638)
        latest: dict[str, FormerNumber] = {}
        for item in sorted(former, key=lambda f: f.old.valid_to):
            latest[item.old.name] = item  # the later end wins
        former = sorted(latest.values(), key=lambda f: f.old.name)
    return MunicipalitySearch(_follow(start, on, forward, backward), former)


def municipality_search(query: str, on: datetime.date | None = None) -> list[Municipality]:
    """Municipalities by number (old or new) or by a part of any name they have had."""
    return municipality_search_explained(query, on).municipalities


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


def gardens_serving(municipalities: list[Municipality], on: datetime.date | None = None) -> list[Coverage]:
    """Coverage rows (garden and municipality) serving any of `municipalities` on `on`."""
    on = on or timezone.localdate()
    return list(
        Coverage.objects.valid_on(on)
        .filter(municipality__in=municipalities)
        .select_related("garden", "municipality__county")
        .prefetch_related(
            Prefetch("garden__networks", queryset=Network.objects.prefetch_related("gardens")), "garden__agreements"
        )
        .order_by("garden__name")
    )


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
        from django.contrib.postgres.search import SearchQuery, SearchVector

        tsquery = " & ".join(f"{term}:*" for term in terms)
        return queryset.annotate(search=SearchVector("search_text", config="simple")).filter(
            search=SearchQuery(tsquery, search_type="raw", config="simple")
        )
    # search_text starts every word with a space, so " term" is a word prefix, as term:* above.
    for term in terms:
        queryset = queryset.filter(search_text__contains=f" {term}")
    return queryset
