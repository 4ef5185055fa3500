"""demo_accounts: fictional, clearly marked demo logins on top of the loaded network."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import AuditEntry, User
from core.orgnr import validate_org_number
from gardens.models import CompetenceArea, StaffMembership, StaffProfile
from members.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoSetupError, create_demo_accounts
from members.models import Company, EntrepreneurProfile, TargetCompany
from network_portal.loading import load_network
from tests.factories import totp_code


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # Hashing the shared password with the production hasher costs ~0.5 s per check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def network(db):
    return load_network()


def _state() -> dict[str, int]:
    models = [User, EmailAddress, StaffMembership, StaffProfile, CompetenceArea, Company, TargetCompany]
    return {model.__name__: model.objects.count() for model in models} | {
        "audit": AuditEntry.objects.count(),
        "profile_areas": StaffProfile.competence_areas.through.objects.count(),
    }


def test_needs_load_network_first(db):
    with pytest.raises(DemoSetupError, match="load_network"):
        create_demo_accounts()
    with pytest.raises(CommandError, match="load_network"):
        call_command("demo_accounts", stdout=StringIO())
    assert not User.objects.exists()


def test_creates_marked_demo_people(network):
    logins = create_demo_accounts()

    assert len(logins) == 5
    assert {password for _, _, password in logins} == {DEMO_PASSWORD}
    users = User.objects.filter(email__in=[email for _, email, _ in logins])
    assert users.count() == 5
    assert all(
        u.is_demo and u.email.endswith("@demo.invalid") and u.full_name.startswith("Demo ") for u in users
    )
    assert not users.filter(is_staff=True).exists()

    admin = User.objects.get(email="demo.admin.roros@demo.invalid")
    [membership] = admin.memberships.all()
    assert membership.garden.slug == "rorosregionen-naeringshage"
    assert membership.role == StaffMembership.Role.ADMIN
    assert membership.is_current

    outsider = User.objects.get(email="demo.radgiver.magnor@demo.invalid")
    assert list(outsider.memberships.values_list("garden__slug", "role")) == [
        ("magnor-naeringshage", "staff")
    ]

    reader = User.objects.get(is_demo=True, is_network_reader=True)
    assert reader.reader_organisation == "Siva (demo)"
    assert not reader.memberships.exists()

    profile = EntrepreneurProfile.objects.select_related("municipality").get(user__is_demo=True)
    assert (profile.municipality.number, profile.municipality.name) == ("3427", "Tynset")


def test_staff_profiles_are_private_with_competence(network):
    create_demo_accounts()

    profiles = StaffProfile.objects.filter(user__is_demo=True)
    assert profiles.count() == 3
    assert not profiles.filter(is_public=True).exists()
    assert all(p.competence_areas.count() >= 2 for p in profiles)
    assert CompetenceArea.objects.filter(
        name="Innovasjon og FoU-kobling", slug="innovasjon-og-fou-kobling"
    ).exists()


def test_demo_target_companies_have_valid_numbers(network):
    create_demo_accounts()

    targets = TargetCompany.objects.select_related("company__industry", "company__municipality", "garden")
    assert targets.count() == 3
    for target in targets:
        validate_org_number(target.company.org_number)
        assert target.company.org_number.startswith("9")
        assert target.company.name.startswith("Demo ")
        assert target.company.industry is not None and target.company.municipality.valid_to is None
        assert target.garden.slug == "rorosregionen-naeringshage"
        assert target.status == TargetCompany.Status.ACTIVE


def test_second_run_creates_nothing(network):
    create_demo_accounts()
    before = _state()

    create_demo_accounts()

    assert _state() == before


def test_second_run_restores_a_changed_password(network, client):
    create_demo_accounts()
    user = User.objects.get(email="demo.admin.roros@demo.invalid")
    user.set_password("something-else-entirely")
    user.save()

    create_demo_accounts()

    assert client.login(email="demo.admin.roros@demo.invalid", password=DEMO_PASSWORD)


def test_every_printed_login_works(network, client):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    output = out.getvalue()
    password = re.search(r"Password for every demo account: (\S+)", output).group(1)
    emails = re.findall(r"\S+@demo\.invalid", output)

    assert password == DEMO_PASSWORD
    assert len(emails) == 5
    for email in emails:
        assert client.login(email=email, password=password), email
        client.logout()


def test_demo_admin_can_sign_in_through_the_login_page(network, client):
    # allauth's mandatory e-mail verification must not stop a demo login.
    create_demo_accounts()

    response = client.post(
        reverse("account_login"), {"login": "demo.admin.roros@demo.invalid", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]
    # A garden admin must use two factors: the demo admin types the code for the shared demo key.
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(
        User.objects.get(email="demo.admin.roros@demo.invalid").pk
    )


def test_demo_admin_and_reader_have_the_printed_two_factor_key(network):
    from allauth.mfa.models import Authenticator

    create_demo_accounts()
    create_demo_accounts()  # idempotent: still one key each

    keys = Authenticator.objects.filter(type=Authenticator.Type.TOTP)
    assert sorted(keys.values_list("user__email", flat=True)) == [
        "demo.admin.roros@demo.invalid", "demo.leser.siva@demo.invalid",
    ]
    assert {key.data["secret"] for key in keys} == {DEMO_TOTP_SECRET}
