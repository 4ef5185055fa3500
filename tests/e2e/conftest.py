"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Never `playwright install`: we use /usr/bin/chromium. Screenshots land in
var/screenshots/ (not in git) so a person can look at the pages.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.factories import TEST_TOTP_SECRET, totp_code

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every browser test signs in from 127.0.0.1, and allauth allows 30 sign-ins a minute from one
    address (counted in the cache, which is Redis in CI): each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: axe-core is injected as an inline script, which the portal's CSP refuses;
    # tests/e2e/test_two_factor.py checks the pages in a context that enforces it.
    return {**browser_context_args, "locale": "nb-NO", "viewport": {"width": 1280, "height": 900},
            "bypass_csp": True}


def inject_axe(page) -> None:
    """Load axe-core into the page through the browser's debugging protocol.

    The page's CSP (no inline script) does not govern that path; add_script_tag would insert an
    inline <script>, which the CSP refuses in contexts that enforce it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => { " + AXE_JS.read_text(encoding="utf-8") + "\n}")


@pytest.fixture
def axe(page):
    """Run axe-core on the current page and return its violations (as compact dicts)."""

    def run(context: str = "document") -> list[dict]:
        inject_axe(page)
        violations = page.evaluate(
            "async (ctx) => (await axe.run(ctx === 'document' ? document : ctx)).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
            context,
        )
        return violations

    return run


@pytest.fixture
def shot(page):
    """Save a full-page screenshot under var/screenshots/<name>.png."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, live_server, email: str, password: str, totp_secret: str | None = None) -> None:
    """Sign in through the real allauth form; with two-factor sign-in, type the app's code too.

    Accounts made by the factories that must use two factors have TEST_TOTP_SECRET.
    """
    page.goto(f"{live_server.url}/konto/login/")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(password)
    # Each click posts a form: wait for the answer's page, not the load state of the page already shown
    # (which let a test go on, or go elsewhere, before the sign-in had finished).
    with page.expect_navigation():
        page.get_by_role("button", name="Logg inn").click()
    if "/konto/2fa/authenticate/" in page.url:
        enter_totp_code(page, email, totp_secret or TEST_TOTP_SECRET)
        with page.expect_navigation():
            page.get_by_role("button", name="Logg inn").click()


def enter_totp_code(page, email: str, secret: str) -> str:
    """Fill the code field with the code an authenticator app would show now for `secret`.

    allauth accepts each code once per 30 s and account; tests that sign the same account in
    again within that window would be refused, so the note of the used code is dropped first.
    """
    from django.core.cache import cache

    from core.models import User

    code = totp_code(secret)
    user_id = User.objects.filter(email=email).values_list("pk", flat=True).first()
    cache.delete(f"allauth.mfa.totp.used?user={user_id}&code={code}")
    page.get_by_label("Kode fra autentiseringsappen").fill(code)
    return code
