"""The network's figures: Siva's programme indicators per garden, network, county and period.

Every figure is aggregated in the database (GROUP BY garden, phase, municipality…); Python only
folds a few hundred grouped rows (municipalities into the counties of the period, medians).
The period is a year or a quarter. Municipalities and counties are those of the period: a
2019 report shows Hedmark, a 2021 report Innlandet, a 2024 report Østfold where Viken was.
"""

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, FilteredRelation, Min, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gardens.access import ReportAccess
from gardens.geography import ChangeGraph
from gardens.models import Coverage, Garden, Municipality, Network
from members.models import FollowUpEntry, HelpRequest, TargetCompany

# A cell that counts fewer companies than this is not shown on the public page.
SUPPRESS_BELOW = 3
TREND_YEARS = 5


@dataclass(frozen=True)
class Period:
    """A calendar year, or one quarter of it."""

    year: int
    quarter: int | None = None

    @property
    def start(self) -> datetime.date:
        month = 1 if self.quarter is None else 3 * self.quarter - 2
        return datetime.date(self.year, month, 1)

    @property
    def end(self) -> datetime.date:
        if self.quarter is None or self.quarter == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.quarter + 1, 1) - datetime.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.quarter}. kvartal {self.year}"


@dataclass(frozen=True)
class ReportFilter:
    period: Period
    garden: Garden | None = None
    network: Network | None = None
    county_ids: frozenset[int] = frozenset()  # counties chosen in the filter (any period's rows)


def gardens_in_scope(access: ReportAccess, report: ReportFilter, graph: ChangeGraph) -> list[Garden]:
    """The gardens a report covers: the reader's counties and the filter, as of the period."""
    gardens = Garden.objects.order_by("name")
    for county_ids in (access.county_ids, report.county_ids):
        if county_ids:
            places = set()
            for municipality in Municipality.objects.filter(county_id__in=county_ids):
                places |= graph.same_place(municipality)
            covering = Coverage.objects.filter(municipality_id__in=places).filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=report.period.end),
                Q(valid_to__isnull=True) | Q(valid_to__gte=report.period.start),
            )
            gardens = gardens.filter(pk__in=covering.values("garden_id"))
    if report.network is not None:
        gardens = gardens.filter(network_memberships__network=report.network)
    if report.garden is not None:
        gardens = gardens.filter(pk=report.garden.pk)
    return list(gardens.distinct())


def _in_period(period: Period) -> Q:
    """Target company records under contract at some time in the period (merged duplicates left out)."""
    return (Q(contract_start__lte=period.end) & (Q(contract_end__isnull=True) | Q(contract_end__gte=period.start))
            & ~Q(status=TargetCompany.Status.MERGED))


def targets_in_period(gardens: list[Garden], period: Period) -> QuerySet[TargetCompany]:
    """One record per company: a company with two records in the period counts once (the later one)."""
    in_period = TargetCompany.objects.filter(_in_period(period), garden__in=gardens)
    later = TargetCompany.objects.filter(_in_period(period), org_number=OuterRef("org_number"),
                                         contract_start__gt=OuterRef("contract_start"))
    return in_period.exclude(Exists(later))


# --- effect indicators ---------------------------------------------------------------------------

INDICATORS = [
    ("turnover", _("Turnover"), "kr"),
    ("value_creation", _("Value creation"), "kr"),
    ("employees", _("Employees (FTE)"), ""),
]


@dataclass
class Growth:
    """One indicator from the companies' baselines to the report year, over those with both figures."""

    baseline: Decimal | None = None
    report: Decimal | None = None
    counted: int = 0
    left_out: int = 0

    @property
    def change(self) -> Decimal | None:
        return None if self.baseline is None or self.report is None else self.report - self.baseline

    @property
    def percent(self) -> Decimal | None:
        if not self.baseline or self.report is None:
            return None
        return ((self.report / self.baseline - 1) * 100).quantize(Decimal("0.1"))


def _effect_aggregates(period: Period) -> dict:
    """The effect indicators' aggregates over target records joined to their baseline ("base") and
    report-year ("now") key figures: companies whose contract started before the report year only."""
    before = Q(contract_start__year__lt=period.year)
    aggregates = {"total": Count("pk", filter=before)}
    for name, _label, _unit in INDICATORS:
        both = before & Q(**{f"base__{name}__isnull": False, f"now__{name}__isnull": False})
        aggregates[f"{name}_n"] = Count("pk", filter=both)
        aggregates[f"{name}_sum0"] = Sum(f"base__{name}", filter=both)
        aggregates[f"{name}_sum1"] = Sum(f"now__{name}", filter=both)
    return aggregates


def _women_aggregates() -> dict:
    """Women and all leading positions in the report year's key figures ("now"), where both are recorded."""
    recorded = Q(now__women_in_leadership__isnull=False, now__leaders_total__isnull=False)
    return {"women": Sum("now__women_in_leadership", filter=recorded),
            "leaders": Sum("now__leaders_total", filter=recorded)}


def _count_aggregates(period: Period) -> dict:
    """Active at the end of the period, new and ended, over the target records in the period."""
    end, start = period.end, period.start
    active_at_end = Q(contract_start__lte=end) & (
        Q(contract_end__gt=end) | Q(contract_end__isnull=True, status=TargetCompany.Status.ACTIVE))
    return {"active": Count("pk", filter=active_at_end), "new": Count("pk", filter=Q(contract_start__gte=start)),
            "ended": Count("pk", filter=Q(contract_end__lte=end))}


def _with_key_figures(gardens: list[Garden], period: Period) -> QuerySet[TargetCompany]:
    """The period's target records with two LEFT JOINs: the baseline year's key figures and the report year's.

    Joins rather than correlated subqueries: the database reads each key-figure row once. A record has at
    most one row per year (key_figures_one_per_year), so the joins never repeat a record.
    """
    return targets_in_period(gardens, period).annotate(
        base=FilteredRelation("key_figures", condition=Q(key_figures__year=ExtractYear(F("contract_start")))),
        now=FilteredRelation("key_figures", condition=Q(key_figures__year=period.year)),
    )


@dataclass
class GardenFigures:
    """The per-garden figures of the report page, from one query (see garden_figures)."""

    effects: dict[int | None, dict[str, "Growth"]]
    counts: dict[int | None, "Counts"]
    women: dict[int | None, tuple[int, int]]


def garden_figures(gardens: list[Garden], period: Period) -> GardenFigures:
    """Effect indicators, target company counts and women in leadership per garden and for all, in one query.

    All three group the period's target records by garden; one scan with conditional aggregates
    (FILTER) instead of three, each figure over exactly the rows its own definition names.
    """
    grouped = (_with_key_figures(gardens, period).values("garden_id")
               .annotate(**_effect_aggregates(period), **_count_aggregates(period), **_women_aggregates())
               .order_by("garden_id"))
    rows = list(grouped)
    return GardenFigures(effects=_fold_effects(rows), counts=_fold_counts(rows), women=_fold_women(rows))


def _fold_effects(rows: list[dict]) -> dict[int | None, dict[str, "Growth"]]:
    result: dict[int | None, dict[str, Growth]] = {}
    totals = {name: Growth(Decimal(0), Decimal(0)) for name, _l, _u in INDICATORS}
    for row in rows:
        if not row["total"]:
            continue  # only records that started in the report year: no growth yet, as with no row at all
        figures = {}
        for name, _label, _unit in INDICATORS:
            n = row[f"{name}_n"]
            figures[name] = Growth(row[f"{name}_sum0"], row[f"{name}_sum1"], n, row["total"] - n)
            totals[name].baseline += row[f"{name}_sum0"] or 0
            totals[name].report += row[f"{name}_sum1"] or 0
            totals[name].counted += n
            totals[name].left_out += row["total"] - n
        result[row["garden_id"]] = figures
    for growth in totals.values():
        if not growth.counted:
            growth.baseline = growth.report = None
    result[None] = totals
    return result


def _fold_counts(rows: list[dict]) -> dict[int | None, "Counts"]:
    result = {row["garden_id"]: Counts(row["active"], row["new"], row["ended"]) for row in rows}
    result[None] = Counts(*(sum(getattr(c, f) for c in result.values()) for f in ("active", "new", "ended")))
    return result


def _fold_women(rows: list[dict]) -> dict[int | None, tuple[int, int]]:
    result = {row["garden_id"]: (row["women"], row["leaders"]) for row in rows if row["leaders"] is not None}
    result[None] = (sum(w for w, _ in result.values()), sum(total for _, total in result.values()))
    return result


def effect_indicators(gardens: list[Garden], period: Period) -> dict[int | None, dict[str, "Growth"]]:
    """Growth per indicator, per garden (key: garden id) and for all (key None), in one query.

    A company's baseline is its contract's first year; a company whose contract started in the
    report year has no growth yet and is left out, as is one without figures for both years.
    """
    rows = list(_with_key_figures(gardens, period).values("garden_id").annotate(**_effect_aggregates(period))
                .order_by("garden_id"))
    return _fold_effects(rows)


def women_in_leadership(gardens: list[Garden], period: Period) -> dict[int | None, tuple[int, int]]:
    """(women, leading positions in all) in the report year's key figures, per garden and for all."""
    rows = list(_with_key_figures(gardens, period).values("garden_id").annotate(**_women_aggregates())
                .order_by("garden_id"))
    return _fold_women(rows)


# --- target companies ------------------------------------------------------------------------------


@dataclass
class Counts:
    active: int = 0  # at the end of the period
    new: int = 0  # contract started in the period
    ended: int = 0  # contract ended in the period


def target_company_counts(gardens: list[Garden], period: Period) -> dict[int | None, Counts]:
    """Active at the end, new and ended, per garden and for all, in one query."""
    rows = list(targets_in_period(gardens, period).values("garden_id").annotate(**_count_aggregates(period))
                .order_by("garden_id"))
    return _fold_counts(rows)


def active_trend(gardens: list[Garden], last_year: int, years: int = TREND_YEARS) -> dict[int, int]:
    """Active target companies at the end of each of the last `years` years, in one query."""
    aggregates = {}
    for year in range(last_year - years + 1, last_year + 1):
        end = datetime.date(year, 12, 31)
        aggregates[str(year)] = Count("pk", filter=Q(contract_start__lte=end) & (
            Q(contract_end__gt=end) | Q(contract_end__isnull=True, status=TargetCompany.Status.ACTIVE)))
    totals = TargetCompany.objects.filter(garden__in=gardens).exclude(status=TargetCompany.Status.MERGED).aggregate(
        **aggregates)
    return {int(year): count for year, count in totals.items()}


def counts_by(gardens: list[Garden], period: Period, field_name: str) -> list[tuple[str, int]]:
    """Target companies under contract in the period grouped by a field (phase, SN2007 section, start year)."""
    rows = targets_in_period(gardens, period)
    if field_name == "cohort":
        grouped = rows.annotate(key=ExtractYear("contract_start")).values("key")
    else:
        grouped = rows.annotate(key=F(field_name)).values("key")
    labels = dict(TargetCompany.Phase.choices) if field_name == "phase" else {}
    return [(labels.get(row["key"], row["key"]), row["n"]) for row in grouped.annotate(n=Count("pk")).order_by("key")]


def counts_by_phase_section_and_cohort(gardens: list[Garden], period: Period) -> dict[str, list[tuple[str, int]]]:
    """counts_by for phase, SN2007 section and cohort at once: one GROUP BY over the three (a few hundred
    groups at national scale), folded into each; keys in order, a missing value (None) last."""
    rows = (targets_in_period(gardens, period)
            .annotate(k_phase=F("phase"), k_section=F("company__industry__section"),
                      k_cohort=ExtractYear("contract_start"))
            .values("k_phase", "k_section", "k_cohort").annotate(n=Count("pk")).order_by())
    totals: dict[str, dict] = {"phase": {}, "section": {}, "cohort": {}}
    for row in rows:
        for name, counts in totals.items():
            counts[row[f"k_{name}"]] = counts.get(row[f"k_{name}"], 0) + row["n"]
    labels = dict(TargetCompany.Phase.choices)

    def in_order(item: tuple) -> tuple:
        return (item[0] is None, "" if item[0] is None else item[0])

    return {name: [(labels.get(key, key) if name == "phase" else key, n)
                   for key, n in sorted(counts.items(), key=in_order)]
            for name, counts in totals.items()}


@dataclass
class PlaceCount:
    municipality: Municipality | None
    count: int


@dataclass
class CountyCount:
    county: object
    count: int
    municipalities: list[PlaceCount] = field(default_factory=list)


def counts_by_place(gardens: list[Garden], period: Period, graph: ChangeGraph) -> list[CountyCount]:
    """Target companies per municipality and county as they were at the end of the period (see place_figures)."""
    return place_figures(gardens, period, graph)[0]


def place_figures(gardens: list[Garden], period: Period, graph: ChangeGraph
                  ) -> tuple[list[CountyCount], dict[str, int]]:
    """Target companies per municipality and county as they were at the end of the period, and (for the
    shaded map, from the same two queries) per today's municipality number.

    The database counts per today's municipality (one GROUP BY); each is then mapped to the
    municipality it was on the period's last day. A municipality that was several then (Orkland
    in 2019: Orkdal, Meldal, Agdenes and part of Snillfjord) counts under the one with its name,
    or else the first, so no company is counted twice and a county's total is the sum of its
    municipalities.
    """
    rows = (targets_in_period(gardens, period).values("company__municipality_id").annotate(n=Count("pk"))
            .order_by())
    counts = {row["company__municipality_id"]: row["n"] for row in rows}
    municipalities = Municipality.objects.select_related("county").in_bulk([pk for pk in counts if pk is not None])
    by_place: dict[int, PlaceCount] = {}
    unknown = counts.get(None, 0)
    for pk, count in counts.items():
        if pk is None:
            continue
        then = graph.follow([municipalities[pk]], period.end)
        if not then:
            unknown += count
            continue
        place = next((m for m in then if m.name == municipalities[pk].name), then[0])
        by_place.setdefault(place.pk, PlaceCount(place, 0)).count += count
    counties: dict[int, CountyCount] = {}
    for place in by_place.values():
        county = counties.setdefault(place.municipality.county_id, CountyCount(place.municipality.county, 0))
        county.count += place.count
        county.municipalities.append(place)
    result = sorted(counties.values(), key=lambda c: c.county.number)
    for county in result:
        county.municipalities.sort(key=lambda p: p.municipality.number)
    if unknown:
        result.append(CountyCount(None, unknown, [PlaceCount(None, unknown)]))
    by_number: dict[str, int] = {}
    for pk, count in counts.items():
        if pk is not None:
            number = municipalities[pk].number
            by_number[number] = by_number.get(number, 0) + count
    return result, by_number


# --- follow-up, requests, shared competence ----------------------------------------------------------


@dataclass
class FollowUp:
    hours: Decimal = Decimal(0)
    activities: int = 0
    own_share: Decimal = Decimal(0)


def follow_up_groups(gardens: list[Garden], period: Period) -> list[dict]:
    """Follow-up in the period, in one query (one scan of the period's entries), grouped by the adviser's
    garden, the kind and `other_garden_id`: the company's garden when it is not the adviser's (shared
    competence), else None. Hours, activities and the companies' own share per group.

    It holds the entries of advisers of the gardens in scope, and those other gardens' advisers logged
    on the companies of the gardens in scope (the hours those received); the folds below pick theirs.
    """
    garden_ids = [g.pk for g in gardens]
    other_garden = Case(When(target__garden_id=F("adviser_garden_id"), then=None), default=F("target__garden_id"))
    return list(
        FollowUpEntry.objects.filter(date__gte=period.start, date__lte=period.end)
        .filter(Q(adviser_garden_id__in=garden_ids)
                | Q(target__garden_id__in=garden_ids, adviser_garden__isnull=False))
        .annotate(other_garden_id=other_garden)
        .values("adviser_garden_id", "kind", "other_garden_id")
        # COUNT(*), not COUNT(id): every column read is in the index follow_up_date_report.
        .annotate(total_hours=Sum("hours"), n=Count("*"), total_own_share=Sum("own_share"))
        .order_by()
    )


def _advisers_in_scope(gardens: list[Garden], groups: list[dict]) -> list[dict]:
    """The groups of entries logged by advisers of the gardens in scope."""
    garden_ids = {g.pk for g in gardens}
    return [row for row in groups if row["adviser_garden_id"] in garden_ids]


def follow_up_by_garden(gardens: list[Garden], period: Period, groups: list[dict] | None = None
                        ) -> dict[int | None, FollowUp]:
    """Hours, activities and the companies' own share, counted for the garden the adviser worked for."""
    result: dict[int | None, FollowUp] = {}
    total = FollowUp()
    groups = groups if groups is not None else follow_up_groups(gardens, period)
    for row in _advisers_in_scope(gardens, groups):
        for key in (row["adviser_garden_id"], None):
            figures = result.setdefault(key, FollowUp()) if key is not None else total
            figures.hours += row["total_hours"] or 0
            figures.activities += row["n"]
            figures.own_share += row["total_own_share"] or 0
    result[None] = total
    return result


def follow_up_by_kind(gardens: list[Garden], period: Period, groups: list[dict] | None = None
                      ) -> list[tuple[str, Decimal, int]]:
    totals: dict[str, list] = {}
    groups = groups if groups is not None else follow_up_groups(gardens, period)
    for row in _advisers_in_scope(gardens, groups):
        entry = totals.setdefault(row["kind"], [Decimal(0), 0])
        entry[0] += row["total_hours"] or 0
        entry[1] += row["n"]
    labels = dict(FollowUpEntry.Kind.choices)
    return [(labels.get(kind, kind), hours, n) for kind, (hours, n) in sorted(totals.items())]


def shared_hours(gardens: list[Garden], period: Period, groups: list[dict] | None = None
                 ) -> dict[int, tuple[Decimal, Decimal]]:
    """Hours given to other gardens' companies and received from other gardens' staff, per garden."""
    garden_ids = {g.pk for g in gardens}
    given: dict[int, Decimal] = {}
    received: dict[int, Decimal] = {}
    for row in groups if groups is not None else follow_up_groups(gardens, period):
        if row["other_garden_id"] is None:
            continue  # the adviser's own garden's company
        hours = row["total_hours"] or Decimal(0)
        if row["adviser_garden_id"] in garden_ids:
            given[row["adviser_garden_id"]] = given.get(row["adviser_garden_id"], Decimal(0)) + hours
        if row["other_garden_id"] in garden_ids:
            received[row["other_garden_id"]] = received.get(row["other_garden_id"], Decimal(0)) + hours
    return {g.pk: (given.get(g.pk) or Decimal(0), received.get(g.pk) or Decimal(0)) for g in gardens}


@dataclass
class Requests:
    received: int = 0
    answered: int = 0
    converted: int = 0
    median_hours_to_answer: float | None = None


def help_requests(gardens: list[Garden], period: Period) -> Requests:
    """Entrepreneurs' requests received in the period: answered, how fast, turned into target companies."""
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    rows = list(
        HelpRequest.objects.filter(garden__in=gardens, created_at__gte=start, created_at__lt=end)
        .annotate(first_answer=Min("messages__created_at", filter=Q(messages__is_internal=False)),
                  converted=Exists(TargetCompany.objects.filter(company=OuterRef("company"),
                                                                garden=OuterRef("garden"))))
        .values_list("created_at", "first_answer", "converted")
    )
    waits = [(answer - created).total_seconds() / 3600 for created, answer, _c in rows if answer is not None]
    return Requests(
        received=len(rows), answered=len(waits), converted=sum(1 for *_r, converted in rows if converted),
        median_hours_to_answer=round(statistics.median(waits), 1) if waits else None,
    )


def median_of(values: list) -> Decimal | None:
    """The median of the gardens' figures (None values left out)."""
    present = [v for v in values if v is not None]
    return Decimal(str(statistics.median(present))) if present else None


def average_of(values: list) -> Decimal | None:
    present = [Decimal(str(v)) for v in values if v is not None]
    return (sum(present) / len(present)).quantize(Decimal("0.1")) if present else None


def suppressed(count: int | None) -> int | None:
    """A public cell: None (shown as "–") when it counts fewer than SUPPRESS_BELOW companies."""
    return None if count is None or count < SUPPRESS_BELOW else count


def years_with_data() -> list[int]:
    """The years a report can show: from the first contract to this year."""
    first = TargetCompany.objects.aggregate(first=Min("contract_start"))["first"]
    this_year = timezone.localdate().year
    return list(range(first.year if first else this_year, this_year + 1))[::-1]


# --- agreements and projects ---------------------------------------------------------------------


def meetings_required_and_held(gardens: list[Garden], period: Period) -> list[dict]:
    """Per agreement with a party in scope: meetings its obligations require in the period, and held."""
    from agreements.models import Agreement, Meeting

    in_period = Q(meetings__date__gte=period.start, meetings__date__lte=period.end)
    rows = (
        Agreement.objects.filter(parties__garden__in=gardens).distinct()
        .annotate(required=Count("meetings", filter=in_period & Q(meetings__obligation__isnull=False)),
                  held=Count("meetings", filter=in_period & Q(meetings__status=Meeting.Status.HELD)))
        .order_by("name").values("name", "slug", "required", "held")
    )
    return [r for r in rows if r["required"] or r["held"]]


def project_money(gardens: list[Garden], period: Period) -> list[dict]:
    """Per funder, over the projects a garden in scope leads or is a partner in: granted, spent by the
    period's end, and remaining (exact NOK)."""
    from projects.models import Expense, Grant, Project

    projects = Project.objects.filter(Q(lead_garden__in=gardens) | Q(partnerships__garden__in=gardens)).values("pk")
    granted = dict(Grant.objects.filter(project__in=projects).values("funder__name")
                   .annotate(total=Sum("amount")).order_by().values_list("funder__name", "total"))
    spent = dict(Expense.objects.filter(project__in=projects, date__lte=period.end, funder__isnull=False)
                 .values("funder__name").annotate(total=Sum("amount")).order_by()
                 .values_list("funder__name", "total"))
    return [{"funder": name, "granted": granted.get(name, Decimal(0)), "spent": spent.get(name, Decimal(0)),
             "remaining": granted.get(name, Decimal(0)) - spent.get(name, Decimal(0))}
            for name in sorted(set(granted) | set(spent))]


MAP_FIGURES = {
    "targets": _("Target companies under contract"),
    "hours": _("Follow-up hours"),
}


def figure_by_municipality(gardens: list[Garden], period: Period, figure: str) -> dict[str, Decimal | int]:
    """Today's municipality number → the figure for the companies there (for the shaded map), one query."""
    if figure == "hours":
        rows = (FollowUpEntry.objects.filter(adviser_garden__in=gardens, date__gte=period.start, date__lte=period.end,
                                             target__company__municipality__isnull=False)
                .values("target__company__municipality__number").annotate(v=Sum("hours")).order_by())
        return {r["target__company__municipality__number"]: r["v"] for r in rows}
    rows = (targets_in_period(gardens, period).filter(company__municipality__isnull=False)
            .values("company__municipality__number").annotate(v=Count("pk")).order_by())
    return {r["company__municipality__number"]: r["v"] for r in rows}
