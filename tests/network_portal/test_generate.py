"""generate_network: a seeded national network on top of the reference data, consistent in every garden."""

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q

from core.models import AuditEntry, User
from gardens.models import Coverage, Garden, Municipality, StaffMembership
from members.models import Company, CompetenceShare, FollowUpEntry, KeyFigures, TargetCompany
from network_portal.generate import AUDIT_ACTION, SHOWCASE_FOLLOW_UPS, Plan, generate_network

pytestmark = pytest.mark.django_db

TINY = 0.01  # 200 companies, 60 active target companies, 4,000 follow-up entries


class _Undo(Exception):
    pass


def fingerprint() -> str:
    """A digest of the generated rows by their natural keys (ids and clock times left out)."""
    parts = [
        list(Garden.objects.order_by("slug").values_list("slug", "name")),
        list(User.objects.order_by("email").values_list("email", "full_name")),
        list(TargetCompany.objects.order_by("company__org_number").values_list(
            "company__org_number", "company__name", "garden__slug", "phase", "status", "contract_start",
            "contract_end", "adviser__email", "company__municipality__number")),
        list(FollowUpEntry.objects.order_by("target__company__org_number", "date", "kind", "hours", "summary",
                                            "adviser__email").values_list(
            "target__company__org_number", "date", "kind", "hours", "summary", "adviser__email",
            "adviser_garden__slug")),
        list(KeyFigures.objects.order_by("target__company__org_number", "year").values_list(
            "target__company__org_number", "year", "turnover", "employees")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def generated_in_a_rollback(**kwargs) -> tuple[str, dict]:
    try:
        with transaction.atomic():
            result = generate_network(**kwargs)
            digest = fingerprint()
            raise _Undo
    except _Undo:
        return digest, result.counts


def test_same_seed_gives_the_same_network_and_another_seed_another():
    first, _ = generated_in_a_rollback(scale=TINY, seed=7)
    again, _ = generated_in_a_rollback(scale=TINY, seed=7)
    other, _ = generated_in_a_rollback(scale=TINY, seed=8)
    assert first == again
    assert other != first


def test_counts_grow_in_proportion_to_the_scale():
    _, small = generated_in_a_rollback(scale=TINY)
    _, double = generated_in_a_rollback(scale=2 * TINY)
    for key in ("companies", "target companies", "active target companies", "follow-up entries", "help requests",
                "agreements"):
        assert double[key] == pytest.approx(2 * small[key], rel=0.05), key
    assert small["gardens"] == double["gardens"] == 40
    assert small["follow-up entries"] == 4000 and small["active target companies"] == 60
    assert small["audit entries"] == small["follow-up entries"] + small["target companies"]
    assert Plan.at_scale(1).follow_ups == 400_000 and Plan.at_scale(1).active == 6000


def test_every_garden_is_consistent():
    result = generate_network(scale=TINY, seed=3)
    # 40 gardens between them cover every current municipality.
    assert Garden.objects.count() == 40
    current = Municipality.objects.current()
    assert not current.exclude(pk__in=Coverage.objects.current().values("municipality")).exists()
    assert current.count() == 357
    # Every garden has staff, and an admin.
    assert not Garden.objects.annotate(n=Count("memberships")).filter(n__lt=2).exists()
    assert not Garden.objects.exclude(memberships__role="admin").exists()
    member_of = StaffMembership.objects.current().filter(user=OuterRef("adviser"), garden=OuterRef("garden"))
    # A record's responsible adviser works in its garden.
    assert not TargetCompany.objects.exclude(Exists(member_of)).exists()
    # Hours are logged by someone of the garden they count for: the record's own garden, or a
    # colleague's garden that was asked (and accepted) to help with that record.
    entry_member = StaffMembership.objects.current().filter(user=OuterRef("adviser"),
                                                           garden=OuterRef("adviser_garden"))
    assert not FollowUpEntry.objects.exclude(Exists(entry_member)).exists()
    asked = CompetenceShare.objects.filter(target=OuterRef("target"), colleague=OuterRef("adviser"),
                                           colleague_garden=OuterRef("adviser_garden"),
                                           status__in=["accepted", "closed"])
    foreign = FollowUpEntry.objects.exclude(adviser_garden=F("target__garden"))
    assert foreign.exists() and not foreign.exclude(Exists(asked)).exists()
    # Follow-ups fall inside the contract; one active record has the full log the record page is measured on.
    assert not FollowUpEntry.objects.filter(date__lt=F("target__contract_start")).exists()
    assert result.showcase.follow_ups.count() == SHOWCASE_FOLLOW_UPS
    assert result.showcase.garden == result.big_garden and result.showcase.status == "active"
    # At most one active record per company; every follow-up has its audit entry.
    assert not Company.objects.annotate(n=Count("target_relations", filter=Q(target_relations__status="active"))
                                        ).filter(n__gt=1).exists()
    assert AuditEntry.objects.filter(action="members.followupentry.created").count() == FollowUpEntry.objects.count()
    assert result.reader.is_network_reader


def test_command_prints_the_counts_and_refuses_a_second_run(capsys):
    call_command("generate_network", scale=TINY)
    out = capsys.readouterr().out
    assert "follow-up entries" in out and "4 000" in out
    assert AuditEntry.objects.filter(action=AUDIT_ACTION).count() == 1
    with pytest.raises(CommandError, match="already holds a generated network"):
        call_command("generate_network", scale=TINY)
