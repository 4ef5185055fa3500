"""Help requests: the public "ask for help" pages and the garden staff's inbox. Thin views."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.ratelimit import RateLimited, client_ip, rate_limit_hit
from core.web import focus_first_error
from gardens.access import garden_required
from gardens.models import Garden, StaffProfile

from . import help_services as services
from .help_forms import AnswerForm, AskForm, AssignForm, CloseForm, ConvertForm, InboxFilterForm
from .models import EntrepreneurProfile, HelpRequest

PAGE_SIZE = 25
# The inbox holds entrepreneurs' names and contact details: garden staff only, not network readers.
READ = "can_read_personal_data"
EDIT = "can_answer_help_requests"


def _ask(request: HttpRequest, garden: Garden, profile: StaffProfile | None) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        # Signed-in entrepreneurs have told us where they are on /min-side/; no need to ask again.
        profile_row = EntrepreneurProfile.objects.filter(user=request.user).first()
        if profile_row is not None:
            initial = {"org_number": profile_row.org_number, "municipality": profile_row.municipality_id}
    form = AskForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = redirect("members:ask-done", garden_slug=garden.slug)
        if form.is_spam:
            return done  # pretend success; a bot learns nothing
        email = request.user.email if request.user.is_authenticated else data["email"]
        try:
            rate_limit_hit("help-request", ip=client_ip(request), email=email)
        except RateLimited:
            form.add_error(None, _("You have sent many requests in a short time. Please wait an hour and try "
                                   "again, or contact the garden by e-mail or phone."))
            status = 429
        else:
            services.help_request_create(
                garden=garden, requester=request.user, staff_profile=profile,
                name=data.get("name", ""), email=data.get("email", ""), message=data["message"],
                municipality=data["municipality"], org_number=data["org_number"],
                company_name=data["company_name"],
            )
            return done
    return render(request, "members/ask.html", {"garden": garden, "profile": profile, "form": form}, status=status)


def ask_garden(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """Ask a garden for help (signed in or not)."""
    return _ask(request, get_object_or_404(Garden, slug=garden_slug), None)


def ask_staff(request: HttpRequest, profile_pk: int) -> HttpResponse:
    """Ask one staff member, through their published competence profile, for help."""
    profile = get_object_or_404(StaffProfile.objects.select_related("user"), pk=profile_pk, is_public=True)
    membership = (
        profile.user.memberships.valid_on(timezone.localdate()).select_related("garden").order_by("garden__name")
        .first()
    )
    if membership is None:  # no longer works in a garden: nobody would read the request
        raise Http404
    return _ask(request, membership.garden, profile)


def ask_done(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """The confirmation page after sending a request."""
    garden = get_object_or_404(Garden, slug=garden_slug)
    return render(request, "members/ask_done.html", {"garden": garden})


@garden_required(READ)
def help_inbox(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """The garden's help requests, newest first, filtered by status."""
    garden = request.garden
    filter_form = InboxFilterForm(request.GET or None)
    rows = garden.help_requests.select_related("assigned_to", "municipality", "staff_profile__user")
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/help_inbox.html", {
        "garden": garden, "membership": request.membership, "page": page, "filter_form": filter_form,
        "status": status, "query": urlencode({"status": status}),
        "can_act": request.access.can_answer_help_requests,
    })


def _help_request(request: HttpRequest, pk: int) -> HelpRequest:
    """A help request reached through request.garden (another garden's id is a 404)."""
    return get_object_or_404(
        request.garden.help_requests.select_related(
            "assigned_to", "municipality__county", "staff_profile__user", "requester", "company", "garden"
        ),
        pk=pk,
    )


def _render_detail(request: HttpRequest, help_request: HelpRequest, status: int = 200, **forms) -> HttpResponse:
    garden = request.garden
    can_act = request.access.can_answer_help_requests
    context = {
        "garden": garden, "membership": request.membership, "help_request": help_request, "can_act": can_act,
        "thread": list(help_request.messages.select_related("author", "mail")),
    }
    if can_act:
        context.update(
            assign_form=AssignForm(garden=garden, initial={"assigned_to": help_request.assigned_to_id}),
            answer_form=AnswerForm(),
            close_form=CloseForm(),
            convert_form=ConvertForm(initial=ConvertForm.initial_for(help_request)),
        )
        context.update(forms)
        for form in forms.values():
            focus_first_error(form)
    return render(request, "members/help_detail.html", context, status=status)


@garden_required(READ)
def help_detail(request: HttpRequest, garden_slug: str, help_request_pk: int) -> HttpResponse:
    """One request: message, requester, answers, and the staff's actions."""
    return _render_detail(request, _help_request(request, help_request_pk))




@require_POST
@garden_required(EDIT)
def help_assign(request: HttpRequest, garden_slug: str, help_request_pk: int) -> HttpResponse:
    garden = request.garden
    help_request = _help_request(request, help_request_pk)
    form = AssignForm(request.POST, garden=garden)
    if form.is_valid():
        assignee = form.cleaned_data["assigned_to"]
        services.help_request_assign(help_request=help_request, by=request.user, assignee=assignee)
        messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.get_full_name()} if assignee
                         else _("The request is unassigned."))
        return redirect(help_request.get_absolute_url())
    return _render_detail(request, help_request, status=400, assign_form=form)


@require_POST
@garden_required(EDIT)
def help_answer(request: HttpRequest, garden_slug: str, help_request_pk: int) -> HttpResponse:
    help_request = _help_request(request, help_request_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.help_request_answer(help_request=help_request, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your answer is saved and on its way to %(email)s.")
                         % {"email": help_request.email})
        return redirect(help_request.get_absolute_url())
    # Show the page again with the typed text and the error: nothing is lost.
    return _render_detail(request, help_request, status=400, answer_form=form)


@require_POST
@garden_required(EDIT)
def help_close(request: HttpRequest, garden_slug: str, help_request_pk: int) -> HttpResponse:
    help_request = _help_request(request, help_request_pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        services.help_request_close(help_request=help_request, by=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("The request is closed."))
        return redirect(help_request.get_absolute_url())
    return _render_detail(request, help_request, status=400, close_form=form)


@require_POST
@garden_required(EDIT)
def help_convert(request: HttpRequest, garden_slug: str, help_request_pk: int) -> HttpResponse:
    """Turn the request into a target company in one step."""
    help_request = _help_request(request, help_request_pk)
    form = ConvertForm(request.POST)
    if form.is_valid():
        try:
            target = services.help_request_convert(help_request=help_request, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is registered as a target company and the request is closed.")
                             % {"name": target.company.name})
            return redirect(target.get_absolute_url())
    return _render_detail(request, help_request, status=400, convert_form=form)
