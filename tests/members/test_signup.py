"""Entrepreneurs sign up themselves, confirm their e-mail address, and keep a short profile on /min-side/."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from core.models import AuditEntry, User
from members.models import EntrepreneurProfile
from tests.factories import MunicipalityFactory, valid_org_number

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _signup_open(settings):
    """Public sign-up is closed unless PORTAL_SIGNUP_OPEN=true (the default is false); these tests open it."""
    settings.PORTAL_SIGNUP_OPEN = True


PASSWORD = "fjellbekk-morgen-42"
SIGNUP = {"full_name": "Tora Tynset", "email": "Tora@Example.org", "password1": PASSWORD, "password2": PASSWORD}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Rate limits live in the cache, which outlives a test: give each test an empty one of its own.

    Never cache.clear() the configured cache: with REDIS_URL that would flush the broker's database.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "help-requests-test"}}
    cache.clear()


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what a request queued on commit (the outbox's mail task), as the end of a real request does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sign_up(client, data=None):
    return client.post(reverse("account_signup"), data or SIGNUP)


def confirmation_link(message) -> str:
    return re.search(r"https?://\S+/konto/confirm-email/\S+/", message.body).group(0)


def log_in(client, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": "tora@example.org", "password": password})


def test_signup_page_is_open_with_labelled_fields(client):
    page = client.get(reverse("account_signup")).content.decode()
    for label, field in (("Fullt navn", "id_full_name"), ("E-postadresse", "id_email"), ("Passord", "id_password1"),
                         ("Passord (gjenta)", "id_password2")):
        assert f'<label for="{field}">{label}</label>' in page


def test_signup_can_be_closed_by_setting(client, settings):
    settings.PORTAL_SIGNUP_OPEN = False
    response = sign_up(client)
    assert not User.objects.exists()
    assert "signup_closed" in " ".join(t.name for t in response.templates)


def test_signup_sends_a_verification_mail_and_the_account_waits_for_it(client, sent):
    with sent():
        response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.full_name) == ("tora@example.org", "Tora Tynset")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["tora@example.org"]
    assert "/konto/confirm-email/" in mail.outbox[0].body
    # Through the portal's outbox, with an HTML part in the portal's layout.
    assert mail.outbox[0].subject.startswith("[Næringshagenettverket] ")
    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html" and '<a href="http://testserver/konto/confirm-email/' in html
    page = client.get(response["Location"]).content.decode()
    assert "Bekreft e-postadressen din" in page

    # Signing in before confirming does not let them in; allauth sends the link again.
    client.logout()
    response = log_in(client)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("members:my-page")).status_code == 302


def test_after_confirming_login_works(client, sent):
    with sent():
        sign_up(client)
    link = confirmation_link(mail.outbox[0])
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Bekreft at tora@example.org er e-postadressen din." in page.content.decode()
    client.post(link)
    assert EmailAddress.objects.get(email="tora@example.org").verified
    client.logout()
    response = log_in(client)
    assert response["Location"] == reverse("members:my-page")  # entrepreneurs land on their own page
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)
    assert client.get(reverse("members:my-page")).status_code == 200


def test_invalid_confirmation_link_says_so(client):
    page = client.get(reverse("account_confirm_email", kwargs={"key": "nope"})).content.decode()
    assert "utløpt eller ugyldig" in page


def test_password_mismatch_keeps_name_and_email(client):
    response = sign_up(client, {**SIGNUP, "password2": "something-else-entirely"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Tora Tynset"' in page and "password2_errors" in page
    assert not User.objects.exists()


def test_my_page_needs_sign_in(client):
    response = client.get(reverse("members:my-page"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_profile_refuses_an_invalid_org_number(client, entrepreneur):
    client.force_login(entrepreneur)
    response = client.post(reverse("members:my-page"), {"full_name": "Eli Gründer", "org_number": "123456789"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "kontrollsifferet" in page or "ikke et gyldig organisasjonsnummer" in page
    assert 'value="123456789"' in page
    assert not EntrepreneurProfile.objects.exists()


def test_profile_saves_name_org_number_and_municipality(client, entrepreneur):
    tynset = MunicipalityFactory(number="3427", name="Tynset")
    org = valid_org_number(77)
    client.force_login(entrepreneur)
    response = client.post(reverse("members:my-page"), {"full_name": "Eli Gründer-Hansen",
                                                        "org_number": f"{org[:3]} {org[3:6]} {org[6:]}",
                                                        "municipality": tynset.pk})
    assert response.status_code == 302
    profile = EntrepreneurProfile.objects.get(user=entrepreneur)
    assert (profile.org_number, profile.municipality) == (org, tynset)
    entrepreneur.refresh_from_db()
    assert entrepreneur.full_name == "Eli Gründer-Hansen"
    assert AuditEntry.objects.filter(action="members.entrepreneurprofile.updated").exists()
    # The org number is optional.
    client.post(reverse("members:my-page"), {"full_name": "Eli", "org_number": ""})
    profile.refresh_from_db()
    assert (profile.org_number, profile.municipality) == ("", None)


def test_entrepreneur_navigation_has_my_page(client, entrepreneur, staff_a):
    client.force_login(entrepreneur)
    assert 'href="/min-side/"' in client.get("/").content.decode()
    client.force_login(staff_a)
    assert 'href="/min-side/"' not in client.get("/").content.decode()


def test_network_readers_do_not_land_on_my_page(client, reader):
    response = client.post(reverse("account_login"), {"login": reader.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] != reverse("members:my-page")
