"""Reads about gardens and geography."""

import datetime
from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import Coverage, Garden, Municipality, MunicipalityChange, StaffMembership


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
    forward: dict[int, list[Municipality]] = defaultdict(list)
    backward: dict[int, list[Municipality]] = defaultdict(list)
    for change in MunicipalityChange.objects.select_related("old__county", "new__county"):
        forward[change.old_id].append(change.new)
        backward[change.new_id].append(change.old)

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


def municipality_search(query: str, on: datetime.date | None = None) -> list[Municipality]:
    """Municipalities by number (old or new) or by a part of any name they have had."""
    query = query.strip()
    if not query:
        return []
    if query.isdigit():
        return municipality_lookup(query.zfill(4) if len(query) == 3 else query, on)
    numbers = Municipality.objects.filter(name__icontains=query).values_list("number", flat=True).distinct()
    results: dict[int, Municipality] = {}
    for number in list(numbers)[:20]:
        for municipality in municipality_lookup(number, on):
            results[municipality.pk] = municipality
    return sorted(results.values(), key=lambda m: (m.name, m.number))


def gardens_for_directory() -> QuerySet[Garden]:
    """Gardens with the number of municipalities they cover today and their networks."""
    today = timezone.localdate()
    current = (Q(coverages__valid_from__isnull=True) | Q(coverages__valid_from__lte=today)) & (
        Q(coverages__valid_to__isnull=True) | Q(coverages__valid_to__gte=today)
    )
    return Garden.objects.annotate(
        municipality_count=Count("coverages", filter=current, distinct=True)
    ).prefetch_related("networks", "statuses")


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
        .select_related("garden", "municipality")
        .prefetch_related(Prefetch("garden__networks"))
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
        .select_related("invited_by")
        .order_by("-created_at")
    )
