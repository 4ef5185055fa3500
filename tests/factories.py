"""factory_boy factories shared by the whole suite."""

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from stdnum.no import orgnr

from core.models import User
from gardens.models import County, Coverage, Garden, Municipality, StaffMembership
from members.models import Company, TargetCompany


def valid_org_number(n: int) -> str:
    """The n-th valid MOD11 organisasjonsnummer in a fictional range starting with 91."""
    candidate = 91_000_000 + n * 7
    while True:  # about one stem in eleven has no valid check digit; the next one does
        for check in "0123456789":
            if orgnr.is_valid(f"{candidate:08d}{check}"):
                return f"{candidate:08d}{check}"
        candidate += 1


# The authenticator-app key of every test account that must use two-factor sign-in (garden
# admins, network readers, superusers: gardens/access.mfa_required_for). Tests compute the code
# the app would show with `totp_code`; pass `totp=False` for such an account without one.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TEST_TOTP_SECRET, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for `secret` now (or at `at`, a Unix time)."""
    import time

    return format_hotp_value(hotp_value(secret, int(at if at is not None else time.time()) // 30))


def give_totp(user, secret: str = TEST_TOTP_SECRET) -> None:
    """Set up two-factor sign-in for `user` with the authenticator-app key `secret`."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="no_NO")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """Accounts made by admins and invitations have a verified address (see members.services)."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Readers and superusers must sign in with two factors: they get the test key (totp=False: not)."""
        if create and extracted is not False and (self.is_network_reader or self.is_superuser):
            give_totp(self)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ["number", "name"]

    number = "50"
    name = "Trøndelag"
    valid_from = datetime.date(2018, 1, 1)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["number", "name"]

    number = factory.Sequence(lambda n: f"{5000 + n % 900:04d}")
    name = factory.Sequence(lambda n: f"Kommune {n}")
    county = factory.SubFactory(CountyFactory)


class GardenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Garden
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Testhage {n} Næringshage")
    slug = factory.Sequence(lambda n: f"testhage-{n}")


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    garden = factory.SubFactory(GardenFactory)
    municipality = factory.SubFactory(MunicipalityFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    garden = factory.SubFactory(GardenFactory)
    role = StaffMembership.Role.STAFF
    valid_from = datetime.date(2020, 1, 1)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Garden admins must sign in with two factors: they get the test key (totp=False: not)."""
        if create and extracted is not False and self.role == StaffMembership.Role.ADMIN:
            give_totp(self.user)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    org_number = factory.Sequence(valid_org_number)
    name = factory.Sequence(lambda n: f"Bedrift {n} AS")


class TargetCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetCompany

    garden = factory.SubFactory(GardenFactory)
    company = factory.SubFactory(CompanyFactory)
    contract_start = datetime.date(2025, 1, 1)
