"""Form fields shared by every app: they validate before anything reaches the database."""

from django import forms

# The largest primary key any of our databases stores (a signed 64-bit integer); a bigger number
# would overflow SQLite's driver before the query runs, so it is simply not a valid choice.
MAX_ID = 2**63 - 1


def _id_or_none(value) -> bool:
    text = str(value).strip()
    return text.isdigit() and int(text) <= MAX_ID


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses a non-number or an overflowing id as an invalid choice."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and not _id_or_none(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses non-number or overflowing ids as invalid choices."""

    def _check_values(self, value):
        for pk in value:
            if self.to_field_name is None and not _id_or_none(pk):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": pk})
        return super()._check_values(value)
