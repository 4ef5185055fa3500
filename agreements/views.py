"""Pages for cooperation agreements and joint network events.

Every agreement page is guarded by `gardens.access.access_required` with `agreement_scope`:
a party's garden admin edits, its staff and network readers read, and party-only pages
answer 404 to everyone else and 403 to readers trying to change things.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import file_download, focus_first_error
from gardens.access import Access, access_required, agreement_access, require

from . import selectors, services
from .forms import ActionItemForm, DocumentForm, MeetingForm
from .models import Agreement, EventRegistration, Meeting


def agreement_scope(request: HttpRequest, slug: str, **kwargs) -> tuple[Agreement, Access]:
    """The agreement from the URL and what the person may do with it."""
    agreement = get_object_or_404(selectors.agreement_public(slug))
    return agreement, agreement_access(request.user, agreement)


def agreement_list(request: HttpRequest) -> HttpResponse:
    """Every cooperation agreement: name, kind, parties, period."""
    return render(request, "agreements/agreement_list.html", {"agreements": selectors.agreement_list()})


@access_required(agreement_scope, None, login=False)
def agreement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The public part for everyone; the rest for the parties and network readers."""
    agreement, access = request.scope_object, request.access
    context = {"agreement": agreement, "can_edit": access.can_edit}
    if access.can_read:
        context.update(selectors.agreement_detail_parts(agreement))
    return render(request, "agreements/agreement_detail.html", context)


@access_required(agreement_scope, "can_edit")
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    agreement = request.scope_object
    form = MeetingForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attendees = data.pop("attendees")
        try:
            meeting = services.meeting_create(agreement=agreement, by=request.user, attendees=attendees, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect(meeting.get_absolute_url())
    return render(request, "agreements/meeting_form.html", {"agreement": agreement, "form": form, "meeting": None,
                                                            "can_edit": True})


def _meeting(agreement: Agreement, pk: int) -> Meeting:
    return get_object_or_404(agreement.meetings.select_related("obligation"), pk=pk)


@access_required(agreement_scope)
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The meeting with its action items; party admins edit it here (record it as held, minutes)."""
    agreement, access = request.scope_object, request.access
    if request.method == "POST":
        require(access, "can_edit")
    meeting = _meeting(agreement, pk)
    form = MeetingForm(request.POST or None, instance=meeting, agreement=agreement,
                       initial={"attendees": list(meeting.attendees.all())} if request.method != "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields}
        attendees = data.pop("attendees")
        # The form's instance holds the new values already; reload so the audit diff sees the old ones.
        meeting = _meeting(agreement, pk)
        try:
            services.meeting_update(meeting=meeting, by=request.user, attendees=attendees, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(meeting.get_absolute_url())
    return _render_meeting(request, agreement, meeting, form)


def _render_meeting(request: HttpRequest, agreement: Agreement, meeting: Meeting, form, action_form=None
                    ) -> HttpResponse:
    """The meeting page; `action_form` is an action item form that came back with errors (status 400)."""
    if action_form is not None:
        focus_first_error(action_form)
    return render(
        request,
        "agreements/meeting_form.html",
        {
            "agreement": agreement,
            "meeting": meeting,
            "form": form,
            "can_edit": request.access.can_edit,
            "actions": list(meeting.actions.select_related("owner")),
            "attendee_list": list(meeting.attendees.all()),
            "action_form": action_form or ActionItemForm(agreement=agreement, prefix="action"),
        },
        status=400 if action_form is not None else 200,
    )


@require_POST
@access_required(agreement_scope, "can_edit")
def action_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    agreement = request.scope_object
    meeting = _meeting(agreement, pk)
    form = ActionItemForm(request.POST, agreement=agreement, prefix="action")
    if form.is_valid():
        services.action_item_add(meeting=meeting, by=request.user, **form.cleaned_data)
        messages.success(request, _("The action item is added."))
        return redirect(meeting.get_absolute_url() + "#actions")
    meeting_form = MeetingForm(instance=meeting, agreement=agreement,
                               initial={"attendees": list(meeting.attendees.all())})
    return _render_meeting(request, agreement, meeting, meeting_form, action_form=form)


@require_POST
@access_required(agreement_scope)
def action_toggle(request: HttpRequest, slug: str, pk: int, action_pk: int) -> HttpResponse:
    """Mark an action item done or open; party admins, and the item's owner."""
    agreement = request.scope_object
    meeting = _meeting(agreement, pk)
    action = get_object_or_404(meeting.actions, pk=action_pk)
    if action.owner_id != request.user.pk:
        require(request.access, "can_edit")
    services.action_item_set_done(action=action, by=request.user, done=request.POST.get("done") == "1")
    return redirect(meeting.get_absolute_url() + "#actions")


@access_required(agreement_scope)
def document_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The agreement's documents; party admins upload here."""
    agreement, access = request.scope_object, request.access
    if request.method == "POST":
        require(access, "can_edit")
    form = DocumentForm(request.POST or None, request.FILES or None) if access.can_edit else None
    if request.method == "POST" and form.is_valid():
        services.document_upload(agreement=agreement, by=request.user, **form.cleaned_data)
        messages.success(request, _("The document is uploaded."))
        return redirect("agreements:documents", slug=agreement.slug)
    documents = list(agreement.documents.select_related("uploaded_by"))
    return render(request, "agreements/document_list.html",
                  {"agreement": agreement, "documents": documents, "form": form, "can_edit": access.can_edit})


@access_required(agreement_scope)
def document_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A document, only to the parties and network readers (404 to everyone else)."""
    agreement = request.scope_object
    document = get_object_or_404(agreement.documents, pk=pk)
    return file_download(document.file, document.title)


@access_required(agreement_scope)
def compliance(request: HttpRequest, slug: str) -> HttpResponse:
    """Meetings required and held per obligation and year."""
    agreement = request.scope_object
    return render(request, "agreements/compliance.html",
                  {"agreement": agreement, "rows": selectors.compliance_rows(agreement)})


# --- joint network events --------------------------------------------------------------------


def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming joint events, open to everyone."""
    return render(request, "agreements/event_list.html", {"events": selectors.upcoming_events()})


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An event with places left; signed-in people sign up or cancel here."""
    event = get_object_or_404(selectors.event_with_counts(pk))
    registration = None
    if request.user.is_authenticated:
        registration = EventRegistration.objects.filter(event=event, user=request.user).first()
    return render(
        request,
        "agreements/event_detail.html",
        {
            "event": event,
            "registration": registration,
            "places_left": max(event.capacity - event.taken, 0),
            "position": selectors.waiting_position(registration) if registration else None,
        },
    )


@require_POST
@access_required()
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(selectors.event_with_counts(pk))
    try:
        registration = services.event_register(event=event, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.status == EventRegistration.Status.REGISTERED:
            messages.success(request, _("You are registered."))
        else:
            messages.info(request, _("The event is full: you are on the waiting list."))
    return redirect(event.get_absolute_url())


@require_POST
@access_required()
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(selectors.event_with_counts(pk))
    services.event_cancel(event=event, user=request.user)
    messages.success(request, _("Your registration is cancelled."))
    return redirect(event.get_absolute_url())


@access_required()
def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The event as an .ics file, for those with a place."""
    registration = get_object_or_404(
        EventRegistration.objects.select_related("event"),
        event_id=pk, user=request.user, status=EventRegistration.Status.REGISTERED,
    )
    body = selectors.event_ics(registration.event, domain=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="arrangement-{pk}.ics"'
    return response
