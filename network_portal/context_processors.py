from django.http import HttpRequest
from django.utils import timezone


def navigation(request: HttpRequest) -> dict:
    """The signed-in person's gardens, for the role-aware navigation (one query, lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": []}

    def memberships():
        return list(
            user.memberships.valid_on(timezone.localdate()).select_related("garden").order_by("garden__name")
        )

    return {"nav_memberships": memberships}
