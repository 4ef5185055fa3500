"""The portal's own 403, 404 and 500 pages (DEBUG is off in the tests), and a log that says things once."""

import logging

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from core.logging import OneLineClientErrors
from tests.factories import TargetCompanyFactory


@pytest.mark.django_db
def test_404_is_the_portals_page_in_bokmal(client):
    response = client.get("/finnes-ikke/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="nb">' in html
    assert "Vi finner ikke den siden" in html
    assert reverse("network_portal:find") in html  # where to go from here
    assert "site-header" in html  # the portal's layout, not Django's bare page


@pytest.mark.django_db
def test_404_in_english_for_an_english_reader(client):
    client.cookies["portal_language"] = "en"
    html = client.get("/finnes-ikke/").content.decode()
    assert '<html lang="en">' in html and "We cannot find that page" in html


@pytest.mark.django_db
def test_outsider_gets_the_404_page_for_another_gardens_record(client, staff_b, garden_a):
    target = TargetCompanyFactory(garden=garden_a)
    client.force_login(staff_b)
    response = client.get(target.get_absolute_url())
    assert response.status_code == 404
    html = response.content.decode()
    assert "Vi finner ikke den siden" in html and target.company.name not in html


@pytest.mark.django_db
def test_reader_gets_the_403_page_in_the_layout(client, reader, garden_a):
    client.force_login(reader)
    response = client.get(reverse("members:company-create", kwargs={"garden_slug": garden_a.slug}))
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="nb">' in html and "Du har ikke lov til dette" in html
    assert reverse("network_portal:dashboard") in html  # back to their own start page


def test_500_renders_without_the_database():
    """No django_db mark: any query would fail this test. Django's server_error gives an empty context."""
    request = RequestFactory().get("/")
    with translation.override("nb"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="nb">' in html and "Noe gikk galt hos oss" in html
    assert "portal.css" in html


def test_403_logs_one_line_without_traceback():
    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",),
                                   sys.exc_info())
    record.status_code = 403
    assert OneLineClientErrors().filter(record) is True
    assert record.exc_info is None
    assert logging.Formatter().format(record) == "Forbidden: /x/"


def test_500_keeps_its_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                   sys.exc_info())
    record.status_code = 500
    OneLineClientErrors().filter(record)
    assert "ValueError: broken" in logging.Formatter().format(record)


def test_django_logs_each_request_warning_once(settings):
    """The django logger does not also hand its lines to the root logger (which printed them twice)."""
    assert settings.LOGGING["loggers"]["django"]["propagate"] is False
    django_logger = logging.getLogger("django")
    assert django_logger.propagate is False
    assert logging.getLogger("django.request").handlers == []  # it goes through "django", once


@pytest.mark.django_db
def test_accessibility_statement_is_linked_from_every_page(client):
    home = client.get(reverse("network_portal:home")).content.decode()
    assert reverse("network_portal:accessibility") in home
    html = client.get(reverse("network_portal:accessibility")).content.decode()
    assert "Tilgjengelighetserklæring" in html
    assert "WCAG 2.1" in html and "uutilsynet.no" in html
    assert "02.12.2026" in html  # the date of the statement


def test_no_template_comment_spans_lines():
    """`{# … #}` ends at the line: a comment over several lines is shown on the page as text."""
    for path in (settings_base() / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "{#" in line:
                assert "#}" in line[line.index("{#"):], f"{path}:{number} opens a {{# comment it does not close"


def settings_base():
    from django.conf import settings

    return settings.BASE_DIR
