"""Staff invitations and ending memberships: services, the e-mail task, the staff page and the invitation link."""

import datetime
import smtplib
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from core import mail as outbox
from core.models import AuditEntry, Mail, User
from core.tasks import mail_send_task
from gardens import services
from gardens.access import garden_access, membership_for
from gardens.models import Invitation, StaffMembership
from members.models import FollowUpEntry, TargetCompany
from members.services import follow_up_log
from tests.factories import MembershipFactory, TargetCompanyFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "fjellbekk-morgen-42"


class MailServerDown(BaseEmailBackend):
    """Every send fails the way an unreachable SMTP server does."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class MailServerHiccup(LocmemBackend):
    """The first send fails, the next ones are delivered to mail.outbox."""

    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts == 1:
            raise ConnectionRefusedError("Connection refused")
        return super().send_messages(messages)


def staff_url(garden, name="gardens:staff", **kwargs):
    return reverse(name, kwargs={"garden_slug": garden.slug, **kwargs})


def accept_url(invitation):
    return reverse("gardens:invitation-accept", kwargs={"token": invitation.token})


@pytest.fixture
def invite(garden_a, admin_a, django_capture_on_commit_callbacks):
    """Create an invitation through the service, without running the queued e-mail."""

    def make(email="ny@example.org", role=StaffMembership.Role.STAFF, garden=garden_a, by=admin_a):
        with django_capture_on_commit_callbacks(execute=False):
            return services.invitation_create(garden=garden, by=by, email=email, role=role)

    return make


def expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    invitation.refresh_from_db()


# --- services: invitations ------------------------------------------------------------------


def test_create_makes_an_open_invitation_with_a_long_random_token(invite, garden_a, admin_a):
    invitation = invite(email="  Ny.Kollega@Example.org ")
    assert invitation.is_open
    assert invitation.email == "ny.kollega@example.org"
    assert len(invitation.token) >= 40
    assert invitation.invited_by == admin_a
    assert invite(email="annen@example.org").token != invitation.token
    entry = AuditEntry.objects.get(action="gardens.invitation.created", target_id=str(invitation.pk))
    assert entry.actor == admin_a and entry.garden_id == garden_a.pk
    assert entry.changes["email"] == [None, "ny.kollega@example.org"]


def test_invitation_expires_after_the_configured_days(invite, settings):
    settings.INVITATION_DAYS = 3
    before = timezone.now()
    invitation = invite()
    assert before + datetime.timedelta(days=3) <= invitation.expires_at <= timezone.now() + datetime.timedelta(days=3)


def test_create_queues_the_email_only_after_commit(garden_a, admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = services.invitation_create(garden=garden_a, by=admin_a, email="ny@example.org", role="staff")
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["ny@example.org"]]
    invitation.refresh_from_db()
    assert invitation.mail.sent_at is not None


def test_create_refuses_someone_who_already_works_there(invite, staff_a):
    with pytest.raises(ValidationError, match="allerede i denne hagen"):
        invite(email=staff_a.email.upper())
    assert not Invitation.objects.exists()


def test_create_accepts_someone_whose_membership_ended(invite, garden_a):
    former = MembershipFactory(garden=garden_a, valid_to=datetime.date(2022, 12, 31)).user
    assert invite(email=former.email).is_open


def test_duplicate_open_invitation_is_refused_and_offers_resend(invite):
    first = invite(email="ny@example.org")
    with pytest.raises(services.InvitationAlreadyOpen) as raised:
        invite(email="NY@example.org", role=StaffMembership.Role.ADMIN)
    assert raised.value.invitation == first
    assert "sende den på nytt" in raised.value.messages[0]
    assert Invitation.objects.count() == 1


def test_a_new_invitation_is_allowed_once_the_old_one_expired_or_was_withdrawn(invite, admin_a):
    expire(invite(email="ny@example.org"))
    second = invite(email="ny@example.org")
    services.invitation_revoke(invitation=second, by=admin_a)
    assert invite(email="ny@example.org").is_open
    assert Invitation.objects.filter(email="ny@example.org").count() == 3


@pytest.mark.parametrize("email,role", [("ikke-en-adresse", "staff"), ("ny@example.org", "boss")])
def test_create_refuses_bad_address_or_role(invite, email, role):
    with pytest.raises(ValidationError):
        invite(email=email, role=role)
    assert not Invitation.objects.exists()


def test_revoke_closes_the_link(invite, admin_a, entrepreneur):
    invitation = invite(email=entrepreneur.email)
    services.invitation_revoke(invitation=invitation, by=admin_a)
    invitation.refresh_from_db()
    assert not invitation.is_open and invitation.revoked_at is not None
    assert AuditEntry.objects.filter(action="gardens.invitation.revoked", target_id=str(invitation.pk)).exists()
    with pytest.raises(ValidationError, match="trukket tilbake"):
        services.invitation_accept(invitation=invitation, user=entrepreneur)
    with pytest.raises(ValidationError, match="allerede trukket tilbake"):
        services.invitation_revoke(invitation=invitation, by=admin_a)


def test_resend_renews_the_expiry_and_sends_again(invite, admin_a, settings, django_capture_on_commit_callbacks):
    invitation = invite()
    first = invitation.mail
    send(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation, by=admin_a)
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=settings.INVITATION_DAYS - 1)
    assert len(mail.outbox) == 2
    assert invitation.mail.sent_at is not None and invitation.mail != first
    assert AuditEntry.objects.filter(action="gardens.invitation.resent").count() == 1


def test_resend_refuses_withdrawn_or_accepted(invite, admin_a, entrepreneur):
    withdrawn = invite(email="borte@example.org")
    services.invitation_revoke(invitation=withdrawn, by=admin_a)
    with pytest.raises(ValidationError, match="trukket tilbake"):
        services.invitation_resend(invitation=withdrawn, by=admin_a)
    accepted = invite(email=entrepreneur.email)
    services.invitation_accept(invitation=accepted, user=entrepreneur)
    with pytest.raises(ValidationError, match="allerede akseptert"):
        services.invitation_resend(invitation=accepted, by=admin_a)


def test_accept_creates_the_membership_with_the_invited_role(invite, garden_a, entrepreneur):
    invitation = invite(email=entrepreneur.email.upper(), role=StaffMembership.Role.ADMIN)
    membership = services.invitation_accept(invitation=invitation, user=entrepreneur)
    assert membership.role == StaffMembership.Role.ADMIN
    assert membership.valid_from == timezone.localdate() and membership.valid_to is None
    assert membership_for(entrepreneur, garden_a) == membership
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and not invitation.is_open
    actions = set(AuditEntry.objects.filter(garden_id=garden_a.pk).values_list("action", flat=True))
    assert {"gardens.invitation.accepted", "gardens.membership.created"} <= actions


def test_accept_with_another_accounts_email_is_refused(invite, garden_a, entrepreneur):
    invitation = invite(email="riktig@example.org")
    with pytest.raises(ValidationError) as raised:
        services.invitation_accept(invitation=invitation, user=entrepreneur)
    assert "riktig@example.org" in raised.value.messages[0] and entrepreneur.email in raised.value.messages[0]
    assert membership_for(entrepreneur, garden_a) is None
    invitation.refresh_from_db()
    assert invitation.is_open


def test_an_invitation_is_used_once(invite, entrepreneur):
    invitation = invite(email=entrepreneur.email)
    services.invitation_accept(invitation=invitation, user=entrepreneur)
    with pytest.raises(ValidationError, match="allerede brukt"):
        services.invitation_accept(invitation=invitation, user=entrepreneur)
    assert StaffMembership.objects.filter(user=entrepreneur).count() == 1


def test_an_expired_invitation_cannot_be_accepted(invite, garden_a, entrepreneur):
    invitation = invite(email=entrepreneur.email)
    expire(invitation)
    with pytest.raises(ValidationError, match="gikk ut"):
        services.invitation_accept(invitation=invitation, user=entrepreneur)
    assert membership_for(entrepreneur, garden_a) is None


def test_accept_with_new_account_creates_a_verified_account(invite, garden_a):
    invitation = invite(email="ny@example.org")
    membership = services.invitation_accept_with_new_account(
        invitation=invitation, full_name="  Nina Ny ", password=NEW_PASSWORD
    )
    user = membership.user
    assert (user.email, user.full_name) == ("ny@example.org", "Nina Ny")
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert membership_for(user, garden_a) == membership


def test_accept_with_new_account_refuses_an_existing_address(invite, entrepreneur):
    invitation = invite(email=entrepreneur.email)
    with pytest.raises(ValidationError, match="Logg inn"):
        services.invitation_accept_with_new_account(invitation=invitation, full_name="X", password=NEW_PASSWORD)
    assert User.objects.filter(email=entrepreneur.email).count() == 1


# --- services: ending memberships and roles -------------------------------------------------


def test_ending_stops_access_on_the_next_request_and_keeps_the_records(client, garden_a, admin_a):
    leaver = MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF, user__full_name="Lars Slutter")
    target = TargetCompanyFactory(garden=garden_a, adviser=leaver.user)
    entry = follow_up_log(target=target, by=leaver.user, date=datetime.date(2025, 5, 1), kind="meeting",
                          hours=Decimal("1.5"), summary="Første møte")
    client.force_login(leaver.user)
    assert client.get(garden_a.get_workspace_url()).status_code == 200

    services.membership_end(membership=leaver, by=admin_a)

    assert client.get(garden_a.get_workspace_url()).status_code == 404
    assert client.get(reverse("members:company-detail", kwargs={"garden_slug": garden_a.slug, "pk": target.pk})
                      ).status_code == 404
    leaver.refresh_from_db()
    assert leaver.valid_to == timezone.localdate() - datetime.timedelta(days=1)
    assert FollowUpEntry.objects.get(pk=entry.pk).adviser == leaver.user
    assert TargetCompany.objects.get(pk=target.pk).adviser == leaver.user
    audit = AuditEntry.objects.get(action="gardens.membership.ended")
    assert audit.actor == admin_a and audit.changes["valid_to"][0] is None


def test_ending_a_membership_that_started_today_keeps_the_dates_consistent(garden_a, admin_a, entrepreneur, invite):
    membership = services.invitation_accept(invitation=invite(email=entrepreneur.email), user=entrepreneur)
    services.membership_end(membership=membership, by=admin_a)
    membership.refresh_from_db()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert membership.valid_from == membership.valid_to == yesterday
    membership.full_clean()
    assert membership_for(entrepreneur, garden_a) is None


def test_an_ended_membership_cannot_be_ended_again(garden_a, admin_a):
    former = MembershipFactory(garden=garden_a, valid_to=datetime.date(2022, 12, 31))
    with pytest.raises(ValidationError, match="allerede avsluttet"):
        services.membership_end(membership=former, by=admin_a)
    former.refresh_from_db()
    assert former.valid_to == datetime.date(2022, 12, 31)


def test_the_last_admin_cannot_end_their_own_membership(garden_a, admin_a):
    own = admin_a.memberships.get(garden=garden_a)
    with pytest.raises(ValidationError, match="eneste administrator"):
        services.membership_end(membership=own, by=admin_a)
    assert membership_for(admin_a, garden_a) == own


def test_an_admin_can_leave_once_a_colleague_is_admin(garden_a, admin_a, staff_a):
    colleague = staff_a.memberships.get(garden=garden_a)
    services.membership_change_role(membership=colleague, by=admin_a, role=StaffMembership.Role.ADMIN)
    services.membership_end(membership=admin_a.memberships.get(garden=garden_a), by=admin_a)
    assert membership_for(admin_a, garden_a) is None
    assert garden_access(staff_a, garden_a).can_invite_staff


def test_the_last_admin_cannot_be_made_staff(garden_a, admin_a):
    own = admin_a.memberships.get(garden=garden_a)
    with pytest.raises(ValidationError, match="eneste administrator"):
        services.membership_change_role(membership=own, by=admin_a, role=StaffMembership.Role.STAFF)
    own.refresh_from_db()
    assert own.role == StaffMembership.Role.ADMIN


def test_change_role_is_audited(garden_a, admin_a, staff_a):
    colleague = staff_a.memberships.get(garden=garden_a)
    services.membership_change_role(membership=colleague, by=admin_a, role=StaffMembership.Role.ADMIN)
    colleague.refresh_from_db()
    assert colleague.role == StaffMembership.Role.ADMIN
    entry = AuditEntry.objects.get(action="gardens.membership.updated")
    assert entry.changes["role"] == ["ansatt i hagen", "hageadministrator"]


# --- the e-mail (one outbox mail per sending, see core/mail.py) -------------------------------


def send(invitation) -> bool:
    """What the worker does with the mail queued on commit."""
    invitation.refresh_from_db()
    return mail_send_task.apply(args=[invitation.mail_id]).get()


def test_the_mail_is_sent_once_with_the_absolute_link(invite, garden_a, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.no/"
    invitation = invite(email="ny@example.org")
    assert send(invitation) is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    link = f"https://portal.example.no/invitasjon/{invitation.token}/"
    assert message.to == ["ny@example.org"]
    assert message.subject == "[Næringshagenettverket] Invitasjon til arbeidsflaten til Alfa Næringshage"
    assert link in message.body
    assert "Anne Admin har invitert deg" in message.body and "som ansatt i hagen" in message.body
    assert timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y") in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    invitation.refresh_from_db()
    assert invitation.mail.sent_at is not None


def test_the_mail_is_in_bokmal_even_when_the_admin_browses_in_english(garden_a, admin_a,
                                                                       django_capture_on_commit_callbacks):
    from django.utils import translation

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(garden=garden_a, by=admin_a, email="ny@example.org", role="staff")
    assert "Invitasjon til" in mail.outbox[0].subject


def test_sending_twice_sends_once(invite):
    invitation = invite()
    send(invitation)
    assert send(invitation) is False
    assert len(mail.outbox) == 1


def test_a_withdrawn_invitation_is_not_mailed(invite, admin_a):
    invitation = invite()
    services.invitation_revoke(invitation=invitation, by=admin_a)
    assert send(invitation) is False
    assert mail_send_task.apply(args=[999999]).get() is False
    assert mail.outbox == []
    invitation.mail.refresh_from_db()
    assert invitation.mail.cancelled_at is not None
    Mail.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert outbox.mail_retry_unsent() == 0


def test_mail_server_down_keeps_the_mail_for_the_sweep(invite, settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    invitation = invite()
    assert send(invitation) is False
    invitation.mail.refresh_from_db()
    assert invitation.mail.sent_at is None and invitation.is_open
    assert invitation.mail.attempts == 1 and "SMTPServerDisconnected" in invitation.mail.last_error
    # The sweep waits: two minutes after the first failure, four after the second, …
    pause = invitation.mail.next_attempt_at - timezone.now()
    assert datetime.timedelta(minutes=1) < pause <= datetime.timedelta(minutes=2)


def test_the_sweep_after_a_refused_connection_delivers_once(invite, settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerHiccup"
    MailServerHiccup.attempts = 0
    invitation = invite()
    assert send(invitation) is False
    Mail.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5), next_attempt_at=None)
    assert outbox.mail_retry_unsent() == 1
    assert outbox.mail_retry_unsent() == 0
    assert MailServerHiccup.attempts == 2
    assert len(mail.outbox) == 1
    invitation.mail.refresh_from_db()
    assert invitation.mail.sent_at is not None


# --- the staff page -------------------------------------------------------------------------


def test_staff_page_lists_colleagues_former_colleagues_and_invitations(client, garden_a, admin_a, staff_a, invite):
    MembershipFactory(garden=garden_a, user__full_name="Frida Før", valid_to=datetime.date(2023, 6, 30))
    invite(email="kommer@example.org")
    client.force_login(admin_a)
    response = client.get(staff_url(garden_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert [m.user for m in response.context["current"]] == [admin_a, staff_a]
    assert [m.user.full_name for m in response.context["ended"]] == ["Frida Før"]
    assert "01.01.2020" in html  # the colleagues' start date
    assert "<details>" in html and "30.06.2023" in html
    assert "kommer@example.org" in html
    assert staff_url(garden_a, "gardens:staff-invite") in html
    assert "Send invitasjon" in html and "Trekk tilbake" in html and "Avslutt medlemskap" in html


@pytest.mark.parametrize("persona", ["staff_a", "reader"])
def test_staff_and_readers_see_the_list_without_forms(persona_client, garden_a, admin_a, invite, persona):
    invite(email="kommer@example.org")
    response = persona_client(persona).get(staff_url(garden_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anne Admin" in html
    # Invitees' addresses are personal data: colleagues see them, network readers do not.
    assert ("kommer@example.org" in html) is (persona != "reader")
    assert "<form method=\"post\" action=\"/g/" not in html
    assert "Avslutt medlemskap" not in html and "Send invitasjon" not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_staff_page_query_count_is_fixed(client, django_assert_num_queries, garden_a, admin_a, invite, rows):
    for n in range(rows):
        MembershipFactory(garden=garden_a)
        MembershipFactory(garden=garden_a, valid_to=datetime.date(2023, 1, 1))
        invite(email=f"ny{n}@example.org")
    client.force_login(admin_a)
    # 1 session, 2 user, 3 garden, 4 the admin's memberships (garden_required and the navigation),
    # 5 every membership with its person, 6 open invitations with who sent them.
    with django_assert_num_queries(6):
        response = client.get(staff_url(garden_a))
    assert len(response.context["invitations"]) == rows
    assert len(response.context["ended"]) == rows


def test_invite_from_the_staff_page_sends_the_mail(client, garden_a, admin_a, django_capture_on_commit_callbacks):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(staff_url(garden_a, "gardens:staff-invite"),
                               {"email": "ny@example.org", "role": "admin"}, follow=True)
    assert response.redirect_chain[-1][0] == staff_url(garden_a)
    assert "En invitasjon er på vei til ny@example.org." in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.garden, invitation.role, invitation.invited_by) == (garden_a, "admin", admin_a)
    assert accept_url(invitation) in mail.outbox[0].body


def test_invite_while_the_mail_server_is_down_keeps_the_invitation(
    client, garden_a, admin_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(staff_url(garden_a, "gardens:staff-invite"), {"email": "ny@example.org",
                                                                               "role": "staff"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.mail.sent_at is None
    assert "ikke sendt ennå" in client.get(staff_url(garden_a)).content.decode()


def test_invite_with_a_bad_address_keeps_what_was_typed(client, garden_a, admin_a):
    client.force_login(admin_a)
    response = client.post(staff_url(garden_a, "gardens:staff-invite"), {"email": "kari@", "role": "admin"})
    assert response.status_code == 200
    form = response.context["invite_form"]
    assert "email" in form.errors
    html = response.content.decode()
    assert 'value="kari@"' in html and '<option value="admin" selected>' in html
    assert not Invitation.objects.exists()


def test_inviting_twice_offers_to_send_again(client, garden_a, admin_a, invite):
    first = invite(email="ny@example.org")
    client.force_login(admin_a)
    response = client.post(staff_url(garden_a, "gardens:staff-invite"), {"email": "ny@example.org", "role": "staff"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "har allerede en åpen invitasjon" in html
    assert staff_url(garden_a, "gardens:staff-invitation-resend", invitation_pk=first.pk) in html
    assert Invitation.objects.count() == 1


def test_inviting_a_colleague_says_they_already_work_here(client, garden_a, admin_a, staff_a):
    client.force_login(admin_a)
    response = client.post(staff_url(garden_a, "gardens:staff-invite"), {"email": staff_a.email, "role": "staff"})
    assert response.status_code == 200
    assert "jobber allerede i denne hagen" in response.content.decode()


def test_resend_and_revoke_from_the_staff_page(client, garden_a, admin_a, invite, django_capture_on_commit_callbacks):
    invitation = invite()
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(staff_url(garden_a, "gardens:staff-invitation-resend", invitation_pk=invitation.pk))
    assert response.status_code == 302 and len(mail.outbox) == 1
    response = client.post(staff_url(garden_a, "gardens:staff-invitation-revoke", invitation_pk=invitation.pk),
                           follow=True)
    assert "Invitasjonen til ny@example.org ble trukket tilbake." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    # Revoking again is refused with a message, not an error page.
    response = client.post(staff_url(garden_a, "gardens:staff-invitation-revoke", invitation_pk=invitation.pk),
                           follow=True)
    assert "allerede trukket tilbake" in response.content.decode()


def test_another_gardens_invitation_or_membership_is_404(client, garden_a, garden_b, admin_a, staff_b, invite):
    other_invitation = invite(email="b@example.org", garden=garden_b, by=None)
    other_membership = staff_b.memberships.get()
    client.force_login(admin_a)
    for name in ("gardens:staff-invitation-resend", "gardens:staff-invitation-revoke"):
        assert client.post(staff_url(garden_a, name, invitation_pk=other_invitation.pk)).status_code == 404
    for name in ("gardens:staff-end", "gardens:staff-role"):
        assert client.post(staff_url(garden_a, name, membership_pk=other_membership.pk),
                           {"role": "admin"}).status_code == 404
    other_invitation.refresh_from_db()
    assert other_invitation.revoked_at is None
    assert membership_for(staff_b, garden_b).role == StaffMembership.Role.STAFF


def test_end_membership_confirm_then_end(client, garden_a, admin_a, staff_a):
    membership = staff_a.memberships.get(garden=garden_a)
    client.force_login(admin_a)
    url = staff_url(garden_a, "gardens:staff-end", membership_pk=membership.pk)
    page = client.get(url).content.decode()
    assert "Avslutte medlemskapet til Stine Stab?" in page
    membership.refresh_from_db()
    assert membership.valid_to is None  # looking at the confirm page changes nothing
    response = client.post(url, follow=True)
    assert "Stine Stab har ikke lenger tilgang til Alfa Næringshage." in response.content.decode()
    assert [m.user for m in response.context["ended"]] == [staff_a]
    client.force_login(staff_a)
    assert client.get(garden_a.get_workspace_url()).status_code == 404


def test_last_admin_ending_self_gets_a_clear_message(client, garden_a, admin_a):
    own = admin_a.memberships.get(garden=garden_a)
    client.force_login(admin_a)
    response = client.post(staff_url(garden_a, "gardens:staff-end", membership_pk=own.pk), follow=True)
    assert "Anne Admin er hagens eneste administrator. Gjør en kollega til administrator først." in (
        response.content.decode()
    )
    assert client.get(garden_a.get_workspace_url()).status_code == 200


def test_an_admin_leaving_is_sent_out_of_the_workspace(client, garden_a, admin_a, staff_a):
    staff_a.memberships.filter(garden=garden_a).update(role=StaffMembership.Role.ADMIN)
    own = admin_a.memberships.get(garden=garden_a)
    client.force_login(admin_a)
    assert "du mister selv tilgangen" in client.get(
        staff_url(garden_a, "gardens:staff-end", membership_pk=own.pk)).content.decode()
    response = client.post(staff_url(garden_a, "gardens:staff-end", membership_pk=own.pk))
    assert response.status_code == 302 and response["Location"] == reverse("network_portal:home")
    assert client.get(staff_url(garden_a)).status_code == 404


def test_change_role_from_the_staff_page(client, garden_a, admin_a, staff_a):
    membership = staff_a.memberships.get(garden=garden_a)
    client.force_login(admin_a)
    url = staff_url(garden_a, "gardens:staff-role", membership_pk=membership.pk)
    response = client.post(url, {"role": "admin"}, follow=True)
    assert "Stine Stab er nå hageadministrator." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == StaffMembership.Role.ADMIN
    response = client.post(url, {"role": "sjef"}, follow=True)
    assert "Velg en rolle" in response.content.decode()


# --- the invitation link --------------------------------------------------------------------


def test_unknown_token_is_404(client):
    assert client.get(reverse("gardens:invitation-accept", kwargs={"token": "finnes-ikke"})).status_code == 404


@pytest.mark.parametrize("state,reason", [("expired", "gikk ut"), ("revoked", "trukket tilbake"),
                                          ("accepted", "allerede brukt")])
def test_a_closed_invitation_explains_and_points_to_the_admin(client, invite, admin_a, entrepreneur, state, reason):
    invitation = invite(email=entrepreneur.email)
    if state == "expired":
        expire(invitation)
    elif state == "revoked":
        services.invitation_revoke(invitation=invitation, by=admin_a)
    else:
        services.invitation_accept(invitation=invitation, user=entrepreneur)
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    html = response.content.decode()
    assert reason in html
    assert "Be administratoren i Alfa Næringshage om å sende deg en ny invitasjon." in html
    # Posting the old form does not create anything either.
    response = client.post(accept_url(invitation), {"full_name": "X", "password1": NEW_PASSWORD,
                                                    "password2": NEW_PASSWORD})
    assert response.status_code == 410


def test_new_person_sees_garden_role_and_inviter_and_a_sign_up_form(client, invite):
    invitation = invite(email="ny@example.org")
    response = client.get(accept_url(invitation))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["mode"] == "new_account"
    assert "Anne Admin har invitert deg til arbeidsflaten til Alfa Næringshage, som ansatt i hagen." in html
    assert 'value="ny@example.org" readonly' in html


def test_new_person_creates_account_and_lands_in_the_workspace(client, garden_a, invite):
    invitation = invite(email="ny@example.org")
    response = client.post(accept_url(invitation), {"full_name": "Nina Ny", "password1": NEW_PASSWORD,
                                                    "password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == garden_a.get_workspace_url()
    assert "Velkommen til Alfa Næringshage! Du er registrert som ansatt i hagen." in response.content.decode()
    user = User.objects.get(email="ny@example.org")
    assert response.context["user"] == user
    assert membership_for(user, garden_a).role == StaffMembership.Role.STAFF
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.parametrize("data,field", [
    ({"full_name": "Nina Ny", "password1": NEW_PASSWORD, "password2": "noe-annet-helt"}, "password2"),
    ({"full_name": "Nina Ny", "password1": "1234567890", "password2": "1234567890"}, "password1"),
    ({"full_name": "   ", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "full_name"),
])
def test_bad_sign_up_input_gets_a_message_and_creates_nothing(client, invite, data, field):
    invitation = invite(email="ny@example.org")
    response = client.post(accept_url(invitation), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    if data["full_name"].strip():
        assert 'value="Nina Ny"' in response.content.decode()
    assert not User.objects.filter(email="ny@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.is_open


def test_existing_account_is_asked_to_sign_in_and_comes_back(client, invite, entrepreneur):
    invitation = invite(email=entrepreneur.email)
    response = client.get(accept_url(invitation))
    assert response.context["mode"] == "sign_in"
    login_url = response.context["login_url"]
    assert login_url == reverse("account_login") + "?next=" + accept_url(invitation).replace("/", "%2F")
    assert login_url in response.content.decode().replace("&amp;", "&")
    # Signing in through allauth brings them back to the invitation.
    response = client.post(login_url, {"login": entrepreneur.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == accept_url(invitation)


def test_signed_in_invitee_accepts_with_one_button(client, garden_a, invite, entrepreneur):
    invitation = invite(email=entrepreneur.email, role=StaffMembership.Role.ADMIN)
    client.force_login(entrepreneur)
    response = client.get(accept_url(invitation))
    assert response.context["mode"] == "accept"
    assert "Aksepter invitasjonen" in response.content.decode()
    response = client.post(accept_url(invitation))
    assert response.status_code == 302 and response["Location"] == garden_a.get_workspace_url()
    assert membership_for(entrepreneur, garden_a).role == StaffMembership.Role.ADMIN


def test_signed_in_as_someone_else_is_told_to_sign_out(client, garden_a, invite, entrepreneur):
    invitation = invite(email="riktig@example.org")
    client.force_login(entrepreneur)
    response = client.get(accept_url(invitation))
    html = response.content.decode()
    assert response.context["mode"] == "wrong_account"
    assert f"Du er logget inn som {entrepreneur.email}, men denne invitasjonen ble sendt til riktig@example.org" in html
    client.post(accept_url(invitation))
    assert membership_for(entrepreneur, garden_a) is None
    invitation.refresh_from_db()
    assert invitation.is_open


def test_staff_tab_is_in_the_workspace_navigation(client, garden_a, staff_a):
    client.force_login(staff_a)
    html = client.get(garden_a.get_workspace_url()).content.decode()
    assert f'href="{staff_url(garden_a)}"' in html and ">Ansatte</a>" in html
    html = client.get(staff_url(garden_a)).content.decode()
    assert f'href="{staff_url(garden_a)}" aria-current="page">Ansatte</a>' in html
