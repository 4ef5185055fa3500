"""Every kind of e-mail the portal sends, rendered as it is sent (bokmål): no English, no ISO dates.

Dates read 01.03.2026, moments 31.01.2026 kl. 14:05, counts and hours 1 234 and 1 234,5. Each
template set under templates/**/email/ must have a case here (a new kind of mail fails the test
until it is added), and the account mails allauth renders are checked through the real pages.
"""

import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import ActionItem, Agreement, Meeting
from core.mail import mail_render
from core.models import Mail
from gardens.models import Invitation
from members.models import Company, HelpRequest, HelpRequestMessage, TargetCompany, TransferRequest
from network_portal.reports import Period
from projects.models import ProgressReport, Project
from tests.factories import GardenFactory, MunicipalityFactory, UserFactory

from .test_no_english_on_pages import ENGLISH, problems_in, visible_text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# Phrases an English template or an untranslated string would leave in a mail.
ENGLISH_IN_MAILS = [*ENGLISH, "Hello", "Open in the portal", "Or copy", " hours", "due on", "Meeting on",
                    "Overdue", "Invitation", "Answer", "replied", "Transfer", "network report", "January"]


@pytest.fixture
def people():
    alfa = GardenFactory(name="Alfa Næringshage", slug="alfa")
    beta = GardenFactory(name="Beta Næringshage", slug="beta")
    kari = UserFactory(full_name="Kari Nordmann", email="kari@example.org")
    agreement = Agreement.objects.create(name="Samarbeidsavtale Alfa–Beta", slug="alfa-beta", purpose="Samhandling.")
    meeting = Meeting.objects.create(agreement=agreement, title="Styringsmøte", date=datetime.date(2026, 3, 1),
                                     place="Røros", agenda="Budsjett")
    action = ActionItem.objects.create(meeting=meeting, description="Sende referat", owner=kari,
                                       due_on=datetime.date(2026, 2, 15))
    help_request = HelpRequest(garden=alfa, name="Tora Tynset", email="tora@example.org",
                               municipality=MunicipalityFactory(name="Tynset"), message="Trenger hjelp med budsjett.",
                               company_name="Tora AS", org_number="923609016",
                               created_at=timezone.make_aware(datetime.datetime(2026, 1, 31, 14, 5)))
    transfer = TransferRequest(from_garden=alfa, to_garden=beta, requested_by=kari, to_confirmed_by=kari,
                               note="Bedriften flytter.")
    targets = [TargetCompany(company=Company(name="Fjellost AS", org_number="923609016"))]
    invitation = Invitation(garden=alfa, email="nina@example.org", role="staff", invited_by=kari,
                            expires_at=timezone.make_aware(datetime.datetime(2026, 1, 31, 14, 5)))
    project = Project(name="Grønn vekst", slug="gronn-vekst")
    return SimpleNamespace(**locals())


def cases(p) -> dict[str, tuple[dict, list[str]]]:
    """Template → (its context as the sending code builds it, what the mail must say the Norwegian way)."""
    url = "https://portal.example.org/g/alfa/"
    report = ProgressReport(project=p.project, period="første halvår 2026", due=datetime.date(2026, 3, 1))
    return {
        "agreements/email/action_overdue": (
            {"action": p.action, "meeting": p.meeting, "agreement": p.agreement, "path": url}, ["15.02.2026"]),
        "agreements/email/meeting_reminder": (
            {"meeting": p.meeting, "agreement": p.agreement, "path": url}, ["01.03.2026"]),
        "gardens/email/invitation": (
            {"invitation": p.invitation, "garden": p.alfa, "inviter": "Kari Nordmann", "role": "ansatt",
             "accept_url": url, "expires": p.invitation.expires_at}, ["31.01.2026 kl. 14:05"]),
        "members/email/help_request": ({"help_request": p.help_request, "garden": p.alfa, "url": url}, ["Tynset"]),
        "members/email/help_answer": (
            {"answer": HelpRequestMessage(request=p.help_request, author=p.kari, body="Velkommen innom."),
             "help_request": p.help_request, "garden": p.alfa, "my_page_url": url}, ["Velkommen innom."]),
        "members/email/help_reply": (
            {"reply": HelpRequestMessage(request=p.help_request, body="Takk!"), "help_request": p.help_request,
             "garden": p.alfa, "url": url}, ["Takk!"]),
        **{f"members/email/transfer_{event}": (
            {"transfer": p.transfer, "targets": p.targets, "url": url, "garden": p.beta}, ["Fjellost AS"])
           for event in ("requested", "completed", "cancelled")},
        "network_portal/email/quarterly_report": (
            {"period": Period(2026, 3), "gardens": [p.alfa, p.beta],
             "counts": SimpleNamespace(active=1234, new=56, ended=7),
             "follow_up": SimpleNamespace(hours=Decimal("1234.50"), activities=2345), "url": url},
            [f"1{NBSP}234", f"1{NBSP}234,5", f"2{NBSP}345", "3. kvartal 2026"]),
        "projects/email/report_reminder": (
            {"report": report, "project": p.project, "stage": "overdue", "url": url}, ["01.03.2026"]),
    }


def test_every_mail_template_has_a_case(people):
    on_disk = {
        str(path.relative_to(Path(settings.BASE_DIR) / "templates")).removesuffix("_subject.txt")
        for path in (Path(settings.BASE_DIR) / "templates").glob("**/email/*_subject.txt")
    }
    assert on_disk == set(cases(people))


@pytest.mark.parametrize("template", [
    "agreements/email/action_overdue", "agreements/email/meeting_reminder", "gardens/email/invitation",
    "members/email/help_request", "members/email/help_answer", "members/email/help_reply",
    "members/email/transfer_requested", "members/email/transfer_completed", "members/email/transfer_cancelled",
    "network_portal/email/quarterly_report", "projects/email/report_reminder",
])
def test_mail_is_bokmal_with_norwegian_dates_and_numbers(people, template):
    context, expected = cases(people)[template]
    with translation.override("en"):  # whatever the sender's page language, the mail is in bokmål
        subject, text, html = mail_render(template, context)
    for part, content in (("subject", subject), ("text", text), ("html", visible_text(html))):
        assert not problems_in(content), f"{template} {part}: {problems_in(content)}"
        found = [phrase for phrase in ENGLISH_IN_MAILS if phrase in content]
        assert not found, f"{template} {part} has English: {found}"
    for shown in expected:
        # (the visible text of the HTML part has its non-breaking spaces folded into spaces)
        assert shown in text and " ".join(shown.split()) in visible_text(html), f"{template} lacks {shown!r}"


def test_account_mails_are_bokmal(client, settings):
    settings.PORTAL_SIGNUP_OPEN = True
    UserFactory(email="tora@example.org", full_name="Tora Tynset")
    client.post(reverse("account_reset_password"), {"email": "tora@example.org"})
    client.post(reverse("account_signup"), {"full_name": "Nils Ny", "email": "nils@example.org",
                                            "password1": "fjellbekk-morgen-42", "password2": "fjellbekk-morgen-42"})
    mails = list(Mail.objects.order_by("pk"))
    assert len(mails) == 2  # the reset link and the verification link
    for mail in mails:
        for content in (mail.subject, mail.text, visible_text(mail.html)):
            assert not problems_in(content), problems_in(content)
            assert not [phrase for phrase in ENGLISH_IN_MAILS if phrase in content], content
