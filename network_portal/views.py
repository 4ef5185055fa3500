"""Network-wide pages: the front page, a garden's public page, the data sources, where sign-in lands.

These may combine every app below them (a garden's page shows its agreements and projects).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from agreements.models import Agreement
from gardens.access import access_required, is_network_reader
from gardens.geography import ChangeGraph, municipality_resolve
from gardens.models import Garden, Network
from gardens.selectors import (
    current_municipality_names,
    garden_coverage,
    garden_staff,
    gardens_directory,
    gardens_for_directory,
    gardens_serving,
)
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


def garden_list(request: HttpRequest) -> HttpResponse:
    """The public directory: each garden's municipalities, networks, agreements and contact."""
    gardens = gardens_directory(prefetch=("agreements",))
    has_inferred = any(c.is_inferred for g in gardens for c in g.coverage_now)
    return render(request, "network_portal/garden_list.html", {"gardens": gardens, "has_inferred": has_inferred})


def garden_detail(request, slug: str):
    """A garden's public page: coverage now and before, staff, networks, agreements, projects."""
    garden = get_object_or_404(Garden, slug=slug)
    coverage_now, coverage_before = garden_coverage(garden)
    context = {
        "garden": garden,
        "coverage_now": coverage_now,
        "coverage_before": coverage_before,
        "statuses": list(garden.statuses.all()),
        "staff": garden_staff(garden),
        "networks": list(garden.networks.prefetch_related("gardens")),
        "agreements": list(Agreement.objects.filter(parties__garden=garden).distinct()),
        "projects": list(
            Project.objects.filter(partnerships__garden=garden).select_related("lead_garden").distinct()
        ),
        "has_inferred": any(c.is_inferred for c in coverage_now + coverage_before),
    }
    return render(request, "network_portal/garden_detail.html", context)


def find_garden(request: HttpRequest) -> HttpResponse:
    """Find the garden that serves a municipality, by name or by number (old numbers and names too)."""
    query = request.GET.get("q", "").strip()[:100]
    graph = ChangeGraph.load() if query else None
    answer = municipality_resolve(query, graph=graph) if query else None
    municipalities = answer.municipalities if answer else []
    coverages = gardens_serving(municipalities, graph=graph, prefetch=("garden__agreements",)) if municipalities else []
    served = {c.serves.pk for c in coverages}
    return render(
        request,
        "network_portal/find.html",
        {
            "query": query,
            "municipalities": municipalities,
            "former": answer.former if answer else [],
            "coverages": coverages,
            "unserved": [m for m in municipalities if m.pk not in served],
            "suggestions": current_municipality_names(),
        },
    )


def about_data(request):
    """Where the reference data comes from, and its licences."""
    return render(request, "network_portal/about_data.html")


@access_required()
def dashboard(request):
    """Where sign-in lands: staff in their garden, entrepreneurs on their page, readers on the front page."""
    membership = (
        request.user.memberships.valid_on(timezone.localdate()).select_related("garden").order_by("garden__name").first()
    )
    if membership is not None:
        return redirect(membership.garden.get_workspace_url())
    if is_network_reader(request.user):
        return redirect("network_portal:home")
    return redirect("members:my-page")
