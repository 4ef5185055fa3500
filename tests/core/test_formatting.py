"""Money and numbers the Norwegian way: grouped with non-breaking spaces, decimal comma, real minus."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.formatting import nok, number_nb

NBSP = "\u00a0"
D = Decimal


@pytest.mark.parametrize("value,expected", [
    (D("6000000"), f"6{NBSP}000{NBSP}000{NBSP}kr"),
    (D("250000.5"), f"250{NBSP}000,50{NBSP}kr"),
    (D("250000.50"), f"250{NBSP}000,50{NBSP}kr"),
    (D("5749999.50"), f"5{NBSP}749{NBSP}999,50{NBSP}kr"),
    (D("999"), f"999{NBSP}kr"),
    (D("0"), f"0{NBSP}kr"),
    (D("-10000.00"), f"\u221210{NBSP}000{NBSP}kr"),
    (1234567, f"1{NBSP}234{NBSP}567{NBSP}kr"),
    ("1500.25", f"1{NBSP}500,25{NBSP}kr"),
])
def test_nok_writes_norwegian_amounts(value, expected):
    assert nok(value) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_nok_of_nothing_is_empty(value):
    assert nok(value) == ""


@pytest.mark.parametrize("value,expected", [
    (D("12.5"), "12,5"),
    (1234567, f"1{NBSP}234{NBSP}567"),
    (D("1234567"), f"1{NBSP}234{NBSP}567"),
    (D("1.50"), "1,5"),  # hours are stored with two decimals; only the meaningful ones are shown
    (D("12.0"), "12"),
    (D("0.25"), "0,25"),
    (D("1234.75"), f"1{NBSP}234,75"),
    (D("-1500.5"), f"\u22121{NBSP}500,5"),
    (D("-0.0"), "0"),
    (D("1E+3"), f"1{NBSP}000"),
    (0, "0"),
    (999, "999"),
    (2.5, "2,5"),
    ("40", "40"),
])
def test_number_nb_groups_thousands_and_uses_a_decimal_comma(value, expected):
    assert number_nb(value) == expected


@pytest.mark.parametrize("value", [None, "", "not a number", True, D("NaN"), float("inf")])
def test_number_nb_of_nothing_or_not_a_number_is_empty(value):
    assert number_nb(value) == ""


@pytest.mark.parametrize("language", ["nb", "en"])
def test_filters_write_norwegian_in_either_language(language):
    template = Template("{% load formatting %}{{ turnover|nok }} | {{ employees|number_nb }} | {{ missing|number_nb }}")
    with translation.override(language):
        html = template.render(Context({"turnover": D("1234567"), "employees": D("12.5"), "missing": None}))
    assert html == f"1{NBSP}234{NBSP}567{NBSP}kr | 12,5 | "
