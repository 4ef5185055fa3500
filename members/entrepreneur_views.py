"""The entrepreneur's own page (profile, help requests and answers), and everyone's account page."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gardens.access import access_required, is_network_reader, mfa_required_for

from .entrepreneurs import entrepreneur_profile_save
from .forms import EntrepreneurProfileForm
from .models import EntrepreneurProfile
from .selectors import requests_for_entrepreneur


@access_required()
def my_page(request: HttpRequest) -> HttpResponse:
    """/min-side/: the short profile and the requests with their answers (entrepreneurs' own page).

    Garden staff and network readers have their own place to work: they are sent there.
    """
    if is_network_reader(request.user) or request.user.memberships.valid_on(timezone.localdate()).exists():
        return redirect("network_portal:dashboard")
    profile = EntrepreneurProfile.objects.filter(user=request.user).select_related("municipality").first()
    initial = {"full_name": request.user.full_name}
    if profile is not None:
        initial.update(org_number=profile.org_number, municipality=profile.municipality_id)
    form = EntrepreneurProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        entrepreneur_profile_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("members:my-page")
    return render(request, "members/my_page.html", {
        "form": form, "profile": profile, "help_requests": requests_for_entrepreneur(request.user),
    }, status=400 if form.is_bound else 200)


@access_required()
def account(request: HttpRequest) -> HttpResponse:
    """/min-konto/: everyone's account page: e-mail, password and two-factor sign-in."""
    kinds = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    return render(request, "members/account.html", {
        "totp_active": Authenticator.Type.TOTP in kinds,
        "recovery_codes_active": Authenticator.Type.RECOVERY_CODES in kinds,
        "mfa_required": mfa_required_for(request.user),
    })
