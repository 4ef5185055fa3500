"""Time the target-company import from upload to committed: 5,000 and 50,000 rows by default.

    python manage.py benchmark_import [--rows 5000 50000] [--fresh-db] [--json PATH]

Each file is shaped as Norwegian Excel saves it (Windows-1252, semicolons, CRLF, no BOM) with
a record, a contact person and a year's key figures per row. It goes through the same verbs
the pages and the worker call, in order: upload (members.imports.import_batch_upload), the
columns step (import_batch_map with the guessed columns and the year chosen for the file),
the check (import_batch_preview, what the preview task runs) and the commit
(import_batch_commit, what the commit task runs). Per phase: seconds and queries; per size
the peak memory the Python heap reached (tracemalloc, which slows Python down: `--no-memory`
times without it). Everything runs in a transaction that is rolled back (or in a throwaway
database with `--fresh-db`): nothing is kept.
"""

import json
import time
import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.models import User
from gardens.models import County, Garden, Municipality, StaffMembership
from members import imports
from members.models import ImportBatch
from network_portal.generate import _org_numbers

HEADER = ("Org.nr.;Bedriftsnavn;Kommunenr;Avtalestart;Fase;Kontaktperson;E-post;Telefon;Omsetning;Ansatte;"
          "Merknad")
PHASES = ("kartlegging", "utvikling", "vekst")


class _Rollback(Exception):
    """Raised at the end to undo everything the benchmark created."""


class _QueryCounter:
    """Counts queries without keeping them (CaptureQueriesContext would hold every bulk INSERT's SQL)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def norwegian_file(rows: int, municipality: str, first: int = 81_000_000) -> bytes:
    """A CSV as Norwegian Excel saves it, `rows` companies under the header (org numbers from `first` up)."""
    numbers = _org_numbers(first)
    lines = [HEADER]
    for i in range(rows):
        lines.append(
            f"{next(numbers)};Bedrift {i} AS;{municipality};{1 + i % 28:02d}.{1 + i % 12:02d}.2025;"
            f"{PHASES[i % 3]};Kari Nordmann {i};kari{i}@example.org;+47 900 00 {i % 1000:03d};"
            f"{1_000_000 + i * 37:,}".replace(",", "\u00a0") + f",50;{i % 40},5;Første møte i mars"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


class Command(BaseCommand):
    help = "Time the import of 5,000 and 50,000 rows from upload to committed (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, nargs="+", default=[5000, 50_000])
        parser.add_argument("--fresh-db", action="store_true", help="run in a new, migrated throwaway database")
        parser.add_argument("--no-memory", action="store_true", help="time without tracemalloc (no peak MiB)")
        parser.add_argument("--json", dest="json_path", metavar="PATH", help="also write the results to PATH as JSON")

    def handle(self, *args, rows, fresh_db=False, no_memory=False, json_path=None, **options):
        if min(rows) < 1:
            raise CommandError("--rows must be at least 1.")
        self.memory = not no_memory
        self.results: list[dict] = []
        self.stdout.write(f"Database: {connection.vendor}; rows {', '.join(str(r) for r in rows)}; "
                          f"{'with' if self.memory else 'without'} tracemalloc. Nothing is kept.")
        if fresh_db:
            old_name = connection.settings_dict["NAME"]
            if connection.vendor != "sqlite":
                connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}),
                                                    "NAME": f"benchmark_import_{old_name}"}
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self._rolled_back(rows)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
        else:
            self._rolled_back(rows)
        if json_path:
            with open(json_path, "w", encoding="utf-8") as out:
                json.dump({"benchmark": "benchmark_import", "database": connection.vendor,
                           "tracemalloc": self.memory, "runs": self.results}, out, indent=2, ensure_ascii=False)
            self.stdout.write(f"Results written to {json_path}.")

    def _rolled_back(self, sizes: list[int]) -> None:
        try:
            with transaction.atomic():
                admin, garden, municipality = self._world()
                first = 81_000_000
                for size in sizes:
                    self._measure(size, admin, garden, municipality, first)
                    first += size * 2  # the next file's companies are others (stems without a check digit skipped)
                raise _Rollback
        except _Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def _world(self) -> tuple[User, Garden, str]:
        garden = Garden.objects.create(name="Benchmark Næringshage", slug="benchmark-import-naeringshage")
        admin = User.objects.create_user(email="benchmark-import@example.org", password=None,
                                         full_name="Benchmark Admin")
        StaffMembership.objects.create(garden=garden, user=admin, role=StaffMembership.Role.ADMIN)
        municipality = Municipality.objects.filter(number="5025").first()
        if municipality is None:
            county = County.objects.get_or_create(number="50", defaults={"name": "Trøndelag"})[0]
            municipality = Municipality.objects.create(number="5025", name="Røros", county=county)
        return admin, garden, municipality.number

    def _measure(self, size: int, admin: User, garden: Garden, municipality: str, first: int) -> None:
        content = norwegian_file(size, municipality, first)
        counter = _QueryCounter()
        phases: dict[str, dict] = {}
        if self.memory:
            tracemalloc.start()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            def phase(name, work):
                before, clock = counter.count, time.perf_counter()
                result = work()
                phases[name] = {"seconds": round(time.perf_counter() - clock, 2), "queries": counter.count - before}
                return result

            upload = SimpleUploadedFile(f"malbedrifter-{size}.csv", content, content_type="text/csv")
            batch = phase("upload", lambda: imports.import_batch_upload(garden=garden, by=admin, upload=upload))
            guessed = {int(p): f for p, f in batch.columns["guessed"].items()}
            batch = phase("columns", lambda: imports.import_batch_map(batch=batch, by=admin, mapping=guessed,
                                                                      key_figures_year=2024))
            batch = phase("check", lambda: imports.import_batch_preview(batch=batch))
            if problems := batch.import_rows.filter(has_problems=True).first():
                raise CommandError(f"{batch.import_rows.filter(has_problems=True).count()} rows have problems: "
                                   f"{problems.problems}")
            batch = phase("commit", lambda: imports.import_batch_commit(batch=batch, by=admin))
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if self.memory else None
        if self.memory:
            tracemalloc.stop()
        if batch.status != ImportBatch.Status.DONE or batch.created_count != size:
            raise CommandError(f"The import did not finish: {batch.status} {batch.error}")
        result = {"rows": size, "file_mib": round(len(content) / 1024 / 1024, 1), "seconds": round(seconds, 1),
                  "queries": counter.count, "peak_mib": round(peak, 1) if peak is not None else None,
                  "phases": phases}
        self.results.append(result)
        memory = f"   peak {peak:6.1f} MiB" if peak is not None else ""
        self.stdout.write(f"{size:>7} rows ({result['file_mib']} MiB): {seconds:6.1f} s   "
                          f"{counter.count:>6} queries{memory}   "
                          + "  ".join(f"{k} {v['seconds']} s/{v['queries']} q" for k, v in phases.items()))
