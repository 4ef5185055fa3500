import pytest
from django.core.exceptions import ValidationError

from members.validators import normalise_org_number, validate_org_number


@pytest.mark.parametrize("raw", ["910000071", "910 000 071", "NO 910 000 071 MVA", "no910000071mva", "910.000.071"])
def test_pasted_forms_normalise_to_nine_digits(raw):
    assert normalise_org_number(raw) == "910000071"


@pytest.mark.parametrize(
    "value,code", [("91000007", "length"), ("91000007A", "format"), ("910000072", "checksum")]
)
def test_invalid_numbers_say_why(value, code):
    with pytest.raises(ValidationError) as error:
        validate_org_number(value)
    assert error.value.code == code
