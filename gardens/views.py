from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .access import access_required, garden_required
from .filters import CompetenceDirectoryFilter
from .forms import InvitationForm, NewAccountForm, RoleForm, StaffProfileForm
from .maps import build_coverage_map
from .models import Coverage, Garden, Invitation, Municipality, StaffProfile
from .selectors import (
    garden_memberships,
    gardens_for_map,
    open_invitations,
    profiles_for_directory,
    published_profiles,
)


def coverage_map(request: HttpRequest) -> HttpResponse:
    """The network on a map: each garden's municipalities in its colour, drawn on the server."""
    gardens = gardens_for_map()
    return render(request, "gardens/map.html", {"gardens": gardens, "map": build_coverage_map(gardens)})


# Staff: invitations and memberships. Admins (can_invite_staff) change; everyone in the
# workspace, network readers too, can see who works in the garden.


def _staff_url(garden: Garden) -> str:
    return reverse("gardens:staff", kwargs={"garden_slug": garden.slug})


def _staff_page(request: HttpRequest, garden: Garden, invite_form=None, already_open=None, status=200):
    current, ended = garden_memberships(garden)
    can_manage = request.access.can_invite_staff
    context = {
        "garden": garden,
        "membership": request.membership,
        "current": current,
        "ended": ended,
        # Invitees' addresses are personal data: not for network readers.
        "invitations": list(open_invitations(garden)) if request.access.can_read_personal_data else [],
        "can_manage": can_manage,
        "invite_form": (invite_form or InvitationForm()) if can_manage else None,
        "already_open": already_open,
        "role_choices": RoleForm.base_fields["role"].choices,
        "invitation_days": settings.INVITATION_DAYS,
    }
    return render(request, "gardens/staff.html", context, status=status)


@garden_required()
def staff_list(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """Who works in the garden, who used to, and who is invited."""
    garden = request.garden
    return _staff_page(request, garden)


@require_POST
@garden_required("can_invite_staff")
def staff_invite(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """Invite a colleague by e-mail; a bad address re-shows the page with what was typed."""
    garden = request.garden
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(garden=garden, by=request.user, **form.cleaned_data)
        except services.InvitationAlreadyOpen as error:
            form.add_error(None, error)
            return _staff_page(request, garden, invite_form=form, already_open=error.invitation)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email})
            return redirect(_staff_url(garden))
    return _staff_page(request, garden, invite_form=form)


@require_POST
@garden_required("can_invite_staff")
def staff_invitation_resend(request: HttpRequest, garden_slug: str, invitation_pk: int) -> HttpResponse:
    """Send an invitation again, valid for another period."""
    garden = request.garden
    invitation = get_object_or_404(garden.invitations, pk=invitation_pk)
    try:
        services.invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation to %(email)s was sent again.") % {"email": invitation.email})
    return redirect(_staff_url(garden))


@require_POST
@garden_required("can_invite_staff")
def staff_invitation_revoke(request: HttpRequest, garden_slug: str, invitation_pk: int) -> HttpResponse:
    """Withdraw an invitation; its link stops working."""
    garden = request.garden
    invitation = get_object_or_404(garden.invitations, pk=invitation_pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect(_staff_url(garden))


@garden_required("can_invite_staff")
def staff_end(request: HttpRequest, garden_slug: str, membership_pk: int) -> HttpResponse:
    """Confirm (GET) and end (POST) someone's membership: access stops now, records stay."""
    garden = request.garden
    membership = get_object_or_404(garden.memberships.select_related("user"), pk=membership_pk)
    if request.method == "POST":
        try:
            services.membership_end(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_staff_url(garden))
        name = membership.user.get_full_name()
        messages.success(request, _("%(name)s no longer has access to %(garden)s. What they recorded stays with "
                                    "the garden.") % {"name": name, "garden": garden.name})
        if membership.user_id == request.user.pk:
            return redirect("network_portal:home")
        return redirect(_staff_url(garden))
    return render(request, "gardens/staff_end.html",
                  {"garden": garden, "membership": request.membership, "target": membership,
                   "is_self": membership.user_id == request.user.pk,
                   "already_ended": membership.valid_to is not None and membership.valid_to < timezone.localdate()})


@require_POST
@garden_required("can_invite_staff")
def staff_role(request: HttpRequest, garden_slug: str, membership_pk: int) -> HttpResponse:
    """Change a colleague's role."""
    garden = request.garden
    membership = get_object_or_404(garden.memberships.select_related("user"), pk=membership_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: garden admin or garden staff."))
        return redirect(_staff_url(garden))
    try:
        changed = services.membership_change_role(
            membership=membership, by=request.user, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is now %(role)s.")
                         % {"name": changed.user.get_full_name(), "role": changed.get_role_display()})
    return redirect(_staff_url(garden))


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail: create an account or sign in, then accept."""
    invitation = get_object_or_404(Invitation.objects.select_related("garden", "invited_by"), token=token)
    context = {"invitation": invitation, "garden": invitation.garden}
    problem = services.invitation_problem(invitation)
    if problem is not None:
        # 410 Gone: the link existed but can no longer be used.
        return render(request, "gardens/invitation_closed.html", {**context, "problem": problem}, status=410)

    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(request, "gardens/invitation_accept.html", {**context, "mode": "wrong_account"})
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                return _welcome(request, membership)
        return render(request, "gardens/invitation_accept.html", {**context, "mode": "accept"})

    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
        return render(request, "gardens/invitation_accept.html", {**context, "mode": "sign_in", "login_url": login_url})

    form = NewAccountForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_with_new_account(
                invitation=invitation, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _welcome(request, membership)
    return render(request, "gardens/invitation_accept.html", {**context, "mode": "new_account", "form": form})


def _welcome(request: HttpRequest, membership) -> HttpResponse:
    messages.success(request, _("Welcome to %(garden)s! You are registered as %(role)s.")
                     % {"garden": membership.garden.name, "role": membership.get_role_display()})
    return redirect(membership.garden.get_workspace_url())


# The competence directory: staff publish what they offer the network (opt-in), anyone reads it.

DIRECTORY_PAGE_SIZE = 24


def _ask_url(profile) -> str:
    """'Contact through the portal': the entrepreneur's way to ask this person for help."""
    return reverse("members:ask-staff", kwargs={"profile_pk": profile.pk})


def competence_directory(request: HttpRequest) -> HttpResponse:
    """Published staff profiles, searchable (æ/ae/a alike) and filterable, in Norwegian name order."""
    filterset = CompetenceDirectoryFilter(request.GET, queryset=published_profiles())
    if filterset.is_valid():
        queryset = filterset.qs
    else:
        queryset = published_profiles().none()
    page = Paginator(profiles_for_directory(queryset), DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    profiles = list(page.object_list)
    for profile in profiles:
        profile.ask_url = _ask_url(profile)
    return render(request, "gardens/competence_directory.html", {
        "filter": filterset,
        "page": page,
        "profiles": profiles,
        "query": query.urlencode(),
        "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
    })


def competence_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """One published profile; an unpublished one, or one whose person has left, does not exist here."""
    profile = get_object_or_404(profiles_for_directory(), pk=pk)
    profile.ask_url = _ask_url(profile)
    return render(request, "gardens/competence_profile.html", {"profile": profile})


@access_required()
def competence_profile_edit(request: HttpRequest) -> HttpResponse:
    """A staff member edits their own profile and chooses whether to publish it."""
    memberships = list(
        request.user.memberships.valid_on(timezone.localdate()).select_related("garden").order_by("garden__name")
    )
    if not memberships:
        raise Http404
    profile = StaffProfile.objects.filter(user=request.user).first() or StaffProfile(user=request.user)
    covered = Coverage.objects.current().filter(garden__in=[m.garden for m in memberships]).values("municipality")
    municipalities = Municipality.objects.filter(
        Q(pk__in=covered) | Q(pk__in=profile.municipalities_served.values("pk") if profile.pk else [])
    ).order_by("name")
    form = StaffProfileForm(request.POST or None, instance=profile, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.staff_profile_update(user=request.user, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved.is_public:
                messages.success(request, _("Your profile is saved and published in the competence directory."))
            else:
                messages.success(request, _("Your profile is saved. It is not published."))
            return redirect("gardens:competence-edit")
    return render(request, "gardens/competence_edit.html", {
        "form": form, "profile": profile, "memberships": memberships,
    })
