"""Report exports: a file made by a task with a progress bar, the page's figures in the asker's scope.

Service tests drive network_portal.report_exports and its task directly; view tests the status
page, its JSON, the download and the restart, as the asker and as everybody else.
"""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from core.models import AuditEntry
from gardens.models import County, ReaderCounty, StaffMembership
from network_portal import report_exports
from network_portal.models import REPORT_EXPORT_STALE_MINUTES, ReportExport
from network_portal.tasks import report_export_task, report_exports_cleanup_task
from tests.factories import MembershipFactory, UserFactory
from tests.network_portal.test_reports import DASHBOARD_QUERIES
from tests.report_data import make_report_world

pytestmark = pytest.mark.django_db

Status = ReportExport.Status


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_report_world()


@pytest.fixture
def county_reader(world):
    reader = UserFactory(is_network_reader=True, full_name="Fylke Leser")
    ReaderCounty.objects.create(user=reader, county=County.objects.get(number="34", name="Innlandet"))
    return reader


def make(user, query="year=2021", fmt="xlsx", run=True, capture=None) -> ReportExport:
    """Ask for an export; with `run` its on-commit task runs (eagerly, as tests run Celery)."""
    if run:
        with capture(execute=True):
            export = report_exports.report_export_create(user=user, query=query, fmt=fmt, language="nb")
    else:
        export = report_exports.report_export_create(user=user, query=query, fmt=fmt, language="nb")
    export.refresh_from_db()
    return export


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def exported_files(tmp_path) -> list:
    return [p for p in tmp_path.rglob("*") if p.is_file() and "report-exports" in p.parts]


# --- service -----------------------------------------------------------------------------------------


def test_the_task_makes_the_file_the_county_readers_page_showed(client, county_reader,
                                                                 django_capture_on_commit_callbacks):
    export = make(county_reader, capture=django_capture_on_commit_callbacks)
    assert (export.status, export.progress, export.file_name, export.attempt) == (
        Status.DONE, 100, "rapport-2021.xlsx", 1)
    assert export.finished_at is not None and export.error == ""
    client.force_login(county_reader)
    page = client.get(reverse("network_portal:reports"), {"year": 2021})
    figures = page.context["figures"]
    rows = sheet_rows(export.file.read())
    names = [r[0] for r in rows[1:-1]]
    assert names == [g.name for g in page.context["gardens"]]
    assert "Hage INN" in names and "Hage OST" not in names and "Hage TRD" not in names  # only Innlandet's
    assert rows[-1][0] == "Alle" and rows[-1][1] == figures["counts"].active == sum(r[1] for r in rows[1:-1])
    assert float(rows[-1][4]) == float(figures["follow_up"].hours)


def test_the_file_is_the_same_as_the_direct_download_of_the_same_filters(client, world, reader,
                                                                         django_capture_on_commit_callbacks):
    export = make(reader, query="year=2023&quarter=2", fmt="csv", capture=django_capture_on_commit_callbacks)
    client.force_login(reader)
    direct = client.get(reverse("network_portal:reports-export", args=["csv"]), {"year": 2023, "quarter": 2})
    assert export.file_name == "rapport-2023-q2.csv"
    assert export.file.read() == direct.content


def test_asking_for_an_export_is_audited_and_so_is_its_file(world, reader, django_capture_on_commit_callbacks):
    export = make(reader, capture=django_capture_on_commit_callbacks)
    entries = AuditEntry.objects.filter(target_type="network_portal.reportexport", target_id=str(export.pk))
    assert sorted(entries.values_list("action", flat=True)) == [
        "network_portal.reportexport.created", "network_portal.reportexport.finished"]
    created = entries.get(action="network_portal.reportexport.created")
    assert created.actor == reader and created.changes["format"] == [None, "xlsx"]


def test_the_task_moves_the_progress_bar_step_by_step(world, reader, monkeypatch):
    export = make(reader, run=False)
    assert (export.status, export.progress) == (Status.QUEUED, 0)
    seen = []
    real = report_exports.report_context

    def watching(access, query, progress):
        def step(percent):
            progress(percent)
            row = ReportExport.objects.get(pk=export.pk)
            seen.append((row.status, row.progress))
        return real(access, query, step)

    monkeypatch.setattr(report_exports, "report_context", watching)
    report_export_task(export.pk, export.attempt)
    assert [p for _s, p in seen] == sorted(p for _s, p in seen) and len(seen) >= 4
    assert {s for s, _p in seen} == {Status.RUNNING} and 0 < seen[0][1] < seen[-1][1] < 100
    export.refresh_from_db()
    assert (export.status, export.progress) == (Status.DONE, 100)


def test_a_second_run_of_the_same_task_does_not_make_the_file_again(world, reader, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    export = make(reader, capture=django_capture_on_commit_callbacks)
    first = (export.file.name, export.finished_at)
    assert report_export_task(export.pk, export.attempt) == Status.DONE
    export.refresh_from_db()
    assert (export.file.name, export.finished_at) == first
    assert len(exported_files(tmp_path)) == 1
    assert AuditEntry.objects.filter(action="network_portal.reportexport.finished").count() == 1


def test_a_task_delivered_twice_while_the_first_runs_leaves_it_alone(world, reader, tmp_path):
    export = make(reader, run=False)
    ReportExport.objects.filter(pk=export.pk).update(status=Status.RUNNING, progress=40, updated_at=timezone.now())
    assert report_export_task(export.pk, export.attempt) == Status.RUNNING
    export.refresh_from_db()
    assert (export.status, export.progress, export.file.name) == (Status.RUNNING, 40, "")
    assert exported_files(tmp_path) == []


def test_a_stale_export_is_restarted_and_the_old_attempt_makes_nothing(world, reader, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    export = make(reader, run=False)
    long_ago = timezone.now() - datetime.timedelta(minutes=REPORT_EXPORT_STALE_MINUTES + 1)
    ReportExport.objects.filter(pk=export.pk).update(status=Status.RUNNING, progress=40, updated_at=long_ago)
    export.refresh_from_db()
    assert export.is_stale() and export.can_restart
    with django_capture_on_commit_callbacks(execute=True):
        assert report_exports.report_export_restart(export=export, by=reader)
    export.refresh_from_db()
    assert (export.status, export.attempt, export.progress) == (Status.DONE, 2, 100)
    # The killed worker's message comes back for attempt 1: it finds nothing to do.
    assert report_export_task(export.pk, 1) == Status.DONE
    assert len(exported_files(tmp_path)) == 1
    assert AuditEntry.objects.filter(action="network_portal.reportexport.restarted", actor=reader).count() == 1


def test_a_running_export_that_moves_cannot_be_restarted(world, reader):
    export = make(reader, run=False)
    ReportExport.objects.filter(pk=export.pk).update(status=Status.RUNNING, progress=40, updated_at=timezone.now())
    export.refresh_from_db()
    assert not export.can_restart
    assert not report_exports.report_export_restart(export=export, by=reader)
    export.refresh_from_db()
    assert (export.status, export.attempt) == (Status.RUNNING, 1)


def test_a_failed_export_says_so_and_runs_again_when_restarted(world, reader, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    real = report_exports.report_table
    monkeypatch.setattr(report_exports, "report_table", lambda context: 1 / 0)
    export = make(reader, capture=django_capture_on_commit_callbacks)
    assert export.status == Status.FAILED and "Start den på nytt" in export.error  # in the export's language
    assert export.can_restart and not export.file
    monkeypatch.setattr(report_exports, "report_table", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert report_exports.report_export_restart(export=export, by=reader)
    export.refresh_from_db()
    assert (export.status, export.attempt, export.error) == (Status.DONE, 2, "")


def test_with_the_broker_down_the_export_is_made_in_the_request(client, world, reader, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    def refuse(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(report_export_task, "delay", refuse)
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("network_portal:reports-export-start"),
                               {"format": "xlsx", "query": "year=2021"})
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert (export.status, export.file_name) == (Status.DONE, "rapport-2021.xlsx")


def test_a_reader_who_lost_access_gets_a_failed_export_not_someone_elses_figures(world, reader):
    export = make(reader, run=False)
    reader.is_network_reader = False
    reader.save()
    report_export_task(export.pk, export.attempt)
    export.refresh_from_db()
    assert export.status == Status.FAILED and not export.file
    assert export.error == "Du har ikke lenger tilgang til nettverksrapportene."


# --- views ---------------------------------------------------------------------------------------------


def test_the_report_page_exports_the_filters_shown(client, county_reader, django_capture_on_commit_callbacks):
    client.force_login(county_reader)
    page = client.get(reverse("network_portal:reports"), {"year": 2021, "quarter": 3}).content.decode()
    assert 'name="query" value="year=2021&amp;quarter=3"' in page
    assert 'name="format" value="xlsx"' in page and 'name="format" value="pdf"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("network_portal:reports-export-start"),
                               {"format": "csv", "query": "year=2021&quarter=3"})
    export = ReportExport.objects.get(requested_by=county_reader)
    assert response["Location"] == export.get_absolute_url()
    assert (export.query, export.format, export.title) == ("year=2021&quarter=3", "csv",
                                                           "Nettverksrapport 3. kvartal 2021")


def test_an_unknown_format_is_refused_with_a_message(client, world, reader):
    client.force_login(reader)
    response = client.post(reverse("network_portal:reports-export-start"), {"format": "docx"}, follow=True)
    assert "Velg XLSX, CSV eller PDF" in response.content.decode()
    assert not ReportExport.objects.exists()


def test_the_status_page_shows_the_progress_bar_then_the_download_link(client, world, reader,
                                                                       django_assert_num_queries):
    export = make(reader, run=False)
    ReportExport.objects.filter(pk=export.pk).update(status=Status.RUNNING, progress=40)
    client.force_login(reader)
    url = export.get_absolute_url()
    # 1 session, 2 user, 3 the export, 4 the reader's counties (report access), 5 navigation memberships
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert '<progress id="export-progress"' in page and 'value="40"' in page
    assert "js/report-export.js" in page and "Oppdater" in page  # the refresh link for no JavaScript
    assert reverse("network_portal:reports-export-file", kwargs={"pk": export.pk}) not in page
    report_export_task(export.pk, export.attempt)  # a running, moving export: not taken over
    ReportExport.objects.filter(pk=export.pk).update(status=Status.QUEUED)
    report_export_task(export.pk, export.attempt)
    page = client.get(url).content.decode()
    assert "Last ned rapport-2021.xlsx" in page and 'value="100"' in page and "js/report-export.js" not in page


def test_the_json_endpoint_reports_progress_and_the_download(client, world, reader, django_assert_num_queries):
    export = make(reader, run=False)
    client.force_login(reader)
    url = reverse("network_portal:reports-export-progress", kwargs={"pk": export.pk})
    with django_assert_num_queries(4):  # session, user, the export, the reader's counties
        data = client.get(url).json()
    assert data == {"status": "queued", "status_label": "venter på å starte", "progress": 0, "finished": False,
                    "can_restart": False, "download_url": None, "message": data["message"]}
    assert "bakgrunnsarbeideren" in data["message"]
    report_export_task(export.pk, export.attempt)
    data = client.get(url).json()
    assert (data["status"], data["progress"], data["finished"]) == ("done", 100, True)
    assert data["download_url"] == reverse("network_portal:reports-export-file", kwargs={"pk": export.pk})


def test_a_stale_export_offers_a_restart_on_its_page(client, world, reader, django_capture_on_commit_callbacks):
    export = make(reader, run=False)
    long_ago = timezone.now() - datetime.timedelta(minutes=REPORT_EXPORT_STALE_MINUTES + 1)
    ReportExport.objects.filter(pk=export.pk).update(status=Status.RUNNING, progress=40, updated_at=long_ago)
    client.force_login(reader)
    page = client.get(export.get_absolute_url()).content.decode()
    assert "Start eksporten på nytt" in page and "js/report-export.js" not in page
    assert client.get(reverse("network_portal:reports-export-progress", kwargs={"pk": export.pk})).json()[
        "can_restart"] is True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("network_portal:reports-export-restart", kwargs={"pk": export.pk}))
    assert response["Location"] == export.get_absolute_url()
    page = client.get(export.get_absolute_url()).content.decode()
    assert "Eksporten er startet på nytt." in page and "Last ned rapport-2021.xlsx" in page


def test_only_the_asker_and_superusers_download_the_file(client, county_reader, reader, superuser, garden_a,
                                                         django_capture_on_commit_callbacks):
    export = make(county_reader, capture=django_capture_on_commit_callbacks)
    staff = MembershipFactory(garden=garden_a, role=StaffMembership.Role.ADMIN).user
    urls = [reverse(name, kwargs={"pk": export.pk}) for name in (
        "network_portal:reports-export-detail", "network_portal:reports-export-progress",
        "network_portal:reports-export-file")]
    for someone in (reader, staff, UserFactory()):  # another reader, garden staff, an entrepreneur
        client.force_login(someone)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.logout()
    assert client.get(urls[2]).status_code == 302  # sign in first
    for someone in (county_reader, superuser):
        client.force_login(someone)
        response = client.get(urls[2])
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="rapport-2021.xlsx"'
        assert sheet_rows(b"".join(response.streaming_content))[-1][0] == "Alle"
    # The superuser reads it but does not restart someone else's export.
    restart = reverse("network_portal:reports-export-restart", kwargs={"pk": export.pk})
    assert client.post(restart).status_code == 403


def test_the_file_is_404_until_it_is_ready(client, world, reader):
    export = make(reader, run=False)
    client.force_login(reader)
    assert client.get(reverse("network_portal:reports-export-file", kwargs={"pk": export.pk})).status_code == 404


# --- cleanup of old exports (Celery beat) ------------------------------------------------------------


def test_exports_older_than_the_keep_days_are_deleted_with_their_files_and_audited(
        world, reader, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.REPORT_EXPORT_KEEP_DAYS = 7
    old = make(reader, capture=django_capture_on_commit_callbacks)
    fresh = make(reader, fmt="csv", capture=django_capture_on_commit_callbacks)
    never_made = make(reader, run=False)  # queued, no file: deleted all the same
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    ReportExport.objects.filter(pk__in=[old.pk, never_made.pk]).update(created_at=eight_days_ago)
    assert len(exported_files(tmp_path)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert report_exports.report_exports_cleanup() == 2
    assert list(ReportExport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert [p.name for p in exported_files(tmp_path)] == [fresh.file.name.rsplit("/", 1)[-1]]
    entries = AuditEntry.objects.filter(action="network_portal.reportexport.deleted").order_by("target_id")
    assert [(e.target_id, e.actor_id, e.changes["file"]) for e in entries] == [
        (str(old.pk), None, ["rapport-2021.xlsx", None]), (str(never_made.pk), None, [None, None])]
    with django_capture_on_commit_callbacks(execute=True):
        assert report_exports.report_exports_cleanup() == 0  # safe to run twice


def test_the_keep_days_setting_decides_what_is_old(world, reader, settings, django_capture_on_commit_callbacks):
    export = make(reader, run=False)
    ReportExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    settings.REPORT_EXPORT_KEEP_DAYS = 30
    assert report_exports.report_exports_cleanup() == 0 and ReportExport.objects.filter(pk=export.pk).exists()
    settings.REPORT_EXPORT_KEEP_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        assert report_exports_cleanup_task() == 1
    assert not ReportExport.objects.filter(pk=export.pk).exists()


def test_the_cleanup_is_on_the_beat_schedule(settings):
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "network_portal.tasks.report_exports_cleanup_task" in tasks


# --- the report page's list of earlier exports -------------------------------------------------------


def test_the_report_page_lists_the_readers_own_latest_exports(client, world, reader, county_reader,
                                                              django_capture_on_commit_callbacks):
    done = make(reader, capture=django_capture_on_commit_callbacks)
    for _ in range(report_exports.EARLIER_EXPORTS_SHOWN):
        make(reader, fmt="pdf", run=False)
    latest = make(reader, query="year=2022", fmt="csv", run=False)
    client.force_login(reader)
    page = client.get(reverse("network_portal:reports"), {"year": 2021})
    listed = page.context["earlier_exports"]
    assert len(listed) == report_exports.EARLIER_EXPORTS_SHOWN and listed[0] == latest  # most recent first
    assert done not in listed  # the oldest of seven falls off the list
    html = page.content.decode()
    assert "Dine tidligere eksporter" in html and "Nettverksrapport 2022" in html and "venter på å starte" in html
    assert latest.get_absolute_url() in html
    # The finished one is listed with its download link while it is among the latest.
    ReportExport.objects.exclude(pk__in=[done.pk, latest.pk]).delete()
    html = client.get(reverse("network_portal:reports"), {"year": 2021}).content.decode()
    assert reverse("network_portal:reports-export-file", kwargs={"pk": done.pk}) in html
    assert "Last ned rapport-2021.xlsx" in html and "klar til nedlasting" in html
    # Another reader sees none of them: the empty state.
    client.force_login(county_reader)
    page = client.get(reverse("network_portal:reports"), {"year": 2021})
    assert page.context["earlier_exports"] == []
    html = page.content.decode()
    assert "Du har ikke eksportert denne rapporten ennå." in html
    assert done.get_absolute_url() not in html and latest.get_absolute_url() not in html


def test_the_list_of_earlier_exports_costs_one_query_however_many(client, world, reader, django_assert_num_queries):
    client.force_login(reader)
    url = reverse("network_portal:reports")
    client.get(url, {"year": 2021})
    with django_assert_num_queries(DASHBOARD_QUERIES) as none:
        client.get(url, {"year": 2021})
    for _ in range(12):
        make(reader, run=False)
    with django_assert_num_queries(DASHBOARD_QUERIES) as twelve:
        page = client.get(url, {"year": 2021})
    assert len(page.context["earlier_exports"]) == report_exports.EARLIER_EXPORTS_SHOWN
    exports_sql = [q["sql"] for q in twelve.captured_queries if "network_portal_reportexport" in q["sql"]]
    assert len(exports_sql) == 1 and len(none.captured_queries) == len(twelve.captured_queries)
