"""Resolve the garden once, at the edge.

Every view under /g/<garden-slug>/ uses `GardenScopedMixin`: it finds the garden
and the signed-in person's current membership and sets `request.garden` and
`request.membership`. Someone outside the garden gets 404 (we do not confirm that
the garden's records exist); a member or network reader without the named
permission gets 403.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Garden, StaffMembership


def membership_for(user, garden: Garden) -> StaffMembership | None:
    """The user's membership of `garden` valid today, or None."""
    if not user.is_authenticated:
        return None
    return (
        StaffMembership.objects.valid_on(timezone.localdate()).filter(user=user, garden=garden).first()
    )


def resolve_garden(request: HttpRequest, garden_slug: str, permission: str | None = None) -> Garden:
    """Set request.garden and request.membership, or raise 404/403 as described above."""
    # The workspace tabs show the number of new help requests; counted here, in the same query.
    garden = get_object_or_404(
        Garden.objects.annotate(new_help_requests=Count("help_requests", filter=Q(help_requests__status="new"))),
        slug=garden_slug,
    )
    membership = membership_for(request.user, garden)
    is_reader = request.user.is_authenticated and request.user.is_network_reader
    if membership is None and not is_reader:
        raise Http404("No such garden workspace.")
    if permission is not None and (membership is None or not getattr(membership, permission)):
        raise PermissionDenied
    request.garden = garden
    request.membership = membership
    return garden


class GardenScopedMixin(LoginRequiredMixin):
    """For class-based views under /g/<garden_slug>/. Set `permission` for writes."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        resolve_garden(request, kwargs["garden_slug"], self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["garden"] = self.request.garden
        context["membership"] = self.request.membership
        return context
