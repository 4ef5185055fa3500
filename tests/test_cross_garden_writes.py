"""Every write garden A can make, checked from garden B's side: B sees exactly what it saw before.

Both gardens get one of everything (the permission matrix's world: a record with its contract,
goal and contact, staff, an invitation, an import, a transfer, a competence share, a help request,
an agreement and a project with their meetings, documents, milestones and reports). B's record has
the same organisasjonsnummer as the one A registers, so the shared register facts are exercised too.

Garden A's admin then walks every page the matrix lets a garden admin open, reads every POST form
on it from the HTML, fills it the way a person would (keeping what is filled in, choosing the first
option, ticking what must be ticked) and submits it. Each form must be accepted. Afterwards every
page of garden B (its workspace and records, exports, history, staff, imports, transfers, help
requests, its agreement and project) is byte for byte what it was, and B has no new audit entry.

Writes addressed to B on purpose (offering B a transfer, asking one of B's people for help) are not
made here: the form is filled with a party other than B. They are covered in test_transfers.py and
test_sharing.py.
"""

import datetime
import difflib
import itertools
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from stdnum.no import orgnr

from core.models import AuditEntry
from gardens.models import StaffMembership
from members.models import Company, ImportBatch, TargetCompany
from tests.factories import GardenFactory, MembershipFactory
from tests.page_forms import page_forms
from tests.test_permission_matrix import MATRIX, build_world, url_for

pytestmark = pytest.mark.django_db

# Forms that end the session or delete the person's own account stop the walk; they are tested on their own.
SKIP_ACTIONS = ("/konto/logout/", "/konto/slett/", "/min-side/slett-konto/", "/konto/")
# Network-wide pages show the whole network (A's public agreements and projects, the network's figures,
# the directory): they change with A's writes on purpose. B's own pages are everything under its slug,
# its agreement's and project's pages, and its garden page.
NETWORK_WIDE = ("network_portal:reports", "network_portal:reports-export", "network_portal:programme",
                "network_portal:home", "network_portal:garden-list", "network_portal:find", "gardens:map",
                "gardens:competence", "agreements:list", "agreements:events", "agreements:event",
                "agreements:event-calendar", "projects:list", "projects:call-detail", "members:my-page",
                "members:account", "network_portal:dashboard", "network_portal:about-data",
                "network_portal:accessibility", "members:ask-garden", "members:ask-staff", "members:ask-done",
                "gardens:invitation-accept",
                # Asking another garden's colleague for help lists the network's published colleagues: A's
                # people publishing or ending their profile show there, as in the competence directory.
                "members:share-create",
                # Exporting a contact's data is itself recorded (B's own action) and stamped with the time.
                "members:contact-export")


# A file as a Norwegian office saves it (semicolons, CRLF, Windows-1252) and a small PDF.
IMPORT_FILE = "Organisasjonsnummer;Bedriftsnavn;Avtalestart;Kommunenr\r\n920000002;Importert fra A AS;01.03.2026;\r\n" \
    .encode("cp1252")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# Words in the address of a form that ends or removes something.
ENDING = ("slett", "avslutt", "trekk-tilbake", "avbryt", "cancel", "lukk", "slette")


# Text fields that the walk changes when they are filled already: the record's and the company's names.
CHANGED_TEXT = ("name", "title", "headline", "description")


def _value(field: dict, org_number, avoid: str):
    """What a person would put in the field: what is there already, else something that fits its type."""
    name, kind = field["name"], field.get("type", "text")
    if field["tag"] == "select":
        options = [o for o in field["options"] if o["value"] is None or o["value"] != ""]
        options = [o for o in options if avoid not in o["label"]] or options
        chosen = [o for o in options if o["selected"]] or options[:1]
        values = [o["value"] if o["value"] is not None else o["label"].strip() for o in chosen]
        return values if "multiple" in field else (values[0] if values else "")
    if field["tag"] == "textarea":
        return (field["text"].strip() + " Endret av A.").strip()
    if kind == "file":
        if ".csv" in field.get("accept", ""):
            return SimpleUploadedFile("malbedrifter.csv", IMPORT_FILE, content_type="text/csv")
        return SimpleUploadedFile("dokument.pdf", PDF, content_type="application/pdf")
    if kind in ("checkbox", "radio"):
        return field.get("value", "on")
    if field.get("value"):
        # What is written stays, and a text is changed a little, as an edit would.
        return field["value"] + " (A)" if kind == "text" and name in CHANGED_TEXT else field["value"]
    if "org_number" in name:
        return next(org_number)
    if name == "industry":
        return ""  # optional; the test database holds no SN2007 codes
    if name.startswith("amount"):
        return "2 000 000,00"  # a third of the project's grant, so that a split into three years adds up
    if kind == "date":
        return field.get("min") or "2026-03-02"
    if kind == "datetime-local":
        return "2026-03-02T10:00"
    if kind == "time":
        return "10:00"
    if kind == "number":
        return field.get("min") if field.get("min") not in (None, "", "0") else "2"
    if kind == "email":
        return "ny.person@example.org"
    if kind == "tel":
        return "+47 900 00 000"
    if kind == "url":
        return "https://example.org/"
    if kind == "password":
        return None
    return "2025" if name.endswith("year") else "Skrevet av garden A"


def post_forms(html: str, page_url: str, org_number, avoid: str) -> list[tuple[str, dict]]:
    found = []
    for form in page_forms(html):
        action = urljoin(page_url, form["action"])
        if form["method"] != "post" or urlsplit(action).netloc not in ("", "testserver"):
            continue
        path = urlsplit(action)._replace(scheme="", netloc="").geturl()
        if any(path.startswith(s) for s in SKIP_ACTIONS) or path.startswith("/admin/"):
            continue
        data: dict = {}
        for field in form["fields"]:
            if field["name"] == "csrfmiddlewaretoken":
                continue
            value = _value(field, org_number, avoid)
            if value is None:
                break
            if field.get("type") == "radio" and field["name"] in data:
                continue
            data[field["name"]] = value
        else:
            found.append((path, data))
    return found


def errors_of(response) -> list[str]:
    """The error messages a form came back with (for the failure message)."""
    content = response.content.decode(errors="replace") if not response.streaming else ""
    found = re.findall(r'class="(?:errorlist|message error)[^"]*"[^>]*>(.*?)</(?:ul|div|p|li)>', content, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in found]


def _diff(url: str, before: tuple[int, bytes], after: tuple[int, bytes] | None) -> str:
    """What changed on one of B's pages, as a short unified diff."""
    old, new = (before[1].decode(errors="replace").splitlines(),
                after[1].decode(errors="replace").splitlines() if after else [])
    lines = difflib.unified_diff(old, new, lineterm="", n=1)
    return f"{url} ({before[0]} → {after[0] if after else None}):\n" + "\n".join(list(lines)[2:40])


def _without_csrf(content: bytes) -> bytes:
    head, *rest = content.split(b'name="csrfmiddlewaretoken" value="')
    return head + b"".join(part.split(b'"', 1)[-1] for part in rest)


def fill_every_form(client, url_name, page_url, org_numbers, avoid, submitted, refused) -> None:
    """Fill in and send each POST form of the page, as a person would; note what was accepted."""
    page = client.get(page_url)
    if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
        return  # a download, or an object an earlier write ended (a revoked invitation)
    actions = [action for action, _ in post_forms(page.content.decode(), page_url, itertools.repeat(""), avoid)]
    # Forms that end something go last, so that the page's other forms are still there to fill.
    for target in sorted(dict.fromkeys(actions), key=lambda a: any(word in a for word in ENDING)):
        # The page again for each form: a write changes versions and choices on it.
        fresh = client.get(page_url)
        forms = dict(post_forms(fresh.content.decode(), page_url, org_numbers, avoid)) \
            if fresh.status_code == 200 else {}
        if target not in forms:
            continue  # an earlier write on this page ended it (a deleted contact has no delete button)
        answer = client.post(target, forms[target])
        downloaded = answer.status_code == 200 and "attachment" in answer.get("Content-Disposition", "")
        outcome = (url_name, target, answer.status_code, forms[target] if answer.status_code != 302 else None,
                   errors_of(answer) if answer.status_code != 302 else None)
        (submitted if answer.status_code == 302 or downloaded else refused).append(outcome)


def snapshot(client, user, world) -> dict[str, tuple[int, bytes]]:
    """Every page garden B's admin may open of B's own, as they see it."""
    client.force_login(user)
    pages = {}
    for url_name, method, expected in MATRIX:
        if method != "get" or url_name in NETWORK_WIDE or expected.get("admin_a") != 200:
            continue
        url = url_for(url_name, world)
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        pages[url] = (response.status_code, _without_csrf(content))
    client.logout()
    return pages


@pytest.fixture
def two_worlds(garden_a, garden_b, staff_a, entrepreneur, reader, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Each garden's transfer goes to a garden of its own: a transfer to the other is the other's to see, by design.
    epsilon = GardenFactory(name="Epsilon Næringshage", slug="epsilon")
    world_a = build_world(garden_a, epsilon, staff_a, entrepreneur, reader)
    delta = GardenFactory(name="Delta Næringshage", slug="delta")
    staff_b = MembershipFactory(garden=garden_b, role=StaffMembership.Role.STAFF, user__full_name="Bodil Stab").user
    world_b = build_world(garden_b, delta, staff_b, entrepreneur, reader, tag="-b")
    # B followed A's company up before (its record is ended: one active garden at a time), so the two
    # records are of the same organisasjonsnummer and every edit of A's record touches the shared facts.
    TargetCompany.objects.filter(pk=world_b["pk"]).update(
        status=TargetCompany.Status.COMPLETED, contract_start=datetime.date(2020, 1, 1),
        contract_end=datetime.date(2022, 12, 31))
    a_company = TargetCompany.objects.get(pk=world_a["pk"]).company
    Company.objects.filter(target_relations__pk=world_b["pk"]).update(org_number=a_company.org_number)
    return world_a, world_b


def test_every_write_of_garden_a_leaves_garden_b_as_it_was(client, garden_a, garden_b, admin_a, two_worlds):
    world_a, world_b = two_worlds
    admin_b = MembershipFactory(garden=garden_b, role=StaffMembership.Role.ADMIN, user__full_name="Berit Admin").user
    b_record = TargetCompany.objects.get(pk=world_b["pk"])
    b_company = (b_record.company.org_number, b_record.company.name)
    b_audit = AuditEntry.objects.filter(garden_id=garden_b.pk).count()
    before = snapshot(client, admin_b, world_b)
    assert sum(status == 200 for status, _ in before.values()) >= 25  # B's pages really show B's things

    client.force_login(admin_a)
    # Each new record of the walk gets a number of its own (valid MOD11, not B's, not the import file's).
    org_numbers = (number for number in map(str, range(920000010, 921000000)) if orgnr.is_valid(number))
    submitted, refused = [], []
    # The record page last: its delete buttons would end the contact the erase page is about.
    pages = sorted((row for row in MATRIX if row[1] == "get" and row[2].get("admin_a") == 200
                    and not row[0].startswith("members:my-")), key=lambda row: row[0] == "members:company-detail")
    for url_name, _method, _expected in pages:
        fill_every_form(client, url_name, url_for(url_name, world_a), org_numbers, garden_b.name, submitted, refused)
    # The file A uploaded on the way is taken through its columns and preview to the commit.
    batch = ImportBatch.objects.filter(garden=garden_a).latest("pk")
    for url_name in ("members:import-mapping", "members:import-preview"):
        url = reverse(url_name, kwargs={"garden_slug": garden_a.slug, "batch_pk": batch.pk})
        fill_every_form(client, url_name, url, org_numbers, garden_b.name, submitted, refused)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert TargetCompany.objects.filter(garden=garden_a, company__name="Importert fra A AS").exists()
    client.logout()

    # Each form a garden admin finds was filled in and accepted (nothing here is a no-op on an error page).
    assert not refused, "\n".join(map(repr, refused))
    written = {outcome[1].split("?")[0] for outcome in submitted}
    assert len(written) >= 40, sorted(written)
    assert AuditEntry.objects.filter(garden_id=garden_a.pk).count() >= 30

    after = snapshot(client, admin_b, world_b)
    changed = [url for url, page in before.items() if after.get(url) != page]
    assert not changed, "\n".join(_diff(url, before[url], after.get(url)) for url in changed)
    b_record.refresh_from_db()
    assert (b_record.company.org_number, b_record.company.name) == b_company
    assert AuditEntry.objects.filter(garden_id=garden_b.pk).count() == b_audit
