"""The entrepreneur's own page: profile, and the help requests they sent with the answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gardens.help_views import requests_for_entrepreneur

from .entrepreneurs import entrepreneur_profile_save
from .forms import EntrepreneurProfileForm
from .models import EntrepreneurProfile


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    """/min-side/: the short profile and the requests with their answers."""
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
