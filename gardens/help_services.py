"""Verbs for help requests: entrepreneurs ask a garden for help, garden staff answer.

The request is saved first; e-mail follows after commit through Celery. If the broker
or the mail server is down, `notified_at` stays empty and `retry_unsent_help_requests`
sends it later. Sending takes a row lock and checks `notified_at` in the same
transaction, so each notification goes out once even when two workers race.
"""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from .audit import audit_record, diff
from .models import Garden, HelpRequest, HelpRequestMessage, Municipality, StaffMembership, StaffProfile

logger = logging.getLogger(__name__)

# Anonymous visitors may send this many requests per hour, counted per IP address and per e-mail.
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 60 * 60
# The retry task leaves fresh requests to the on-commit task that is probably still running.
RETRY_AFTER = datetime.timedelta(minutes=1)


class RateLimited(Exception):
    """Too many requests from this address or e-mail in the last hour."""


def _rate_keys(ip: str, email: str) -> list[str]:
    return [f"help-rate:ip:{ip}", f"help-rate:email:{email.strip().lower()}"]


def rate_limit_hit(*, ip: str, email: str) -> None:
    """Count one request for the IP and the e-mail; raise RateLimited when either is over the limit."""
    keys = _rate_keys(ip, email)
    counts = cache.get_many(keys)
    if any(counts.get(key, 0) >= RATE_LIMIT for key in keys):
        raise RateLimited
    for key in keys:
        # add() starts the window; incr() keeps it (the window runs from the first request).
        if not cache.add(key, 1, RATE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, RATE_WINDOW_SECONDS)


def _queue(task, *args) -> None:
    """Queue a task after commit; a broker outage is logged and left to the periodic retry."""

    def send() -> None:
        try:
            task.delay(*args)
        except OperationalError:
            logger.warning("Broker unavailable; %s(%s) left for the periodic retry", task.name, args)

    transaction.on_commit(send)


@transaction.atomic
def help_request_create(
    *,
    garden: Garden,
    requester=None,
    name: str,
    email: str,
    message: str,
    staff_profile: StaffProfile | None = None,
    municipality: Municipality | None = None,
    org_number: str = "",
    company_name: str = "",
) -> HelpRequest:
    """Save a help request and queue the garden's notification after commit."""
    from members.models import Company

    if requester is not None and requester.is_authenticated:
        # The account's address is verified; the form's is not trusted for signed-in people.
        email = requester.email
        name = name or requester.get_full_name()
    else:
        requester = None
    help_request = HelpRequest.objects.create(
        garden=garden,
        staff_profile=staff_profile,
        requester=requester,
        name=name,
        email=email,
        municipality=municipality,
        org_number=org_number,
        company_name=company_name,
        company=Company.objects.filter(org_number=org_number).first() if org_number else None,
        message=message,
    )
    audit_record(action="gardens.helprequest.created", target=help_request, actor=requester, garden=garden,
                 actor_label="" if requester else name)
    from .tasks import notify_help_request_task

    _queue(notify_help_request_task, help_request.pk)
    return help_request


def help_request_recipients(help_request: HelpRequest) -> list[str]:
    """Who hears of a new request: the asked staff member, else the garden's admins, else the garden's address."""
    if help_request.staff_profile_id:
        return [help_request.staff_profile.user.email]
    today = timezone.localdate()
    admins = list(
        help_request.garden.memberships.valid_on(today)
        .filter(role=StaffMembership.Role.ADMIN)
        .values_list("user__email", flat=True)
    )
    return admins or ([help_request.garden.email] if help_request.garden.email else [])


def _render_mail(name: str, context: dict, to: list[str], reply_to: list[str] | None = None) -> EmailMultiAlternatives:
    # The recipients' language is unknown; the portal's default language (bokmål) it is.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"gardens/email/{name}_subject.txt", context).split())
        text = render_to_string(f"gardens/email/{name}.txt", context)
        html = render_to_string(f"gardens/email/{name}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    return message


def help_request_notify(*, help_request_id: int) -> bool:
    """E-mail the garden about the request once; True if a mail went out.

    The row stays locked while the mail is sent; a concurrent run skips it. A failure
    to send rolls back, leaving notified_at empty for the retry.
    """
    HelpRequest.objects.filter(pk=help_request_id, notified_at__isnull=True).update(
        notify_attempts=F("notify_attempts") + 1
    )
    with transaction.atomic():
        help_request = (
            HelpRequest.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("garden", "staff_profile__user")
            .filter(pk=help_request_id, notified_at__isnull=True)
            .first()
        )
        if help_request is None:
            return False
        recipients = help_request_recipients(help_request)
        if recipients:
            path = help_request.get_absolute_url()
            context = {"help_request": help_request, "garden": help_request.garden,
                       "url": f"{settings.PORTAL_BASE_URL}{path}"}
            _render_mail("help_request", context, recipients, reply_to=[help_request.email]).send()
        help_request.notified_at = timezone.now()
        help_request.save(update_fields=["notified_at"])
    return bool(recipients)


def unsent_help_request_ids() -> list[int]:
    """Requests whose notification has not gone out, older than a minute (fresh ones are still queued)."""
    cutoff = timezone.now() - RETRY_AFTER
    return list(
        HelpRequest.objects.filter(notified_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )


def _status_change(help_request: HelpRequest, by, status: str, extra: dict | None = None) -> None:
    changes = diff({"status": str(help_request.get_status_display())},
                   {"status": str(HelpRequest.Status(status).label), **(extra or {})})
    help_request.status = status
    audit_record(action="gardens.helprequest.updated", target=help_request, actor=by, garden=help_request.garden,
                 changes=changes)


@transaction.atomic
def help_request_assign(*, help_request: HelpRequest, by, assignee) -> HelpRequest:
    """Give the request to a colleague in the garden (None takes it back to unassigned)."""
    if assignee is not None and not help_request.garden.memberships.valid_on(timezone.localdate()).filter(
        user=assignee
    ).exists():
        raise ValidationError(_("Only someone who works in this garden can take the request."))
    before = str(help_request.assigned_to) if help_request.assigned_to else None
    help_request.assigned_to = assignee
    status = help_request.status
    if status in (HelpRequest.Status.NEW, HelpRequest.Status.ASSIGNED):
        status = HelpRequest.Status.ASSIGNED if assignee else HelpRequest.Status.NEW
    _status_change(help_request, by, status, {})
    help_request.save(update_fields=["assigned_to", "status"])
    audit_record(action="gardens.helprequest.assigned", target=help_request, actor=by, garden=help_request.garden,
                 changes={"assigned_to": [before, str(assignee) if assignee else None]})
    return help_request


@transaction.atomic
def help_request_answer(*, help_request: HelpRequest, by, body: str) -> HelpRequestMessage:
    """Record an answer, mark the request answered and e-mail the answer after commit."""
    body = body.strip()
    if not body:
        raise ValidationError(_("Write an answer before sending."))
    answer = HelpRequestMessage.objects.create(request=help_request, author=by, body=body)
    if help_request.assigned_to_id is None:
        help_request.assigned_to = by
    _status_change(help_request, by, HelpRequest.Status.ANSWERED)
    help_request.save(update_fields=["status", "assigned_to"])
    from .tasks import send_help_answer_task

    _queue(send_help_answer_task, answer.pk)
    return answer


def help_answer_email_send(*, message_id: int) -> bool:
    """E-mail one answer to the requester once; True if a mail went out."""
    with transaction.atomic():
        answer = (
            HelpRequestMessage.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("request__garden", "author")
            .filter(pk=message_id, emailed_at__isnull=True, is_internal=False)
            .first()
        )
        if answer is None:
            return False
        help_request = answer.request
        context = {"answer": answer, "help_request": help_request, "garden": help_request.garden,
                   "my_page_url": f"{settings.PORTAL_BASE_URL}{reverse('members:my-page')}"
                   if help_request.requester_id else ""}
        reply_to = [answer.author.email] if answer.author else None
        _render_mail("help_answer", context, [help_request.email], reply_to=reply_to).send()
        answer.emailed_at = timezone.now()
        answer.save(update_fields=["emailed_at"])
    return True


def unsent_answer_ids() -> list[int]:
    """Answers whose e-mail has not gone out, older than a minute."""
    cutoff = timezone.now() - RETRY_AFTER
    return list(
        HelpRequestMessage.objects.filter(emailed_at__isnull=True, is_internal=False, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )


@transaction.atomic
def help_request_close(*, help_request: HelpRequest, by, note: str = "") -> HelpRequest:
    """Close the request; an optional note is kept as an internal message."""
    if note:
        HelpRequestMessage.objects.create(request=help_request, author=by, body=note, is_internal=True,
                                          emailed_at=None)
    _status_change(help_request, by, HelpRequest.Status.CLOSED)
    help_request.save(update_fields=["status"])
    return help_request


@transaction.atomic
def help_request_convert(*, help_request: HelpRequest, by, org_number: str, name: str,
                         municipality: Municipality | None, contract_start: datetime.date):
    """Register the requester's company as the garden's target company and close the request, in one step."""
    from members.services import target_company_create

    target = target_company_create(
        garden=help_request.garden, by=by, org_number=org_number, name=name, municipality=municipality,
        contract_start=contract_start, adviser=help_request.assigned_to or by,
        notes=_("From help request of %(date)s.") % {"date": timezone.localtime(help_request.created_at)
                                                      .strftime("%d.%m.%Y")},
    )
    help_request.company = target.company
    help_request.save(update_fields=["company"])
    help_request_close(
        help_request=help_request, by=by,
        note=_("Registered %(company)s as a target company.") % {"company": target.company.name},
    )
    return target
