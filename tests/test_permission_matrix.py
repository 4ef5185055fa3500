"""Who may open what: every URL name of the project × every persona, with the expected answer.

One access module decides (gardens/access.py). Outsiders get 404 (we never confirm another
garden's records, or a party-only page, exist); people who may read but lack the permission
get 403; anonymous visitors are sent to sign in on every page that needs an account.

A new URL name without a row here fails `test_every_url_name_has_a_row`.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.utils import timezone

from agreements.models import (
    ActionItem,
    Agreement,
    AgreementDocument,
    AgreementParty,
    EventRegistration,
    Meeting,
    NetworkEvent,
)
from gardens.models import Invitation, Organisation, StaffMembership, StaffProfile
from members.models import (
    CompetenceShare,
    ContactPerson,
    DevelopmentGoal,
    HelpRequest,
    ImportBatch,
    TransferRequest,
)
from network_portal.models import ReportExport
from projects.models import FundingCall, Grant, Milestone, ProgressReport, Project, ProjectPartner
from tests.factories import GardenFactory, MembershipFactory, TargetCompanyFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "entrepreneur", "staff_b", "staff_a", "admin_a", "reader", "ended", "superuser"]
OUR_NAMESPACES = ("network_portal", "gardens", "members", "agreements", "projects")

# An expected answer is a status code, or ("→", where) for a redirect whose Location starts with `where`.
LOGIN = ("→", "/konto/login/?next=")


def row(default, **overrides):
    """Expected answers per persona: `default` for everyone, with named exceptions."""
    answers = dict.fromkeys(PERSONAS, default)
    answers.update(overrides)
    return answers


PUBLIC = row(200)
SIGNED_IN = row(200, anonymous=LOGIN)
# A garden workspace page: members and readers read; outsiders, ended members and entrepreneurs get 404.
READ = row(404, anonymous=LOGIN, staff_a=200, admin_a=200, reader=200, superuser=200)
# …and pages that show people's personal data (help requests): garden staff only.
PERSONAL = {**READ, "reader": 403, "superuser": 403}
# Writing a record: staff and admins; readers (and superusers, who change things in the admin) 403.
WRITE_PAGE = {**READ, "reader": 403, "superuser": 403}
WRITE_POST = {**WRITE_PAGE, "staff_a": 302, "admin_a": 302}
# A form posted empty on the record page comes back with its errors, the input kept (400).
WRITE_FORM = {**WRITE_POST, "staff_a": 400, "admin_a": 400}
ADMIN_PAGE = {**WRITE_PAGE, "staff_a": 403}
ADMIN_POST = {**WRITE_POST, "staff_a": 403}
# Pages of one named person's request (the share addressed to a colleague nobody here is).
NOT_YOURS = row(404, anonymous=LOGIN)
# A party-only page of an agreement or project (garden A is a party; garden B is not).
PARTY_READ = READ
PARTY_EDIT_PAGE = {**READ, "staff_a": 403, "reader": 403, "superuser": 403}
PARTY_EDIT_POST = {**PARTY_EDIT_PAGE, "admin_a": 302}

# (url name, method, expected). Some names appear twice, for GET and for POST.
MATRIX = [
    # network-wide pages
    ("network_portal:home", "get", PUBLIC),
    ("network_portal:about-data", "get", PUBLIC),
    ("network_portal:accessibility", "get", PUBLIC),
    ("network_portal:garden-list", "get", PUBLIC),
    ("network_portal:garden", "get", PUBLIC),
    # Everyone signed in lands where their work is.
    ("network_portal:dashboard", "get", row(("→", "/min-side/"), anonymous=LOGIN, staff_a=("→", "/g/alfa/"),
                                            admin_a=("→", "/g/alfa/"), staff_b=("→", "/g/beta/"),
                                            reader=("→", "/rapporter/"), superuser=("→", "/rapporter/"))),
    # The reports: readers read the network, staff their garden against it; nobody else.
    ("network_portal:reports", "get", row(404, anonymous=LOGIN, staff_a=200, admin_a=200, staff_b=200, reader=200,
                                          superuser=200)),
    ("network_portal:reports-export", "get", row(404, anonymous=LOGIN, staff_a=200, admin_a=200, staff_b=200,
                                                 reader=200, superuser=200)),
    # Report exports: the page's buttons make one (staff export their comparison); an unknown format
    # (the empty post here) is sent back to the report with a message.
    ("network_portal:reports-export-start", "post", row(404, anonymous=LOGIN, staff_a=302, admin_a=302, staff_b=302,
                                                        reader=302, superuser=302)),
    # An export (the reader's own, done): only the person who asked, and superusers, see it; the
    # superuser does not restart someone else's. A finished export is not restarted: back to its page.
    ("network_portal:reports-export-detail", "get", row(404, anonymous=LOGIN, reader=200, superuser=200)),
    ("network_portal:reports-export-progress", "get", row(404, anonymous=LOGIN, reader=200, superuser=200)),
    ("network_portal:reports-export-file", "get", row(404, anonymous=LOGIN, reader=200, superuser=200)),
    ("network_portal:reports-export-restart", "post", row(404, anonymous=LOGIN, reader=302, superuser=403)),
    ("network_portal:programme", "get", PUBLIC),
    # Readers subscribe to the quarterly report; staff read the reports but have nothing to subscribe to.
    ("network_portal:reports-subscription", "post", row(404, anonymous=LOGIN, staff_a=403, admin_a=403, staff_b=403,
                                                       reader=302, superuser=302)),
    # the directory
    ("network_portal:find", "get", PUBLIC),
    ("gardens:map", "get", PUBLIC),
    ("gardens:competence", "get", PUBLIC),
    ("gardens:competence-profile", "get", PUBLIC),
    ("gardens:competence-edit", "get", row(404, anonymous=LOGIN, staff_a=200, admin_a=200, staff_b=200)),
    # The invitation link works for anyone who has it; a signed-in person with another address is told so.
    ("gardens:invitation-accept", "get", PUBLIC),
    # staff and invitations
    ("gardens:staff", "get", READ),
    # An empty invitation form re-shows the staff page with the errors (nothing typed is lost).
    ("gardens:staff-invite", "post", {**ADMIN_POST, "admin_a": 200}),
    ("gardens:staff-invitation-resend", "post", ADMIN_POST),
    ("gardens:staff-invitation-revoke", "post", ADMIN_POST),
    ("gardens:staff-end", "get", ADMIN_PAGE),
    ("gardens:staff-end", "post", ADMIN_POST),
    ("gardens:staff-role", "post", ADMIN_POST),
    # the entrepreneur's page; staff and readers are sent to their own place
    ("members:my-page", "get", row(("→", "/oversikt/"), anonymous=LOGIN, entrepreneur=200, ended=200)),
    # Only the person who asked replies to a request: for everyone else it does not exist.
    ("members:help-reply", "post", row(404, anonymous=LOGIN)),
    ("members:account", "get", SIGNED_IN),
    # Personal data: the entrepreneur's own (staff, readers, superusers and ended members 403: their
    # accounts are ended by a garden admin or in the admin, not erased with one click).
    ("members:my-data-export", "get", row(403, anonymous=LOGIN, entrepreneur=200)),
    ("members:my-account-delete", "get", row(403, anonymous=LOGIN, entrepreneur=200)),
    # Posted empty: the password and the confirmation are missing (400), nothing is deleted.
    ("members:my-account-delete", "post", row(403, anonymous=LOGIN, entrepreneur=400)),
    # the workspace and target company records
    ("members:workspace", "get", READ),
    ("members:company-list", "get", READ),
    ("members:company-export", "get", READ),
    ("members:company-detail", "get", READ),
    ("members:company-history", "get", READ),
    ("members:contract-download", "get", READ),
    ("members:company-create", "get", WRITE_PAGE),
    ("members:company-edit", "get", WRITE_PAGE),
    ("members:company-merge", "get", WRITE_PAGE),
    ("members:follow-up-add", "post", WRITE_FORM),
    ("members:key-figures-save", "post", WRITE_FORM),
    ("members:goal-add", "post", WRITE_FORM),
    ("members:goal-update", "post", WRITE_POST),
    ("members:contact-add", "post", WRITE_FORM),
    ("members:contact-delete", "post", WRITE_POST),
    # A contact person's data on request: the garden's admins (their staff 403, readers 403).
    ("members:contact-export", "get", ADMIN_PAGE),
    ("members:contact-erase", "get", ADMIN_PAGE),
    ("members:contact-erase", "post", {**ADMIN_POST, "admin_a": 400}),  # not confirmed: nothing erased
    # Imports are for garden admins. The fixture's batch is previewed with no rows: the commit is
    # refused with a message and the cancel succeeds, both redirecting (302).
    ("members:import-upload", "get", ADMIN_PAGE),
    ("members:import-template", "get", ADMIN_PAGE),
    ("members:import-preview", "get", ADMIN_PAGE),
    ("members:import-status", "get", ADMIN_PAGE),
    ("members:import-commit", "post", ADMIN_POST),
    ("members:import-cancel", "post", ADMIN_POST),
    # The world's batch is previewed: its columns page answers; it has no problem rows (404 for admins),
    # and is not stalled (restarting it redirects back with a message).
    ("members:import-mapping", "get", ADMIN_PAGE),
    ("members:import-problems", "get", {**ADMIN_PAGE, "admin_a": 404}),
    ("members:import-restart", "post", ADMIN_POST),
    # Transfers: the fixture's transfer goes from A to B and is reached under A's slug, so staff_b gets 404
    # here like any outsider. Only the receiving admin confirms: admin_a is turned back with a message (302).
    ("members:transfer-list", "get", READ),
    ("members:transfer-detail", "get", READ),
    ("members:transfer-create", "get", ADMIN_PAGE),
    ("members:transfer-confirm", "post", ADMIN_POST),
    ("members:transfer-cancel", "post", ADMIN_POST),
    # Competence sharing: the share is addressed to an extra colleague, so no persona is its recipient.
    # Asking has a page of its own; an empty request re-shows it with the errors (400, nothing typed is lost).
    ("members:share-create", "get", WRITE_PAGE),
    ("members:share-create", "post", WRITE_FORM),
    ("members:share-close", "post", WRITE_POST),
    ("members:shared-list", "get", READ),
    ("members:shared-detail", "get", NOT_YOURS),
    ("members:shared-respond", "post", NOT_YOURS),
    ("members:shared-log", "post", NOT_YOURS),
    ("members:shared-close", "post", NOT_YOURS),
    # Help requests: asking is public; the inbox holds entrepreneurs' contact details (staff only). An empty
    # answer or conversion form re-shows the request with the errors (400); an empty assignment unassigns.
    ("members:ask-garden", "get", PUBLIC),
    ("members:ask-staff", "get", PUBLIC),
    ("members:ask-done", "get", PUBLIC),
    ("members:help-inbox", "get", PERSONAL),
    ("members:help-detail", "get", PERSONAL),
    ("members:help-assign", "post", {**PERSONAL, "staff_a": 302, "admin_a": 302}),  # empty: unassigns
    ("members:help-answer", "post", {**PERSONAL, "staff_a": 400, "admin_a": 400}),
    ("members:help-close", "post", {**PERSONAL, "staff_a": 302, "admin_a": 302}),
    ("members:help-convert", "post", {**PERSONAL, "staff_a": 400, "admin_a": 400}),
    # agreements (garden A and a third garden are the parties)
    ("agreements:list", "get", PUBLIC),
    ("agreements:detail", "get", PUBLIC),
    ("agreements:meeting-create", "get", PARTY_EDIT_PAGE),
    ("agreements:meeting", "get", PARTY_READ),
    # An empty action item comes back on the meeting page with its errors (400).
    ("agreements:action-add", "post", {**PARTY_EDIT_PAGE, "admin_a": 400}),
    # The action item belongs to staff_a: its owner may tick it off too.
    ("agreements:action-toggle", "post", {**PARTY_EDIT_POST, "staff_a": 302}),
    ("agreements:documents", "get", PARTY_READ),
    ("agreements:document", "get", PARTY_READ),
    ("agreements:compliance", "get", PARTY_READ),
    ("agreements:events", "get", PUBLIC),
    ("agreements:event", "get", PUBLIC),
    ("agreements:event-register", "post", row(302, anonymous=LOGIN)),
    ("agreements:event-cancel", "post", row(302, anonymous=LOGIN)),
    # The calendar file is for those with a place: the entrepreneur is registered.
    ("agreements:event-calendar", "get", row(404, anonymous=LOGIN, entrepreneur=200)),
    # projects (garden A leads)
    ("projects:list", "get", PUBLIC),
    ("projects:detail", "get", PUBLIC),
    ("projects:call-detail", "get", PUBLIC),
    ("projects:expense-list", "get", PARTY_READ),
    ("projects:expense-add", "get", PARTY_EDIT_PAGE),
    ("projects:budget", "get", PARTY_READ),
    # An empty milestone or report form re-shows the project page with the errors (400).
    ("projects:milestone-add", "post", {**PARTY_EDIT_PAGE, "admin_a": 400}),
    ("projects:milestone-done", "post", PARTY_EDIT_POST),
    ("projects:report-add", "post", {**PARTY_EDIT_PAGE, "admin_a": 400}),
    ("projects:report-submit", "get", PARTY_EDIT_PAGE),
    ("projects:report-file", "get", PARTY_READ),
    ("projects:grant-split", "get", PARTY_EDIT_PAGE),
]


def url_names() -> dict[str, set[str]]:
    """Every named URL in our namespaces, with its parameters."""
    found: dict[str, set[str]] = {}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        if namespace not in OUR_NAMESPACES:
            continue
        for name in resolver.reverse_dict:
            if isinstance(name, str):
                for possibilities, *_ in resolver.reverse_dict.getlist(name):
                    for _format, params in possibilities:
                        found[f"{namespace}:{name}"] = set(params)
    return found


@pytest.fixture
def ended(garden_a):
    membership = MembershipFactory(garden=garden_a, role=StaffMembership.Role.ADMIN,
                                   valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2024, 12, 31))
    return membership.user


@pytest.fixture
def world(garden_a, garden_b, staff_a, entrepreneur, reader, settings, tmp_path):
    """One of everything, owned by garden A (or with A as a party)."""
    settings.MEDIA_ROOT = tmp_path
    return build_world(garden_a, garden_b, staff_a, entrepreneur, reader)


def build_world(garden_a, garden_b, staff_a, entrepreneur, reader, tag=""):
    """One of everything owned by `garden_a` (or with it as a party); `tag` keeps a second world's keys apart."""
    target = TargetCompanyFactory(garden=garden_a)
    target.contract_file.save("kontrakt.pdf", ContentFile(b"%PDF-1.4 test"))
    goal = DevelopmentGoal.objects.create(target=target, description="Eksport til Sverige")
    contact = ContactPerson.objects.create(target=target, name="Kari Kontakt")
    transfer = TransferRequest.objects.create(from_garden=garden_a, to_garden=garden_b)
    transfer.targets.add(target)
    invitation = Invitation.objects.create(
        garden=garden_a, email=f"invitert{tag}@example.org", token=f"matrix-token{tag}",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    # A colleague of its own, so that ending a membership never changes a persona's access mid-matrix.
    colleague = MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF)
    profile = StaffProfile.objects.create(user=colleague.user, headline="Eksport", is_public=True,
                                          published_at=timezone.now())
    batch = ImportBatch.objects.create(garden=garden_a, original_name="malbedrifter.csv",
                                       status=ImportBatch.Status.PREVIEWED)
    share = CompetenceShare.objects.create(target=target, colleague=colleague.user, colleague_garden=garden_a,
                                           message="Hjelp med eksport", status=CompetenceShare.Status.ACCEPTED)
    help_request = HelpRequest.objects.create(garden=garden_a, name="Eli Gründer", email="eli@example.org",
                                              message="Hjelp med budsjett")
    agreement = Agreement.objects.create(name=f"Samarbeidsavtale {garden_a.name}–Gamma{tag}",
                                         slug=f"{garden_a.slug}-gamma{tag}")
    gamma = GardenFactory(name=f"Gamma{tag} Næringshage", slug=f"gamma{tag}")
    AgreementParty.objects.create(agreement=agreement, garden=garden_a)
    AgreementParty.objects.create(agreement=agreement, garden=gamma)
    meeting = Meeting.objects.create(agreement=agreement, title="Kvartalsmøte", date=datetime.date(2026, 2, 3))
    action = ActionItem.objects.create(meeting=meeting, description="Skriv referat", owner=staff_a)
    document = AgreementDocument.objects.create(agreement=agreement, title="Signert avtale",
                                                file=ContentFile(b"%PDF-1.4 signed", name="avtale.pdf"))
    start = timezone.now() + datetime.timedelta(days=10)
    event = NetworkEvent.objects.create(title="Nettverkssamling", starts_at=start,
                                        ends_at=start + datetime.timedelta(hours=3), capacity=10)
    EventRegistration.objects.create(event=event, user=entrepreneur, status=EventRegistration.Status.REGISTERED)
    siva = Organisation.objects.get_or_create(slug="siva", defaults={"name": "Siva",
                                                                     "kind": Organisation.Kind.STATE})[0]
    call = FundingCall.objects.create(name=f"Kraftsentre{tag}", funder=siva)
    project = Project.objects.create(name=f"Kraftsenteret{tag}", slug=f"kraftsenteret{tag}", lead_garden=garden_a,
                                     call=call, start_year=2025, end_year=2027)
    ProjectPartner.objects.create(project=project, garden=gamma)
    grant = Grant.objects.create(project=project, funder=siva, amount=Decimal("6000000.00"), year=None)
    milestone = Milestone.objects.create(project=project, title="Oppstart", due=datetime.date(2025, 6, 1))
    report = ProgressReport.objects.create(project=project, period="2025", due=datetime.date(2026, 1, 31))
    report.file.save("rapport.pdf", ContentFile(b"%PDF-1.4 report"))
    export = ReportExport.objects.create(requested_by=reader, query="year=2025", format="csv",
                                         title="Nettverksrapport 2025", status=ReportExport.Status.DONE,
                                         progress=100, file_name="rapport-2025.csv", finished_at=timezone.now())
    export.file.save("rapport-2025.csv", ContentFile("\ufeffHage;Aktive\r\n".encode()))
    return {
        "garden_slug": garden_a.slug, "slug": None, "pk": target.pk, "goal_pk": goal.pk, "contact_pk": contact.pk,
        "fmt": "csv", "transfer_pk": transfer.pk, "invitation_pk": invitation.pk, "membership_pk": colleague.pk,
        "batch_pk": batch.pk, "share_pk": share.pk, "help_request_pk": help_request.pk, "token": invitation.token,
        "profile_pk": profile.pk, "action_pk": action.pk,
        # Names that mean different objects in different apps.
        "by_namespace": {
            "network_portal": {"slug": garden_a.slug, "fmt": "xlsx", "pk": export.pk},
            "gardens": {"pk": profile.pk},
            "agreements": {"slug": agreement.slug, "pk": meeting.pk, "document_pk": document.pk,
                           "event_pk": event.pk},
            "projects": {"slug": project.slug, "pk": milestone.pk, "report_pk": report.pk, "grant_pk": grant.pk,
                         "call_pk": call.pk},
        },
    }


# URL names whose `pk` is another object than the namespace's usual one.
PK_OVERRIDES = {
    "agreements:document": "document_pk",
    "agreements:event": "event_pk",
    "agreements:event-register": "event_pk",
    "agreements:event-cancel": "event_pk",
    "agreements:event-calendar": "event_pk",
    "projects:report-submit": "report_pk",
    "projects:report-file": "report_pk",
    "projects:grant-split": "grant_pk",
    "projects:call-detail": "call_pk",
}


def url_for(url_name: str, world: dict) -> str:
    params = url_names()[url_name]
    namespace = url_name.split(":")[0]
    values = {**world, **world["by_namespace"].get(namespace, {})}
    if url_name in PK_OVERRIDES:
        values["pk"] = values[PK_OVERRIDES[url_name]]
    return reverse(url_name, kwargs={name: values[name] for name in params})


@pytest.mark.parametrize("url_name,method,expected", MATRIX, ids=[f"{r[0]}:{r[1]}" for r in MATRIX])
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, request, world, url_name, method, expected, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = getattr(client, method)(url_for(url_name, world))
    answer = expected[persona]
    if isinstance(answer, tuple):
        assert response.status_code == 302, f"{persona} got {response.status_code}, expected a redirect"
        assert response["Location"].startswith(answer[1]), response["Location"]
    else:
        assert response.status_code == answer


def test_every_url_name_has_a_row():
    names = set(url_names())
    assert {"members:workspace", "agreements:meeting", "projects:budget", "network_portal:home"} <= names
    missing = names - {r[0] for r in MATRIX}
    assert not missing, f"no row in the permission matrix for {sorted(missing)}"


def test_every_protected_view_uses_the_access_decorator():
    """One decorator guards every page that is not public: no view decides access on its own."""
    public = {name for name, _m, expected in MATRIX if expected == PUBLIC}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        if namespace not in OUR_NAMESPACES:
            continue
        for pattern in resolver.url_patterns:
            name = f"{namespace}:{pattern.name}"
            if name in public:
                continue
            callback = pattern.callback
            assert hasattr(callback, "access_permission"), f"{name} is not guarded by access_required"


def test_another_gardens_record_is_404_even_for_its_id(client, staff_a, garden_a, garden_b):
    """Staff of A guessing the id of B's record under A's slug, or under B's slug, get 404."""
    other = TargetCompanyFactory(garden=garden_b)
    client.force_login(staff_a)
    for slug in (garden_a.slug, garden_b.slug):
        url = reverse("members:company-detail", kwargs={"garden_slug": slug, "pk": other.pk})
        assert client.get(url).status_code == 404


def test_ended_membership_loses_access_on_the_next_request(client, garden_a):
    membership = MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF)
    client.force_login(membership.user)
    url = reverse("members:workspace", kwargs={"garden_slug": garden_a.slug})
    assert client.get(url).status_code == 200
    membership.valid_to = datetime.date(2021, 1, 1)
    membership.save()
    assert client.get(url).status_code == 404


def test_unknown_garden_is_404_for_members_too(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("members:workspace", kwargs={"garden_slug": "nope"})).status_code == 404


def test_a_reader_sees_the_record_but_not_the_people_in_it(client, reader, garden_a):
    target = TargetCompanyFactory(garden=garden_a)
    ContactPerson.objects.create(target=target, name="Kari Kontakt", email="kari@bedrift.example.org")
    client.force_login(reader)
    page = client.get(target.get_absolute_url()).content.decode()
    assert target.company.name in page
    assert "Kari Kontakt" not in page and "kari@bedrift.example.org" not in page
    assert "vises bare for hagens ansatte" in page
    workspace = client.get(garden_a.get_workspace_url()).content.decode()
    assert reverse("members:help-inbox", kwargs={"garden_slug": garden_a.slug}) not in workspace
