"""Sharing competence between gardens: ask, accept or decline, log hours, close."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gardens.models import StaffMembership, StaffProfile
from members import sharing
from members.models import CompetenceShare, FollowUpEntry
from tests.factories import TargetCompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper_b(staff_b):
    """staff_b has published a competence profile, so garden A can ask them."""
    StaffProfile.objects.create(user=staff_b, headline="Eksport og salg", is_public=True)
    return staff_b.memberships.get()


@pytest.fixture
def target(garden_a):
    return TargetCompanyFactory(garden=garden_a, company__name="Fjellost AS")


def test_only_published_colleagues_of_other_gardens_can_be_asked(garden_a, garden_b, staff_a, staff_b, helper_b):
    choices = list(sharing.share_colleague_choices(garden_a))
    assert choices == [helper_b]
    assert staff_a not in [m.user for m in choices]  # own garden
    StaffProfile.objects.filter(user=staff_b).update(is_public=False)
    assert list(sharing.share_colleague_choices(garden_a)) == []


def test_whole_flow_counts_hours_for_the_helping_garden(target, staff_a, staff_b, helper_b, garden_b):
    share = sharing.share_request_create(target=target, by=staff_a, membership=helper_b, message="Eksportråd")
    with pytest.raises(PermissionDenied):
        sharing.share_follow_up_log(share=share, by=staff_b, date=datetime.date(2025, 5, 1), kind="advice",
                                    hours=Decimal("2"), summary="For tidlig")
    sharing.share_respond(share=share, by=staff_b, accept=True, note="Gjerne")
    share.refresh_from_db()
    sharing.share_follow_up_log(share=share, by=staff_b, date=datetime.date(2025, 5, 1), kind="advice",
                                hours=Decimal("2.5"), summary="Gjennomgang av eksportplan")
    entry = FollowUpEntry.objects.get()
    assert entry.target == target and entry.adviser == staff_b and entry.adviser_garden == garden_b
    assert sharing.shared_hours_by(garden_b) == Decimal("2.5")
    sharing.share_close(share=share, by=staff_a)
    share.refresh_from_db()
    with pytest.raises(PermissionDenied):
        sharing.share_follow_up_log(share=share, by=staff_b, date=datetime.date(2025, 6, 1), kind="advice",
                                    hours=Decimal("1"), summary="Etter lukking")


def test_refusals(target, garden_a, staff_a, staff_b, helper_b, reader):
    own = staff_a.memberships.get()
    with pytest.raises(ValidationError):
        sharing.share_request_create(target=target, by=staff_a, membership=own, message="x")
    with pytest.raises(PermissionDenied):
        sharing.share_request_create(target=target, by=reader, membership=helper_b, message="x")
    share = sharing.share_request_create(target=target, by=staff_a, membership=helper_b, message="x")
    with pytest.raises(ValidationError):
        sharing.share_request_create(target=target, by=staff_a, membership=helper_b, message="igjen")
    with pytest.raises(PermissionDenied):
        sharing.share_respond(share=share, by=staff_a, accept=True)
    sharing.share_respond(share=share, by=staff_b, accept=False)
    with pytest.raises(ValidationError):
        sharing.share_respond(share=share, by=staff_b, accept=True)


def test_history_of_the_company_shows_the_sharing(client, target, staff_a, staff_b, helper_b):
    share = sharing.share_request_create(target=target, by=staff_a, membership=helper_b, message="Eksportråd")
    sharing.share_respond(share=share, by=staff_b, accept=True)
    client.force_login(staff_a)
    html = client.get(reverse("members:company-history", kwargs={"garden_slug": target.garden.slug,
                                                                   "pk": target.pk})).content.decode()
    assert "ba en kollega i en annen hage om hjelp med Fjellost AS" in html
    assert "Bjørn Utenfor sa ja til å hjelpe med Fjellost AS" in html


def test_colleague_sees_only_that_company_and_only_while_open(client, garden_a, garden_b, target, staff_a, staff_b,
                                                             helper_b):
    other = TargetCompanyFactory(garden=garden_a, company__name="Annen AS")
    share = sharing.share_request_create(target=target, by=staff_a, membership=helper_b, message="Eksportråd")
    client.force_login(staff_b)
    detail = reverse("members:shared-detail", kwargs={"garden_slug": garden_b.slug, "share_pk": share.pk})
    html = client.get(detail).content.decode()
    assert "Eksportråd" in html and "Godta" in html
    assert target.company.org_number not in html  # not yet accepted: no record
    client.post(reverse("members:shared-respond", kwargs={"garden_slug": garden_b.slug, "share_pk": share.pk}),
                {"decision": "accept", "answer-note": "Gjerne"})
    html = client.get(detail).content.decode()
    assert target.company.org_number in html
    response = client.post(
        reverse("members:shared-log", kwargs={"garden_slug": garden_b.slug, "share_pk": share.pk}),
        {"fu-date": "2025-05-02", "fu-kind": "advice", "fu-hours": "1.5", "fu-summary": "Eksportplan"}, follow=True)
    assert "teller for Beta Næringshage" in response.content.decode()
    # Garden A's pages stay closed to them: the shared company and any other.
    for pk in (target.pk, other.pk):
        url = reverse("members:company-detail", kwargs={"garden_slug": garden_a.slug, "pk": pk})
        assert client.get(url).status_code == 404
    sharing.share_close(share=CompetenceShare.objects.get(pk=share.pk), by=staff_a)
    html = client.get(detail).content.decode()
    assert target.company.org_number not in html
    assert "ikke lenger åpen" in html
    list_html = client.get(reverse("members:shared-list", kwargs={"garden_slug": garden_b.slug})).content.decode()
    assert "registrert 1,5 timer på andre hagers målbedrifter" in list_html


def test_owner_asks_from_the_record_page(client, target, staff_a, helper_b):
    client.force_login(staff_a)
    url = reverse("members:company-detail", kwargs={"garden_slug": target.garden.slug, "pk": target.pk})
    ask = reverse("members:share-create", kwargs={"garden_slug": target.garden.slug, "pk": target.pk})
    html = client.get(url).content.decode()
    # The record links to the request's own page; the colleagues are listed there, not on every record.
    assert f'href="{ask}"' in html and "Bjørn Utenfor – Beta Næringshage" not in html
    assert "Bjørn Utenfor – Beta Næringshage" in client.get(ask).content.decode()
    response = client.post(ask, {"share-colleague": helper_b.pk, "share-message": "Trenger eksportråd"})
    assert response.status_code == 302 and response["Location"].endswith("#shares")
    share = CompetenceShare.objects.get()
    assert share.colleague == helper_b.user and share.status == "pending"
    # A request without a message is shown again with the error and the colleague still chosen.
    empty = client.post(ask, {"share-colleague": helper_b.pk, "share-message": ""})
    assert CompetenceShare.objects.count() == 1
    html = empty.content.decode()
    assert empty.status_code == 400 and "errorlist" in html
    assert f'<option value="{helper_b.pk}" selected>' in html


def test_colleague_from_a_closed_list_is_refused(client, target, staff_a, garden_a, helper_b):
    """The choice is checked on the server: someone of the asking garden itself cannot be asked."""
    own = StaffMembership.objects.get(user=staff_a, garden=garden_a)
    client.force_login(staff_a)
    ask = reverse("members:share-create", kwargs={"garden_slug": target.garden.slug, "pk": target.pk})
    response = client.post(ask, {"share-colleague": own.pk, "share-message": "Hjelp"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not CompetenceShare.objects.exists()
