from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from agreements.models import Agreement
from gardens.models import Network
from gardens.selectors import gardens_for_directory
from projects.models import Project


def home(request):
    """What the network is, and its gardens."""
    context = {
        "gardens": gardens_for_directory(),
        "networks": Network.objects.prefetch_related("gardens"),
        "agreement_count": Agreement.objects.count(),
        "project_count": Project.objects.count(),
    }
    return render(request, "network_portal/home.html", context)


def about_data(request):
    """Where the reference data comes from, and its licences."""
    return render(request, "network_portal/about_data.html")


@login_required
def dashboard(request):
    """Where sign-in lands: staff go to their garden, everyone else to the overview."""
    membership = (
        request.user.memberships.valid_on(timezone.localdate()).select_related("garden").order_by("garden__name").first()
    )
    if membership is not None:
        return redirect(membership.garden.get_workspace_url())
    return redirect("network_portal:home")
