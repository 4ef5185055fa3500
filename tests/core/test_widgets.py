"""QuickSelect writes exactly what Django's select template writes."""

import pytest
from django import forms

from core.widgets import QuickSelect

CHOICES = [("", "Alle"), ("a", "Å & Ø <b>"), (3, "tre"), ("Gruppe", [("x", "X"), ("y", "Y")])]


@pytest.mark.parametrize("value", [None, "a", "3", "y", ["a", "y"]])
@pytest.mark.parametrize("attrs", [{}, {"id": "id_f", "required": True, "disabled": False, "data-x": 'q"'}])
def test_the_same_html_as_django_select(value, attrs):
    expected = forms.Select(choices=CHOICES).render("f", value, attrs=attrs)
    assert QuickSelect(choices=CHOICES).render("f", value, attrs=attrs) == expected
    assert 'value="a"' in expected and "&lt;b&gt;" in expected


def test_multiple_selection_is_rendered_alike():
    expected = forms.SelectMultiple(choices=CHOICES).render("f", ["a", "x"])

    class QuickMultiple(QuickSelect):
        allow_multiple_selected = True

    assert QuickMultiple(choices=CHOICES).render("f", ["a", "x"]).replace(' multiple', '') == \
        expected.replace(' multiple', '')
