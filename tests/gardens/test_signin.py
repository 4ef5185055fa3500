"""Sign-in (issue 13): two-factor sign-in where the role needs it, one rate-limited sign-in path for the
admin site too, keyed on the real client address, staff idle timeout and sign-out everywhere."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.ratelimit import client_ip
from gardens.models import StaffMembership
from gardens.signin import LAST_SEEN_KEY
from tests.factories import MembershipFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN_URL = "/konto/login/"
MFA_SETUP_URL = "/konto/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts failed sign-ins and used codes in the cache; each test starts from nothing."""
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def test_admin_without_two_factor_is_sent_to_set_it_up_before_anything_else(client, garden_a):
    admin = MembershipFactory(garden=garden_a, role=StaffMembership.Role.ADMIN, totp=False).user

    response = sign_in(client, admin.email)
    assert response.status_code == 302

    for url in ["/oversikt/", f"/g/{garden_a.slug}/", "/min-konto/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == MFA_SETUP_URL
    # The setup page itself, and signing out, stay open.
    assert client.get(MFA_SETUP_URL).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("flags", [{"is_network_reader": True}, {"is_superuser": True, "is_staff": True}])
def test_readers_and_superusers_must_set_up_two_factor(client, flags):
    user = UserFactory(totp=False, **flags)

    sign_in(client, user.email)

    assert client.get("/oversikt/")["Location"] == MFA_SETUP_URL


def test_staff_and_entrepreneurs_are_not_forced_but_offered_it(client, garden_a):
    staff = MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF).user
    sign_in(client, staff.email)

    assert client.get(f"/g/{garden_a.slug}/").status_code == 200
    page = client.get("/min-konto/")
    assert page.status_code == 200
    assert "Sett opp tofaktorinnlogging" in page.content.decode()


def test_setting_up_totp_with_the_apps_code_opens_the_pages(client, garden_a):
    admin = MembershipFactory(garden=garden_a, role=StaffMembership.Role.ADMIN, totp=False).user
    sign_in(client, admin.email)
    client.get(MFA_SETUP_URL)
    secret = client.session["mfa.totp.secret"]

    wrong = client.post(MFA_SETUP_URL, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=admin).exists()

    response = client.post(MFA_SETUP_URL, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it, for a lost phone.
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(f"/g/{garden_a.slug}/").status_code == 200


def test_sign_in_with_two_factor_asks_for_the_code_after_the_password(client, admin_a):
    response = sign_in(client, admin_a.email)

    assert response["Location"] == "/konto/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone did not sign in

    wrong = client.post("/konto/2fa/authenticate/", {"code": "12345"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/konto/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_a.pk)
    assert client.get("/min-konto/").status_code == 200


def test_a_recovery_code_signs_in_once(client, admin_a):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes.activate(admin_a).get_unused_codes()[0]
    sign_in(client, admin_a.email)
    assert client.post("/konto/2fa/authenticate/", {"code": code}).status_code == 302
    client.post(reverse("account_logout"))

    sign_in(client, admin_a.email)
    assert client.post("/konto/2fa/authenticate/", {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_those_who_must_use_two_factor_cannot_turn_it_off(client, admin_a):
    sign_in(client, admin_a.email)
    client.post("/konto/2fa/authenticate/", {"code": totp_code()})

    client.post("/konto/2fa/totp/deactivate/", {})

    assert Authenticator.objects.filter(user=admin_a, type=Authenticator.Type.TOTP).exists()


def test_admin_login_goes_through_the_portals_sign_in(client):
    response = client.get("/admin/login/?next=/admin/members/")

    assert response.status_code == 302
    assert response["Location"] == "/konto/login/?next=%2Fadmin%2Fmembers%2F"
    # The admin site's own pages send anonymous visitors the same way.
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_signed_in_person_without_admin_access_gets_403_not_a_loop(client, entrepreneur):
    client.force_login(entrepreneur)

    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_superuser_reaches_the_admin_after_password_and_code(client, superuser):
    login_page = client.get("/admin/login/?next=/admin/")["Location"]
    client.post(login_page, {"login": superuser.email, "password": PASSWORD})
    response = client.post("/konto/2fa/authenticate/", {"code": totp_code()})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_sign_in_does_not_follow_a_next_address_elsewhere(client, staff_a):
    response = client.post("/konto/login/?next=https://evil.example/", {"login": staff_a.email, "password": PASSWORD})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_fifteen_wrong_passwords_then_the_right_one_does_not_get_in(client, superuser):
    for _ in range(15):
        sign_in(client, superuser.email, password="wrong-password-1")

    response = sign_in(client, superuser.email)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode() or "For mange" in response.content.decode()


def test_lock_out_message_does_not_reveal_whether_the_account_exists(client, staff_a):
    def sixth_answer(email: str) -> str:
        for _ in range(5):
            sign_in(client, email, password="wrong-password-1")
        return sign_in(client, email, password="wrong-password-1").content.decode()

    existing = sixth_answer(staff_a.email)
    cache.clear()
    missing = sixth_answer("nobody-here@example.org")

    def errors(html: str) -> str:
        start = html.index('class="errorlist"')
        return html[start:html.index("</div>", start)]

    assert errors(existing) == errors(missing)


def test_rate_limit_counts_the_client_behind_the_proxy_not_the_proxy(settings, staff_a):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)

    for n in range(12):  # allauth: at most 10 failed sign-ins a minute from one address
        sign_in(attacker, f"guess{n}@example.org", password="wrong-password-1")
    assert "_auth_user_id" not in attacker.session
    blocked = sign_in(attacker, staff_a.email)
    assert "_auth_user_id" not in attacker.session, "the attacker's own address is locked out"
    assert blocked.status_code == 200

    sign_in(colleague, staff_a.email)
    assert colleague.session["_auth_user_id"] == str(staff_a.pk)


def test_portal_and_allauth_see_the_same_client_address(settings, rf):
    from allauth.core.internal.httpkit import get_client_ip

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.66", REMOTE_ADDR="10.0.0.2")

    assert client_ip(request) == get_client_ip(request) == "203.0.113.66"


def test_staff_session_ends_after_the_idle_time(client, settings, staff_a, garden_a):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    sign_in(client, staff_a.email)
    assert client.get(f"/g/{garden_a.slug}/").status_code == 200

    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(f"/g/{garden_a.slug}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/?next=")
    assert "_auth_user_id" not in client.session


def test_staff_session_within_the_idle_time_goes_on(client, settings, staff_a, garden_a):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    sign_in(client, staff_a.email)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 29 * 60
    session.save()

    assert client.get(f"/g/{garden_a.slug}/").status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5  # the clock starts again


def test_entrepreneurs_have_no_idle_timeout(client, entrepreneur):
    sign_in(client, entrepreneur.email)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 24 * 60 * 60
    session.save()

    assert client.get("/min-side/").status_code == 200


def test_password_change_signs_out_everywhere(staff_a):
    here, elsewhere = Client(), Client()
    sign_in(here, staff_a.email)
    sign_in(elsewhere, staff_a.email)
    assert elsewhere.get("/min-konto/").status_code == 200

    response = here.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": "a-new-long-passphrase-42", "password2": "a-new-long-passphrase-42",
    })

    assert response.status_code == 302
    assert "_auth_user_id" not in here.session
    gone = elsewhere.get("/min-konto/")
    assert gone.status_code == 302 and gone["Location"].startswith("/konto/login/")
    assert "_auth_user_id" not in elsewhere.session
