"""Forms for the garden's staff page and the invitation link."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import Invitation, StaffMembership


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
            from members.models import User

            # Validated against the future account, so a password like the e-mail address is refused.
            candidate = User(email=self.invitation.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
