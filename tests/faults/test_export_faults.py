"""A real Celery worker killed in the middle of a report export: the export is restartable and made once.

Same set-up as test_worker_faults.py (its `worker` fixture: the portal's settings against the
test's PostgreSQL database and a redis-server of the test's own). The worker's first export
stops at 40 % (tests/faults/worker_exports.py) until the test kills the pool child.
"""

import datetime
import io
import os
import signal

import pytest
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from core.models import AuditEntry
from network_portal import report_exports
from network_portal.models import REPORT_EXPORT_STALE_MINUTES, ReportExport
from network_portal.tasks import report_export_task
from tests.factories import GardenFactory, TargetCompanyFactory, UserFactory

from .test_worker_faults import wait_for, worker  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

Status = ReportExport.Status


def test_worker_killed_mid_export_leaves_it_restartable_and_a_rerun_makes_the_file_once(worker, settings,  # noqa: F811
                                                                                        tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    export_dir = tmp_path / "exports"
    export_dir.mkdir()
    process, _mail_dir, log = worker(hang=0, FAULT_EXPORT_HANG="120", FAULT_EXPORT_DIR=str(export_dir),
                                     MEDIA_ROOT=str(media))
    garden = GardenFactory(name="Hage INN", slug="hage-inn")
    TargetCompanyFactory(garden=garden, contract_start=datetime.date(2020, 3, 1))  # 2021 is a year with data
    reader = UserFactory(is_network_reader=True)
    with transaction.atomic():  # committed for real: the on-commit hook publishes to the worker's Redis
        export = report_exports.report_export_create(user=reader, query="year=2021", fmt="xlsx", language="nb")

    marker = export_dir / "first-export.pid"
    child = int(wait_for(lambda: marker.exists() and marker.read_text(), "export half-way", process, log))
    export.refresh_from_db()
    assert (export.status, export.progress) == (Status.RUNNING, 40)
    os.kill(child, signal.SIGKILL)

    # acks_late: the message comes back and runs again in a new child, which finds the export
    # claimed by the dead one and leaves it (it is not stale yet): no file, nothing done twice.
    wait_for(lambda: "'running'" in log.read_text(), "the redelivered task to give up", process, log)
    assert "WorkerLostError" in log.read_text()
    export.refresh_from_db()
    assert (export.status, export.progress, export.file.name) == (Status.RUNNING, 40, "")
    assert not export.can_restart

    # N minutes later, with no progress, the person sees it can be started again.
    ReportExport.objects.filter(pk=export.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=REPORT_EXPORT_STALE_MINUTES + 1))
    export.refresh_from_db()
    assert export.is_stale() and export.can_restart
    assert report_exports.report_export_restart(export=export, by=reader)  # queued on commit (autocommit here)

    wait_for(lambda: ReportExport.objects.filter(pk=export.pk, status=Status.DONE).exists(), "the file",
             process, log)
    # The dead attempt's message once more, for good measure: it does nothing.
    report_export_task.delay(export.pk, 1)
    wait_for(lambda: log.read_text().count("'done'") >= 2, "the old attempt to be refused", process, log)

    export.refresh_from_db()
    assert (export.attempt, export.progress, export.file_name) == (2, 100, "rapport-2021.xlsx")
    files = [p for p in media.rglob("*") if p.is_file()]
    assert [p.name for p in files] == ["rapport-2021.xlsx"]
    rows = list(load_workbook(io.BytesIO(files[0].read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][0] == "Hage" and [r[0] for r in rows[1:-1]] == ["Hage INN"]
    assert rows[-1][0] == "Alle" and rows[-1][1] == 1  # the one company, active at the end of 2021
    assert AuditEntry.objects.filter(action="network_portal.reportexport.finished").count() == 1
