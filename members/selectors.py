"""Reads about target companies."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from core.models import AuditEntry
from gardens.models import Garden

from .models import DevelopmentGoal, FollowUpEntry, HelpRequest, HelpRequestMessage, TargetCompany


def target_companies_for(garden: Garden) -> QuerySet[TargetCompany]:
    """The garden's target company records with what the list and exports show (one query)."""
    return garden.target_companies.for_list().annotate(
        follow_up_count=Count("follow_ups", distinct=True),
        follow_up_hours=Sum("follow_ups__hours"),
    ).order_by("company__name", "pk")


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


def workspace_overview(garden: Garden, today: datetime.date) -> dict:
    """The workspace's figures (one aggregate query) and the goals due this week or already overdue."""
    week_start = today - datetime.timedelta(days=today.weekday())
    week_end = week_start + datetime.timedelta(days=6)
    counts = garden.target_companies.aggregate(
        active=Count("pk", filter=Q(status=TargetCompany.Status.ACTIVE)),
        in_all=Count("pk", filter=~Q(status=TargetCompany.Status.MERGED)),
    )
    follow_ups = FollowUpEntry.objects.filter(target__garden=garden, date__year=today.year).aggregate(
        entries=Count("pk"), hours=Sum("hours"),
    )
    open_goals = DevelopmentGoal.objects.filter(
        target__garden=garden, target__status=TargetCompany.Status.ACTIVE, due__isnull=False, due__lte=week_end,
        status__in=[DevelopmentGoal.Status.PLANNED, DevelopmentGoal.Status.IN_PROGRESS],
    ).select_related("target__company").order_by("due", "pk")
    return {
        "counts": counts,
        "follow_ups_this_year": follow_ups,
        "due_this_week": list(open_goals[:20]),
        "week_start": week_start,
        "week_end": week_end,
        "today": today,
    }
