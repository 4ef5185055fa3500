"""Transferring target companies between gardens: both admins confirm; the record and its history travel."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.models import AuditEntry
from gardens.models import StaffMembership
from members import services, transfers
from members.models import ContactPerson, DevelopmentGoal, KeyFigures, TargetCompany, TransferRequest
from members.selectors import target_company_history
from tests.factories import GardenFactory, MembershipFactory, TargetCompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_b(garden_b):
    return MembershipFactory(garden=garden_b, role=StaffMembership.Role.ADMIN, user__full_name="Berit Beta").user


@pytest.fixture
def garden_c(db):
    return GardenFactory(name="Gamma Næringshage", slug="gamma")


@pytest.fixture
def admin_c(garden_c):
    return MembershipFactory(garden=garden_c, role=StaffMembership.Role.ADMIN, user__full_name="Gunn Gamma").user


@pytest.fixture
def targets(garden_a):
    return [TargetCompanyFactory(garden=garden_a, company__name=name) for name in ("Fjellbrygg AS", "Grensefisk AS")]


def request_transfer(garden_a, garden_b, targets, admin_a, note="") -> TransferRequest:
    return transfers.transfer_request_create(from_garden=garden_a, to_garden=garden_b, targets=targets, by=admin_a,
                                             note=note)


def url(name: str, garden, **kwargs) -> str:
    return reverse(f"members:{name}", kwargs={"garden_slug": garden.slug, **kwargs})


# --- asking ---------------------------------------------------------------------------------------


def test_request_by_non_admin_is_refused(garden_a, garden_b, targets, staff_a, admin_b):
    for person in (staff_a, admin_b):  # staff of the garden; admin of the other garden
        with pytest.raises(PermissionDenied):
            request_transfer(garden_a, garden_b, targets, person)
    assert not TransferRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__contains="transfer").exists()


def test_request_to_own_garden_or_without_companies_is_refused(garden_a, garden_b, targets, admin_a):
    with pytest.raises(ValidationError, match="annen hage"):
        request_transfer(garden_a, garden_a, targets, admin_a)
    with pytest.raises(ValidationError, match="minst én"):
        request_transfer(garden_a, garden_b, [], admin_a)
    assert not TransferRequest.objects.exists()


def test_only_active_companies_of_the_sending_garden_can_be_asked_for(garden_a, garden_b, targets, admin_a):
    withdrawn = TargetCompanyFactory(garden=garden_a, company__name="Nedlagt AS", status="withdrawn")
    foreign = TargetCompanyFactory(garden=garden_b, company__name="Beta Eiendom AS")
    for bad in (withdrawn, foreign):
        with pytest.raises(ValidationError) as caught:
            request_transfer(garden_a, garden_b, [*targets, bad], admin_a)
        assert bad.company.name in caught.value.messages[0]
    assert not TransferRequest.objects.exists()


def test_a_company_cannot_be_in_two_pending_transfers(garden_a, garden_b, garden_c, targets, admin_a):
    request_transfer(garden_a, garden_b, targets[:1], admin_a)
    with pytest.raises(ValidationError, match="Fjellbrygg AS"):
        request_transfer(garden_a, garden_c, targets, admin_a)
    assert TransferRequest.objects.count() == 1


def test_request_counts_as_sending_confirmation_audits_and_mails_receiving_admins(
    garden_a, garden_b, targets, admin_a, admin_b, staff_b, django_capture_on_commit_callbacks
):
    MembershipFactory(garden=garden_b, role="admin", user__email="former@example.org",
                      valid_to=datetime.date(2021, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        transfer = request_transfer(garden_a, garden_b, targets, admin_a, note="Solør går ut av programmet.")
    assert transfer.status == "pending"
    assert (transfer.requested_by, transfer.from_confirmed_by) == (admin_a, admin_a)
    assert transfer.from_confirmed_at is not None and transfer.to_confirmed_at is None
    entry = AuditEntry.objects.get(action="members.transfer.requested")
    assert entry.garden_id == garden_a.pk and entry.changes["to_garden"] == [None, garden_b.name]
    for target in targets:
        history = list(target_company_history(target))
        assert history[0].action == "members.targetcompany.transfer_requested"
        assert history[0].changes == {"garden": [garden_a.name, garden_b.name]}
    # Only the receiving garden's current admin: not its staff, not a former admin, not the sender.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin_b.email]
    assert "Alfa Næringshage vil overføre 2 målbedrifter til dere" in message.subject
    assert "Fjellbrygg AS" in message.body and "Solør går ut av programmet." in message.body
    assert f"http://127.0.0.1:8000/g/beta/overforinger/{transfer.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="http://127.0.0.1:8000/g/beta/overforinger/{transfer.pk}/"' in html


def test_notifying_twice_sends_once(garden_a, garden_b, targets, admin_a, admin_b,
                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert transfers.transfer_notify(transfer=transfer, event="requested") == 1  # the same mail, not a new one
    assert len(mail.outbox) == 1


def test_nothing_is_mailed_when_the_request_rolls_back(garden_a, garden_b, targets, admin_a, admin_b,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            request_transfer(garden_a, garden_b, targets, admin_a)
            raise RuntimeError("later step failed")
    assert not TransferRequest.objects.exists()
    assert mail.outbox == []


# --- confirming -----------------------------------------------------------------------------------


def test_confirm_by_the_wrong_gardens_admin_is_refused(garden_a, garden_b, targets, admin_a, staff_b, admin_c):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    for person in (admin_a, staff_b, admin_c):  # sender's admin, receiver's staff, a third garden's admin
        with pytest.raises(PermissionDenied):
            transfers.transfer_confirm(transfer=transfer, by=person)
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    assert set(TargetCompany.objects.values_list("garden", flat=True)) == {garden_a.pk}


def test_confirm_moves_the_record_with_its_log_figures_goals_contacts_and_history(
    garden_a, garden_b, targets, staff_a, admin_a, admin_b, django_capture_on_commit_callbacks
):
    target = targets[0]
    services.follow_up_log(target=target, by=staff_a, date=datetime.date(2025, 3, 1), kind="meeting",
                           hours=Decimal("2"), summary="Møte om eksport")
    KeyFigures.objects.create(target=target, year=2025, turnover=1_000_000)
    DevelopmentGoal.objects.create(target=target, description="Eksport til Sverige")
    ContactPerson.objects.create(target=target, name="Kari Kontakt")
    version = TargetCompany.objects.get(pk=target.pk).version
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        transfers.transfer_confirm(transfer=transfer, by=admin_b)

    moved = TargetCompany.objects.get(pk=target.pk)
    assert (moved.garden, moved.transferred_from, moved.version) == (garden_b, garden_a, version + 1)
    assert moved.follow_ups.get().summary == "Møte om eksport"
    assert moved.follow_ups.get().adviser_garden == garden_a  # the hours stay counted for the garden that worked
    assert (moved.key_figures.count(), moved.goals.count(), moved.contacts.count()) == (1, 1, 1)
    actions = [e.action for e in target_company_history(moved)]
    assert actions == ["members.targetcompany.transferred", "members.targetcompany.transfer_requested",
                       "members.followupentry.created"]
    transferred = target_company_history(moved).first()
    assert (transferred.garden_id, transferred.actor) == (garden_b.pk, admin_b)
    assert transferred.changes == {"garden": [garden_a.name, garden_b.name]}

    transfer.refresh_from_db()
    assert (transfer.status, transfer.to_confirmed_by) == ("completed", admin_b)
    assert transfer.completed_at is not None
    assert [m.to for m in mail.outbox] == [[admin_a.email]]  # the sender hears it was accepted
    assert "Beta Næringshage har godtatt" in mail.outbox[0].subject


def test_an_adviser_who_does_not_work_in_the_receiving_garden_is_cleared(
    garden_a, garden_b, targets, staff_a, admin_a, admin_b
):
    both = MembershipFactory(garden=garden_b, user=admin_a).user  # Anne works in both gardens
    TargetCompany.objects.filter(pk=targets[0].pk).update(adviser=staff_a)
    TargetCompany.objects.filter(pk=targets[1].pk).update(adviser=both)
    transfers.transfer_confirm(transfer=request_transfer(garden_a, garden_b, targets, admin_a), by=admin_b)
    assert TargetCompany.objects.get(pk=targets[0].pk).adviser is None
    assert TargetCompany.objects.get(pk=targets[1].pk).adviser == admin_a
    assert target_company_history(targets[0]).first().changes["adviser"] == ["Stine Stab", None]
    assert "adviser" not in target_company_history(targets[1]).first().changes


def test_confirm_refuses_when_a_company_is_no_longer_active_and_moves_nothing(
    garden_a, garden_b, targets, admin_a, admin_b
):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    TargetCompany.objects.filter(pk=targets[1].pk).update(status="withdrawn")
    with pytest.raises(ValidationError, match="Grensefisk AS er ikke lenger aktiv målbedrift"):
        transfers.transfer_confirm(transfer=transfer, by=admin_b)
    assert TargetCompany.objects.get(pk=targets[0].pk).garden == garden_a
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    assert not AuditEntry.objects.filter(action="members.targetcompany.transferred").exists()


def test_confirm_refuses_when_a_company_was_moved_meanwhile(garden_a, garden_b, garden_c, targets, admin_a, admin_b):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    TargetCompany.objects.filter(pk=targets[0].pk).update(garden=garden_c)
    with pytest.raises(ValidationError, match="Fjellbrygg AS"):
        transfers.transfer_confirm(transfer=transfer, by=admin_b)
    assert TargetCompany.objects.get(pk=targets[1].pk).garden == garden_a


def test_a_completed_transfer_cannot_be_confirmed_or_cancelled_again(garden_a, garden_b, targets, admin_a, admin_b):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    transfers.transfer_confirm(transfer=transfer, by=admin_b)
    with pytest.raises(ValidationError, match="venter ikke lenger"):
        transfers.transfer_confirm(transfer=transfer, by=admin_b)
    with pytest.raises(ValidationError, match="venter ikke lenger"):
        transfers.transfer_cancel(transfer=transfer, by=admin_a)


def test_one_active_target_garden_per_company_still_holds(garden_a, garden_b, targets, admin_a, admin_b):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    transfers.transfer_confirm(transfer=transfer, by=admin_b)
    company = targets[0].company
    assert TargetCompany.objects.filter(company=company, status="active").count() == 1
    with pytest.raises(ValidationError, match="Beta Næringshage"):
        services.target_company_create(garden=garden_a, by=admin_a, org_number=company.org_number,
                                       name=company.name, contract_start=datetime.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetCompany.objects.create(garden=garden_a, company=company, contract_start=datetime.date(2026, 1, 1))


# --- cancelling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("canceller", ["admin_a", "admin_b"])
def test_either_admin_cancels_and_nothing_moves(request, garden_a, garden_b, targets, admin_a, admin_b, canceller,
                                               django_capture_on_commit_callbacks):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        transfers.transfer_cancel(transfer=transfer, by=request.getfixturevalue(canceller))
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    assert set(TargetCompany.objects.values_list("garden", flat=True)) == {garden_a.pk}
    assert target_company_history(targets[0]).first().action == "members.targetcompany.transfer_cancelled"
    # Each garden's admins get the address they can open, under their own garden.
    assert [(m.to, m.body.strip().splitlines()[-1]) for m in mail.outbox] == [
        ([admin_a.email], f"http://127.0.0.1:8000/g/alfa/overforinger/{transfer.pk}/"),
        ([admin_b.email], f"http://127.0.0.1:8000/g/beta/overforinger/{transfer.pk}/"),
    ]
    # The companies are free for a new transfer.
    request_transfer(garden_a, garden_b, targets, admin_a)


def test_cancel_by_staff_or_a_third_garden_is_refused(garden_a, garden_b, targets, admin_a, staff_a, staff_b, admin_c):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    for person in (staff_a, staff_b, admin_c):
        with pytest.raises(PermissionDenied):
            transfers.transfer_cancel(transfer=transfer, by=person)
    transfer.refresh_from_db()
    assert transfer.status == "pending"


# --- pages ----------------------------------------------------------------------------------------


def test_after_confirmation_the_company_is_in_the_new_gardens_list_and_gone_from_the_old(
    client, garden_a, garden_b, targets, admin_a, admin_b, staff_a, staff_b
):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    client.force_login(admin_b)
    response = client.post(url("transfer-confirm", garden_b, transfer_pk=transfer.pk), follow=True)
    assert "2 målbedrifter hører nå til Beta Næringshage" in response.content.decode()
    target = targets[0]

    client.force_login(staff_b)
    assert "Fjellbrygg AS" in client.get(url("company-list", garden_b)).content.decode()
    detail = client.get(url("company-detail", garden_b, pk=target.pk)).content.decode()
    assert "Overført fra Alfa Næringshage" in detail
    history = client.get(url("company-history", garden_b, pk=target.pk)).content.decode()
    assert "Berit Beta fullførte overføringen av Fjellbrygg AS (Beta Næringshage)" in history
    assert "Anne Admin ba om å overføre Fjellbrygg AS (Alfa Næringshage)" in history

    client.force_login(staff_a)
    assert client.get(url("company-detail", garden_a, pk=target.pk)).status_code == 404
    assert "Fjellbrygg AS" not in client.get(url("company-list", garden_a)).content.decode()


def test_both_gardens_read_the_transfer_and_a_third_garden_gets_404(
    client, garden_a, garden_b, garden_c, targets, admin_a, admin_b, staff_b, admin_c
):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    client.force_login(staff_b)
    page = client.get(url("transfer-detail", garden_b, transfer_pk=transfer.pk)).content.decode()
    assert "Fjellbrygg AS" in page and "Bekreft og overta" not in page  # staff read; only admins act
    assert client.post(url("transfer-confirm", garden_b, transfer_pk=transfer.pk)).status_code == 403

    client.force_login(admin_b)
    page = client.get(url("transfer-detail", garden_b, transfer_pk=transfer.pk)).content.decode()
    assert "Bekreft og overta 2 bedrifter" in page and "Avbryt overføringen" in page

    client.force_login(admin_a)
    page = client.get(url("transfer-detail", garden_a, transfer_pk=transfer.pk)).content.decode()
    assert "Bekreft og overta" not in page and "Avbryt overføringen" in page

    client.force_login(admin_c)
    for name in ("transfer-detail", "transfer-confirm", "transfer-cancel"):
        method = client.get if name == "transfer-detail" else client.post
        assert method(url(name, garden_c, transfer_pk=transfer.pk)).status_code == 404
    assert TransferRequest.objects.get().status == "pending"


def test_sending_admin_posting_confirm_gets_a_message_not_an_error(client, garden_a, garden_b, targets, admin_a):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    client.force_login(admin_a)
    response = client.post(url("transfer-confirm", garden_a, transfer_pk=transfer.pk), follow=True)
    assert response.status_code == 200
    assert "Bare en administrator i Beta Næringshage kan godta denne overføringen." in response.content.decode()
    assert TransferRequest.objects.get().status == "pending"


def test_confirm_page_explains_a_company_that_is_no_longer_active(
    client, garden_a, garden_b, targets, admin_a, admin_b
):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    TargetCompany.objects.filter(pk=targets[1].pk).update(status="completed")
    client.force_login(admin_b)
    response = client.post(url("transfer-confirm", garden_b, transfer_pk=transfer.pk), follow=True)
    assert "Ingenting ble overført: Grensefisk AS er ikke lenger aktiv målbedrift" in response.content.decode()


def test_form_ticks_every_active_company_and_offers_every_other_garden(
    client, garden_a, garden_b, garden_c, targets, admin_a
):
    TargetCompanyFactory(garden=garden_a, company__name="Avsluttet AS", status="completed")
    client.force_login(admin_a)
    form = client.get(url("transfer-create", garden_a)).context["form"]
    assert list(form.fields["to_garden"].queryset) == [garden_b, garden_c]
    assert {t.company.name for t in form.fields["targets"].queryset} == {"Fjellbrygg AS", "Grensefisk AS"}
    page = client.get(url("transfer-create", garden_a)).content.decode()
    assert page.count('type="checkbox" name="targets"') == 2 and page.count("checked") == 2


def test_form_post_asks_and_bad_input_keeps_what_was_typed(client, garden_a, garden_b, targets, admin_a):
    client.force_login(admin_a)
    response = client.post(url("transfer-create", garden_a), {"note": "Hele porteføljen"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Velg minst én målbedrift som skal overføres." in page and "Hele porteføljen" in page
    assert not TransferRequest.objects.exists()

    response = client.post(
        url("transfer-create", garden_a),
        {"to_garden": garden_b.pk, "targets": [t.pk for t in targets], "note": "Hele porteføljen"},
    )
    transfer = TransferRequest.objects.get()
    assert response["Location"] == url("transfer-detail", garden_a, transfer_pk=transfer.pk)
    assert transfer.note == "Hele porteføljen" and transfer.targets.count() == 2


def test_form_post_with_another_gardens_record_is_refused(client, garden_a, garden_b, targets, admin_a):
    foreign = TargetCompanyFactory(garden=garden_b)
    client.force_login(admin_a)
    response = client.post(url("transfer-create", garden_a), {"to_garden": garden_b.pk, "targets": [foreign.pk]})
    assert response.status_code == 200 and response.context["form"].errors["targets"]
    assert not TransferRequest.objects.exists()


def test_cancel_view_by_the_receiving_admin(client, garden_a, garden_b, targets, admin_a, admin_b):
    transfer = request_transfer(garden_a, garden_b, targets, admin_a)
    client.force_login(admin_b)
    response = client.post(url("transfer-cancel", garden_b, transfer_pk=transfer.pk), follow=True)
    assert "Overføringen er avbrutt; målbedriftene blir værende i Alfa Næringshage." in response.content.decode()
    assert TransferRequest.objects.get().status == "cancelled"


def test_workspace_has_a_transfers_tab(client, garden_a, staff_a):
    client.force_login(staff_a)
    page = client.get(url("transfer-list", garden_a)).content.decode()
    assert f'href="{url("transfer-list", garden_a)}" aria-current="page">Overføringer</a>' in page
    assert "Overfør målbedrifter" not in page  # staff read; only admins start a transfer


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_fixed(client, django_assert_num_queries, garden_a, garden_b, garden_c, admin_a, admin_b,
                                   count):
    for i in range(count):
        other = garden_b if i % 2 else garden_c
        sender, receiver = (garden_a, other) if i % 3 else (other, garden_a)
        transfer = TransferRequest.objects.create(from_garden=sender, to_garden=receiver, requested_by=admin_a,
                                                  to_confirmed_by=admin_b)
        transfer.targets.set([TargetCompanyFactory(garden=sender) for _ in range(2)])
    client.force_login(admin_a)
    # 1 session, 2 user, 3 garden, 4 memberships (access and navigation), 5 transfers with both gardens,
    # requester and confirmer, 6 their target companies with the companies (prefetch).
    with django_assert_num_queries(6):
        response = client.get(url("transfer-list", garden_a))
    assert len(re.findall(r'href="/g/alfa/overforinger/\d+/"', response.content.decode())) == count


@pytest.mark.parametrize("count", [5, 50])
def test_detail_query_count_is_fixed(client, django_assert_num_queries, garden_a, garden_b, admin_a, count):
    transfer = request_transfer(garden_a, garden_b, [TargetCompanyFactory(garden=garden_a) for _ in range(count)],
                                admin_a)
    client.force_login(admin_a)
    # 1 session, 2 user, 3 garden, 4 memberships (access and navigation), 5 the transfer with both
    # gardens and the three people, 6 its target companies with company, municipality and garden.
    with django_assert_num_queries(6):
        response = client.get(url("transfer-detail", garden_a, transfer_pk=transfer.pk))
    assert len(re.findall(r'href="/g/alfa/malbedrifter/\d+/"', response.content.decode())) == count
