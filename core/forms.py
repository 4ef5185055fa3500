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


def browser_limits(form: forms.BaseForm) -> None:
    """Give each decimal field the browser-side `max` (and `min`) its database column allows.

    Django tells the browser a CharField's `maxlength` and an IntegerField's range itself, but
    not that a DecimalField of 14 digits refuses 10^14: without `max` the browser sends it and
    only the server says no. An explicit max/min already set (hours: 0–24) is kept.
    """
    for field in form.fields.values():
        if isinstance(field, forms.DecimalField) and field.max_digits is not None:
            places = field.decimal_places or 0
            largest = 10 ** (field.max_digits - places) - 10 ** -places if places else 10 ** field.max_digits - 1
            text = f"{largest:.{places}f}"
            field.widget.attrs.setdefault("max", field.max_value if field.max_value is not None else text)
            field.widget.attrs.setdefault("min", field.min_value if field.min_value is not None else f"-{text}")
