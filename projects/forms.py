"""Forms for project budgets, spending, milestones and reports. Amounts accept Norwegian notation."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_upload
from gardens.models import Garden, Organisation

from .models import BudgetLine, Project
from .selectors import party_gardens

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")


def parse_nok(text: str) -> Decimal:
    """'1 234,50' (or '1234.50', '1.234,50', '250 000,50 kr') → Decimal('1234.50'); ValueError if unreadable."""
    value = _SPACES.sub("", str(text)).lower().removesuffix("kr").removesuffix(",-")
    if "," in value:  # Norwegian: comma for decimals, dots (if any) group thousands
        value = value.replace(".", "").replace(",", ".")
    if not _AMOUNT.fullmatch(value):
        raise ValueError(text)
    try:
        return Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(text) from exc


class NokAmountField(forms.CharField):
    """An amount in kroner: spaces between thousands and a decimal comma are fine."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("help_text", _("In kroner, for example 1 234,50."))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            amount = parse_nok(text)
        except ValueError:
            raise ValidationError(_("Write the amount in kroner, for example 1 234,50.")) from None
        if amount < 0:
            raise ValidationError(_("The amount cannot be negative."))
        if amount == 0 and not self.allow_zero:
            raise ValidationError(_("The amount must be more than zero."))
        if amount >= Decimal("1000000000000"):
            raise ValidationError(_("The amount is too large."))
        return amount


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, initial=timezone.localdate().year)


class ProjectChoicesMixin:
    """Gardens, funders and budget lines are limited to this project."""

    def _scope(self, project: Project) -> None:
        if "garden" in self.fields:
            self.fields["garden"].queryset = party_gardens(project).order_by("name")
        if "funder" in self.fields:
            self.fields["funder"].queryset = Organisation.objects.filter(grants__project=project).distinct().order_by(
                "name"
            )
        if "budget_line" in self.fields:
            self.fields["budget_line"].queryset = BudgetLine.objects.filter(project=project).select_related("garden")


class ExpenseForm(ProjectChoicesMixin, forms.Form):
    year = _year_field()
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = NokAmountField(label=_("Amount (NOK)"))
    funder = forms.ModelChoiceField(Organisation.objects.none(), label=_("Funder"), required=False,
                                    empty_label=_("— not stated —"))
    garden = forms.ModelChoiceField(Garden.objects.none(), label=_("Partner garden"), required=False,
                                    empty_label=_("— not stated —"))
    budget_line = forms.ModelChoiceField(BudgetLine.objects.none(), label=_("Budget line"), required=False,
                                         empty_label=_("— none —"))
    description = forms.CharField(label=_("Description"), max_length=300)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope(project)
        self.fields["date"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        date: datetime.date | None = data.get("date")
        year = data.get("year")
        if date and year and abs(date.year - year) > 1:
            self.add_error("date", _("The date is far from the year you chose. Check both."))
        return data


class BudgetLineForm(ProjectChoicesMixin, forms.Form):
    year = _year_field()
    category = forms.ChoiceField(label=_("Category"), choices=BudgetLine.Category.choices)
    garden = forms.ModelChoiceField(Garden.objects.none(), label=_("Partner garden"), required=False,
                                    empty_label=_("— whole project —"))
    amount = NokAmountField(label=_("Amount (NOK)"), allow_zero=True)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope(project)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=100, help_text=_("For example “2025”."))
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class ReportSubmitForm(forms.Form):
    submitted_on = forms.DateField(label=_("Submitted on"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(label=_("File"), required=False, help_text=_("PDF or office document, at most 20 MB."))

    def clean_file(self):
        file = self.cleaned_data.get("file")
        validate_upload(file, extensions={".pdf", ".docx", ".doc", ".odt", ".xlsx", ".xls", ".ods"},
                        max_bytes=20 * 1024 * 1024, type_message=_("Upload the report as PDF or an office document."),
                        size_message=_("The file is larger than 20 MB."))
        return file


class GrantSplitForm(forms.Form):
    """One row (year, amount) per year of the project; empty rows are ignored."""

    def __init__(self, *args, rows: int, first_year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i in range(1, rows + 1):
            self.fields[f"year_{i}"] = forms.IntegerField(
                label=_("Year %(n)s") % {"n": i}, min_value=1990, max_value=2100, required=False,
                initial=first_year + i - 1 if first_year else None,
            )
            self.fields[f"amount_{i}"] = NokAmountField(label=_("Amount %(n)s (NOK)") % {"n": i}, required=False)

    def clean(self):
        data = super().clean()
        parts = []
        for i in range(1, self.rows + 1):
            year, amount = data.get(f"year_{i}"), data.get(f"amount_{i}")
            if year is None and amount is None:
                continue
            if year is None or amount is None:
                self.add_error(f"year_{i}" if year is None else f"amount_{i}", _("Give both the year and the amount."))
                continue
            parts.append((year, amount))
        data["parts"] = parts
        return data
