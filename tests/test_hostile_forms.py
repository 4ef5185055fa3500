"""Every form and filter of the project, driven with hostile input: never a 500, never script that runs.

The pages come from the permission matrix (tests/test_permission_matrix.py, which covers every URL
name): each page a persona may open is fetched, every <form> on it is read from the HTML, and
hypothesis fills every named field (hidden ones too: ids, versions) with hostile and odd values,
then submits it the way the form says (GET filters as a query string, POST forms as a body).
The form-specific properties (all or nothing, nothing stored half) are in tests/test_hostile_input.py.
"""

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.page_forms import page_forms
from tests.test_hostile_input import HOSTILE
from tests.test_permission_matrix import MATRIX, ended, url_for, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

# Who fills the forms of a page: the first persona in this order the matrix lets in (200).
FILLERS = ["admin_a", "staff_a", "reader", "entrepreneur", "anonymous", "superuser"]
# Forms that end the session or leave the portal would stop the walk; they are tested on their own.
SKIP_ACTIONS = ("/konto/logout/", "/konto/slett/", "/min-side/slett-konto/")
SCRIPT = "<script>alert(1)</script>"


def _pages() -> list[tuple[str, str]]:
    pages = []
    for url_name, method, expected in MATRIX:
        if method != "get":
            continue
        persona = next((p for p in FILLERS if expected.get(p) == 200), None)
        if persona is not None:
            pages.append((url_name, persona))
    return pages


def forms_of(html: str, page_url: str) -> list[dict]:
    found = []
    for form in page_forms(html):
        action = urljoin(page_url, form["action"])
        if urlsplit(action).netloc not in ("", "testserver") or any(s in action for s in SKIP_ACTIONS):
            continue
        fields = list(dict.fromkeys(f["name"] for f in form["fields"]
                                    if f["name"] != "csrfmiddlewaretoken" and f.get("type") != "file"))
        if fields:
            found.append({**form, "action": urlsplit(action)._replace(scheme="", netloc="").geturl(),
                          "fields": fields})
    return found


PAGES = _pages()


@pytest.mark.parametrize("url_name,persona", PAGES, ids=[f"{u}:{p}" for u, p in PAGES])
def test_every_form_on_the_page_survives_hostile_input(client, request, world, url_name, persona):  # noqa: F811
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    page_url = url_for(url_name, world)
    response = client.get(page_url)
    assert response.status_code == 200, url_name
    if "text/html" not in response.get("Content-Type", ""):
        assert "attachment" in response.get("Content-Disposition", "") or response.get("Content-Type", "").startswith(
            ("application/json", "text/calendar")), url_name  # a download or a data endpoint: no form
        return
    forms = forms_of(response.content.decode(), page_url)

    @settings(max_examples=3, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=st.data())
    def fill(data):
        for form in forms:
            values = {name: data.draw(HOSTILE, label=name) for name in form["fields"]}
            send = client.post if form["method"] == "post" else client.get
            answer = send(form["action"], values)
            assert answer.status_code < 500, (form["action"], values, answer.status_code)
            if "text/html" in answer.get("Content-Type", "") and not answer.streaming:
                assert SCRIPT not in answer.content.decode(errors="replace"), form["action"]

    fill()
