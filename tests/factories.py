"""factory_boy factories shared by the whole suite."""

import datetime

import factory
from allauth.account.models import EmailAddress
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

    user = factory.SubFactory(UserFactory)
    garden = factory.SubFactory(GardenFactory)
    role = StaffMembership.Role.STAFF
    valid_from = datetime.date(2020, 1, 1)


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
