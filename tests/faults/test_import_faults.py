"""A real Celery worker killed in the middle of an import commit: nothing half-written, imported once.

Same set-up as test_worker_faults.py (its `worker` fixture: the portal's settings against the
test's PostgreSQL database and a redis-server of the test's own). The worker's first commit stops
with every row written and the transaction still open (tests/faults/worker_imports.py) until the
test kills the pool child.
"""

import os
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from stdnum.no import orgnr

from core.models import AuditEntry
from members import imports
from members.imports import writing
from members.models import ImportBatch, TargetCompany
from members.tasks import import_commit_task
from tests.factories import GardenFactory, MembershipFactory

from .test_worker_faults import wait_for, worker  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

Status = ImportBatch.Status
ROWS = 12


def _previewed_batch(garden, admin) -> ImportBatch:
    numbers = [n for n in map(str, range(930000000, 930010000)) if orgnr.is_valid(n)][:ROWS]
    lines = ["Organisasjonsnummer;Bedriftsnavn;Avtalestart"] + [
        f"{number};Importert {i} AS;01.03.2026" for i, number in enumerate(numbers)]
    upload = SimpleUploadedFile("malbedrifter.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"),
                                content_type="text/csv")
    batch = imports.import_batch_upload(garden=garden, by=admin, upload=upload)
    if batch.status == Status.MAPPING:
        guessed = {int(p): f for p, f in batch.columns["guessed"].items()}
        batch = imports.import_batch_map(batch=batch, by=admin, mapping=guessed)
    assert batch.status == Status.PREVIEWED and batch.total_rows == ROWS
    return batch


def test_worker_killed_mid_commit_writes_nothing_and_the_redelivered_task_imports_once(worker, monkeypatch,  # noqa: F811
                                                                                       tmp_path):
    marker_dir = tmp_path / "imports"
    marker_dir.mkdir()
    process, _mail_dir, log = worker(hang=0, FAULT_IMPORT_HANG="120", FAULT_IMPORT_DIR=str(marker_dir))
    garden = GardenFactory(name="Hage INN", slug="hage-inn")
    admin = MembershipFactory(garden=garden, role="admin").user
    batch = _previewed_batch(garden, admin)
    monkeypatch.setattr(writing, "SYNC_LIMIT", 0)  # as for a large file: the page hands the commit to a worker

    with transaction.atomic():  # committed for real: the on-commit hook publishes to the worker's Redis
        imports.import_batch_commit_start(batch=batch, by=admin)
    batch.refresh_from_db()
    assert batch.status == Status.IMPORTING

    marker = marker_dir / "first-import.pid"
    child = int(wait_for(lambda: marker.exists() and marker.read_text(), "the commit to reach its end", process, log))
    # Every row is written inside the worker's open transaction; nobody outside sees any of it.
    assert TargetCompany.objects.filter(garden=garden).count() == 0
    os.kill(child, signal.SIGKILL)

    # acks_late with reject_on_worker_lost: the message comes back and a new child commits the batch,
    # which is still `importing` and wrote nothing, from the start.
    wait_for(lambda: ImportBatch.objects.filter(pk=batch.pk, status=Status.DONE).exists(), "the import to finish",
             process, log)
    assert "WorkerLostError" in log.read_text()
    # The old message once more, for good measure (a second delivery): the batch is done, nothing is written.
    import_commit_task.delay(batch.pk, admin.pk)
    wait_for(lambda: log.read_text().count("succeeded in") >= 2, "the second delivery to finish", process, log)

    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == (Status.DONE, ROWS)
    names = sorted(TargetCompany.objects.filter(garden=garden).values_list("company__name", flat=True))
    assert names == sorted(f"Importert {i} AS" for i in range(ROWS))
    assert AuditEntry.objects.filter(action="members.import.committed", target_id=str(batch.pk)).count() == 1
