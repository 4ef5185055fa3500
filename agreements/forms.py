"""Forms for agreements. Choice lists start from the agreement's parties."""


from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_upload
from members.forms import AdviserChoiceField, DateInput

from .models import ActionItem, Agreement, Meeting
from .selectors import party_people

DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".doc", ".odt", ".txt", ".xlsx", ".png", ".jpg", ".jpeg"}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name()


class MeetingForm(forms.ModelForm):
    link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    attendees = PeopleField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Attendees from the gardens")
    )

    class Meta:
        model = Meeting
        fields = ["title", "obligation", "date", "status", "place", "link", "agenda", "minutes", "attendees",
                  "external_attendees"]
        widgets = {
            "date": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "external_attendees": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = party_people(agreement)
        self.fields["obligation"].queryset = agreement.obligations.all()
        self.fields["obligation"].required = False
        self.fields["obligation"].label = _("Obligation")
        self.fields["obligation"].help_text = _("The recurring commitment this meeting fulfils, if any.")

    def clean(self):
        data = super().clean()
        if data.get("status") == Meeting.Status.HELD and not (data.get("minutes") or "").strip():
            self.add_error("minutes", _("Write the minutes (or a short summary) when recording a meeting as held."))
        return data


class ActionItemForm(forms.ModelForm):
    owner = AdviserChoiceField(queryset=None, required=False, label=_("Owner"))

    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_on"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = party_people(agreement)
        self.fields["owner"].help_text = _("A person working in one of the party gardens.")


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, ODT, Excel, text or an image; at most 20 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, extensions=DOCUMENT_EXTENSIONS, max_bytes=DOCUMENT_MAX_BYTES,
                        type_message=_("Upload the document as PDF, Word, ODT, Excel, text or an image."),
                        size_message=_("The file is larger than 20 MB."))
        return upload
