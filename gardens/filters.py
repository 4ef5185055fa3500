"""The competence directory's filters. Every filter is a subquery, so no profile appears twice."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect

from .models import CompetenceArea, Coverage, Garden, Municipality, Network, StaffProfile
from .selectors import current_membership_exists, profiles_matching


class CompetenceDirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    area = django_filters.ModelChoiceFilter(
        queryset=CompetenceArea.objects.order_by("name"), label=_("Competence area"), empty_label=_("All"),
        method="filter_area", widget=QuickSelect,
    )
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.current().only("pk", "name", "number").order_by("name"),
        label=_("Municipality"), empty_label=_("All"), method="filter_municipality", widget=QuickSelect,
    )
    garden = django_filters.ModelChoiceFilter(
        queryset=Garden.objects.only("pk", "name").order_by("name"), label=_("Garden"), empty_label=_("All"),
        method="filter_garden", widget=QuickSelect,
    )
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.order_by("name"), label=_("Network"), empty_label=_("All"), method="filter_network",
        widget=QuickSelect,
    )

    class Meta:
        model = StaffProfile
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        return profiles_matching(queryset, value)

    def filter_area(self, queryset, name, value):
        links = StaffProfile.competence_areas.through.objects
        return queryset.filter(Exists(links.filter(staffprofile=OuterRef("pk"), competencearea=value)))

    def filter_municipality(self, queryset, name, value):
        """Served by the person, or covered today by a garden the person works in today."""
        served = Exists(
            StaffProfile.municipalities_served.through.objects.filter(staffprofile=OuterRef("pk"), municipality=value)
        )
        covering_gardens = Coverage.objects.current().filter(municipality=value).values("garden")
        return queryset.filter(Q(served) | Q(current_membership_exists(garden__in=covering_gardens)))

    def filter_garden(self, queryset, name, value):
        return queryset.filter(current_membership_exists(garden=value))

    def filter_network(self, queryset, name, value):
        return queryset.filter(current_membership_exists(garden__network_memberships__network=value))
