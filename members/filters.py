"""The target company list's filters; every choice list starts from the garden."""

import functools

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect

from .models import TargetCompany
from .selectors import filter_choices


class TargetCompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    # QuickSelect: the same HTML as Django's select, without a template include per option.
    phase = django_filters.ChoiceFilter(choices=TargetCompany.Phase.choices, label=_("Phase"), empty_label=_("All"),
                                        widget=QuickSelect)
    status = django_filters.ChoiceFilter(
        choices=TargetCompany.Status.choices, label=_("Status"), empty_label=_("All but merged"), widget=QuickSelect
    )
    # The next three are plain choices filled in __init__ from one values query each: model choice
    # fields made a model instance per option and read each list through a server-side cursor, and
    # that was a quarter of the page's time at national scale. Values are validated against them
    # as before (an unknown id is a form error, no filter).
    municipality = django_filters.ChoiceFilter(field_name="company__municipality", choices=[],
                                               label=_("Municipality"), empty_label=_("All"), widget=QuickSelect)
    section = django_filters.ChoiceFilter(field_name="company__industry__section", choices=[], label=_("Industry"),
                                          empty_label=_("All"), widget=QuickSelect)
    adviser = django_filters.ChoiceFilter(choices=[], label=_("Adviser"), empty_label=_("All"), widget=QuickSelect)
    # Bounded, so ?year=-1 or a 30-digit year is a form error (and no filter), never a database overflow.
    year = django_filters.NumberFilter(field_name="contract_start__year", label=_("Contract year"),
                                       min_value=1990, max_value=2100, decimal_places=0,
                                       widget=forms.NumberInput(attrs={"min": 1990, "max": 2100}))
    o = django_filters.OrderingFilter(
        fields=(
            ("company__name", "name"),
            ("contract_start", "start"),
            ("phase", "phase"),
            ("status", "status"),
            ("company__municipality__name", "municipality"),
        ),
        # Each direction said in words: django-filter's own labels read "Name (descending)"
        # and list "Name" twice (the empty choice is the default order, which is by name).
        choices=[
            ("name", _("Name (A–Å)")),
            ("-name", _("Name (Å–A)")),
            ("-start", _("Contract start (newest first)")),
            ("start", _("Contract start (oldest first)")),
            # Phase and status sort by their stored codes, which is no order a reader knows.
            ("phase", _("Phase")),
            ("-phase", _("Phase (reversed)")),
            ("status", _("Status")),
            ("-status", _("Status (reversed)")),
            ("municipality", _("Municipality (A–Å)")),
            ("-municipality", _("Municipality (Å–A)")),
        ],
        label=_("Sort by"),
        empty_label=None,
        widget=QuickSelect,
    )

    class Meta:
        model = TargetCompany
        fields: list[str] = []

    def __init__(self, *args, garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.garden = garden
        # Read when the form is shown or a value checked, once a request: an export with no filter set
        # reads none.
        choices = functools.cache(lambda: filter_choices(garden))
        for name in ("municipality", "section", "adviser"):
            self.filters[name].extra["choices"] = functools.partial(lambda name: choices()[name], name)

    @property
    def qs(self):
        qs = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("status"):
            qs = qs.exclude(status=TargetCompany.Status.MERGED)
        return qs

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = value.replace(" ", "")
        return queryset.filter(
            Q(company__name__icontains=value) | Q(company__org_number__startswith=compact) | Q(notes__icontains=value)
        )

