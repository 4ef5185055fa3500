"""Every page of the portal, as the persona who may open it, at desktop (1280) and phone (390 × 844) width.

The URL names and personas come from the permission matrix (tests/test_permission_matrix.py), so a new page
is walked as soon as it has its row there. On each page: nothing wider than the phone's viewport, no
axe-core violation, and a screenshot under var/screenshots/pages/ for a person to look at.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from tests.test_permission_matrix import MATRIX, ended, url_for, world  # noqa: F401  (fixtures)

# Who opens a page: the first persona in this order whose expected answer is 200.
PREFERENCE = ["admin_a", "staff_a", "entrepreneur", "reader", "anonymous"]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pages() -> list[tuple[str, str]]:
    found = []
    for name, method, expected in MATRIX:
        if method != "get":
            continue
        persona = next((p for p in PREFERENCE if expected.get(p) == 200), None)
        if persona:
            found.append((name, persona))
    return found


PAGES = pages()
# The innermost elements that stick out to the right of the viewport: what to fix when a page is too wide.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => { for (let a = e.parentElement; a; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false; } return true; })
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && ![...e.children].some(
    c => c.getBoundingClientRect().right > innerWidth + 1))
  .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' '
    + Math.round(e.getBoundingClientRect().right))"""


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_fits_the_screen_and_passes_axe(request, transactional_db, live_server, browser,
                                                     world, size):  # noqa: F811  (the matrix's fixture)
    shots = settings.BASE_DIR / "var" / "screenshots" / "pages"
    shots.mkdir(parents=True, exist_ok=True)
    contexts = {}
    problems = []
    walked = 0
    from .conftest import inject_axe

    for url_name, persona in PAGES:
        if persona not in contexts:
            context = browser.new_context(locale="nb-NO", viewport=SIZES[size])
            if persona != "anonymous":
                client = Client()
                client.force_login(request.getfixturevalue(persona))
                cookie = client.cookies[settings.SESSION_COOKIE_NAME]
                context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
            contexts[persona] = context.new_page()
        page = contexts[persona]
        try:
            response = page.goto(live_server.url + url_for(url_name, world))
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a download (CSV, XLSX, PDF, calendar): nothing to lay out
            raise
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue  # a download (CSV, XLSX, PDF, calendar): nothing to lay out
        walked += 1
        assert response.status == 200, f"{url_name} as {persona}: {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SIZES[size]["width"]:
            culprits = page.evaluate(WIDEST)
            problems.append(f"{url_name} ({persona}) is {width} px wide at {size}: {culprits}")
        inject_axe(page)  # past the page's CSP, which refuses an inline <script>
        violations = page.evaluate("async () => (await axe.run(document)).violations"
                                   ".map(v => v.id + ' ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3))")
        if violations:
            problems.append(f"{url_name} ({persona}) at {size}: {violations}")
        page.screenshot(path=str(shots / f"{url_name.replace(':', '-')}-{size}.png"), full_page=True)
    for page in contexts.values():
        page.context.close()
    assert walked >= 40, f"only {walked} pages walked"
    assert not problems, "\n".join(problems)
