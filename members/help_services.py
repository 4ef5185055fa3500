"""Verbs for help requests: entrepreneurs ask a garden for help, garden staff answer.

The request is saved first, and the garden's notification is queued in the outbox in the
same transaction (core.mail): a broker or mail-server outage delays the e-mail but never
loses it, and the outbox sends each mail once.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, diff
from core.mail import absolute_url, mail_queue
from gardens.models import Garden, Municipality, StaffMembership, StaffProfile

from .models import Company, HelpRequest, HelpRequestMessage
from .services import target_company_create


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
        # Only the garden's own record of the company: another garden's row holds what they typed.
        company=(Company.objects.filter(org_number=org_number, target_relations__garden=garden)
                 .order_by("-target_relations__contract_start").first() if org_number else None),
        message=message,
    )
    audit_record(action="members.helprequest.created", target=help_request, actor=requester, garden=garden,
                 actor_label="" if requester else name)
    _notify_garden(help_request)
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


def _notify_garden(help_request: HelpRequest) -> None:
    """Queue the garden's notification (reply goes straight to the requester)."""
    context = {"help_request": help_request, "garden": help_request.garden,
               "url": absolute_url(help_request.get_absolute_url())}
    help_request.notification = mail_queue(
        template="members/email/help_request", to=help_request_recipients(help_request), context=context,
        reply_to=[help_request.email], key=f"members.helprequest:{help_request.pk}:notify",
    )
    help_request.save(update_fields=["notification"])


def _status_change(help_request: HelpRequest, by, status: str, extra: dict | None = None) -> None:
    changes = diff({"status": str(help_request.get_status_display())},
                   {"status": str(HelpRequest.Status(status).label), **(extra or {})})
    help_request.status = status
    audit_record(action="members.helprequest.updated", target=help_request, actor=by, garden=help_request.garden,
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
    audit_record(action="members.helprequest.assigned", target=help_request, actor=by, garden=help_request.garden,
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
    context = {"answer": answer, "help_request": help_request, "garden": help_request.garden,
               "my_page_url": absolute_url(reverse("members:my-page")) if help_request.requester_id else ""}
    answer.mail = mail_queue(
        template="members/email/help_answer", to=[help_request.email], context=context,
        reply_to=[by.email] if by is not None else (), key=f"members.helprequestmessage:{answer.pk}",
    )
    answer.save(update_fields=["mail"])
    return answer


@transaction.atomic
def help_request_close(*, help_request: HelpRequest, by, note: str = "") -> HelpRequest:
    """Close the request; an optional note is kept as an internal message."""
    if note:
        HelpRequestMessage.objects.create(request=help_request, author=by, body=note, is_internal=True)
    _status_change(help_request, by, HelpRequest.Status.CLOSED)
    help_request.save(update_fields=["status"])
    return help_request


@transaction.atomic
def help_request_convert(*, help_request: HelpRequest, by, org_number: str, name: str,
                         municipality: Municipality | None, contract_start: datetime.date):
    """Register the requester's company as the garden's target company and close the request, in one step."""
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


@transaction.atomic
def help_request_reply(*, help_request: HelpRequest, by, body: str) -> HelpRequestMessage:
    """The entrepreneur answers the garden in the portal: the request is open again and the garden is told.

    Only the requester replies (the view reaches the request through `requester=request.user`). The reply
    goes to whoever answered last, else to the garden's usual recipients, through the mail outbox.
    """
    body = body.strip()
    if not body:
        raise ValidationError(_("Write your reply before sending."))
    if help_request.status == HelpRequest.Status.CLOSED:
        raise ValidationError(_("The request is closed; ask the garden again if you need more help."))
    reply = HelpRequestMessage.objects.create(request=help_request, author=by, body=body)
    _status_change(help_request, by, HelpRequest.Status.NEW)
    help_request.save(update_fields=["status"])
    to = ([help_request.assigned_to.email] if help_request.assigned_to_id else help_request_recipients(help_request))
    reply.mail = mail_queue(
        template="members/email/help_reply", to=to, reply_to=[help_request.email],
        context={"reply": reply, "help_request": help_request, "garden": help_request.garden,
                 "url": absolute_url(help_request.get_absolute_url())},
        key=f"members.helprequestmessage:{reply.pk}",
    )
    reply.save(update_fields=["mail"])
    return reply
