"""A seeded dataset for the network reports, on the real national geography (tests and browser tests)."""

import datetime
import random
from decimal import Decimal

from gardens.models import Coverage, Municipality
from members.models import FollowUpEntry, KeyFigures, TargetCompany
from network_portal.loading import load_network
from tests.factories import CompanyFactory, GardenFactory, MembershipFactory

D = datetime.date
YEAR = 2023


def current(number: str) -> Municipality:
    return Municipality.objects.get(number=number, valid_to__isnull=True)


def make_report_world() -> dict:
    """Three gardens in three regions, 60 target companies over 2018–2024, key figures and follow-up."""
    load_network()
    rng = random.Random(2026)
    places = {
        "inn": ("inn", ["3427", "3426", "3430"]),  # Tynset, Tolga, Os: Hedmark → Innlandet (2020)
        "ost": ("ost", ["3105", "3107"]),  # Sarpsborg, Fredrikstad: Østfold → Viken → Østfold
        "trd": ("trd", ["5059", "5025"]),  # Orkland, Røros: Trøndelag since 2018
    }
    gardens = {}
    for key, (slug, numbers) in places.items():
        garden = GardenFactory(name=f"Hage {key.upper()}", slug=f"hage-{slug}")
        for number in numbers:
            Coverage.objects.create(garden=garden, municipality=current(number))
        gardens[key] = (garden, [current(n) for n in numbers])
    staff = {key: MembershipFactory(garden=g, role="staff").user for key, (g, _m) in gardens.items()}
    targets = []
    for i in range(60):
        key = rng.choice(list(gardens))
        garden, municipalities = gardens[key]
        start = D(rng.randint(2018, 2024), rng.randint(1, 12), 1)
        end = None
        status = TargetCompany.Status.ACTIVE
        if rng.random() < 0.3:
            end = start + datetime.timedelta(days=rng.randint(200, 1500))
            status = TargetCompany.Status.COMPLETED
        company = CompanyFactory(municipality=rng.choice(municipalities + [None]) if i % 13 else None)
        target = TargetCompany.objects.create(garden=garden, company=company, contract_start=start,
                                              contract_end=end, status=status,
                                              phase=rng.choice(TargetCompany.Phase.values))
        targets.append(target)
        for year in range(start.year, 2025):
            if rng.random() < 0.8:  # missing figures happen
                KeyFigures.objects.create(
                    target=target, year=year, turnover=Decimal(rng.randint(100, 5000) * 1000),
                    value_creation=Decimal(rng.randint(50, 2000) * 1000) if rng.random() < 0.9 else None,
                    employees=Decimal(rng.randint(1, 40)) / 2,
                    women_in_leadership=rng.randint(0, 2), leaders_total=rng.randint(2, 4))
        for _n in range(rng.randint(0, 4)):
            FollowUpEntry.objects.create(target=target, date=D(rng.randint(2018, 2024), rng.randint(1, 12), 10),
                                         kind=rng.choice(FollowUpEntry.Kind.values),
                                         hours=Decimal(rng.randint(1, 16)) / 2, adviser=staff[key],
                                         adviser_garden=garden, summary="x",
                                         own_share=Decimal(rng.randint(0, 3) * 500))
    # A company whose first record ended and who came back in the same year: counted once.
    first = targets[0]
    first.contract_end = D(YEAR, 3, 31)
    first.contract_start = D(2019, 1, 1)
    first.status = TargetCompany.Status.COMPLETED
    first.save()
    TargetCompany.objects.create(garden=first.garden, company=first.company, contract_start=D(YEAR, 6, 1))
    return {"gardens": {k: g for k, (g, _m) in gardens.items()}, "staff": staff}
