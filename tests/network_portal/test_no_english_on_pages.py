"""Every GET page of the portal in the `nb` locale, with the real network loaded: no English, no ISO dates.

Walks every URL name of the permission matrix as a persona who may open it (the matrix's own
personas and objects, plus the seed network from `load_network`), takes the text a reader sees
(no tags, attributes, scripts or styles) and fails on English phrases the portal used to show
as bokmål content and on ISO timestamps or dates.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from gardens.models import Garden
from network_portal.loading import load_network
from projects.models import Project
from tests.test_permission_matrix import MATRIX, ended, url_for, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

# Seen on the pages before (issue 14): English research notes shown as content, Django's defaults.
ENGLISH = [
    "Created at", "Adviser", "during ", "descending", "not stated", "on a ", " the ", "Not Found",
    "Forbidden", "Source:", "confidence", "Possible areas", "Terms:", ".txt",
]
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# What a page may show on purpose: the import explains the date formats it accepts.
ALLOWED = {"members:import-upload": ["2025-12-31"]}
# Who opens a page, in order of preference: the first persona the matrix lets in.
PREFERENCE = ["admin_a", "staff_a", "reader", "entrepreneur", "anonymous", "superuser"]


class _VisibleText(HTMLParser):
    """The text nodes of a page outside <script>, <style> and <template>."""

    SKIP = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def problems_in(text: str, allowed: list[str] = ()) -> list[str]:
    """The English phrases and ISO dates found in `text`, each with a little context."""
    for shown in allowed:
        text = text.replace(shown, "")
    found = []
    for phrase in ENGLISH:
        at = text.find(phrase)
        if at >= 0:
            found.append(f"{phrase!r} in …{text[max(0, at - 60):at + 60]}…")
    for pattern in (ISO_TIMESTAMP, ISO_DATE):
        match = pattern.search(text)
        if match:
            found.append(f"{match.group()!r} in …{text[max(0, match.start() - 60):match.end() + 60]}…")
    return found


def test_visible_text_ignores_tags_attributes_and_scripts():
    html = '<p title="Created at 2026-01-01">Opprettet <input type="hidden" value="2026-12-02T02:36"></p>' \
           "<script>const d = '2025-01-01';</script>"
    assert visible_text(html) == "Opprettet"
    assert problems_in(visible_text("<p>Created at 2026-12-02T02:36:41</p>"))


@pytest.fixture
def network(world):  # noqa: F811 (the matrix fixture)
    """The seed network loaded next to the matrix's objects (descriptions, agreements, projects)."""
    load_network()
    return world


def _pages(network) -> list[tuple[str, str, str]]:
    """(url name, url, persona) for every GET page of the matrix, then every page of the seed network."""
    pages = []
    for url_name, method, expected in MATRIX:
        persona = next((p for p in PREFERENCE if expected.get(p) == 200), None)
        if method == "get" and persona is not None:
            pages.append((url_name, url_for(url_name, network), persona))
    # The seed's own records, where its texts show: public pages, and as a reader the inner ones.
    for garden in Garden.objects.all():
        pages.append(("network_portal:garden", reverse("network_portal:garden", args=[garden.slug]), "anonymous"))
    for agreement in Agreement.objects.all():
        for persona in ("anonymous", "reader"):
            pages.append(("agreements:detail", reverse("agreements:detail", args=[agreement.slug]), persona))
    for project in Project.objects.all():
        for persona in ("anonymous", "reader"):
            pages.append(("projects:detail", reverse("projects:detail", args=[project.slug]), persona))
    return pages


def test_no_english_or_iso_dates_on_any_page_in_bokmal(client, request, network):
    failures, checked = [], 0
    for url_name, url, persona in _pages(network):
        client.logout()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        with translation.override("nb"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="nb")
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        checked += 1
        text = visible_text(response.content.decode())
        failures += [f"{url_name} ({url}) as {persona}: {p}" for p in problems_in(text, ALLOWED.get(url_name, []))]
    assert checked > 50
    assert not failures, "\n".join(failures)
