"""The entrepreneur's own page (profile, help requests and answers), and everyone's account page."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import focus_first_error
from gardens.access import access_required, is_network_reader, mfa_required_for

from .entrepreneurs import entrepreneur_profile_save
from .forms import EntrepreneurProfileForm
from .help_forms import ReplyForm
from .help_services import help_request_reply
from .models import EntrepreneurProfile, HelpRequest
from .selectors import requests_for_entrepreneur


@access_required()
def my_page(request: HttpRequest, reply_form: ReplyForm | None = None, reply_to: int | None = None) -> HttpResponse:
    """/min-side/: the short profile and the requests with their answers (entrepreneurs' own page).

    Garden staff and network readers have their own place to work: they are sent there.
    """
    if is_network_reader(request.user) or request.user.memberships.valid_on(timezone.localdate()).exists():
        return redirect("network_portal:dashboard")
    profile = EntrepreneurProfile.objects.filter(user=request.user).select_related("municipality").first()
    initial = {"full_name": request.user.full_name}
    if profile is not None:
        initial.update(org_number=profile.org_number, municipality=profile.municipality_id)
    posted_profile = request.method == "POST" and reply_form is None
    form = EntrepreneurProfileForm(request.POST if posted_profile else None, initial=initial)
    if posted_profile and form.is_valid():
        entrepreneur_profile_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("members:my-page")
    help_requests = requests_for_entrepreneur(request.user)
    for help_request in help_requests:
        # One form per request, each with its own ids; the one that came back with errors stays bound.
        help_request.reply_form = (reply_form if help_request.pk == reply_to
                                   else ReplyForm(prefix=f"reply-{help_request.pk}"))
    if reply_form is not None:
        focus_first_error(reply_form)
    return render(request, "members/my_page.html", {
        "form": form, "profile": profile, "help_requests": help_requests,
    }, status=400 if form.is_bound or reply_form is not None else 200)


@require_POST
@access_required()
def help_reply(request: HttpRequest, help_request_pk: int) -> HttpResponse:
    """The entrepreneur answers the garden's answer; only their own request (anyone else's is a 404)."""
    help_request = get_object_or_404(
        HelpRequest.objects.select_related("garden", "assigned_to"), pk=help_request_pk, requester=request.user
    )
    form = ReplyForm(request.POST, prefix=f"reply-{help_request.pk}")
    if form.is_valid():
        try:
            help_request_reply(help_request=help_request, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your reply is sent to %(garden)s.") % {"garden": help_request.garden.name})
            return redirect("members:my-page")
    return my_page(request, reply_form=form, reply_to=help_request.pk)


@access_required()
def account(request: HttpRequest) -> HttpResponse:
    """/min-konto/: everyone's account page: e-mail, password and two-factor sign-in."""
    kinds = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    return render(request, "members/account.html", {
        "totp_active": Authenticator.Type.TOTP in kinds,
        "recovery_codes_active": Authenticator.Type.RECOVERY_CODES in kinds,
        "mfa_required": mfa_required_for(request.user),
    })
