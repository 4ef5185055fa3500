"""benchmark_import at a tiny scale: the file goes upload → columns → check → commit, every row is imported,
the figures are written, and nothing is kept."""

import json

import pytest
from django.core.management import CommandError, call_command

from members.imports import parse_upload
from members.models import ImportBatch, TargetCompany
from network_portal.management.commands.benchmark_import import norwegian_file

pytestmark = pytest.mark.django_db


def test_the_generated_file_reads_as_norwegian_excel_saves_it():
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = norwegian_file(3, "5025")
    assert content.count(b"\r\n") == 4 and not content.startswith(b"\xef\xbb\xbf")
    parsed = parse_upload(SimpleUploadedFile("b.csv", content))
    assert (parsed.encoding, parsed.delimiter) == ("Windows-1252", ";")
    assert set(parsed.columns) >= {"org_number", "name", "municipality_number", "contract_start", "contact_name",
                                   "contact_email", "turnover", "employees", "notes"}
    assert parsed.values(parsed.rows[0])["turnover"] == "1 000 000,50"  # the NBSPs Excel writes read as spaces


def test_measures_each_size_and_writes_json_and_keeps_nothing(tmp_path, capsys, settings):
    settings.MEDIA_ROOT = tmp_path
    out = tmp_path / "import.json"
    call_command("benchmark_import", rows=[12, 250], json_path=str(out))
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [run["rows"] for run in report["runs"]] == [12, 250] and report["tracemalloc"] is True
    for run in report["runs"]:
        assert run["seconds"] > 0 and run["queries"] > 0 and run["peak_mib"] > 0
        assert list(run["phases"]) == ["upload", "columns", "check", "commit"]
    assert "Rolled back" in capsys.readouterr().out
    assert not TargetCompany.objects.exists() and not ImportBatch.objects.exists()


def test_refuses_no_rows():
    with pytest.raises(CommandError):
        call_command("benchmark_import", rows=[0])
