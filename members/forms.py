"""Forms for target company records. Choice lists start from the garden."""


from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import orgnr
from core.forms import IdChoiceField, IdMultipleChoiceField, browser_limits
from core.models import User
from core.uploads import validate_upload
from core.widgets import QuickSelect
from gardens.models import Garden, IndustryCode, Municipality, StaffMembership
from gardens.selectors import current_municipalities

from .models import ContactPerson, DevelopmentGoal, FollowUpEntry, KeyFigures, TargetCompany
from .sharing import share_colleague_choices

CONTRACT_EXTENSIONS = {".pdf", ".docx", ".doc", ".odt", ".png", ".jpg", ".jpeg"}
CONTRACT_MAX_BYTES = 10 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def garden_staff_queryset(garden: Garden):
    """People who work in `garden` today: the only advisers a garden may pick."""
    today = timezone.localdate()
    return (
        User.objects.filter(memberships__garden=garden, memberships__in=garden.memberships.valid_on(today))
        .distinct()
        .order_by("full_name", "email")
    )


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.display_name} ({obj.number})"


class _ReadOnceChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices from the queryset itself, not queryset.iterator(): on PostgreSQL that is a server-side
    cursor (three round trips) for a list of a few dozen people, read again every time it is iterated."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class AdviserChoiceField(forms.ModelChoiceField):
    # QuickSelect: the same HTML as Django's select, without a template include per person.
    widget = QuickSelect
    iterator = _ReadOnceChoiceIterator

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


class IndustryCodeField(forms.CharField):
    """An SN2007 code typed as the register writes it (62.010); empty allowed."""

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        code = IndustryCode.objects.filter(code=value).first()
        if code is None:
            raise forms.ValidationError(
                _("%(code)s is not an SN2007 industry code. Write it like 62.010 or 01.1."), params={"code": value}
            )
        return code


def validate_contract_file(upload) -> None:
    validate_upload(upload, extensions=CONTRACT_EXTENSIONS, max_bytes=CONTRACT_MAX_BYTES,
                    type_message=_("Upload the contract as PDF, Word, ODT or an image."),
                    size_message=_("The file is larger than 10 MB."))


class TargetCompanyForm(forms.Form):
    """Create or edit a target company record (the company's own fields included)."""

    org_number = forms.CharField(label=_("Organisasjonsnummer"), max_length=20)
    name = forms.CharField(label=_("Company name"), max_length=200)
    municipality = MunicipalityChoiceField(queryset=Municipality.objects.none(), required=False,
                                           label=_("Municipality"))
    industry = IndustryCodeField(label=_("Industry code (SN2007)"), required=False,
                                 help_text=_("For example 10.890 or 62.010."))
    contract_start = forms.DateField(label=_("Contract start"), widget=DateInput())
    contract_end = forms.DateField(label=_("Contract end"), widget=DateInput(), required=False)
    contract_file = forms.FileField(label=_("Signed contract"), required=False,
                                    help_text=_("PDF, Word, ODT or an image, at most 10 MB."))
    phase = forms.ChoiceField(label=_("Phase"), choices=TargetCompany.Phase.choices)
    adviser = AdviserChoiceField(queryset=User.objects.none(), required=False, label=_("Responsible adviser"))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, garden: Garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.garden = garden
        self.fields["municipality"].queryset = current_municipalities()
        self.fields["adviser"].queryset = garden_staff_queryset(garden)

    def clean_org_number(self) -> str:
        return orgnr.clean_org_number(self.cleaned_data["org_number"], required=True)

    def clean_contract_file(self):
        upload = self.cleaned_data.get("contract_file")
        validate_contract_file(upload)
        return upload

    def clean(self):
        data = super().clean()
        start, end = data.get("contract_start"), data.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", _("The contract end cannot be before its start."))
        return data


class TargetCompanyEditForm(TargetCompanyForm):
    """Editing adds status and the version the form was loaded at (no lost updates)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[c for c in TargetCompany.Status.choices if c[0] != TargetCompany.Status.MERGED],
    )
    withdrawn_reason = forms.CharField(label=_("Reason for withdrawal"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput())

    field_order = ["name", "municipality", "industry", "contract_start", "contract_end", "contract_file", "phase",
                   "status", "withdrawn_reason", "adviser", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisasjonsnummer is the record's identity; a wrong one is fixed by merging.
        del self.fields["org_number"]

    def clean(self):
        data = super().clean()
        if data.get("status") == TargetCompany.Status.WITHDRAWN and not data.get("withdrawn_reason", "").strip():
            self.add_error("withdrawn_reason", _("Say why the company withdrew."))
        return data

    @staticmethod
    def initial_for(target: TargetCompany) -> dict:
        company = target.company
        return {
            "name": company.name,
            "municipality": company.municipality_id,
            "industry": company.industry.code if company.industry_id else "",
            "contract_start": target.contract_start,
            "contract_end": target.contract_end,
            "phase": target.phase,
            "status": target.status,
            "withdrawn_reason": target.withdrawn_reason,
            "adviser": target.adviser_id,
            "notes": target.notes,
            "version": target.version,
        }


class FollowUpForm(forms.ModelForm):
    adviser = AdviserChoiceField(queryset=User.objects.none(), required=False, label=_("Adviser"))

    class Meta:
        model = FollowUpEntry
        fields = ["date", "kind", "hours", "adviser", "summary", "next_step", "own_share"]
        widgets = {"date": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, garden: Garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = garden_staff_queryset(garden)
        # The same limits as clean_hours, so the browser says it before the server does.
        self.fields["hours"].widget.attrs.update(min="0", max="24", step="0.25")
        self.fields["own_share"].widget.attrs.update(min="0")
        browser_limits(self)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and (hours < 0 or hours > 24):
            raise forms.ValidationError(_("Hours must be between 0 and 24 for one entry."))
        return hours

    def clean_own_share(self):
        share = self.cleaned_data["own_share"]
        if share is not None and share < 0:
            raise forms.ValidationError(_("The own share cannot be negative."))
        return share


# A PositiveSmallIntegerField's largest value on PostgreSQL.
SMALL_INT_MAX = 32767


class KeyFiguresForm(forms.ModelForm):
    class Meta:
        model = KeyFigures
        fields = ["year", "turnover", "value_creation", "employees", "women_in_leadership", "leaders_total"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's limits are clean()'s (women > positions can only be checked on the server).
        self.fields["year"].widget.attrs.update(min="1990", max=str(timezone.localdate().year + 1))
        self.fields["employees"].widget.attrs.update(min="0")
        # The column's range on every database (SQLite would not check it, PostgreSQL would fail).
        for name in ("women_in_leadership", "leaders_total"):
            field = self.fields[name]
            field.max_value = SMALL_INT_MAX
            field.validators.append(MaxValueValidator(SMALL_INT_MAX))
            field.widget.attrs["max"] = str(SMALL_INT_MAX)
        browser_limits(self)

    def clean_employees(self):
        employees = self.cleaned_data["employees"]
        if employees is not None and employees < 0:
            raise forms.ValidationError(_("The number of employees cannot be negative."))
        return employees

    def clean(self):
        data = super().clean()
        women, total = data.get("women_in_leadership"), data.get("leaders_total")
        if women is not None and total is not None and women > total:
            self.add_error("women_in_leadership", _("Cannot be more than the leading positions in all."))
        year = data.get("year")
        if year is not None and not 1990 <= year <= timezone.localdate().year + 1:
            self.add_error("year", _("Give a year between 1990 and next year."))
        return data

    def validate_unique(self):
        # One row per year is kept by saving into the existing year (see the view).
        pass


class GoalForm(forms.ModelForm):
    class Meta:
        model = DevelopmentGoal
        fields = ["description", "status", "due"]
        widgets = {"due": DateInput()}


class GoalStatusForm(forms.ModelForm):
    class Meta:
        model = DevelopmentGoal
        fields = ["status"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "role", "email", "phone", "legal_basis"]


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(queryset=TargetCompany.objects.none(), label=_("Duplicate record"))

    def __init__(self, *args, target: TargetCompany, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = (
            target.garden.target_companies.filter(company=target.company)
            .exclude(pk=target.pk)
            .exclude(status=TargetCompany.Status.MERGED)
        )
        self.fields["duplicate"].label_from_instance = lambda t: (
            f"{t.company.name} · {t.get_status_display()} · {t.contract_start:%d.%m.%Y}"
        )


class TransferForm(forms.Form):
    """Hand target companies to another garden. Every other garden may receive (gardens are not people)."""

    to_garden = IdChoiceField(queryset=Garden.objects.none(), label=_("Receiving garden"))
    targets = IdMultipleChoiceField(
        queryset=TargetCompany.objects.none(), label=_("Target companies to transfer"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one target company to transfer.")},
    )
    note = forms.CharField(label=_("Note to the receiving garden"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, garden: Garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_garden"].queryset = Garden.objects.exclude(pk=garden.pk).order_by("name")
        # Active records not already waiting in another transfer; all ticked, as a garden leaving hands over all.
        self.fields["targets"].queryset = (
            garden.target_companies.filter(status=TargetCompany.Status.ACTIVE)
            .exclude(transfer_requests__status="pending")
            .select_related("company")
            .order_by("company__name")
        )
        self.fields["targets"].label_from_instance = lambda t: f"{t.company.name} ({t.company.org_number})"
        if not self.is_bound:
            self.initial.setdefault("targets", list(self.fields["targets"].queryset))


class ShareRequestForm(forms.Form):
    colleague = forms.ModelChoiceField(queryset=StaffMembership.objects.none(), label=_("Colleague in another garden"))
    message = forms.CharField(label=_("What do you need help with?"),
                              widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = share_colleague_choices(garden)
        self.fields["colleague"].label_from_instance = lambda m: f"{m.user.get_full_name()} – {m.garden.name}"


class ShareAnswerForm(forms.Form):
    note = forms.CharField(label=_("Message to the asking garden (optional)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SignupForm(AllauthSignupForm):
    """Public sign-up for entrepreneurs: e-mail, password twice and their full name."""

    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))

    field_order = ["full_name", "email", "password1", "password2"]

    def save(self, request):
        user = super().save(request)
        if user is not None:  # None when allauth sends "account exists" mail instead (enumeration guard)
            user.full_name = self.cleaned_data["full_name"].strip()
            user.save(update_fields=["full_name"])
        return user


class EntrepreneurProfileForm(forms.Form):
    """The short profile on /min-side/: name, company (optional) and municipality."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    org_number = forms.CharField(label=_("Organisasjonsnummer"), max_length=20, required=False,
                                 help_text=_("Optional. Nine digits; leave empty if you have no company yet."))
    municipality = MunicipalityChoiceField(queryset=Municipality.objects.none(), required=False,
                                           label=_("Municipality"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = current_municipalities()

    def clean_org_number(self) -> str:
        return orgnr.clean_org_number(self.cleaned_data["org_number"])
