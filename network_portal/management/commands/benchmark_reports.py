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

import json
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from core.models import User
from network_portal.benchmarking import signed_in_client
from network_portal.generate import Plan, generate_network, generated_marker

YEAR = 2024


class _Rollback(Exception):
    """Raised at the end to undo everything the benchmark created."""


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
        self.fresh_db = fresh_db
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
        marker = generated_marker()
        with self._settings():
            if marker is not None and marker.changes["plan"]["follow_ups"] == follow_ups \
                    and marker.changes["plan"]["gardens"] == garden_count:
                self.stdout.write("Reusing the kept benchmark data.")
                users = (User.objects.get(email=marker.changes["reader"]),
                         User.objects.get(email=marker.changes["admin"]))
            else:
                if marker is not None:
                    raise CommandError("The kept benchmark database holds a network of other sizes: "
                                       "run once without --keep-db.")
                users = self._generate(garden_count, active, follow_ups)
            self._time_pages(*users, runs)

    def _generate(self, garden_count: int, active: int, follow_ups: int) -> tuple[User, User]:
        """The generated national network (network_portal/generate.py), sized by the options."""
        plan = Plan.at_scale(active / Plan().active, gardens=garden_count, follow_ups=follow_ups)
        result = generate_network(plan=plan, log=self.stdout.write)
        if self.fresh_db and connection.vendor == "postgresql" and connection.in_atomic_block:
            # The rows are not committed (they are rolled back at the end), so generate_network left the
            # statistics alone; in this throwaway database the planner should see them, as production would.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Generated in {result.seconds:.0f} s: {result.counts['companies']} companies, "
                          f"{result.counts['key figures']} key figures, {follow_ups} follow-ups.")
        return result.reader, result.admin

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
        client = signed_in_client(reader)
        dashboard = reverse("network_portal:reports") + f"?year={YEAR}"
        median = self._time(client, "dashboard, Siva reader", dashboard, runs)
        self._time(client, "dashboard, one quarter", dashboard + "&quarter=2", runs)
        self._time(client, "export XLSX", reverse("network_portal:reports-export", args=["xlsx"]) + f"?year={YEAR}",
                   max(3, runs // 4))
        staff_client = signed_in_client(staff)
        self._time(staff_client, "dashboard, garden against the network", dashboard, runs)
        self._time(Client(), "public figures", reverse("network_portal:programme") + f"?year={YEAR}", runs)
        verdict = "within" if median < 300 else "OVER"
        self.stdout.write(f"Dashboard median {median:.0f} ms: {verdict} the 300 ms target.")
