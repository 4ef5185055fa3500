"""The target company list's filters; every choice list starts from the garden."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.widgets import QuickSelect
from gardens.models import Coverage, IndustryCode, Municipality

from .models import Company, TargetCompany


class TargetCompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    # QuickSelect: the same HTML as Django's select, without a template include per option.
    phase = django_filters.ChoiceFilter(choices=TargetCompany.Phase.choices, label=_("Phase"), empty_label=_("All"),
                                        widget=QuickSelect)
    status = django_filters.ChoiceFilter(
        choices=TargetCompany.Status.choices, label=_("Status"), empty_label=_("All but merged"), widget=QuickSelect
    )
    municipality = django_filters.ModelChoiceFilter(
        field_name="company__municipality", queryset=Municipality.objects.none(), label=_("Municipality"),
        empty_label=_("All"), widget=QuickSelect,
    )
    section = django_filters.ModelChoiceFilter(
        field_name="company__industry__section", to_field_name="section", queryset=IndustryCode.objects.none(),
        label=_("Industry"), empty_label=_("All"), method="filter_section", widget=QuickSelect,
    )
    adviser = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("Adviser"), empty_label=_("All"),
                                               widget=QuickSelect)
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
        # Two subqueries rather than joins: joining every company of every target record and then
        # DISTINCT cost more than the rest of the page at national scale.
        self.filters["municipality"].queryset = (
            Municipality.objects.current().filter(
                Q(pk__in=Coverage.objects.filter(garden=garden).values("municipality"))
                | Q(pk__in=Company.objects.filter(target_relations__garden=garden).values("municipality"))
            ).order_by("name")
        )
        self.filters["section"].queryset = IndustryCode.objects.filter(level=1).order_by("code")
        self.filters["adviser"].queryset = User.objects.filter(memberships__garden=garden).distinct().order_by(
            "full_name"
        )

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

    def filter_section(self, queryset, name, value):
        return queryset.filter(company__industry__section=value.section)
