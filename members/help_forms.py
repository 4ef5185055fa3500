"""Forms for help requests: asking a garden, and the staff's answer, assignment and conversion."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import orgnr
from core.models import User
from gardens.models import Garden, Municipality
from gardens.selectors import current_municipalities

from .forms import (
    AdviserChoiceField,
    DateInput,
    MunicipalityChoiceField,
    garden_staff_queryset,
)
from .models import HelpRequest


class AskForm(forms.Form):
    """Ask a garden for help. Signed-in people are not asked for name and e-mail."""

    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Your e-mail address"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False,
                                   help_text=_("Optional, if you have a company."))
    org_number = forms.CharField(label=_("Organisasjonsnummer"), max_length=20, required=False,
                                 help_text=_("Optional. Nine digits."))
    municipality = MunicipalityChoiceField(queryset=Municipality.objects.none(), required=False,
                                           label=_("Your municipality"))
    message = forms.CharField(label=_("What would you like help with?"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    # The spam trap: hidden from people (CSS and aria-hidden), filled in by bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    field_order = ["name", "email", "message", "company_name", "org_number", "municipality", "website"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = current_municipalities()
        if user is not None and user.is_authenticated:
            del self.fields["name"]
            del self.fields["email"]

    def clean_org_number(self) -> str:
        return orgnr.clean_org_number(self.cleaned_data["org_number"])

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(HelpRequest.Status.choices))


class AssignForm(forms.Form):
    assigned_to = AdviserChoiceField(queryset=User.objects.none(), required=False, label=_("Assigned to"),
                                     empty_label=_("Nobody"))

    def __init__(self, *args, garden: Garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = garden_staff_queryset(garden)


class ReplyForm(forms.Form):
    """The entrepreneur's reply to the garden's answer (on /min-side/)."""

    body = forms.CharField(label=_("Your reply"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("E-mailed to the requester and shown on their page."))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Internal note (optional)"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ConvertForm(forms.Form):
    """Register the requester's company as a target company; prefilled from the request."""

    org_number = forms.CharField(label=_("Organisasjonsnummer"), max_length=20)
    name = forms.CharField(label=_("Company name"), max_length=200)
    municipality = MunicipalityChoiceField(queryset=Municipality.objects.none(), required=False,
                                           label=_("Municipality"))
    contract_start = forms.DateField(label=_("Contract start"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = current_municipalities()

    def clean_org_number(self) -> str:
        return orgnr.clean_org_number(self.cleaned_data["org_number"], required=True)

    @staticmethod
    def initial_for(help_request: HelpRequest) -> dict:
        return {
            "org_number": help_request.org_number,
            "name": help_request.company_name,
            "municipality": help_request.municipality_id,
            "contract_start": timezone.localdate(),
        }
