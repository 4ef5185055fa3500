"""Reads about agreements: lists, compliance, calendar files (who may see what: gardens/access.py)."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from core.models import User
from gardens.models import Garden, StaffMembership
from members.selectors import WORKSPACE_SHOWN

from .models import ActionItem, Agreement, AgreementParty, EventRegistration, Meeting, NetworkEvent


def _parties_prefetch() -> Prefetch:
    return Prefetch(
        "parties", queryset=AgreementParty.objects.select_related("garden", "organisation").order_by("pk")
    )


def agreement_list() -> QuerySet[Agreement]:
    """Every agreement with its parties (two queries)."""
    return Agreement.objects.prefetch_related(_parties_prefetch()).order_by("name")


def agreement_public(slug: str) -> QuerySet[Agreement]:
    """The agreement by slug with its parties prefetched."""
    return Agreement.objects.filter(slug=slug).prefetch_related(_parties_prefetch())


def agreement_detail_parts(agreement: Agreement) -> dict:
    """What parties and readers see beyond the public part, each a single query."""
    return {
        "signatories": list(agreement.signatories.all()),
        "areas": list(agreement.areas.all()),
        "compliance": compliance_rows(agreement),
        "meetings": list(agreement.meetings.select_related("obligation").order_by("date", "pk")),
        "documents": list(agreement.documents.select_related("uploaded_by")),
        "events": list(agreement.events.filter(ends_at__gte=timezone.now()).order_by("starts_at")),
    }


def compliance_rows(agreement: Agreement) -> list[dict]:
    """Per obligation and year: meetings required (one per period), held, and overdue, counted in SQL.

    Overdue: dated before today and still planned (not recorded as held or cancelled).
    """
    today = timezone.localdate()
    return list(
        Meeting.objects.filter(agreement=agreement, obligation__isnull=False)
        .annotate(year=ExtractYear("date"))
        .values("obligation_id", "obligation__description", "obligation__recurrence", "year")
        .annotate(
            required=Count("pk", filter=Q(period_start__isnull=False)),
            held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
            cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
            overdue=Count("pk", filter=Q(status=Meeting.Status.PLANNED, date__lt=today)),
        )
        .order_by("obligation__description", "-year")
    )


def _party_memberships(agreement: Agreement) -> QuerySet[StaffMembership]:
    return StaffMembership.objects.valid_on(timezone.localdate()).filter(
        garden__in=AgreementParty.objects.filter(agreement=agreement).values("garden_id")
    )


def party_people(agreement: Agreement) -> QuerySet[User]:
    """People working today in the party gardens: the choices for owners and attendees."""
    return (
        User.objects.filter(memberships__in=_party_memberships(agreement))
        .distinct()
        .order_by("full_name", "email")
    )


def party_admins(agreement: Agreement) -> QuerySet[User]:
    """The current garden admins of the party gardens."""
    admins = _party_memberships(agreement).filter(role=StaffMembership.Role.ADMIN)
    return User.objects.filter(memberships__in=admins, is_active=True).distinct().order_by("full_name", "email")


def upcoming_events() -> QuerySet[NetworkEvent]:
    """Events not yet over, with the number of places taken (one query)."""
    return (
        NetworkEvent.objects.filter(ends_at__gte=timezone.now())
        .select_related("agreement")
        .annotate(taken=Count("registrations", filter=Q(registrations__status=EventRegistration.Status.REGISTERED)))
        .order_by("starts_at", "pk")
    )


def event_with_counts(pk: int) -> QuerySet[NetworkEvent]:
    """One event with places taken and the waiting list's length."""
    return NetworkEvent.objects.filter(pk=pk).select_related("agreement").annotate(
        taken=Count("registrations", filter=Q(registrations__status=EventRegistration.Status.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__status=EventRegistration.Status.WAITLISTED)),
    )


def waiting_position(registration: EventRegistration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.status != EventRegistration.Status.WAITLISTED:
        return None
    return (
        EventRegistration.objects.filter(
            event_id=registration.event_id, status=EventRegistration.Status.WAITLISTED
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


# --- calendar file (RFC 5545), written by hand: it is a dozen lines ------------------------------


def _ics_text(value: str) -> str:
    """Escape TEXT values: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _ics_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets (RFC 5545 3.1), never splitting a UTF-8 character."""
    out, current = [], ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def event_ics(event: NetworkEvent, *, domain: str) -> str:
    """A VCALENDAR with the one event, CRLF line endings, times in UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Naeringshagenettverket//Arrangementer//NB",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{domain}",
        f"DTSTAMP:{_ics_time(timezone.now())}",
        f"DTSTART:{_ics_time(event.starts_at)}",
        f"DTEND:{_ics_time(event.ends_at)}",
        f"SUMMARY:{_ics_text(event.title)}",
    ]
    if event.place:
        lines.append(f"LOCATION:{_ics_text(event.place)}")
    if event.description:
        lines.append(f"DESCRIPTION:{_ics_text(event.description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def workspace_agenda(garden: Garden, today: datetime.date, week_end: datetime.date) -> dict:
    """The workspace's meetings and action items of the garden's agreements due by `week_end` (4 queries).

    Overdue: a meeting dated before today still only planned, an open action item past its due date.
    """
    agreements = AgreementParty.objects.filter(garden=garden).values("agreement_id")
    meetings = Meeting.objects.filter(
        agreement_id__in=agreements, status=Meeting.Status.PLANNED, date__lte=week_end
    )
    actions = ActionItem.objects.filter(
        meeting__agreement_id__in=agreements, done=False, due_on__isnull=False, due_on__lte=week_end
    )
    return {
        "meeting_counts": meetings.aggregate(
            overdue=Count("pk", filter=Q(date__lt=today)), this_week=Count("pk", filter=Q(date__gte=today))
        ),
        "meetings_due": list(meetings.select_related("agreement").order_by("date", "pk")[:WORKSPACE_SHOWN]),
        "action_counts": actions.aggregate(
            overdue=Count("pk", filter=Q(due_on__lt=today)), this_week=Count("pk", filter=Q(due_on__gte=today))
        ),
        "actions_due": list(
            actions.select_related("meeting__agreement", "owner").order_by("due_on", "pk")[:WORKSPACE_SHOWN]
        ),
    }
