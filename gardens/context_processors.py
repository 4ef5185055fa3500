from django.http import HttpRequest


def garden_access(request: HttpRequest) -> dict:
    """What `access_required` resolved for this request: `access`, and `garden`/`membership` in a workspace."""
    access = getattr(request, "access", None)
    if access is None:
        return {}
    context = {"access": access}
    garden = getattr(request, "garden", None)
    if garden is not None:
        context.update(garden=garden, membership=getattr(request, "membership", None))
    return context
