"""Browser: a garden admin sets up two-factor sign-in with a real TOTP code, then signs in with one;
the main pages load under the Content-Security-Policy with no violation."""

import pytest
from allauth.mfa.models import Authenticator

from gardens.models import StaffMembership
from tests.factories import MembershipFactory, TargetCompanyFactory

from .conftest import enter_totp_code

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_admin_enrols_totp_and_signs_in_with_a_code(page, live_server, axe, shot, viewport):
    page.set_viewport_size(viewport)
    width = viewport["width"]
    membership = MembershipFactory(role=StaffMembership.Role.ADMIN, totp=False, user__full_name="Anne Admin")
    admin, garden = membership.user, membership.garden

    page.goto(f"{live_server.url}/konto/login/")
    page.get_by_label("E-postadresse").fill(admin.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()

    # Before anything else: the setup page.
    page.wait_for_url("**/konto/2fa/totp/activate/")
    assert page.get_by_role("heading", name="Sett opp tofaktorinnlogging").is_visible()
    assert page.locator("img.totp-qr").is_visible()
    assert axe() == []
    shot(f"mfa-setup-{width}")
    page.goto(f"{live_server.url}/g/{garden.slug}/")
    page.wait_for_url("**/konto/2fa/totp/activate/")  # the workspace stays closed

    secret = page.get_by_label("Nøkkel for autentiseringsappen").input_value()
    enter_totp_code(page, admin.email, secret)
    page.get_by_role("button", name="Slå på tofaktorinnlogging").click()

    page.wait_for_url("**/konto/2fa/recovery-codes/")
    assert page.locator(".recovery-codes li").count() == 10
    assert axe() == []
    shot(f"mfa-recovery-codes-{width}")
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()

    # Sign out, and in again: password, then the app's code.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/konto/login/")
    page.get_by_label("E-postadresse").fill(admin.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url("**/konto/2fa/authenticate/")
    assert axe() == []
    shot(f"mfa-authenticate-{width}")
    enter_totp_code(page, admin.email, secret)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"**/g/{garden.slug}/")

    page.goto(f"{live_server.url}/min-konto/")
    assert page.get_by_text("Rollen din krever tofaktorinnlogging").is_visible()
    assert axe() == []
    shot(f"account-page-{width}")


def test_main_pages_load_with_no_content_security_policy_violation(browser, live_server, admin_a, garden_a):
    """A context that enforces the CSP (the shared one bypasses it for axe-core's injected script)."""
    from .conftest import sign_in

    context = browser.new_context(locale="nb-NO", bypass_csp=False)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    company = TargetCompanyFactory(garden=garden_a)
    sign_in(page, live_server, admin_a.email, PASSWORD)
    pages = [
        "/", "/hager/", "/finn-hage/", "/kart/", "/konto/login/", "/min-konto/", "/konto/2fa/",
        f"/g/{garden_a.slug}/", f"/g/{garden_a.slug}/malbedrifter/", f"/g/{garden_a.slug}/malbedrifter/{company.pk}/",
        "/avtaler/", "/prosjekter/", "/rapporter/",
    ]
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 500, path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert response.headers["permissions-policy"].startswith("camera=()")
    # The language switch works by a script file, not an inline handler.
    page.goto(f"{live_server.url}/hager/")
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()

    assert violations == []
