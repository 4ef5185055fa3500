"""Reads about target companies."""

import datetime
from collections.abc import Callable, Iterable, Iterator

from django.db.models import CharField, Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast

from core.models import AuditEntry, User
from gardens.models import Coverage, Garden, IndustryCode, Municipality, StaffMembership

from .models import Company, DevelopmentGoal, FollowUpEntry, HelpRequest, HelpRequestMessage, TargetCompany

# How many records an export reads (and totals) at a time: memory stays flat in the number of rows
# (`make bench`: 675 records peak at about 0.8 MiB, where a chunk of 500 took 2.8 MiB), for one query
# of follow-up totals per chunk.
EXPORT_CHUNK = 100
# How many goals, meetings and actions the workspace lists in "this week" (the counts count them all).
WORKSPACE_SHOWN = 20


def target_companies_for(garden: Garden) -> QuerySet[TargetCompany]:
    """The garden's target company records with what the list and exports show (one query, no aggregates).

    The follow-up totals come from `add_follow_up_totals` (the list's page) or `with_follow_up_totals`
    (exports, a chunk at a time) for just the rows read: grouping
    every follow-up of the garden to sort and then keep 25 rows made the list 10–40× slower,
    and the paginator's count joined the follow-up log for nothing.
    """
    return garden.target_companies.for_list().order_by("company__name", "pk")


def filter_choices(garden: Garden) -> dict[str, list[tuple[str, str]]]:
    """The list filter's choices as (value, label): one query for the three lists, plain values, no models.

    Municipalities the garden covers or where its records' companies are (as they are named today),
    the SN2007 sections, and the people who are or were on the garden's staff. The labels are the
    models' own str() (Grue (3417), C Industri, the full name or else the e-mail). Three model
    choice fields made a model instance per option, each list read through its own server-side
    cursor: a quarter of the list's time at national scale.
    """
    text = CharField()
    blank = Value("", output_field=text)

    def columns(qs, kind: str, value, sort, a, b, c):
        # Every column an annotation, in the same order in each part of the UNION.
        return qs.order_by().annotate(kind=Value(kind, output_field=text), value=value, sort=sort, a=a, b=b,
                                      c=c).values_list("kind", "value", "sort", "a", "b", "c")

    municipalities = Municipality.objects.current().filter(
        # Two subqueries rather than joins: joining every company of every target record and then
        # DISTINCT cost more than the rest of the page at national scale.
        Q(pk__in=Coverage.objects.filter(garden=garden).values("municipality"))
        | Q(pk__in=Company.objects.filter(target_relations__garden=garden).values("municipality"))
    )
    sections = IndustryCode.objects.filter(level=1)
    advisers = User.objects.filter(pk__in=StaffMembership.objects.filter(garden=garden).values("user"))
    rows = columns(municipalities, "municipality", Cast("pk", text), F("name"), F("name"), F("number"), blank).union(
        columns(sections, "section", F("section"), F("code"), F("code"), F("short_name"), F("name")),
        columns(advisers, "adviser", Cast("pk", text), F("full_name"), F("full_name"), F("email"), blank),
        all=True,
    ).order_by("kind", "sort", "value")
    labels = {
        "municipality": lambda name, number, _: f"{name} ({number})",
        "section": lambda code, short_name, name: f"{code} {short_name or name}",
        "adviser": lambda full_name, email, _: full_name or email,
    }
    choices = {kind: [] for kind in labels}
    for kind, value, _sort, a, b, c in rows:
        choices[kind].append((value, labels[kind](a, b, c)))
    return choices


# What a row of the list shows, read as plain values (no model instances: five a row were a tenth of
# the page). members/templatetags/company_list.py writes the row from them.
LIST_ROW_VALUES = (
    "pk", "phase", "status", "contract_start", "company__name", "company__org_number",
    "company__municipality__name", "company__municipality__shares_name", "company__municipality__county__name",
    "adviser__full_name", "adviser__email",
)


def list_rows(targets: QuerySet[TargetCompany]) -> QuerySet:
    """`targets` as the list's rows: LIST_ROW_VALUES (the totals come from `add_follow_up_totals`)."""
    return targets.values(*LIST_ROW_VALUES)


def add_follow_up_totals(rows: Iterable[dict]) -> list[dict]:
    """The list's `rows` with `follow_up_count` and `follow_up_hours`, from one query for just those rows.

    A GROUP BY over the rows' ids, read from the (target, hours) index alone. Grouping the whole
    garden's log to sort was what made the list slow (issue 12); correlated subqueries in the
    page's query were as fast on the first page but ran for every skipped row on the last one.
    """
    rows = list(rows)
    totals = {
        total["target_id"]: total
        for total in FollowUpEntry.objects.filter(target__in=[row["pk"] for row in rows]).order_by()
        .values("target_id").annotate(count=Count("*"), hours=Sum("hours"))
    } if rows else {}
    for row in rows:
        total = totals.get(row["pk"])
        row["follow_up_count"] = total["count"] if total else 0
        row["follow_up_hours"] = total["hours"] if total else None
    return rows


def with_follow_up_totals(targets: Iterable[TargetCompany]) -> list[TargetCompany]:
    """`targets` as a list, each with `follow_up_count` and `follow_up_hours` (one query for all of them)."""
    targets = list(targets)
    totals = {
        row["target_id"]: row
        for row in FollowUpEntry.objects.filter(target__in=[t.pk for t in targets]).order_by()
        .values("target_id").annotate(count=Count("*"), hours=Sum("hours"))
    } if targets else {}
    for target in targets:
        row = totals.get(target.pk)
        target.follow_up_count = row["count"] if row else 0
        target.follow_up_hours = row["hours"] if row else None
    return targets


def iterate_with_follow_up_totals(targets: QuerySet[TargetCompany]) -> Iterator[TargetCompany]:
    """Every record of `targets` with its follow-up totals, read EXPORT_CHUNK at a time (for exports)."""
    chunk = []
    for target in targets.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(target)
        if len(chunk) == EXPORT_CHUNK:
            yield from with_follow_up_totals(chunk)
            chunk = []
    yield from with_follow_up_totals(chunk)


def target_company_history(target: TargetCompany) -> QuerySet[AuditEntry]:
    """Every change to the record and to records merged into it, newest first."""
    ids = [str(target.pk), *(str(pk) for pk in target.merged_records.values_list("pk", flat=True))]
    return AuditEntry.objects.filter(target_type="members.targetcompany", target_id__in=ids).filter(
        ~Q(action="members.targetcompany.merged_away") | Q(target_id=str(target.pk))
    ).order_by("-at", "-pk")


def requests_for_entrepreneur(user) -> list[HelpRequest]:
    """The user's own requests with the answers they may read (not staff's internal notes)."""
    answers = HelpRequestMessage.objects.filter(is_internal=False).select_related("author")
    return list(
        user.help_requests.select_related("garden").prefetch_related(Prefetch("messages", queryset=answers))
        .order_by("-created_at", "-pk")
    )


# Parts of the workspace's "this week" that live in the apps above this one (agreements' meetings and
# action items): each registers a function in its AppConfig.ready(); members never imports them.
_WORKSPACE_AGENDAS: list[Callable[[Garden, datetime.date, datetime.date], dict]] = []


def register_workspace_agenda(agenda: Callable[[Garden, datetime.date, datetime.date], dict]) -> None:
    """Add `agenda(garden, today, week_end)` to the workspace; it returns template context (lists, counts)."""
    if agenda not in _WORKSPACE_AGENDAS:
        _WORKSPACE_AGENDAS.append(agenda)


def workspace_overview(garden: Garden, today: datetime.date) -> dict:
    """The workspace's figures and what is due this week or already overdue, each aggregated in SQL.

    Queries: the records' counts (active, by phase), the follow-ups this year, the open help
    requests, the goals' counts, the goals due, then each registered agenda's own (agreements: 4).
    """
    week_start = today - datetime.timedelta(days=today.weekday())
    week_end = week_start + datetime.timedelta(days=6)
    active = Q(status=TargetCompany.Status.ACTIVE)
    counts = garden.target_companies.aggregate(
        active=Count("pk", filter=active),
        in_all=Count("pk", filter=~Q(status=TargetCompany.Status.MERGED)),
        **{f"phase_{value}": Count("pk", filter=active & Q(phase=value)) for value in TargetCompany.Phase.values},
    )
    phases = [(label, counts[f"phase_{value}"]) for value, label in TargetCompany.Phase.choices]
    follow_ups = FollowUpEntry.objects.filter(target__garden=garden, date__year=today.year).aggregate(
        entries=Count("pk"), hours=Sum("hours"),
    )
    open_requests = garden.help_requests.filter(
        status__in=[HelpRequest.Status.NEW, HelpRequest.Status.ASSIGNED]
    ).count()
    open_goals = DevelopmentGoal.objects.filter(
        target__garden=garden, target__status=TargetCompany.Status.ACTIVE, due__isnull=False, due__lte=week_end,
        status__in=[DevelopmentGoal.Status.PLANNED, DevelopmentGoal.Status.IN_PROGRESS],
    )
    goal_counts = open_goals.aggregate(
        overdue=Count("pk", filter=Q(due__lt=today)), this_week=Count("pk", filter=Q(due__gte=today)),
    )
    context = {
        "counts": counts,
        "phases": phases,
        "open_requests": open_requests,
        "goal_counts": goal_counts,
        "follow_ups_this_year": follow_ups,
        "due_this_week": list(open_goals.select_related("target__company").order_by("due", "pk")[:WORKSPACE_SHOWN]),
        "week_start": week_start,
        "week_end": week_end,
        "today": today,
    }
    for agenda in _WORKSPACE_AGENDAS:
        context.update(agenda(garden, today, week_end))
    return context
