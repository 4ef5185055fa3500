"""Personal data on request (README "Personal data"): export and erase contact persons and entrepreneurs.

What is exported, what is erased, what stays for the network's figures, who may do it, and the
retention sweep of contact persons whose contract ended long ago.
"""

import datetime
import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import EventRegistration, NetworkEvent
from core.audit import ERASED
from core.models import AuditEntry, Mail, User
from members import privacy
from members.entrepreneurs import entrepreneur_profile_save
from members.help_services import help_request_answer, help_request_create, help_request_reply
from members.models import ContactPerson, EntrepreneurProfile, HelpRequest, HelpRequestMessage, TargetCompany
from members.services import record_part_delete, record_part_save
from members.tasks import contacts_retention_sweep_task
from network_portal import reports
from tests.factories import TargetCompanyFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def trail_text(**filters) -> str:
    """Every audit entry (labels and changes) as one string, to search for what must be gone."""
    rows = AuditEntry.objects.filter(**filters).values_list("actor_label", "target_label", "changes")
    return json.dumps(list(rows), ensure_ascii=False).casefold()


# --- contact persons -----------------------------------------------------------------------------


@pytest.fixture
def target(garden_a):
    return TargetCompanyFactory(garden=garden_a, company__name="Fjellbekk AS")


@pytest.fixture
def kari(target, admin_a):
    contact = ContactPerson(name="Kari Kontaktsen", role="Daglig leder", email="kari@fjellbekk.no", phone="91234567")
    record_part_save(target=target, by=admin_a, obj=contact, is_new=True)
    contact.email = "kari.k@fjellbekk.no"
    record_part_save(target=target, by=admin_a, obj=contact, is_new=False)
    return contact


def test_a_contact_export_holds_the_person_and_the_record(kari, target):
    data = privacy.contact_person_export(contact=kari)
    assert data["contact_person"] == {"name": "Kari Kontaktsen", "role": "Daglig leder",
                                      "email": "kari.k@fjellbekk.no", "phone": "91234567",
                                      "legal_basis": _("the follow-up contract")}
    assert data["held_by"]["garden"] == "Alfa Næringshage"
    assert data["held_by"]["company"] == "Fjellbekk AS"
    assert [h["action"] for h in data["history"]] == ["members.contactperson.created", "members.contactperson.updated"]


def test_erasing_a_contact_removes_them_and_scrubs_the_records_history(kari, target, admin_a):
    other = ContactPerson(name="Ola Annen", email="ola@fjellbekk.no")
    record_part_save(target=target, by=admin_a, obj=other, is_new=True)
    privacy.contact_person_erase(contact=kari, by=admin_a)

    assert list(target.contacts.values_list("name", flat=True)) == ["Ola Annen"]
    history = trail_text(target_type="members.targetcompany", target_id=str(target.pk))
    for value in ("kari kontaktsen", "kari@fjellbekk.no", "kari.k@fjellbekk.no", "91234567"):
        assert value not in history
    assert "ola annen" in history and "fjellbekk as" in history  # the rest of the history is untouched
    erased = AuditEntry.objects.get(action="members.contactperson.erased")
    assert (erased.actor, erased.garden_id) == (admin_a, target.garden_id)
    assert erased.changes == {"erased_because": "request"}
    # What happened stays: the earlier entries are there, with the values replaced.
    created = AuditEntry.objects.filter(action="members.contactperson.created").order_by("pk").first()
    assert created.changes["name"] == [None, ERASED] and created.changes["part"] == ERASED


def test_erasing_a_removed_contact_person_also_scrubs_the_deletion_entry(kari, target, admin_a):
    # A contact removed the ordinary way leaves its values in the "removed" entry; erasure is what clears them.
    record_part_delete(target=target, by=admin_a, obj=kari)
    assert "kari kontaktsen" in trail_text(action="members.contactperson.deleted")
    ghost = ContactPerson.objects.create(target=target, name="Kari Kontaktsen", email="kari.k@fjellbekk.no")
    privacy.contact_person_erase(contact=ghost, by=admin_a)
    assert "kari" not in trail_text()


def ended_record(garden, days_ago: int, status=TargetCompany.Status.COMPLETED, name="Gammel"):
    end = timezone.localdate() - datetime.timedelta(days=days_ago)
    record = TargetCompanyFactory(garden=garden, status=status, contract_start=end - datetime.timedelta(days=400),
                                  contract_end=end)
    ContactPerson.objects.create(target=record, name=f"{name} Kontakt", email=f"{name.lower()}@example.org")
    return record


def test_the_retention_sweep_erases_contacts_of_contracts_ended_longer_ago_than_the_retention(garden_a):
    old = ended_record(garden_a, 1096, name="Gammel")
    withdrawn = ended_record(garden_a, 2000, status=TargetCompany.Status.WITHDRAWN, name="Trukket")
    recent = ended_record(garden_a, 1000, name="Nylig")
    active = TargetCompanyFactory(garden=garden_a, contract_start=datetime.date(2015, 1, 1))
    ContactPerson.objects.create(target=active, name="Aktiv Kontakt")

    assert contacts_retention_sweep_task.delay().get() == 2
    assert sorted(ContactPerson.objects.values_list("name", flat=True)) == ["Aktiv Kontakt", "Nylig Kontakt"]
    entries = AuditEntry.objects.filter(action="members.contactperson.erased")
    assert sorted(int(e.target_id) for e in entries) == sorted([old.pk, withdrawn.pk])
    assert {(e.actor_id, e.actor_label, e.changes["erased_because"]) for e in entries} == {
        (None, "system", "retention")}
    assert recent.contacts.exists()
    # Safe to run twice: nothing more to erase, no new entries.
    assert privacy.contacts_retention_sweep() == 0
    assert entries.count() == 2


def test_the_retention_is_configurable_and_the_command_runs_it_by_hand(garden_a, settings, capsys):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    ended_record(garden_a, 40)
    call_command("erase_expired_contacts", "--dry-run")
    assert "1 contact person(s) past the retention of 30 days would be erased" in capsys.readouterr().out
    assert ContactPerson.objects.count() == 1
    call_command("erase_expired_contacts")
    assert "Erased 1 contact person(s)" in capsys.readouterr().out
    assert ContactPerson.objects.count() == 0


# --- entrepreneurs -------------------------------------------------------------------------------


@pytest.fixture
def asked(garden_a, entrepreneur, staff_a):
    """Eli asked Alfa for help signed in, got an answer and replied; also asked once before signing up."""
    entrepreneur_profile_save(user=entrepreneur, full_name="Eli Gründer", org_number="")
    request = help_request_create(garden=garden_a, requester=entrepreneur, name="", email="",
                                  message="Trenger hjelp med budsjett for Grünneriet", company_name="Grünneriet ENK")
    HelpRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - datetime.timedelta(hours=5))
    request.refresh_from_db()
    help_request_answer(help_request=request, by=staff_a, body="Hei Eli, vi ringer deg.")
    help_request_reply(help_request=request, by=entrepreneur, body="Takk, ring 99887766")
    before = help_request_create(garden=garden_a, name="Eli G.", email=entrepreneur.email.upper(),
                                 message="Første spørsmål")
    return [request, before]


def test_an_entrepreneur_export_holds_the_account_profile_requests_and_messages(asked, entrepreneur):
    start = timezone.now() + datetime.timedelta(days=3)
    event = NetworkEvent.objects.create(title="Gründerkveld", starts_at=start, ends_at=start, capacity=10)
    EventRegistration.objects.create(event=event, user=entrepreneur)

    data = privacy.entrepreneur_export(user=entrepreneur)

    assert data["account"]["email"] == entrepreneur.email and data["account"]["full_name"] == "Eli Gründer"
    assert data["entrepreneur_profile"] == {"org_number": "", "municipality": None}
    assert [r["message"] for r in data["help_requests"]] == [
        "Trenger hjelp med budsjett for Grünneriet", "Første spørsmål"]
    assert [(m["by"], m["text"]) for m in data["help_requests"][0]["messages"]] == [
        ("Stine Stab", "Hei Eli, vi ringer deg."), (_("you"), "Takk, ring 99887766")]
    assert data["event_registrations"][0]["event"] == "Gründerkveld"
    json.dumps(data)  # the file is plain JSON


def test_erasing_an_entrepreneur_keeps_the_networks_figures_and_drops_who_it_was(asked, garden_a, entrepreneur):
    period = reports.Period(timezone.localdate().year)
    figures_before = reports.help_requests([garden_a], period)
    user_pk, email = entrepreneur.pk, entrepreneur.email
    assert Mail.objects.exists()
    # Someone else's mail whose address merely contains the person's stays.
    other = Mail.objects.create(template="t", to=[f"x{entrepreneur.email}"], subject="Til en annen", text="…")

    counts = privacy.entrepreneur_erase(user=entrepreneur, by=entrepreneur)

    assert counts == {"help_requests": 2, "messages": 2}
    assert not User.objects.filter(pk=user_pk).exists()
    assert not EntrepreneurProfile.objects.exists()
    assert reports.help_requests([garden_a], period) == figures_before
    assert HelpRequest.objects.count() == 2 and HelpRequestMessage.objects.count() == 2
    for request in HelpRequest.objects.all():
        assert (request.name, request.email, request.message, request.company_name, request.requester) == (
            ERASED, "", ERASED, "", None)
        assert request.garden == garden_a and request.created_at is not None
    assert set(HelpRequestMessage.objects.values_list("body", flat=True)) == {ERASED}
    # The notifications and answers named the person and quoted them; another person's mail stays.
    assert list(Mail.objects.values_list("pk", flat=True)) == [other.pk]
    trail = trail_text()
    for value in ("eli gründer", "eli g.", email.casefold(), "grünneriet", "budsjett"):
        assert value not in trail
    erased = AuditEntry.objects.get(action="members.entrepreneur.erased")
    assert (erased.target_id, erased.actor, erased.actor_label) == (str(user_pk), None, _("the account holder"))
    assert erased.changes == {"help_requests": 2, "messages": 2}
    assert AuditEntry.objects.filter(action="members.helprequest.anonymised", garden_id=garden_a.pk).count() == 2


def test_staff_readers_and_superusers_do_not_erase_themselves(staff_a, reader, superuser, entrepreneur, ended):
    from gardens.access import own_data_access

    assert own_data_access(entrepreneur).can_erase and own_data_access(entrepreneur).can_export
    for person in (staff_a, reader, superuser, ended):
        access = own_data_access(person)
        assert access.can_read and not access.can_erase and not access.can_export


@pytest.fixture
def ended(garden_a):
    from gardens.models import StaffMembership
    from tests.factories import MembershipFactory

    return MembershipFactory(garden=garden_a, role=StaffMembership.Role.STAFF, valid_from=datetime.date(2020, 1, 1),
                             valid_to=datetime.date(2024, 12, 31)).user


# --- views ---------------------------------------------------------------------------------------


def contact_url(name, kari):
    return reverse(f"members:{name}", kwargs={"garden_slug": kari.target.garden.slug, "pk": kari.target_id,
                                               "contact_pk": kari.pk})


def test_a_garden_admin_downloads_a_contacts_data_and_it_is_in_the_history(client, kari, admin_a):
    client.force_login(admin_a)
    response = client.get(contact_url("contact-export", kari))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kontaktperson-kari-kontaktsen-')
    assert json.loads(response.content)["contact_person"]["email"] == "kari.k@fjellbekk.no"
    assert AuditEntry.objects.filter(action="members.contactperson.exported", actor=admin_a).count() == 1


def test_the_record_page_offers_export_and_erase_to_admins_only(client, kari, admin_a, staff_a):
    client.force_login(admin_a)
    page = client.get(kari.target.get_absolute_url()).content.decode()
    assert contact_url("contact-erase", kari) in page and contact_url("contact-export", kari) in page
    client.force_login(staff_a)
    page = client.get(kari.target.get_absolute_url()).content.decode()
    assert "Kari Kontaktsen" in page and contact_url("contact-erase", kari) not in page


def test_erasing_a_contact_asks_for_confirmation_first(client, kari, admin_a):
    client.force_login(admin_a)
    url = contact_url("contact-erase", kari)
    assert "Kari Kontaktsen" in client.get(url).content.decode()
    refused = client.post(url, {})
    assert refused.status_code == 400 and _("Tick the box to confirm the erasure.") in refused.content.decode()
    assert ContactPerson.objects.filter(pk=kari.pk).exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"].endswith("#contacts")
    assert not ContactPerson.objects.filter(pk=kari.pk).exists()


def test_staff_get_403_and_another_garden_404_for_a_contacts_data(client, kari, staff_a, staff_b):
    client.force_login(staff_a)
    assert client.get(contact_url("contact-export", kari)).status_code == 403
    assert client.post(contact_url("contact-erase", kari), {"confirm": "on"}).status_code == 403
    client.force_login(staff_b)
    assert client.get(contact_url("contact-export", kari)).status_code == 404
    assert ContactPerson.objects.filter(pk=kari.pk).exists()


def test_an_entrepreneur_downloads_their_data_from_my_page(client, asked, entrepreneur):
    client.force_login(entrepreneur)
    page = client.get(reverse("members:my-page")).content.decode()
    assert reverse("members:my-data-export") in page and reverse("members:my-account-delete") in page
    response = client.get(reverse("members:my-data-export"))
    assert response["Content-Disposition"].startswith('attachment; filename="mine-data-')
    assert len(json.loads(response.content)["help_requests"]) == 2


def test_deleting_my_account_needs_the_password_and_signs_me_out(client, asked, entrepreneur):
    client.force_login(entrepreneur)
    url = reverse("members:my-account-delete")
    wrong = client.post(url, {"password": "feil-passord", "confirm": "on"})
    assert wrong.status_code == 400 and _("The password is not correct.") in wrong.content.decode()
    assert client.post(url, {"password": PASSWORD}).status_code == 400  # not confirmed
    assert User.objects.filter(pk=entrepreneur.pk).exists()
    response = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("network_portal:home")
    assert not User.objects.filter(pk=entrepreneur.pk).exists()
    assert client.get(reverse("members:my-page"))["Location"].startswith("/konto/login/")


def test_staff_cannot_use_the_self_service_deletion(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("members:my-data-export")).status_code == 403
    assert client.post(reverse("members:my-account-delete"), {"password": PASSWORD, "confirm": "on"}).status_code == 403
    assert User.objects.filter(pk=staff_a.pk).exists()


# --- the admin -----------------------------------------------------------------------------------


def test_a_superuser_erases_contacts_in_the_admin_after_confirming(client, superuser, kari):
    client.force_login(superuser)
    url = reverse("admin:members_contactperson_changelist")
    data = {"action": "erase_contacts", ACTION_CHECKBOX_NAME: [kari.pk]}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "Kari Kontaktsen" in confirm.content.decode()
    assert ContactPerson.objects.filter(pk=kari.pk).exists()
    client.post(url, {**data, "confirmed": "yes"})
    assert not ContactPerson.objects.filter(pk=kari.pk).exists()
    assert AuditEntry.objects.get(action="members.contactperson.erased").actor == superuser
    assert "kari" not in trail_text()


def test_the_admin_exports_and_erases_entrepreneurs_but_refuses_staff(client, superuser, asked, entrepreneur,
                                                                      staff_a):
    client.force_login(superuser)
    url = reverse("admin:core_user_changelist")
    export = client.post(url, {"action": "export_entrepreneurs", ACTION_CHECKBOX_NAME: [entrepreneur.pk]})
    assert json.loads(export.content)[0]["account"]["email"] == entrepreneur.email
    client.post(url, {"action": "erase_entrepreneurs", ACTION_CHECKBOX_NAME: [staff_a.pk], "confirmed": "yes"})
    assert User.objects.filter(pk=staff_a.pk).exists()
    client.post(url, {"action": "erase_entrepreneurs", ACTION_CHECKBOX_NAME: [entrepreneur.pk], "confirmed": "yes"})
    assert not User.objects.filter(pk=entrepreneur.pk).exists()
    assert AuditEntry.objects.get(action="members.entrepreneur.erased").actor == superuser


def test_the_retention_sweep_is_on_celery_beats_daily_schedule(settings):
    from network_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["members-contacts-retention"]
    assert entry["task"] == contacts_retention_sweep_task.name
    assert entry["task"] in app.tasks


def test_the_history_page_says_a_contact_was_erased_without_naming_them(client, kari, admin_a):
    privacy.contact_person_erase(contact=kari, by=admin_a)
    client.force_login(admin_a)
    page = client.get(reverse("members:company-history", kwargs={"garden_slug": kari.target.garden.slug,
                                                                 "pk": kari.target_id})).content.decode()
    assert _("%(actor)s erased a contact person's personal data") % {"actor": "Anne Admin"} in page
    assert "Kari" not in page and "91234567" not in page and "erased_because" not in page
