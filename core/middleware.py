"""Response headers every page carries (issue 13: production hardening)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header: the portal uses no camera, microphone, location or payment.

    Django has no setting for it; the policy itself is PERMISSIONS_POLICY in settings.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        policy = settings.PERMISSIONS_POLICY
        self.header = ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
