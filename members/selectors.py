"""Reads about target companies."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from core.models import AuditEntry
from gardens.models import Garden

from .models import HelpRequest, HelpRequestMessage, TargetCompany


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
