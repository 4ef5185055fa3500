"""Cooperation agreements: obligations and their meetings, compliance, access, documents, events, reminders."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.loading import HEDMARK_MEETINGS, load_agreement_obligations
from agreements.models import (
    ActionItem,
    Agreement,
    AgreementDocument,
    AgreementParty,
    EventRegistration,
    Meeting,
    NetworkEvent,
    Obligation,
)
from agreements.selectors import compliance_rows, event_ics
from agreements.tasks import send_meeting_reminders, send_overdue_action_reminders
from core.models import AuditEntry
from gardens.access import agreement_access
from gardens.models import StaffMembership
from tests.factories import GardenFactory, MembershipFactory, UserFactory

YEAR = 2026


@pytest.fixture
def agreement(garden_a):
    """An agreement between garden A and a third garden; garden B is not a party."""
    agreement = Agreement.objects.create(
        name="Samarbeidsavtale Alfa–Gamma", slug="alfa-gamma", purpose="Felles samhandling i regionen."
    )
    AgreementParty.objects.create(agreement=agreement, garden=garden_a)
    AgreementParty.objects.create(agreement=agreement, garden=GardenFactory(name="Gamma Næringshage", slug="gamma"))
    return agreement


@pytest.fixture
def obligation(agreement):
    return Obligation.objects.create(
        agreement=agreement, description="Samhandlingsmøte hvert kvartal",
        recurrence=Obligation.Recurrence.QUARTERLY, starts_on=datetime.date(YEAR, 1, 1),
    )


@pytest.fixture
def document(agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return AgreementDocument.objects.create(
        agreement=agreement, title="Signert avtale", file=SimpleUploadedFile("avtale.pdf", b"%PDF-1.4 signed")
    )


# --- obligations generate meetings; compliance -------------------------------------------------


def test_quarterly_obligation_generates_four_meetings_in_the_middle_months(obligation):
    created = services.obligation_generate_meetings(obligation=obligation, until=datetime.date(YEAR, 12, 31))

    assert [m.date for m in created] == [datetime.date(YEAR, month, 1) for month in (2, 5, 8, 11)]
    assert {m.status for m in created} == {Meeting.Status.PLANNED}
    assert AuditEntry.objects.filter(action="agreements.obligation.meetings_generated").count() == 1


def test_generating_again_creates_none_even_after_a_meeting_was_moved(obligation):
    until = datetime.date(YEAR, 12, 31)
    first = services.obligation_generate_meetings(obligation=obligation, until=until)
    Meeting.objects.filter(pk=first[0].pk).update(date=datetime.date(YEAR, 3, 20))

    assert services.obligation_generate_meetings(obligation=obligation, until=until) == []
    assert obligation.meetings.count() == 4
    assert AuditEntry.objects.filter(action="agreements.obligation.meetings_generated").count() == 1


def test_obligation_ending_mid_year_and_monthly_recurrence(agreement):
    monthly = Obligation.objects.create(
        agreement=agreement, description="Månedlig", recurrence=Obligation.Recurrence.MONTHLY,
        starts_on=datetime.date(YEAR, 3, 10), ends_on=datetime.date(YEAR, 5, 31),
    )
    created = services.obligation_generate_meetings(obligation=monthly, until=datetime.date(YEAR, 12, 31))
    assert [m.date for m in created] == [datetime.date(YEAR, m, 15) for m in (3, 4, 5)]


def test_compliance_counts_required_and_held_per_year(obligation, admin_a):
    services.obligation_generate_meetings(obligation=obligation, until=datetime.date(YEAR + 1, 12, 31))
    meetings = list(obligation.meetings.order_by("date"))
    services.meeting_update(meeting=meetings[0], by=admin_a, status=Meeting.Status.HELD, minutes="Referat")
    services.meeting_update(meeting=meetings[1], by=admin_a, status=Meeting.Status.HELD, minutes="Referat")
    services.meeting_update(meeting=meetings[2], by=admin_a, status=Meeting.Status.CANCELLED)
    services.meeting_update(meeting=meetings[5], by=admin_a, status=Meeting.Status.HELD, minutes="Referat")

    rows = {(r["year"], r["required"], r["held"], r["cancelled"]) for r in compliance_rows(obligation.agreement)}

    assert rows == {(YEAR, 4, 2, 1), (YEAR + 1, 4, 1, 0)}
    assert AuditEntry.objects.filter(action="agreements.meeting.updated").count() == 4


def test_load_network_obligation_is_idempotent(agreement):
    Agreement.objects.filter(pk=agreement.pk).update(name="Samarbeidsavtale mellom næringshagene i Hedmark")
    today = datetime.date(YEAR, 6, 1)

    assert load_agreement_obligations(today=today) == 4
    assert load_agreement_obligations(today=today) == 0
    obligation = Obligation.objects.get(description=HEDMARK_MEETINGS)
    assert obligation.starts_on == datetime.date(YEAR, 1, 1)
    assert "not stated" in obligation.note
    assert obligation.meetings.count() == 4


# --- access ------------------------------------------------------------------------------------


def _level(access) -> str:
    return "edit" if access.can_edit else "read" if access.can_read else "public"


@pytest.mark.parametrize(
    "persona,expected",
    [("anonymous", "public"), ("entrepreneur", "public"), ("staff_b", "public"), ("staff_a", "read"),
     ("admin_a", "edit"), ("reader", "read")],
)
def test_agreement_access_levels(request, agreement, persona, expected, django_assert_max_num_queries):
    user = request.getfixturevalue(persona) if persona != "anonymous" else None
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    with django_assert_max_num_queries(1):
        assert _level(agreement_access(user, agreement)) == expected


def test_ended_admin_membership_loses_edit(agreement, garden_a):
    membership = MembershipFactory(garden=garden_a, role=StaffMembership.Role.ADMIN)
    membership.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    assert _level(agreement_access(membership.user, agreement)) == "public"


# Expected status per persona: detail (and whether party-only parts show), document download,
# meeting page (GET), meeting edit (POST), compliance.
ACCESS_MATRIX = {
    "anonymous": {"detail": 200, "private": False, "document": 302, "meeting": 302, "edit": 302, "compliance": 302},
    "staff_b": {"detail": 200, "private": False, "document": 404, "meeting": 404, "edit": 404, "compliance": 404},
    "staff_a": {"detail": 200, "private": True, "document": 200, "meeting": 200, "edit": 403, "compliance": 200},
    "admin_a": {"detail": 200, "private": True, "document": 200, "meeting": 200, "edit": 302, "compliance": 200},
    "reader": {"detail": 200, "private": True, "document": 200, "meeting": 200, "edit": 403, "compliance": 200},
}


@pytest.mark.parametrize("persona", list(ACCESS_MATRIX))
def test_access_matrix(persona_client, persona, agreement, obligation, document):
    expected = ACCESS_MATRIX[persona]
    meeting = services.obligation_generate_meetings(obligation=obligation, until=datetime.date(YEAR, 3, 31))[0]
    client = persona_client(persona)
    slug = agreement.slug

    detail = client.get(reverse("agreements:detail", args=[slug]))
    assert detail.status_code == expected["detail"]
    assert "Felles samhandling i regionen." in detail.content.decode()
    assert ("Signert avtale" in detail.content.decode()) is expected["private"]

    response = client.get(reverse("agreements:document", args=[slug, document.pk]))
    assert response.status_code == expected["document"]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"
    assert client.get(meeting.get_absolute_url()).status_code == expected["meeting"]
    edit = client.post(meeting.get_absolute_url(), {
        "title": "Kvartalsmøte", "date": "2026-02-03", "status": "held", "minutes": "Vi møttes.",
        "obligation": obligation.pk,
    })
    assert edit.status_code == expected["edit"]
    meeting.refresh_from_db()
    assert (meeting.status == Meeting.Status.HELD) is (persona == "admin_a")
    assert client.get(reverse("agreements:compliance", args=[slug])).status_code == expected["compliance"]


def test_party_staff_cannot_upload_or_create_meetings(client, staff_a, agreement):
    client.force_login(staff_a)
    assert client.get(reverse("agreements:meeting-create", args=[agreement.slug])).status_code == 403
    upload = SimpleUploadedFile("x.pdf", b"%PDF")
    assert client.post(reverse("agreements:documents", args=[agreement.slug]),
                       {"title": "X", "file": upload}).status_code == 403
    assert not AgreementDocument.objects.exists()


def test_admin_uploads_a_document_and_a_bad_file_gets_a_message(client, admin_a, agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_a)
    url = reverse("agreements:documents", args=[agreement.slug])
    bad = client.post(url, {"title": "Skript", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 200
    assert "PDF" in bad.content.decode()
    good = client.post(url, {"title": "Referat", "file": SimpleUploadedFile("referat.pdf", b"%PDF")})
    assert good.status_code == 302
    document = AgreementDocument.objects.get()
    assert document.uploaded_by == admin_a
    assert not document.file.name.endswith("referat.pdf")  # stored under a random name
    assert AuditEntry.objects.filter(action="agreements.document.uploaded").count() == 1


def test_admin_records_meeting_with_action_items(client, admin_a, staff_a, staff_b, agreement):
    client.force_login(admin_a)
    response = client.post(reverse("agreements:meeting-create", args=[agreement.slug]), {
        "title": "Ekstramøte", "date": "2026-04-10", "status": "held", "minutes": "",
    })
    assert response.status_code == 200  # held without minutes: told to write them
    assert "minutes" in response.content.decode() or "referat" in response.content.decode().lower()
    response = client.post(reverse("agreements:meeting-create", args=[agreement.slug]), {
        "title": "Ekstramøte", "date": "2026-04-10", "status": "held", "minutes": "Referat",
        "attendees": [staff_a.pk],
    })
    meeting = Meeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    assert list(meeting.attendees.all()) == [staff_a]

    add = reverse("agreements:action-add", args=[agreement.slug, meeting.pk])
    client.post(add, {"action-description": "Send referat", "action-owner": staff_a.pk, "action-due_on": "2026-05-01"})
    client.post(add, {"action-description": "Utenforstående", "action-owner": staff_b.pk})  # not a party's person
    action = ActionItem.objects.get()
    assert action.owner == staff_a

    client.force_login(staff_a)  # the owner may tick off their own item
    client.post(reverse("agreements:action-toggle", args=[agreement.slug, meeting.pk, action.pk]), {"done": "1"})
    action.refresh_from_db()
    assert action.done and action.done_at is not None
    assert AuditEntry.objects.filter(action__startswith="agreements.").values_list("action", flat=True).count() == 3


# --- events ------------------------------------------------------------------------------------


@pytest.fixture
def event(db):
    start = timezone.now() + datetime.timedelta(days=10)
    return NetworkEvent.objects.create(
        title="Nettverkssamling, Hamar", description="Erfaringsdeling; lunsj\ninkludert",
        starts_at=start, ends_at=start + datetime.timedelta(hours=3), place="Hamar, Scandic", capacity=2,
    )


def test_third_person_is_waitlisted_and_cancelling_promotes_the_first_waiting(event):
    a, b, c, d = UserFactory.create_batch(4)
    assert services.event_register(event=event, user=a).status == EventRegistration.Status.REGISTERED
    assert services.event_register(event=event, user=b).status == EventRegistration.Status.REGISTERED
    assert services.event_register(event=event, user=c).status == EventRegistration.Status.WAITLISTED
    assert services.event_register(event=event, user=d).status == EventRegistration.Status.WAITLISTED

    promoted = services.event_cancel(event=event, user=a)

    assert promoted.user == c
    statuses = dict(EventRegistration.objects.values_list("user", "status"))
    assert statuses == {a.pk: "cancelled", b.pk: "registered", c.pk: "registered", d.pk: "waitlisted"}
    assert services.event_cancel(event=event, user=d) is None  # leaving the waiting list frees no place


def test_event_pages_show_places_and_waiting_position(client, event):
    first, second, third = UserFactory.create_batch(3)
    for user in (first, second):
        services.event_register(event=event, user=user)
    client.force_login(third)
    client.post(reverse("agreements:event-register", args=[event.pk]))
    page = client.get(event.get_absolute_url()).content.decode()
    assert "nummer 1 på ventelisten" in page
    assert client.get(reverse("agreements:event-calendar", args=[event.pk])).status_code == 404
    assert "Nettverkssamling, Hamar" in client.get(reverse("agreements:events")).content.decode()


def test_ics_for_the_registered(client, event):
    user = UserFactory()
    services.event_register(event=event, user=user)
    client.force_login(user)
    response = client.get(reverse("agreements:event-calendar", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "\n" not in body.replace("\r\n", "")  # CRLF only
    assert f"DTSTART:{event.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in lines
    assert "SUMMARY:Nettverkssamling\\, Hamar" in lines
    assert "DESCRIPTION:Erfaringsdeling\\; lunsj\\ninkludert" in lines
    assert any(line.startswith("UID:event-") for line in lines) and any(line.startswith("DTSTAMP:") for line in lines)


def test_ics_folds_long_lines():
    start = timezone.now()
    event = NetworkEvent(pk=7, title="Æ" * 80, starts_at=start, ends_at=start, capacity=1)
    for line in event_ics(event, domain="example.org").split("\r\n"):
        assert len(line.encode()) <= 75


def test_registration_closed_gives_a_message(client, event):
    event.registration_open = False
    event.save()
    client.force_login(UserFactory())
    response = client.post(reverse("agreements:event-register", args=[event.pk]), follow=True)
    assert "stengt" in response.content.decode()
    assert not EventRegistration.objects.exists()


# --- reminders ---------------------------------------------------------------------------------


def test_meeting_reminder_goes_to_party_admins_once(agreement, admin_a, staff_a, django_capture_on_commit_callbacks):
    other_admin = MembershipFactory(garden=GardenFactory(slug="gamma"), role=StaffMembership.Role.ADMIN).user
    today = timezone.localdate()
    Meeting.objects.create(agreement=agreement, title="Kvartalsmøte", date=today + datetime.timedelta(days=7))
    Meeting.objects.create(agreement=agreement, title="Senere", date=today + datetime.timedelta(days=30))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_meeting_reminders.delay().get() == 1
        assert send_meeting_reminders.delay().get() == 0

    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([admin_a.email, other_admin.email])
    assert "Kvartalsmøte" in mail.outbox[0].subject


def test_overdue_action_reminder_once_a_day(agreement, staff_a, django_capture_on_commit_callbacks):
    meeting = Meeting.objects.create(agreement=agreement, title="Møte", date=datetime.date(YEAR, 1, 5))
    today = timezone.localdate()
    ActionItem.objects.create(meeting=meeting, description="Skriv rapport", owner=staff_a,
                              due_on=today - datetime.timedelta(days=2))
    ActionItem.objects.create(meeting=meeting, description="Ferdig", owner=staff_a,
                              due_on=today - datetime.timedelta(days=2), done=True)
    ActionItem.objects.create(meeting=meeting, description="Ikke forfalt", owner=staff_a,
                              due_on=today + datetime.timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_action_reminders.delay().get() == 1
        assert send_overdue_action_reminders.delay().get() == 0
    assert mail.outbox[0].to == [staff_a.email]
    assert "Skriv rapport" in mail.outbox[0].body
    assert services.overdue_action_reminders_send(today=today + datetime.timedelta(days=1)) == 1


# --- query counts ------------------------------------------------------------------------------


def _agreements(n: int) -> None:
    gardens = [GardenFactory() for _ in range(3)]
    for i in range(n):
        agreement = Agreement.objects.create(name=f"Avtale {i:03d}", slug=f"avtale-{i:03d}")
        for garden in gardens:
            AgreementParty.objects.create(agreement=agreement, garden=garden)


@pytest.mark.parametrize("rows", [5, 60])
def test_list_query_count_is_flat(db, client, rows, django_assert_num_queries):
    _agreements(rows)
    # 1 agreements, 2 their parties with gardens and organisations.
    with django_assert_num_queries(2):
        response = client.get(reverse("agreements:list"))
    assert response.content.decode().count("Avtale ") >= rows


@pytest.mark.parametrize("rows", [5, 60])
def test_detail_query_count_is_flat(client, reader, agreement, obligation, rows, settings, tmp_path,
                                    django_assert_num_queries):
    settings.MEDIA_ROOT = tmp_path
    for i in range(rows):
        meeting = Meeting.objects.create(agreement=agreement, obligation=obligation, title=f"Møte {i}",
                                         date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=i))
        AgreementDocument.objects.create(agreement=agreement, title=f"Dok {i}", file=f"agreements/x{i}.pdf",
                                         uploaded_by=reader)
        ActionItem.objects.create(meeting=meeting, description="x")
    client.force_login(reader)
    # 1 session, 2 user, 3 agreement, 4 parties, 5 access (memberships), 6 signatories, 7 areas,
    # 8 compliance (grouped), 9 meetings, 10 documents, 11 upcoming events,
    # 12 the site navigation's memberships (base template).
    with django_assert_num_queries(12):
        response = client.get(agreement.get_absolute_url())
    assert response.content.decode().count("Møte ") == rows


@pytest.mark.parametrize("rows", [5, 60])
def test_event_list_query_count_is_flat(db, client, rows, django_assert_num_queries):
    start = timezone.now() + datetime.timedelta(days=1)
    for i in range(rows):
        NetworkEvent.objects.create(title=f"Arr {i}", starts_at=start, ends_at=start, capacity=10)
    # 1 events with places taken (one grouped query).
    with django_assert_num_queries(1):
        client.get(reverse("agreements:events"))


def test_compliance_is_one_grouped_query(agreement, obligation):
    services.obligation_generate_meetings(obligation=obligation, until=datetime.date(YEAR + 2, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        rows = compliance_rows(agreement)
    assert len(queries) == 1 and "GROUP BY" in queries[0]["sql"]
    assert [r["required"] for r in rows] == [4, 4, 4]


def test_the_real_hedmark_agreement_gets_its_quarterly_obligation(db, client):
    from network_portal.loading import load_network

    load_network()
    obligation = Obligation.objects.select_related("agreement").get(description=HEDMARK_MEETINGS)
    assert obligation.agreement.name == "Samarbeidsavtale mellom næringshagene i Hedmark"
    assert obligation.recurrence == Obligation.Recurrence.QUARTERLY
    assert obligation.meetings.filter(date__year=timezone.localdate().year).count() == 4
    page = client.get(obligation.agreement.get_absolute_url()).content.decode()
    assert "Magnor Næringshage" in page and "Felles samhandlingsmøte" not in page  # meetings are party-only


@pytest.mark.parametrize("model", ["obligation", "meeting", "actionitem", "agreementdocument", "networkevent",
                                   "eventregistration"])
def test_new_models_are_in_the_admin(client, superuser, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:agreements_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:agreements_{model}_add")).status_code == 200


def test_meetings_past_their_date_and_still_planned_are_overdue(client, agreement, obligation, admin_a,
                                                                 monkeypatch):
    """02.12.2026: meetings dated 01.02–01.11 that nobody recorded read "forfalt" and are counted."""
    services.obligation_generate_meetings(obligation=obligation, until=datetime.date(YEAR, 12, 31))
    meetings = list(obligation.meetings.order_by("date"))
    services.meeting_update(meeting=meetings[0], by=admin_a, status=Meeting.Status.HELD, minutes="Referat")
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(YEAR, 12, 2))
    past_planned = [m for m in meetings[1:] if m.date < datetime.date(YEAR, 12, 2)]
    assert past_planned and all(Meeting.objects.get(pk=m.pk).is_overdue for m in past_planned)
    assert not Meeting.objects.get(pk=meetings[0].pk).is_overdue  # held is not overdue
    row = next(r for r in compliance_rows(agreement) if r["year"] == YEAR)
    assert row["overdue"] == len(past_planned) and row["held"] == 1

    client.force_login(admin_a)
    detail = client.get(agreement.get_absolute_url()).content.decode()
    assert detail.count('class="row-overdue"') == len(past_planned)
    assert f"{len(past_planned)} forfalt" in detail
    compliance = client.get(reverse("agreements:compliance", args=[agreement.slug])).content.decode()
    assert "badge-overdue" in compliance


def test_an_action_item_past_its_due_date_is_marked_overdue(client, agreement, admin_a):
    meeting = Meeting.objects.create(agreement=agreement, title="Kvartalsmøte", date=datetime.date(YEAR, 2, 3))
    ActionItem.objects.create(meeting=meeting, description="Skriv referat", due_on=datetime.date(2020, 1, 1))
    ActionItem.objects.create(meeting=meeting, description="Ferdig sak", due_on=datetime.date(2020, 1, 1), done=True)
    client.force_login(admin_a)
    html = client.get(meeting.get_absolute_url()).content.decode()
    # The open item, and the meeting itself (its day has passed and it is still only planned); not the done one.
    assert html.count("badge-overdue") == 2
    assert re.search(r"<h1>Kvartalsmøte .*badge-overdue", html)
