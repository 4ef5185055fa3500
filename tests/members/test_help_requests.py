"""Entrepreneurs ask a garden for help; garden staff answer from the workspace inbox."""

import datetime
import re
import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import mail as outbox
from core.models import AuditEntry, Mail
from core.ratelimit import RATE_LIMIT
from gardens.models import StaffMembership, StaffProfile
from members.models import HelpRequest, HelpRequestMessage, TargetCompany
from tests.factories import MembershipFactory, MunicipalityFactory, valid_org_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Rate limits live in the cache, which outlives a test: give each test an empty one of its own.

    Never cache.clear() the configured cache: with REDIS_URL that would flush the broker's database.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "help-requests-test"}}
    cache.clear()


def ask_url(garden) -> str:
    return reverse("members:ask-garden", kwargs={"garden_slug": garden.slug})


def inbox_url(garden) -> str:
    return reverse("members:help-inbox", kwargs={"garden_slug": garden.slug})


def detail_url(help_request, action: str = "detail") -> str:
    return reverse(f"members:help-{action}",
                   kwargs={"garden_slug": help_request.garden.slug, "help_request_pk": help_request.pk})


ANON = {"name": "Ola Gründer", "email": "ola@example.org",
        "message": "Vi trenger hjelp med en søknad til Innovasjon Norge."}


def post_ask(client, capture, garden, data=None, ip="10.0.0.1", url=None):
    with capture(execute=True):
        return client.post(url or ask_url(garden), data or ANON, REMOTE_ADDR=ip)


def make_request(garden, **extra) -> HelpRequest:
    """A request as if the notification had gone out long ago (for inbox tests)."""
    values = {"name": "Kari", "email": "kari@example.org", "message": "Hjelp"}
    return HelpRequest.objects.create(garden=garden, **{**values, **extra})


def age_outbox(minutes: int = 2) -> None:
    """Make every queued mail older than the sweep's grace period (and its pause over)."""
    Mail.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=minutes), next_attempt_at=None)


# --- Asking ---------------------------------------------------------------------------------------------------


def test_anonymous_request_is_saved_and_the_garden_admins_are_emailed(
        client, django_capture_on_commit_callbacks, garden_a, admin_a, staff_a):
    response = post_ask(client, django_capture_on_commit_callbacks, garden_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:ask-done", kwargs={"garden_slug": garden_a.slug})
    request = HelpRequest.objects.get()
    assert (request.garden, request.requester, request.email, request.status) == (garden_a, None, "ola@example.org",
                                                                                   "new")
    assert request.notification.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin_a.email]  # admins, not every staff member
    assert message.reply_to == ["ola@example.org"]
    assert "Innovasjon Norge" in message.body
    assert detail_url(request) in message.body
    assert "Alfa Næringshage" in client.get(response["Location"]).content.decode()


def test_garden_without_admins_is_emailed_at_its_own_address(client, django_capture_on_commit_callbacks, garden_a):
    garden_a.email = "post@alfa.example.org"
    garden_a.save()
    post_ask(client, django_capture_on_commit_callbacks, garden_a)
    assert [m.to for m in mail.outbox] == [["post@alfa.example.org"]]


def test_anonymous_must_give_name_and_email(client, django_capture_on_commit_callbacks, garden_a):
    response = post_ask(client, django_capture_on_commit_callbacks, garden_a, {"message": "Hjelp"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "email"}
    assert HelpRequest.objects.count() == 0
    assert "Hjelp" in response.content.decode()  # what was typed is kept


def test_signed_in_request_uses_the_accounts_address(client, django_capture_on_commit_callbacks, garden_a, admin_a,
                                                    entrepreneur):
    client.force_login(entrepreneur)
    page = client.get(ask_url(garden_a)).content.decode()
    assert 'name="email"' not in page
    post_ask(client, django_capture_on_commit_callbacks, garden_a,
             {"message": "Hjelp", "email": "someone-else@example.org", "name": ""})
    request = HelpRequest.objects.get()
    assert request.requester == entrepreneur
    assert request.email == entrepreneur.email
    assert request.name == entrepreneur.full_name


def test_invalid_org_number_gets_a_clear_message(client, django_capture_on_commit_callbacks, garden_a):
    response = post_ask(client, django_capture_on_commit_callbacks, garden_a, {**ANON, "org_number": "123456789"})
    assert response.status_code == 200
    assert "organisasjonsnummer" in " ".join(response.context["form"].errors["org_number"])
    assert HelpRequest.objects.count() == 0


def test_filled_spam_trap_pretends_success_and_saves_nothing(client, django_capture_on_commit_callbacks, garden_a,
                                                             admin_a):
    response = post_ask(client, django_capture_on_commit_callbacks, garden_a, {**ANON, "website": "http://spam"})
    assert response.status_code == 302
    assert HelpRequest.objects.count() == 0
    assert mail.outbox == []


def test_spam_trap_is_hidden_from_people(client, garden_a):
    page = client.get(ask_url(garden_a)).content.decode()
    trap = re.search(r'<div class="hp-field" aria-hidden="true">.*?</div>', page, re.S).group(0)
    assert 'tabindex="-1"' in trap and 'name="website"' in trap


def test_rate_limit_per_ip_address(client, django_capture_on_commit_callbacks, garden_a):
    for n in range(RATE_LIMIT):
        response = post_ask(client, django_capture_on_commit_callbacks, garden_a,
                            {**ANON, "email": f"person{n}@example.org"})
        assert response.status_code == 302
    response = post_ask(client, django_capture_on_commit_callbacks, garden_a, {**ANON, "email": "ny@example.org"})
    assert response.status_code == 429
    assert "Vent en time og prøv igjen" in response.content.decode()
    assert HelpRequest.objects.count() == RATE_LIMIT
    # Another address is not affected.
    assert post_ask(client, django_capture_on_commit_callbacks, garden_a, {**ANON, "email": "x@example.org"},
                    ip="10.0.0.2").status_code == 302


def test_rate_limit_per_email_address(client, django_capture_on_commit_callbacks, garden_a):
    for n in range(RATE_LIMIT):
        assert post_ask(client, django_capture_on_commit_callbacks, garden_a, ip=f"10.0.1.{n}").status_code == 302
    assert post_ask(client, django_capture_on_commit_callbacks, garden_a, ip="10.0.2.1").status_code == 429
    assert HelpRequest.objects.count() == RATE_LIMIT


# --- Asking one staff member ----------------------------------------------------------------------------------


def test_ask_a_staff_member_through_their_published_profile(client, django_capture_on_commit_callbacks, garden_a,
                                                            admin_a, staff_a):
    profile = StaffProfile.objects.create(user=staff_a, headline="Eksport", is_public=True)
    url = reverse("members:ask-staff", kwargs={"profile_pk": profile.pk})
    assert "Stine Stab" in client.get(url).content.decode()
    post_ask(client, django_capture_on_commit_callbacks, garden_a, url=url)
    request = HelpRequest.objects.get()
    assert (request.garden, request.staff_profile) == (garden_a, profile)
    assert [m.to for m in mail.outbox] == [[staff_a.email]]


def test_unpublished_profile_is_404(client, staff_a):
    profile = StaffProfile.objects.create(user=staff_a, is_public=False)
    assert client.get(reverse("members:ask-staff", kwargs={"profile_pk": profile.pk})).status_code == 404


def test_profile_of_someone_who_left_is_404(client, staff_a):
    profile = StaffProfile.objects.create(user=staff_a, is_public=True)
    StaffMembership.objects.filter(user=staff_a).update(valid_to=datetime.date(2020, 1, 1))
    assert client.get(reverse("members:ask-staff", kwargs={"profile_pk": profile.pk})).status_code == 404


def test_garden_page_and_find_results_link_to_asking(client, garden_a):
    municipality = MunicipalityFactory(number="3427", name="Tynset")
    garden_a.coverages.create(municipality=municipality)
    assert ask_url(garden_a) in client.get(garden_a.get_absolute_url()).content.decode()
    assert ask_url(garden_a) in client.get(reverse("network_portal:find") + "?q=Tynset").content.decode()


# --- E-mail that an outage held back ---------------------------------------------------------------------------


def test_broker_down_keeps_the_request_and_the_retry_sends_it_once(
        client, django_capture_on_commit_callbacks, garden_a, admin_a, monkeypatch):
    from core.tasks import mail_send_task

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(mail_send_task, "delay", broker_down)
    response = post_ask(client, django_capture_on_commit_callbacks, garden_a)
    assert response.status_code == 302  # the entrepreneur is told it was received
    request = HelpRequest.objects.get()
    assert request.notification is not None and request.notification.sent_at is None
    assert mail.outbox == []

    # Fresh mails are left to their own task for a minute.
    assert outbox.mail_retry_unsent() == 0
    age_outbox()
    assert outbox.mail_retry_unsent() == 1
    assert outbox.mail_retry_unsent() == 0
    assert len(mail.outbox) == 1
    request.notification.refresh_from_db()
    assert request.notification.sent_at is not None


def test_mail_server_down_keeps_the_mail_unsent_until_the_retry(
        client, django_capture_on_commit_callbacks, garden_a, admin_a, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def server_down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", server_down)
        assert post_ask(client, django_capture_on_commit_callbacks, garden_a).status_code == 302
        notification = HelpRequest.objects.get().notification
        notification.refresh_from_db()
        assert (notification.sent_at, notification.attempts) == (None, 1)
        assert "SMTPServerDisconnected" in notification.last_error
        age_outbox()
        assert outbox.mail_retry_unsent() == 0  # still down: nothing marked sent
    notification.refresh_from_db()
    assert (notification.sent_at, notification.attempts) == (None, 2)
    age_outbox()
    assert outbox.mail_retry_unsent() == 1
    assert outbox.mail_retry_unsent() == 0
    assert len(mail.outbox) == 1


def test_beat_runs_the_mail_retry_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mail-retry-unsent"]
    assert entry == {"task": "core.tasks.mail_retry_unsent", "schedule": 300}


# --- The inbox ------------------------------------------------------------------------------------------------


def test_inbox_lists_newest_first_with_status_filter(client, garden_a, staff_a):
    old = make_request(garden_a, name="Eldre Spørsmål", created_at=timezone.now() - datetime.timedelta(days=2))
    new = make_request(garden_a, name="Nyere Spørsmål")
    make_request(garden_a, name="Lukket Sak", status=HelpRequest.Status.CLOSED)
    client.force_login(staff_a)
    page = client.get(inbox_url(garden_a)).content.decode()
    assert page.index(new.name) < page.index(old.name)
    filtered = client.get(inbox_url(garden_a) + "?status=closed").content.decode()
    assert "Lukket Sak" in filtered and new.name not in filtered


def test_another_gardens_request_is_404(client, garden_a, garden_b, staff_a):
    other = make_request(garden_b)
    client.force_login(staff_a)
    for slug in (garden_a.slug, garden_b.slug):
        url = reverse("members:help-detail", kwargs={"garden_slug": slug, "help_request_pk": other.pk})
        assert client.get(url).status_code == 404
    assert client.post(reverse("members:help-answer", kwargs={"garden_slug": garden_a.slug,
                                                              "help_request_pk": other.pk}),
                       {"body": "Hei"}).status_code == 404
    assert not HelpRequestMessage.objects.exists()


def test_a_network_reader_does_not_see_entrepreneurs_requests(client, garden_a, reader):
    """Requests hold entrepreneurs' names and contact details: the garden's staff only (gardens/access.py)."""
    request = make_request(garden_a)
    client.force_login(reader)
    assert client.get(inbox_url(garden_a)).status_code == 403
    response = client.get(detail_url(request))
    assert response.status_code == 403 and request.email not in response.content.decode()
    assert client.post(detail_url(request, "answer"), {"body": "Hei"}).status_code == 403


def test_workspace_tab_counts_new_requests(client, garden_a, staff_a):
    make_request(garden_a)
    make_request(garden_a)
    make_request(garden_a, status=HelpRequest.Status.ANSWERED)
    client.force_login(staff_a)
    page = client.get(garden_a.get_workspace_url()).content.decode()
    tab = re.search(rf'<a href="{re.escape(inbox_url(garden_a))}"[^>]*>(.*?)</a>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s+", " ", tab).split() == ["Forespørsler", "2", "nye"]


@pytest.mark.parametrize("rows", [5, 60])
def test_inbox_query_count_is_fixed(client, django_assert_num_queries, garden_a, staff_a, rows):
    profile = StaffProfile.objects.create(user=staff_a, is_public=True)
    municipality = MunicipalityFactory()
    for n in range(rows):
        make_request(garden_a, assigned_to=staff_a, municipality=municipality, staff_profile=profile if n % 2 else None)
    client.force_login(staff_a)
    # 1 session, 2 user, 3 garden with the count of new requests, 4 memberships (access and navigation),
    # 5 paginator count, 6 the page of requests with assignee, municipality and asked staff member.
    with django_assert_num_queries(6):
        assert client.get(inbox_url(garden_a)).status_code == 200


@pytest.mark.parametrize("answers", [5, 50])
def test_detail_query_count_is_fixed(client, django_assert_num_queries, garden_a, staff_a, answers):
    request = make_request(garden_a, assigned_to=staff_a)
    for n in range(answers):
        HelpRequestMessage.objects.create(request=request, author=staff_a, body=f"Svar {n}")
    client.force_login(staff_a)
    # 1 session, 2 user, 3 garden, 4 memberships (access and navigation), 5 the request with its relations,
    # 6 the thread with authors, 7 the colleagues for the assignment dropdown, 8 municipalities for the
    # conversion form.
    with django_assert_num_queries(8):
        assert client.get(detail_url(request)).status_code == 200


# --- Acting on a request --------------------------------------------------------------------------------------


def test_assign_dropdown_offers_only_this_gardens_current_staff(client, garden_a, staff_a, admin_a, staff_b):
    gone = MembershipFactory(garden=garden_a, user__full_name="Gunnar Gått", valid_to=datetime.date(2020, 1, 1)).user
    request = make_request(garden_a)
    client.force_login(staff_a)
    choices = set(client.get(detail_url(request)).context["assign_form"].fields["assigned_to"].queryset
                  .values_list("pk", flat=True))
    assert admin_a.pk in choices and staff_a.pk in choices
    assert staff_b.pk not in choices and gone.pk not in choices
    client.post(detail_url(request, "assign"), {"assigned_to": staff_b.pk})
    request.refresh_from_db()
    assert request.assigned_to is None
    client.post(detail_url(request, "assign"), {"assigned_to": admin_a.pk})
    request.refresh_from_db()
    assert (request.assigned_to, request.status) == (admin_a, "assigned")
    assert AuditEntry.objects.filter(action="members.helprequest.assigned", target_id=str(request.pk)).exists()


def test_answer_reaches_the_requester_by_email_and_on_my_page(
        client, django_capture_on_commit_callbacks, garden_a, staff_a, admin_a, entrepreneur):
    client.force_login(entrepreneur)
    post_ask(client, django_capture_on_commit_callbacks, garden_a)
    request = HelpRequest.objects.get()
    mail.outbox = []

    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(request, "answer"), {"body": "Ring meg på tirsdag, så ser vi på søknaden."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.assigned_to) == ("answered", staff_a)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [entrepreneur.email]
    assert "Ring meg på tirsdag" in mail.outbox[0].body
    assert reverse("members:my-page") in mail.outbox[0].body
    assert HelpRequestMessage.objects.get().mail.sent_at is not None

    client.force_login(entrepreneur)
    page = client.get(reverse("members:my-page")).content.decode()
    assert "Ring meg på tirsdag" in page and "Alfa Næringshage" in page


def test_empty_answer_is_refused_and_nothing_sent(client, garden_a, staff_a):
    request = make_request(garden_a)
    client.force_login(staff_a)
    response = client.post(detail_url(request, "answer"), {"body": "   "})
    assert response.status_code == 400
    assert "Feltet er påkrevet." in response.content.decode()
    assert not HelpRequestMessage.objects.exists() and mail.outbox == []


def test_answer_held_back_by_a_mail_outage_is_sent_by_the_retry(
        client, django_capture_on_commit_callbacks, garden_a, staff_a, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    request = make_request(garden_a)
    client.force_login(staff_a)
    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("down")))
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(detail_url(request, "answer"), {"body": "Svar"}).status_code == 302
    answer = HelpRequestMessage.objects.get()
    assert answer.mail.sent_at is None
    age_outbox()
    assert outbox.mail_retry_unsent() == 1
    assert outbox.mail_retry_unsent() == 0
    assert [m.to for m in mail.outbox] == [["kari@example.org"]]


def test_close_keeps_an_internal_note_not_shown_to_the_requester(client, garden_a, staff_a, entrepreneur):
    request = make_request(garden_a, requester=entrepreneur, email=entrepreneur.email)
    client.force_login(staff_a)
    client.post(detail_url(request, "close"), {"note": "Dobbel forespørsel"})
    request.refresh_from_db()
    assert request.status == "closed"
    client.force_login(entrepreneur)
    page = client.get(reverse("members:my-page")).content.decode()
    assert "lukket" in page and "Dobbel forespørsel" not in page


def test_turn_into_a_target_company_in_one_step(client, garden_a, staff_a):
    municipality = MunicipalityFactory(number="3427", name="Tynset")
    org = valid_org_number(4242)
    request = make_request(garden_a, org_number=org, company_name="Fjellbakst AS", municipality=municipality)
    client.force_login(staff_a)
    form = client.get(detail_url(request)).context["convert_form"]
    assert (form["org_number"].value(), form["name"].value(), form["municipality"].value()) == (
        org, "Fjellbakst AS", municipality.pk)
    response = client.post(detail_url(request, "convert"), {
        "org_number": org, "name": "Fjellbakst AS", "municipality": municipality.pk, "contract_start": "2026-11-01"})
    target = TargetCompany.objects.get(garden=garden_a)
    assert response["Location"] == target.get_absolute_url()
    assert (target.company.org_number, target.company.municipality, target.adviser) == (org, municipality, staff_a)
    request.refresh_from_db()
    assert (request.status, request.company) == ("closed", target.company)
    assert request.messages.get().is_internal


def test_turn_into_target_company_with_bad_number_keeps_the_input(client, garden_a, staff_a):
    request = make_request(garden_a, company_name="Fjellbakst AS")
    client.force_login(staff_a)
    response = client.post(detail_url(request, "convert"), {
        "org_number": "123456789", "name": "Fjellbakst AS", "contract_start": "2026-11-01"})
    assert response.status_code == 400
    assert 'value="123456789"' in response.content.decode()
    assert not TargetCompany.objects.exists()
    request.refresh_from_db()
    assert request.status == "new"


def test_turning_an_existing_target_company_again_says_why(client, garden_a, staff_a):
    from tests.factories import TargetCompanyFactory

    existing = TargetCompanyFactory(garden=garden_a)
    request = make_request(garden_a)
    client.force_login(staff_a)
    response = client.post(detail_url(request, "convert"), {
        "org_number": existing.company.org_number, "name": "X", "contract_start": "2026-11-01"})
    assert response.status_code == 400
    # Its own garden's record: the message links to it.
    assert f'href="{existing.get_absolute_url()}"' in response.content.decode()
    request.refresh_from_db()
    assert request.status == "new" and request.company is None


def _answered_request(garden, entrepreneur, staff):
    from members.help_services import help_request_answer
    from members.models import HelpRequest

    help_request = HelpRequest.objects.create(garden=garden, name="Eli Gründer", email=entrepreneur.email,
                                              message="Hjelp med budsjett", requester=entrepreneur)
    help_request_answer(help_request=help_request, by=staff, body="Kom innom på tirsdag.")
    return help_request


def test_entrepreneur_replies_and_the_garden_is_told_through_the_outbox(client, garden_a, entrepreneur, staff_a,
                                                                        django_capture_on_commit_callbacks):
    from core.models import Mail

    help_request = _answered_request(garden_a, entrepreneur, staff_a)
    client.force_login(entrepreneur)
    page = client.get(reverse("members:my-page")).content.decode()
    assert "Svar hagen" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:help-reply", args=[help_request.pk]),
                               {f"reply-{help_request.pk}-body": "Tirsdag passer fint."})
    assert response.status_code == 302
    help_request.refresh_from_db()
    assert help_request.status == "new"  # back in the garden's inbox as needing an answer
    reply = help_request.messages.order_by("-pk").first()
    assert reply.author == entrepreneur and reply.body == "Tirsdag passer fint."
    mail = Mail.objects.get(pk=reply.mail_id)
    assert mail.to == [staff_a.email]  # the one who answered
    assert "Tirsdag passer fint." in mail.text
    client.force_login(staff_a)
    assert "Tirsdag passer fint." in client.get(help_request.get_absolute_url()).content.decode()


def test_an_empty_reply_comes_back_with_the_error(client, garden_a, entrepreneur, staff_a):
    help_request = _answered_request(garden_a, entrepreneur, staff_a)
    client.force_login(entrepreneur)
    response = client.post(reverse("members:help-reply", args=[help_request.pk]),
                           {f"reply-{help_request.pk}-body": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<details open>" in html and 'aria-invalid="true"' in html and "autofocus" in html


def test_nobody_else_replies_to_a_request(client, garden_a, entrepreneur, staff_a):
    from tests.factories import UserFactory

    help_request = _answered_request(garden_a, entrepreneur, staff_a)
    client.force_login(UserFactory())
    assert client.post(reverse("members:help-reply", args=[help_request.pk]),
                       {f"reply-{help_request.pk}-body": "Hei"}).status_code == 404
