"""Confirmation forms for erasing personal data: nothing is erased without a deliberate second step."""

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseContactForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, erase this contact person's personal data. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class DeleteAccountForm(forms.Form):
    """The person types their password again: a session left open on a shared computer is not enough."""

    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(
        label=_("Yes, delete my account and my personal data. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that the account is to be deleted.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password
