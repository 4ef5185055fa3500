"""Forms for the garden's staff page and the invitation link."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import IndustryCode, Invitation, StaffMembership, StaffProfile


class InvitationForm(forms.Form):
    """Invite a colleague: the address they use at work and their role."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=StaffMembership.Role.choices,
                             initial=StaffMembership.Role.STAFF)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffMembership.Role.choices)


class NewAccountForm(forms.Form):
    """The invitee's new account: the e-mail address is the invitation's, fixed."""

    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 10 characters, not a common password."))
    password2 = forms.CharField(label=_("Password (again)"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Write your name."))
        return name

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            from core.models import User

            # Validated against the future account, so a password like the e-mail address is refused.
            candidate = User(email=self.invitation.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class StaffProfileForm(forms.ModelForm):
    """A staff member's own competence profile; municipalities limited to those their gardens cover."""

    class Meta:
        model = StaffProfile
        fields = ["headline", "bio", "competence_areas", "industry_sections", "languages",
                  "municipalities_served", "capacity_note", "capacity_hours_per_month", "is_public"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "competence_areas": forms.CheckboxSelectMultiple,
            "industry_sections": forms.CheckboxSelectMultiple,
            "municipalities_served": forms.CheckboxSelectMultiple,
            "capacity_hours_per_month": forms.NumberInput(attrs={"min": 0, "max": 200}),
        }
        labels = {
            "competence_areas": _("Competence areas"),
            "industry_sections": _("Industries you know well"),
            "municipalities_served": _("Municipalities you serve"),
            "is_public": _("Publish my profile in the competence directory"),
        }
        help_texts = {
            "languages": _("For example: norsk, English, sámegiella."),
            "capacity_note": _("What you can offer other gardens, for example \"two days a month for workshops\"."),
        }

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities_served"].queryset = municipalities
        self.fields["industry_sections"].queryset = IndustryCode.objects.filter(level=1).order_by("code")
        self.fields["competence_areas"].queryset = self.fields["competence_areas"].queryset.order_by("name")

    def clean_capacity_hours_per_month(self):
        hours = self.cleaned_data.get("capacity_hours_per_month")
        if hours is not None and hours > 200:
            raise forms.ValidationError(_("Write at most 200 hours a month."))
        return hours
