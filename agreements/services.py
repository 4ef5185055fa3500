"""Verbs that change agreements: obligations' meetings, meetings, actions, documents, event sign-ups.

Every function is keyword-only, runs in one transaction and writes its audit entry in it.
"""

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, diff, snapshot
from core.mail import absolute_url, mail_queue
from core.models import User

from .models import ActionItem, Agreement, AgreementDocument, EventRegistration, Meeting, NetworkEvent, Obligation

MEETING_FIELDS = ["title", "date", "place", "link", "agenda", "minutes", "status", "external_attendees", "obligation"]

_MONTHS_PER_PERIOD = {
    Obligation.Recurrence.MONTHLY: 1,
    Obligation.Recurrence.QUARTERLY: 3,
    Obligation.Recurrence.YEARLY: 12,
}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def obligation_periods(obligation: Obligation, until: datetime.date) -> Iterator[tuple[datetime.date, datetime.date]]:
    """(period start, planned meeting date) for every calendar period from starts_on up to `until`.

    Periods follow the calendar (a quarterly obligation starting 10 February counts from
    1 January); the meeting is planned in the middle month of its period.
    """
    last = min(until, obligation.ends_on) if obligation.ends_on else until
    if obligation.recurrence == Obligation.Recurrence.ONCE:
        if obligation.starts_on <= last:
            yield obligation.starts_on, obligation.starts_on
        return
    months = _MONTHS_PER_PERIOD[obligation.recurrence]
    month_index = (obligation.starts_on.month - 1) // months * months
    period = datetime.date(obligation.starts_on.year, month_index + 1, 1)
    while period <= last:
        planned = _add_months(period, months // 2)
        if months == 1:
            planned = period.replace(day=15)
        yield period, planned
        period = _add_months(period, months)


@transaction.atomic
def obligation_generate_meetings(
    *, obligation: Obligation, until: datetime.date, by: User | None = None
) -> list[Meeting]:
    """Create the planned meeting of every period up to `until` that has none; re-running creates nothing."""
    existing = set(obligation.meetings.filter(period_start__isnull=False).values_list("period_start", flat=True))
    new = [
        Meeting(
            agreement_id=obligation.agreement_id,
            obligation=obligation,
            period_start=period,
            title=obligation.description,
            date=planned,
        )
        for period, planned in obligation_periods(obligation, until)
        if period not in existing
    ]
    if not new:
        return []
    created = Meeting.objects.bulk_create(new)
    audit_record(
        action="agreements.obligation.meetings_generated",
        target=obligation,
        actor=by,
        changes={"meetings": [None, [m.date.isoformat() for m in created]]},
    )
    return created


def _check_meeting(data: dict, agreement: Agreement) -> None:
    obligation = data.get("obligation")
    if obligation is not None and obligation.agreement_id != agreement.pk:
        raise ValidationError(_("That obligation belongs to another agreement."))


@transaction.atomic
def meeting_create(*, agreement: Agreement, by: User, attendees=(), **data) -> Meeting:
    """Record a meeting of the parties (planned or already held)."""
    _check_meeting(data, agreement)
    meeting = Meeting(agreement=agreement, **data)
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    audit_record(
        action="agreements.meeting.created",
        target=meeting,
        actor=by,
        changes={k: [None, v] for k, v in snapshot(meeting, MEETING_FIELDS).items() if v not in (None, "")},
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, attendees=None, **data) -> Meeting:
    """Change a meeting: reschedule it, or record it as held with its minutes."""
    _check_meeting(data, meeting.agreement)
    before = snapshot(meeting, MEETING_FIELDS)
    before_people = sorted(str(u) for u in meeting.attendees.all())
    for field, value in data.items():
        setattr(meeting, field, value)
    meeting.full_clean()
    meeting.save()
    changes = diff(before, snapshot(meeting, MEETING_FIELDS))
    if attendees is not None:
        meeting.attendees.set(attendees)
        after_people = sorted(str(u) for u in attendees)
        if after_people != before_people:
            changes["attendees"] = [before_people, after_people]
    if changes:
        audit_record(action="agreements.meeting.updated", target=meeting, actor=by, changes=changes)
    return meeting


@transaction.atomic
def action_item_add(
    *, meeting: Meeting, by: User, description: str, owner: User | None = None, due_on: datetime.date | None = None
) -> ActionItem:
    """Add a follow-up task agreed in a meeting."""
    action = ActionItem(meeting=meeting, description=description, owner=owner, due_on=due_on)
    action.full_clean()
    action.save()
    audit_record(
        action="agreements.actionitem.created",
        target=action,
        actor=by,
        changes={"description": [None, description], "owner": [None, str(owner) if owner else None],
                 "due_on": [None, due_on.isoformat() if due_on else None]},
    )
    return action


@transaction.atomic
def action_item_set_done(*, action: ActionItem, by: User, done: bool) -> ActionItem:
    """Mark an action item done (or open again)."""
    if action.done == done:
        return action
    action.done = done
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done", "done_at"])
    audit_record(
        action="agreements.actionitem.done" if done else "agreements.actionitem.reopened",
        target=action,
        actor=by,
        changes={"done": [not done, done]},
    )
    return action


@transaction.atomic
def document_upload(*, agreement: Agreement, by: User, title: str, file) -> AgreementDocument:
    """Store a document (the signed agreement, minutes, a report) with the agreement."""
    document = AgreementDocument.objects.create(agreement=agreement, title=title, file=file, uploaded_by=by)
    audit_record(action="agreements.document.uploaded", target=document, actor=by,
                 changes={"title": [None, title], "agreement": [None, str(agreement)]})
    return document


def _locked_event(event: NetworkEvent) -> NetworkEvent:
    # The row lock serialises sign-ups for one event, so two people cannot take the last place.
    return NetworkEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)


@transaction.atomic
def event_register(*, event: NetworkEvent, user: User) -> EventRegistration:
    """Sign `user` up: a place while there is one, otherwise the waiting list."""
    event = _locked_event(event)
    registration = EventRegistration.objects.filter(event=event, user=user).first()
    if registration is not None and registration.status != EventRegistration.Status.CANCELLED:
        return registration
    if not event.registration_open:
        raise ValidationError(_("Registration for this event is closed."))
    if event.ends_at < timezone.now():
        raise ValidationError(_("This event is over."))
    taken = event.registrations.filter(status=EventRegistration.Status.REGISTERED).count()
    status = (
        EventRegistration.Status.REGISTERED if taken < event.capacity else EventRegistration.Status.WAITLISTED
    )
    if registration is None:
        registration = EventRegistration.objects.create(event=event, user=user, status=status)
    else:  # signing up again after cancelling: to the back of the queue
        registration.status, registration.created_at = status, timezone.now()
        registration.save(update_fields=["status", "created_at"])
    audit_record(action=f"agreements.registration.{status}", target=registration, actor=user,
                 changes={"status": [None, str(registration.get_status_display())]})
    return registration


@transaction.atomic
def event_cancel(*, event: NetworkEvent, user: User) -> EventRegistration | None:
    """Cancel `user`'s sign-up; a freed place goes to the first on the waiting list. Returns who moved up."""
    event = _locked_event(event)
    registration = EventRegistration.objects.filter(event=event, user=user).first()
    if registration is None or registration.status == EventRegistration.Status.CANCELLED:
        return None
    had_place = registration.status == EventRegistration.Status.REGISTERED
    registration.status = EventRegistration.Status.CANCELLED
    registration.save(update_fields=["status"])
    audit_record(action="agreements.registration.cancelled", target=registration, actor=user,
                 changes={"status": [None, str(registration.get_status_display())]})
    if not had_place:
        return None
    taken = event.registrations.filter(status=EventRegistration.Status.REGISTERED).count()
    promoted = (
        event.registrations.filter(status=EventRegistration.Status.WAITLISTED).order_by("created_at", "pk").first()
        if taken < event.capacity
        else None
    )
    if promoted is not None:
        promoted.status = EventRegistration.Status.REGISTERED
        promoted.save(update_fields=["status"])
        audit_record(action="agreements.registration.promoted", target=promoted, actor=user,
                     changes={"status": [str(EventRegistration.Status.WAITLISTED.label),
                                         str(promoted.get_status_display())]})
    return promoted


# --- reminders (run daily by Celery beat; each row is marked in the transaction that queues its mail) ---


def meeting_reminders_send(*, today: datetime.date | None = None, days_ahead: int = 7) -> int:
    """E-mail the parties' admins about each planned meeting within `days_ahead` days, once; returns mails sent."""
    from .selectors import party_admins

    today = today or timezone.localdate()
    due = Meeting.objects.filter(
        status=Meeting.Status.PLANNED, reminder_sent_at__isnull=True,
        date__gte=today, date__lte=today + datetime.timedelta(days=days_ahead),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            # Locked and re-checked: a second run at the same time skips the meeting.
            meeting = (
                Meeting.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("agreement")
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .first()
            )
            if meeting is None:
                continue
            context = {"meeting": meeting, "agreement": meeting.agreement,
                       "path": absolute_url(meeting.get_absolute_url())}
            if mail_queue(template="agreements/email/meeting_reminder", context=context,
                          to=[u.email for u in party_admins(meeting.agreement)],
                          key=f"agreements.meeting:{meeting.pk}:reminder:{meeting.date:%Y-%m-%d}"):
                sent += 1
            meeting.reminder_sent_at = timezone.now()
            meeting.save(update_fields=["reminder_sent_at"])
    return sent


def overdue_action_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail each overdue, open action item's owner, at most once a day; returns mails sent."""
    today = today or timezone.localdate()
    due = ActionItem.objects.filter(
        done=False, owner__isnull=False, owner__is_active=True, due_on__lt=today
    ).filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today)).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            action = (
                ActionItem.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("owner", "meeting__agreement")
                .filter(pk=pk, done=False)
                .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
                .first()
            )
            if action is None:
                continue
            mail_queue(template="agreements/email/action_overdue", to=[action.owner.email],
                       context={"action": action, "meeting": action.meeting, "agreement": action.meeting.agreement,
                                "path": absolute_url(action.meeting.get_absolute_url())},
                       key=f"agreements.actionitem:{action.pk}:overdue:{today:%Y-%m-%d}")
            action.last_reminded_on = today
            action.save(update_fields=["last_reminded_on"])
            sent += 1
    return sent
