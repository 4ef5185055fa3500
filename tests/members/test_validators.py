import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.orgnr import MESSAGES, clean_org_number, normalise_org_number, org_number_error, validate_org_number


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


# --- clean_org_number: the one rule forms, services and the import share -------------------------


@pytest.mark.parametrize("raw", [
    "910000071", " 910 000 071 ", "910.000.071", "910-000-071", "910\u00a0000\u00a0071", "910\t000071",
    "NO 910 000 071 MVA", "NO910000071MVA", "no 910.000.071 mva", "910 000 071 MVA", "NO 910000071",
])
def test_clean_strips_spaces_dots_hyphens_and_the_vat_decorations(raw):
    assert clean_org_number(raw) == "910000071"
    assert clean_org_number(raw, required=True) == "910000071"


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_clean_gives_empty_for_an_optional_empty_value(empty):
    assert clean_org_number(empty) == ""


def test_clean_refuses_an_empty_value_when_required():
    with translation.override("nb"), pytest.raises(ValidationError) as error:
        clean_org_number("  ", required=True)
    assert error.value.code == "required"
    assert error.value.messages == ["Organisasjonsnummeret mangler."]


@pytest.mark.parametrize("raw,code,bokmal,english", [
    ("12345", "length", "Et organisasjonsnummer har nøyaktig 9 siffer.",
     "An organisasjonsnummer has exactly 9 digits."),
    ("9100000711", "length", "Et organisasjonsnummer har nøyaktig 9 siffer.",
     "An organisasjonsnummer has exactly 9 digits."),
    ("MVA", "format", "Et organisasjonsnummer består bare av siffer.",  # decoration only: refused, not dropped
     "An organisasjonsnummer has only digits."),
    ("91000007A", "format", "Et organisasjonsnummer består bare av siffer.",
     "An organisasjonsnummer has only digits."),
    ("NO 910 000 072 MVA", "checksum",
     "910000072 er ikke et gyldig organisasjonsnummer (kontrollsifferet stemmer ikke).",
     "910000072 is not a valid organisasjonsnummer (the check digit does not match)."),
])
def test_clean_says_why_a_number_is_wrong_in_the_active_language(raw, code, bokmal, english):
    for required in (False, True):
        with pytest.raises(ValidationError) as error:
            clean_org_number(raw, required=required)
        assert error.value.code == code
        with translation.override("nb"):
            assert error.value.messages == [bokmal]
        with translation.override("en"):
            assert error.value.messages == [english]


def test_every_refusal_carries_a_msgid_the_import_can_store():
    # The import stores MESSAGES[code] % params and translates when shown; the codes must match.
    for raw, code in (("12345", "length"), ("91000007A", "format"), ("910000072", "checksum")):
        assert org_number_error(normalise_org_number(raw)) == code
        with pytest.raises(ValidationError) as error:
            clean_org_number(raw)
        assert error.value.code == code
        with translation.override("en"):  # the msgid is the English sentence
            assert MESSAGES[code] % error.value.params == error.value.messages[0]
    assert org_number_error("910000071") is None
    assert set(MESSAGES) == {"required", "length", "format", "checksum"}
