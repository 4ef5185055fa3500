"""The one place that decides who may read and change what.

Every protected view uses one decorator, `access_required(scope, permission)`:

- anonymous visitors are sent to sign in (for every page that needs an account);
- someone with no business there (an outsider) gets 404, so we never confirm that another
  garden's records, or a party-only page, exist;
- someone who may read but lacks the named permission gets 403.

A *scope* loads the object from the URL and answers with an `Access` for the person:
`garden_scope` for /g/<garden_slug>/…; agreements and projects pass their own small
loader that calls `agreement_access` / `project_access` here. The rules themselves live
only in this module, as named flags computed once per request from the person's roles.

Decisions (README, "Who sees what"):
- Garden staff read their garden's workspace; garden admins also invite and end staff,
  import and transfer target companies, and edit agreements and projects their garden is a
  party to. Staff and admins edit target company records and answer help requests.
- Network readers (Siva, county staff) and superusers read every workspace, agreement and
  project and change nothing through the pages. They do not see people's personal data
  there: entrepreneurs' help requests, contact persons, invitees' addresses. A superuser
  changes things only through the admin site, which audits every change.
- The network reports: Siva readers read every garden, county readers (ReaderCounty) the
  gardens covering their counties in the period shown, garden staff their own garden beside
  the network's average and median, without other gardens' names. A report export is seen by
  the person who asked for it (and superusers) only.
- An ended membership is no membership: 404, like any outsider.
- Personal data (a data subject's request): a garden admin exports and erases the contact persons
  of their own garden's records; an entrepreneur downloads and erases their own data; superusers
  do both through the admin. Staff and readers: 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Garden, StaffMembership


def membership_for(user, garden: Garden | int) -> StaffMembership | None:
    """The user's membership of `garden` valid today, or None."""
    if not user.is_authenticated:
        return None
    garden_id = garden.pk if isinstance(garden, Garden) else garden
    return StaffMembership.objects.valid_on(timezone.localdate()).filter(user=user, garden_id=garden_id).first()


def current_memberships(request: HttpRequest) -> list[StaffMembership]:
    """The signed-in person's memberships valid today with their gardens, by garden name (once a request).

    The navigation lists them on every page and a workspace finds its own among them: one query
    for both instead of one each.
    """
    memberships = getattr(request, "_current_memberships", None)
    if memberships is None:
        user = request.user
        memberships = list(
            user.memberships.valid_on(timezone.localdate()).select_related("garden").order_by("garden__name", "pk")
        ) if user.is_authenticated else []
        request._current_memberships = memberships
    return memberships


def is_network_reader(user) -> bool:
    """Reads everything, writes nothing: Siva and county staff, and superusers in the pages."""
    return bool(user.is_authenticated and (user.is_network_reader or user.is_superuser))


@dataclass(frozen=True)
class Access:
    """What a person may do with one object. `can_read` opens its inner pages at all."""

    can_read: bool = False
    can_edit: bool = False

    def allows(self, permission: str) -> bool:
        return bool(getattr(self, permission))


@dataclass(frozen=True)
class GardenAccess(Access):
    """A person's standing in one garden's workspace: the role's flags, computed in one place."""

    garden: Garden | None = None
    membership: StaffMembership | None = None
    is_reader: bool = False
    is_admin: bool = False
    can_edit_companies: bool = False
    can_answer_help_requests: bool = False
    can_invite_staff: bool = False
    can_import_companies: bool = False
    can_transfer_companies: bool = False
    can_read_personal_data: bool = False
    can_share_competence: bool = False
    # Export or erase a contact person's data (a data subject's request; README "Personal data").
    can_manage_personal_data: bool = False


def _garden_access(user, garden: Garden, membership: StaffMembership | None) -> GardenAccess:
    if membership is not None:
        admin = membership.role == StaffMembership.Role.ADMIN
        return GardenAccess(
            garden=garden, membership=membership, can_read=True, can_edit=True, is_admin=admin,
            can_edit_companies=True, can_answer_help_requests=True, can_read_personal_data=True,
            can_share_competence=True, can_invite_staff=admin, can_import_companies=admin,
            can_transfer_companies=admin, can_manage_personal_data=admin,
        )
    if is_network_reader(user):
        return GardenAccess(garden=garden, can_read=True, is_reader=True)
    return GardenAccess(garden=garden)


def garden_access(user, garden: Garden) -> GardenAccess:
    """What `user` may do in `garden`'s workspace (one query for the membership)."""
    return _garden_access(user, garden, membership_for(user, garden))


def party_access(user, party_gardens: Q) -> Access:
    """Agreements and projects: a party garden's admin edits; its staff and network readers read.

    `party_gardens` is a condition on the membership's garden; one query answers it.
    """
    if not user.is_authenticated:
        return Access()
    roles = set(
        StaffMembership.objects.valid_on(timezone.localdate())
        .filter(party_gardens, user=user)
        .values_list("role", flat=True)
    )
    return Access(can_read=bool(roles) or is_network_reader(user), can_edit=StaffMembership.Role.ADMIN in roles)


def agreement_access(user, agreement) -> Access:
    """A cooperation agreement: its parties are gardens (and organisations, who have no accounts)."""
    return party_access(user, Q(garden_id__in=agreement.parties.filter(garden__isnull=False).values("garden_id")))


def project_access(user, project) -> Access:
    """A funded project: the lead garden and the partner gardens are its parties."""
    return party_access(
        user, Q(garden_id=project.lead_garden_id) | Q(garden_id__in=project.partnerships.values("garden_id"))
    )


@dataclass(frozen=True)
class TransferAccess(Access):
    """A transfer seen from one of its two gardens."""

    can_confirm: bool = False
    can_cancel: bool = False


def transfer_access(access: GardenAccess, transfer) -> TransferAccess:
    """Both gardens read a transfer; the receiving admin confirms; either admin cancels while it waits."""
    garden_id = access.garden.pk
    if garden_id not in (transfer.from_garden_id, transfer.to_garden_id) or not access.can_read:
        return TransferAccess()
    pending = transfer.status == "pending"
    return TransferAccess(
        can_read=True,
        can_edit=access.can_transfer_companies,
        can_confirm=access.can_transfer_companies and pending and transfer.to_garden_id == garden_id,
        can_cancel=access.can_transfer_companies and pending,
    )


def share_access(user, access: GardenAccess, share) -> Access:
    """A colleague in another garden sees the one shared company while the request is accepted."""
    if share.colleague_id != user.pk or share.colleague_garden_id != access.garden.pk or access.membership is None:
        return Access()
    return Access(can_read=True, can_edit=share.status == "accepted")


@dataclass(frozen=True)
class ReportAccess(Access):
    """Who reads which figures: Siva the whole network, county staff their counties' gardens,
    garden staff their own garden beside the network's average and median (no other garden by name)."""

    is_reader: bool = False
    county_ids: frozenset[int] = frozenset()  # a county reader's counties; empty: the whole network
    own_garden: Garden | None = None  # garden staff: the garden they compare

    @property
    def names_gardens(self) -> bool:
        """May see other gardens' figures by name (readers, not staff)."""
        return self.is_reader


def report_access(user) -> ReportAccess:
    """The network reports: readers read them; staff see their garden against the network; others nothing."""
    if not user.is_authenticated:
        return ReportAccess()
    if is_network_reader(user):
        counties = frozenset(user.reader_counties.values_list("county_id", flat=True))
        return ReportAccess(can_read=True, is_reader=True, county_ids=counties)
    membership = (
        StaffMembership.objects.valid_on(timezone.localdate()).filter(user=user).select_related("garden")
        .order_by("garden__name").first()
    )
    if membership is not None:
        return ReportAccess(can_read=True, own_garden=membership.garden)
    return ReportAccess()


def report_export_access(user, export) -> Access:
    """A report export: only the person who asked reads it (and restarts it), superusers read it too.

    Its file holds the figures of the asker's scope, so nobody else sees it, not another reader
    (404); and only while the person still reads the reports.
    """
    if not user.is_authenticated or not (export.requested_by_id == user.pk or user.is_superuser):
        return Access()
    if not report_access(user).can_read:
        return Access()
    return Access(can_read=True, can_edit=export.requested_by_id == user.pk)


def report_scope(request: HttpRequest, **kwargs) -> tuple[None, ReportAccess]:
    """`access_required(report_scope)`: the reports are not one object; the access says whose figures."""
    return None, report_access(request.user)


@dataclass(frozen=True)
class OwnDataAccess(Access):
    """An account holder's own personal data: "download my data" and "delete my account"."""

    can_export: bool = False
    can_erase: bool = False


def own_data_access(user) -> OwnDataAccess:
    """Entrepreneurs export and erase their own data themselves; staff, readers and superusers do not.

    Anyone who works or worked in a garden, reads the network or runs the admin has records and
    history that others rely on: their account is ended by a garden admin or a superuser, not erased
    with one click. A superuser erases an entrepreneur through the admin (the same service).
    """
    if not user.is_authenticated:
        return OwnDataAccess()
    self_service = not (user.is_superuser or user.is_staff or user.is_network_reader
                        or StaffMembership.objects.filter(user=user).exists())
    return OwnDataAccess(can_read=True, can_export=self_service, can_erase=self_service)


def own_data_scope(request: HttpRequest, **kwargs) -> tuple[Any, OwnDataAccess]:
    """`access_required(own_data_scope, …)`: the object is the signed-in person themselves."""
    return request.user, own_data_access(request.user)


def admin_may_manage_personal_data(user) -> bool:
    """The admin site's export and erase actions: superusers only (who must have signed in with two factors)."""
    return bool(user.is_authenticated and user.is_superuser)


# --- the decorator -----------------------------------------------------------------------------

Scope = Callable[..., tuple[Any, Access]]


# Counts the workspace tabs show (new help requests…), contributed by the apps above this one
# (members registers its own in its AppConfig.ready()) and fetched with the garden in one query.
_WORKSPACE_COUNTS: dict[str, Callable[[], Any]] = {}


def register_workspace_count(name: str, expression: Callable[[], Any]) -> None:
    """Annotate every workspace's garden with `name` = `expression()` (an aggregate over the garden)."""
    _WORKSPACE_COUNTS[name] = expression


def garden_scope(request: HttpRequest, garden_slug: str, **kwargs) -> tuple[Garden, GardenAccess]:
    """/g/<garden_slug>/…: the garden (with the tabs' counts) and what the person may do there."""
    gardens = Garden.objects.annotate(**{name: make() for name, make in _WORKSPACE_COUNTS.items()})
    garden = get_object_or_404(gardens, slug=garden_slug)
    # As membership_for(), from the memberships the navigation lists anyway (the oldest if two are valid).
    membership = min((m for m in current_memberships(request) if m.garden_id == garden.pk),
                     key=lambda m: m.pk, default=None)
    return garden, _garden_access(request.user, garden, membership)


def access_required(scope: Scope | None = None, permission: str | None = "can_read", *, login: bool = True):
    """Protect a view: sign in first (if `login`), then 404 without `can_read`, 403 without `permission`.

    `scope(request, **url_kwargs)` returns `(obj, access)`; the view gets them as
    `request.scope_object` and `request.access` (and `request.garden` / `request.membership`
    for garden scopes), and templates get `access`, `garden` and `membership`.
    With `permission=None` the page is public and `access` only says what more to show.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if login and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if scope is None:
                return view(request, *args, **kwargs)
            obj, access = scope(request, **kwargs)
            if permission is not None:
                if not access.can_read:
                    raise Http404("Not found.")
                if not access.allows(permission):
                    raise PermissionDenied
            request.scope_object = obj
            request.access = access
            if isinstance(access, GardenAccess):
                request.garden = access.garden
                request.membership = access.membership
            return view(request, *args, **kwargs)

        wrapper.access_scope = scope
        wrapper.access_permission = permission
        return wrapper

    return decorator


def garden_required(permission: str = "can_read"):
    """`access_required(garden_scope, permission)`: the usual guard of a workspace page."""
    return access_required(garden_scope, permission)


def require(access: Access, permission: str) -> None:
    """Inside a view: 403 unless `access` has `permission` (for checks that depend on the object)."""
    if not access.allows(permission):
        raise PermissionDenied


# --- Sign-in (issue 13): who must use two-factor sign-in, whose session times out when idle ----------


def mfa_required_for(user) -> bool:
    """Garden admins, network readers and superusers must sign in with a second factor.

    They can read every garden (readers, superusers) or invite staff and import companies
    (admins): a guessed or reused password must not be enough for that.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_network_reader:
        return True
    return StaffMembership.objects.valid_on(timezone.localdate()).filter(
        user=user, role=StaffMembership.Role.ADMIN
    ).exists()


def is_staff_user(user) -> bool:
    """Garden staff, network readers and superusers: their sessions end after an idle time."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff or user.is_network_reader:
        return True
    return StaffMembership.objects.valid_on(timezone.localdate()).filter(user=user).exists()
