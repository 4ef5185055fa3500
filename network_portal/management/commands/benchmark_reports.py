"""Time the network reports at national scale: 40 gardens, 6,000 active target companies, 400,000 follow-ups.

    DATABASE_URL=postgres://… python manage.py benchmark_reports --fresh-db

The data is generated (seeded, so every run is the same) on top of the real national
geography in a throwaway database (`--fresh-db`) or in a transaction that is rolled back.
Each page is requested through Django's test client with DEBUG off: 2 warm-ups, then
`--runs` requests; it prints the median and 95th percentile, the query count and the size.

Generating the data takes minutes. `--keep-db` keeps the throwaway database and its data
(committed, not rolled back); a later `--fresh-db --keep-db` run finds the data there and goes
straight to the timings. `--json PATH` also writes the results as JSON (for `make bench`).
"""

import datetime
import json
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from core.models import User
from gardens.models import Coverage, Garden, Municipality, StaffMembership
from members.models import Company, FollowUpEntry, KeyFigures, TargetCompany
from network_portal.loading import load_network

BATCH = 5000
YEAR = 2024


class _Rollback(Exception):
    """Raised at the end to undo everything the benchmark created."""


def _org_numbers():
    """Fictional 9-digit numbers with a valid MOD11 check digit (stems without one are skipped)."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    stem = 80_000_000
    while True:
        digits = f"{stem:08d}"
        rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        check = 0 if rest == 0 else 11 - rest
        if check != 10:
            yield digits + str(check)
        stem += 1


class Command(BaseCommand):
    help = "Time the network report pages at national scale (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--gardens", type=int, default=40)
        parser.add_argument("--active", type=int, default=6000, help="active target companies")
        parser.add_argument("--follow-ups", type=int, default=400_000)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--fresh-db", action="store_true", help="run in a new, migrated throwaway database")
        parser.add_argument("--profile", action="store_true", help="print each page's slowest queries")
        parser.add_argument("--keep-db", action="store_true",
                            help="with --fresh-db: keep the database and its data, and reuse them when present")
        parser.add_argument("--json", dest="json_path", metavar="PATH", help="also write the results to PATH as JSON")

    def handle(self, *args, gardens, active, follow_ups, runs, fresh_db=False, profile=False, keep_db=False,
               json_path=None, **options):
        self.profile = profile
        self.results: list[dict] = []
        if min(gardens, active, runs) < 1 or follow_ups < 0:
            raise CommandError("--gardens, --active and --runs must be at least 1.")
        if keep_db and (not fresh_db or connection.vendor == "sqlite"):
            raise CommandError("--keep-db needs --fresh-db and a database server (SQLite's is in memory).")
        kept = " The benchmark database is kept." if keep_db else " Nothing is kept."
        self.stdout.write(f"Database: {connection.vendor}; {gardens} gardens, {active} active target companies, "
                          f"{follow_ups} follow-up entries, {runs} requests per page.{kept}")
        sizes = (gardens, active, follow_ups, runs)
        if fresh_db:
            old_name = connection.settings_dict["NAME"]
            if connection.vendor != "sqlite":
                connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}),
                                                    "NAME": f"benchmark_{old_name}"}
            connection.creation.create_test_db(verbosity=0, autoclobber=not keep_db, serialize=False, keepdb=keep_db)
            try:
                if keep_db:
                    self._measure_kept(*sizes)
                else:
                    self._measure_rolled_back(*sizes)
            finally:
                if not keep_db:
                    connection.creation.destroy_test_db(old_name, verbosity=0)
        else:
            self._measure_rolled_back(*sizes)
        if json_path:
            self._write_json(json_path, sizes)

    def _write_json(self, path: str, sizes: tuple[int, int, int, int]) -> None:
        gardens, active, follow_ups, runs = sizes
        document = {"benchmark": "benchmark_reports", "database": connection.vendor, "gardens": gardens,
                    "active_target_companies": active, "follow_ups": follow_ups, "runs": runs,
                    "target_ms": 300, "pages": self.results}
        with open(path, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2, ensure_ascii=False)
        self.stdout.write(f"Results written to {path}.")

    def _settings(self):
        # Static files unhashed (no collectstatic needed), as in the tests.
        storages = {**settings.STORAGES,
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        return override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, STORAGES=storages)

    def _measure_rolled_back(self, *args) -> None:
        try:
            with transaction.atomic(), self._settings():
                self._run(*args)
                raise _Rollback
        except _Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def _measure_kept(self, garden_count: int, active: int, follow_ups: int, runs: int) -> None:
        """Generate the data once (committed) and time on it; a later run finds it and only times."""
        present = (Garden.objects.filter(slug__startswith="benk-").count() == garden_count
                   and FollowUpEntry.objects.count() == follow_ups
                   and TargetCompany.objects.filter(status="active").count() == active)
        with self._settings():
            if present:
                self.stdout.write("Reusing the kept benchmark data.")
                users = (User.objects.get(email="benk.leser@example.org"), User.objects.get(email="benk0@example.org"))
            else:
                if Garden.objects.exists():
                    raise CommandError("The kept benchmark database holds other data: run once without --keep-db.")
                with transaction.atomic():
                    users = self._generate(garden_count, active, follow_ups)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            self._time_pages(*users, runs)

    def _generate(self, garden_count: int, active: int, follow_ups: int) -> tuple[User, User]:
        started = time.monotonic()
        load_network()
        rng = random.Random(2026)
        municipalities = list(Municipality.objects.current().order_by("number"))
        gardens = Garden.objects.bulk_create(
            [Garden(name=f"Benk {i:02d} Næringshage", slug=f"benk-{i:02d}") for i in range(garden_count)])
        Coverage.objects.bulk_create([Coverage(garden=gardens[i % garden_count], municipality=m)
                                      for i, m in enumerate(municipalities)])
        staff = User.objects.bulk_create([User(email=f"benk{i}@example.org", full_name=f"Rådgiver {i}")
                                          for i in range(garden_count)])
        StaffMembership.objects.bulk_create([StaffMembership(user=u, garden=g, role="admin")
                                             for u, g in zip(staff, gardens, strict=True)])
        total = int(active * 1.6)  # the active ones, and those whose contract ended
        numbers = _org_numbers()
        companies = Company.objects.bulk_create(
            [Company(org_number=next(numbers), name=f"Bedrift {i} AS", municipality=rng.choice(municipalities))
             for i in range(total)], batch_size=BATCH)
        targets = []
        for i, company in enumerate(companies):
            start = datetime.date(rng.randint(2019, YEAR), rng.randint(1, 12), 1)
            ended = i >= active
            targets.append(TargetCompany(
                garden=gardens[i % garden_count], company=company, org_number=company.org_number,
                contract_start=start,
                contract_end=start + datetime.timedelta(days=rng.randint(200, 900)) if ended else None,
                status="completed" if ended else "active", phase=rng.choice(TargetCompany.Phase.values)))
        targets = TargetCompany.objects.bulk_create(targets, batch_size=BATCH)
        figures = []
        for target in targets:
            for year in range(target.contract_start.year, YEAR + 1):
                if rng.random() < 0.85:
                    figures.append(KeyFigures(target=target, year=year, turnover=Decimal(rng.randint(1, 9000) * 1000),
                                              value_creation=Decimal(rng.randint(1, 3000) * 1000),
                                              employees=Decimal(rng.randint(1, 80)) / 2,
                                              women_in_leadership=rng.randint(0, 2), leaders_total=rng.randint(2, 4)))
        KeyFigures.objects.bulk_create(figures, batch_size=BATCH)
        batch = []
        for n in range(follow_ups):
            target = targets[n % len(targets)]
            garden_index = gardens.index(target.garden) if n % 97 == 0 else None
            batch.append(FollowUpEntry(
                target=target, date=datetime.date(rng.randint(2019, YEAR), rng.randint(1, 12), rng.randint(1, 28)),
                kind=rng.choice(FollowUpEntry.Kind.values), hours=Decimal(rng.randint(1, 16)) / 2,
                adviser=staff[n % garden_count],
                adviser_garden=gardens[(garden_index + 1) % garden_count] if garden_index is not None
                else target.garden, summary="Oppfølging"))
            if len(batch) == BATCH:
                FollowUpEntry.objects.bulk_create(batch)
                batch = []
        FollowUpEntry.objects.bulk_create(batch)
        self.stdout.write(f"Generated in {time.monotonic() - started:.0f} s: {len(companies)} companies, "
                          f"{len(figures)} key figures, {follow_ups} follow-ups.")
        reader = User.objects.create(email="benk.leser@example.org", is_network_reader=True)
        return reader, staff[0]

    def _time(self, client: Client, label: str, url: str, runs: int) -> float:
        for _ in range(2):
            client.get(url)
        timings, queries, size = [], set(), 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.add(len(captured.captured_queries))
            size = len(response.content)
        if self.profile:
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:6]
            for query in slowest:
                self.stdout.write(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
        ordered = sorted(timings)
        p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
        median = statistics.median(ordered)
        self.results.append({"page": label, "url": url, "median_ms": round(median, 1), "p95_ms": round(p95, 1),
                             "queries": sorted(queries), "bytes": size})
        self.stdout.write(f"{label:<40} median {median:7.1f} ms   p95 {p95:7.1f} ms   "
                          f"queries {'/'.join(str(q) for q in sorted(queries))}   {size / 1024:6.0f} KiB")
        return median

    def _run(self, gardens: int, active: int, follow_ups: int, runs: int) -> None:
        reader, staff = self._generate(gardens, active, follow_ups)
        self._time_pages(reader, staff, runs)

    def _time_pages(self, reader: User, staff: User, runs: int) -> None:
        client = Client()
        client.force_login(reader)
        dashboard = reverse("network_portal:reports") + f"?year={YEAR}"
        median = self._time(client, "dashboard, Siva reader", dashboard, runs)
        self._time(client, "dashboard, one quarter", dashboard + "&quarter=2", runs)
        self._time(client, "export XLSX", reverse("network_portal:reports-export", args=["xlsx"]) + f"?year={YEAR}",
                   max(3, runs // 4))
        staff_client = Client()
        staff_client.force_login(staff)
        self._time(staff_client, "dashboard, garden against the network", dashboard, runs)
        self._time(Client(), "public figures", reverse("network_portal:programme") + f"?year={YEAR}", runs)
        verdict = "within" if median < 300 else "OVER"
        self.stdout.write(f"Dashboard median {median:.0f} ms: {verdict} the 300 ms target.")
