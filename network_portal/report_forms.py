"""The filter of the network reports: period, and (for readers) garden, network and county."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gardens.access import ReportAccess
from gardens.models import County, Garden, Network

from .reports import Period, ReportFilter, years_with_data


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, required=False, empty_value=None,
        choices=[("", _("The whole year")), (1, _("1st quarter")), (2, _("2nd quarter")), (3, _("3rd quarter")),
                 (4, _("4th quarter"))],
    )
    garden = forms.ModelChoiceField(Garden.objects.none(), label=_("Garden"), required=False,
                                    empty_label=_("All gardens"))
    network = forms.ModelChoiceField(Network.objects.none(), label=_("Network"), required=False,
                                     empty_label=_("All networks"))
    county = forms.ModelChoiceField(County.objects.none(), label=_("County"), required=False,
                                    empty_label=_("All counties"))

    def __init__(self, *args, access: ReportAccess, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        years = years_with_data()
        self.fields["year"].choices = [(y, str(y)) for y in years]
        # Early in a year, last year is the latest full one.
        self.default_year = years[0] if timezone.localdate().month > 3 or len(years) == 1 else years[1]
        if access.names_gardens:
            self.fields["garden"].queryset = Garden.objects.order_by("name")
            self.fields["network"].queryset = Network.objects.order_by("name")
            counties = County.objects.order_by("-valid_from", "number")
            if access.county_ids:
                counties = counties.filter(pk__in=access.county_ids)
            self.fields["county"].queryset = counties
        else:  # staff compare their own garden with the network: no other garden by name
            for name in ("garden", "network", "county"):
                del self.fields[name]

    def report_filter(self) -> ReportFilter:
        """The chosen filter; a value that does not validate falls back to its default."""
        data = self.cleaned_data if self.is_valid() else {}
        period = Period(data.get("year") or self.default_year, data.get("quarter"))
        county = data.get("county")
        return ReportFilter(period=period, garden=data.get("garden"), network=data.get("network"),
                            county_ids=frozenset([county.pk]) if county else frozenset())
