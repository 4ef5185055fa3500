"""Time the competence directory and a garden's target company list with realistic volumes.

Everything the command creates lives inside one transaction that is rolled back at the
end, so the database is left exactly as it was found.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from stdnum.no import orgnr

from core.models import User
from core.text import fold_norwegian, name_sort_key
from gardens.models import CompetenceArea, County, Coverage, Garden, Municipality, StaffMembership, StaffProfile
from members.models import Company, TargetCompany

FIRST_NAMES = ["Åse", "Ærlend", "Øystein", "Kari", "Ola", "Nina", "Bjørn", "Siri", "Håkon", "Zara", "Anders", "Ågot"]
HEADLINES = ["Rådgiver i næringsutvikling", "Eksport og internasjonalisering", "Reiseliv og mat",
             "Finansiering og søknader", "Innovasjon i industrien", "Grønn omstilling"]


class _Rollback(Exception):
    """Raised at the end to undo everything the benchmark created."""


def _figures(label: str, timings: list[float], queries: list[int]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    counts = sorted(set(queries))
    return (f"{label:<44} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
            f"queries {'/'.join(str(c) for c in counts)}")


class Command(BaseCommand):
    help = "Time the competence directory and a target company list (all test data is rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--profiles", type=int, default=1000, help="published profiles to create")
        parser.add_argument("--companies", type=int, default=500, help="target companies in one garden")
        parser.add_argument("--runs", type=int, default=50, help="requests per measured page")
        parser.add_argument("--fresh-db", action="store_true",
                            help="run in a new, migrated throwaway database (as the tests do) instead of "
                                 "a rolled-back transaction in the configured one")

    def handle(self, *args, profiles: int, companies: int, runs: int, fresh_db: bool = False, **options):
        if min(profiles, companies, runs) < 1:
            raise CommandError("--profiles, --companies and --runs must be at least 1.")
        self.stdout.write(f"Database: {connection.vendor}{' (throwaway)' if fresh_db else ''}; {profiles} profiles, "
                          f"{companies} target companies, {runs} requests per line. Nothing is kept.")
        if fresh_db:
            old_name = connection.settings_dict["NAME"]
            if connection.vendor != "sqlite":  # SQLite's throwaway database lives in memory
                # A name of its own, so a test run's test_<name> database is never clobbered.
                connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}),
                                                    "NAME": f"benchmark_{old_name}"}
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self._in_transaction(profiles, companies, runs)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
            return
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database has unapplied migrations: run manage.py migrate, or use --fresh-db.")
        self._in_transaction(profiles, companies, runs)

    def _in_transaction(self, profiles: int, companies: int, runs: int) -> None:
        """Create, measure, and roll everything back."""
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
                self._run(profiles, companies, runs)
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, profiles: int, companies: int, runs: int) -> None:
        gardens = self._gardens()
        areas = self._areas()
        municipality = Municipality.objects.current().filter(coverages__garden__in=gardens).first()
        self._profiles(profiles, gardens, areas, municipality)
        client = Client()
        directory = reverse("gardens:competence")
        searches = [
            ("directory, no filter", {}),
            ("directory, q=næringsutvikling", {"q": "næringsutvikling"}),
            ("directory, q=naeringsutvikling", {"q": "naeringsutvikling"}),
            ("directory, competence area", {"area": areas[0].pk}),
        ]
        if municipality is not None:
            searches.append(("directory, municipality", {"municipality": municipality.pk}))
        for label, params in searches:
            self._measure(client, label, directory, params, runs)

        garden, staff = self._companies(companies)
        client.force_login(staff)
        company_list = reverse("members:company-list", kwargs={"garden_slug": garden.slug})
        self._measure(client, f"target company list ({companies} companies)", company_list, {}, runs)
        self._measure(client, "target company list, page 2", company_list, {"page": 2}, runs)

    def _measure(self, client: Client, label: str, url: str, params: dict, runs: int) -> None:
        timings, queries = [], []
        for _ in range(runs):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{label}: {url} answered {response.status_code}")
            queries.append(len(captured))
        self.stdout.write(_figures(label, timings, queries))

    def _gardens(self) -> list[Garden]:
        """The network's gardens (up to 40), or five made-up ones covering two municipalities each."""
        gardens = list(Garden.objects.order_by("pk")[:40])
        if not gardens:
            county = County.objects.create(number="99", name="Benchmark fylke")
            for i in range(5):
                garden = Garden.objects.create(name=f"Benchmark {i} Næringshage", slug=f"benchmark-{i}")
                for j in range(2):
                    municipality = Municipality.objects.create(
                        number=f"99{i}{j}", name=f"Benchmark kommune {i}{j}", county=county
                    )
                    Coverage.objects.create(garden=garden, municipality=municipality)
                gardens.append(garden)
        return gardens

    def _areas(self) -> list[CompetenceArea]:
        names = ["Næringsutvikling", "Eksport", "Reiseliv", "Finansiering", "Innovasjon", "Grønn omstilling"]
        return [CompetenceArea.objects.get_or_create(name=name, defaults={"slug": f"bench-{i}"})[0]
                for i, name in enumerate(names)]

    def _profiles(self, count: int, gardens: list[Garden], areas: list[CompetenceArea], municipality) -> None:
        """Bulk-create people, memberships and published profiles (search fields filled as the service does)."""
        today = timezone.localdate()
        users = User.objects.bulk_create(
            User(email=f"benchmark-{i}@example.invalid", full_name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} Test{i}")
            for i in range(count)
        )
        if connection.vendor != "postgresql" or any(u.pk is None for u in users):
            users = list(User.objects.filter(email__startswith="benchmark-", email__endswith="@example.invalid")
                         .order_by("pk"))
        StaffMembership.objects.bulk_create(
            StaffMembership(user=user, garden=gardens[i % len(gardens)], valid_from=today)
            for i, user in enumerate(users)
        )
        rows = []
        for i, user in enumerate(users):
            headline = HEADLINES[i % len(HEADLINES)]
            area = areas[i % len(areas)]
            garden = gardens[i % len(gardens)]
            text = " ".join([user.full_name, headline, area.name, garden.name, "norsk English"])
            rows.append(StaffProfile(user=user, headline=headline, languages="norsk, English", is_public=True,
                                     published_at=timezone.now(), search_text=f" {fold_norwegian(text)} ",
                                     sort_key=name_sort_key(user.full_name)))
        StaffProfile.objects.bulk_create(rows)
        saved = list(StaffProfile.objects.filter(user__in=users).order_by("user_id"))
        through = StaffProfile.competence_areas.through
        through.objects.bulk_create(
            through(staffprofile=profile, competencearea=areas[i % len(areas)]) for i, profile in enumerate(saved)
        )
        if municipality is not None:
            served = StaffProfile.municipalities_served.through
            served.objects.bulk_create(
                served(staffprofile=profile, municipality=municipality) for profile in saved[::3]
            )

    def _companies(self, count: int) -> tuple[Garden, User]:
        """A garden of its own with `count` target companies and one staff member."""
        garden = Garden.objects.create(name="Benchmark Målbedrift Næringshage", slug="benchmark-companies")
        staff = User.objects.create(email="benchmark-staff@example.invalid", full_name="Benchmark Stab")
        StaffMembership.objects.create(user=staff, garden=garden, valid_from=timezone.localdate())
        municipality = Municipality.objects.current().first()
        if municipality is not None:
            Coverage.objects.create(garden=garden, municipality=municipality)
        taken = set(Company.objects.values_list("org_number", flat=True))
        numbers, stem = [], 99_500_000
        while len(numbers) < count:
            stem += 1
            for check in "0123456789":
                number = f"{stem:08d}{check}"
                if orgnr.is_valid(number) and number not in taken:
                    numbers.append(number)
                    break
        Company.objects.bulk_create(
            Company(org_number=number, name=f"Benchmark {i:04d} AS", municipality=municipality)
            for i, number in enumerate(numbers)
        )
        saved = Company.objects.filter(org_number__in=numbers)
        TargetCompany.objects.bulk_create(
            TargetCompany(garden=garden, company=company, org_number=company.org_number,
                          contract_start=timezone.localdate()) for company in saved
        )
        return garden, staff
