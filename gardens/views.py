from django.shortcuts import get_object_or_404, render
from django.views.generic import TemplateView

from agreements.models import Agreement
from projects.models import Project

from .access import GardenScopedMixin
from .models import Garden
from .selectors import garden_coverage, garden_staff, gardens_for_directory, gardens_serving, municipality_search


def garden_list(request):
    """The public directory of gardens."""
    return render(request, "gardens/garden_list.html", {"gardens": gardens_for_directory()})


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
    return render(request, "gardens/garden_detail.html", context)


def find_garden(request):
    """Find the garden that serves a municipality, by name or by number (old numbers too)."""
    query = request.GET.get("q", "").strip()
    municipalities = municipality_search(query) if query else []
    coverages = gardens_serving(municipalities) if municipalities else []
    served = {c.municipality_id for c in coverages}
    return render(
        request,
        "gardens/find.html",
        {
            "query": query,
            "municipalities": municipalities,
            "coverages": coverages,
            "unserved": [m for m in municipalities if m.pk not in served],
        },
    )


class WorkspaceView(GardenScopedMixin, TemplateView):
    """The garden's workspace: what staff open every morning."""

    template_name = "gardens/workspace.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        garden = self.request.garden
        context["staff"] = garden_staff(garden)
        context["coverage_now"], _ = garden_coverage(garden)
        context["target_companies"] = list(
            garden.target_companies.filter(status="active")
            .select_related("company__municipality")
            .order_by("-updated_at")[:10]
        )
        return context
