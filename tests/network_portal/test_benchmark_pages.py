"""benchmark_pages at a tiny scale: every page it measures answers 200, the figures are written and compared."""

import json

import pytest
from django.core.management import CommandError, call_command

from network_portal.generate import generate_network

pytestmark = pytest.mark.django_db


def test_refuses_a_database_without_a_generated_network():
    with pytest.raises(CommandError, match="generate_network"):
        call_command("benchmark_pages", runs=1, warmups=0)


def test_measures_every_page_and_writes_json_that_compares(tmp_path, capsys):
    generate_network(scale=0.005, seed=1)
    out = tmp_path / "run.json"
    call_command("benchmark_pages", runs=1, warmups=0, json_path=out, label="tiny")
    report = json.loads(out.read_text(encoding="utf-8"))
    labels = [page["label"] for page in report["pages"]]
    assert labels[0] == "floor: 25 rows from one query"
    for expected in ("list: default", "admin changelist: default", "record history", "report dashboard (Siva reader)",
                     "competence directory, q=eksport", "find your garden, q=Røros"):
        assert expected in labels
    assert any(label.startswith("record with 200 follow-ups") for label in labels)
    assert all(page["status"] == 200 and page["queries"] for page in report["pages"])
    exports = [page for page in report["pages"] if page["label"].startswith("export")]
    assert len(exports) == 2 and all(page["peak_memory_kib"] and page["bytes"] > 300 for page in exports)
    table = capsys.readouterr().out
    assert "×floor" in table and "list: default" in table
    call_command("benchmark_pages", compare=[out, out])
    assert "Query counts are equal at both scales" in capsys.readouterr().out
