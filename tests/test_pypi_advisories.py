"""`make audit`'s fallback (.ci/pypi_advisories.py) against a local stand-in for PyPI's project pages."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "pypi_advisories.py"


def release(day: str) -> list[dict]:
    return [{"upload_time_iso_8601": f"{day}T10:00:00Z"}]


PROJECTS = {
    # The locked release is the newest and has an advisory.
    "leaky": {"info": {"version": "2.0"}, "releases": {"1.0": release("2025-01-01"), "2.0": release("2026-01-01")},
              "vulnerabilities": [{"id": "PYSEC-2026-1", "fixed_in": ["2.1"], "withdrawn": None,
                                   "link": "https://osv.dev/vulnerability/PYSEC-2026-1"},
                                  {"id": "PYSEC-2020-9", "fixed_in": ["1.1"], "withdrawn": "2021-01-01"}]},
    "tidy": {"info": {"version": "3.1"}, "releases": {"3.1": release("2026-01-01")}, "vulnerabilities": []},
    # An LTS series patched the same day as the newest release: checked by series.
    "lts": {"info": {"version": "6.1"}, "releases": {"5.2": release("2026-02-01"), "5.2.1": release("2026-03-01"),
                                                    "6.1": release("2026-03-01")}, "vulnerabilities": []},
    # Behind the newest, and not the newest of its series: not checked.
    "stale": {"info": {"version": "4.0"}, "releases": {"3.0": release("2024-01-01"), "3.1": release("2025-01-01"),
                                                      "4.0": release("2026-01-01")}, "vulnerabilities": []},
}


class StandIn(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the http.server API)
        name = self.path.strip("/").split("/")[0]
        if name not in PROJECTS:
            self.send_error(404)
            return
        body = json.dumps(PROJECTS[name]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def pypi():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def run(pypi: str, lock: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(lock)], env={"PYPI_JSON_URL": pypi},
                          capture_output=True, text=True, timeout=60)


def test_an_advisory_of_a_locked_release_fails_the_audit(pypi, tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# comment\nleaky==2.0\ntidy==3.1\nlts==5.2.1\nstale==3.0\n")
    result = run(pypi, lock)
    assert result.returncode == 1, result.stdout
    assert "VULNERABLE leaky 2.0: PYSEC-2026-1 (fixed in 2.1)" in result.stdout
    assert "PYSEC-2020-9" not in result.stdout  # withdrawn
    assert "checked by series: lts 5.2.1" in result.stdout
    assert "NOT checked: stale 3.0 (newest is 4.0)" in result.stdout
    assert "4 packages, 2 checked exactly, 1 by series, 1 not checked, 1 known vulnerabilities" in result.stdout


def test_a_clean_lock_passes_and_an_unreachable_pypi_says_nothing_was_checked(pypi, tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("tidy==3.1\nlts==5.2.1\n")
    assert run(pypi, lock).returncode == 0
    unreachable = run("http://127.0.0.1:9", lock)
    assert unreachable.returncode == 2
    assert "NOT checked: tidy 3.1 (PyPI:" in unreachable.stdout
