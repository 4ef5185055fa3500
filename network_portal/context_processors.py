from django.http import HttpRequest

from gardens.access import current_memberships


def navigation(request: HttpRequest) -> dict:
    """The signed-in person's gardens, for the role-aware navigation (one query, lazily; shared with the
    workspace's own access check, gardens.access.current_memberships)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": []}
    return {"nav_memberships": lambda: current_memberships(request)}
