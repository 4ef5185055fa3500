"""The production stack file: valid Compose, and wired together the way the portal needs.

No Docker engine runs here, so the file is checked against the Compose specification's
schema, and the cross-references the schema cannot see are checked by reading the YAML.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
APP_SERVICES = ["migrate", "web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def command_of(service: dict) -> str:
    """The service's command as one string, whichever form (string or list) the file uses."""
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_file_matches_the_compose_specification():
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    if not check_jsonschema.exists():
        pytest.fail(f"check-jsonschema not found next to {sys.executable}: install requirements.lock")

    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_stack_has_every_service(compose):
    assert {"postgres", "redis", "web", "worker", "beat", "migrate"} <= set(compose["services"])


def test_every_depends_on_names_an_existing_service(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", []):  # a list or a mapping: both iterate names
            assert dependency in services, f"{name} depends on unknown service {dependency!r}"


def test_web_runs_gunicorn_and_celery_runs_worker_and_beat(compose):
    services = compose["services"]

    assert command_of(services["web"]).startswith("gunicorn network_portal.wsgi:application")
    assert "--bind=0.0.0.0:8000" in command_of(services["web"])
    assert command_of(services["worker"]).startswith("celery -A network_portal worker")
    assert command_of(services["beat"]).startswith("celery -A network_portal beat")
    assert "manage.py migrate" in command_of(services["migrate"])


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_waits_for_migrations_and_a_healthy_redis(compose, name):
    depends_on = compose["services"][name]["depends_on"]

    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_databases_have_healthchecks_and_volumes(compose):
    services = compose["services"]

    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ["postgres", "redis"]:
        assert "healthcheck" in services[name]
        assert services[name]["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_production_settings(compose, name):
    environment = compose["services"][name]["environment"]

    assert environment["DEBUG"] == "false"
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    # Secrets have no default: compose refuses to start without them instead of running insecurely.
    for variable in ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_HOST"]:
        assert environment[variable].startswith(f"${{{variable}:?"), variable


def test_image_installs_the_lock_and_runs_unprivileged():
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")

    assert "FROM python:3.11-slim" in dockerfile
    assert "pip install -r requirements.lock" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    user_lines = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1] not in {"root", "0"}


def test_build_context_leaves_out_secrets_and_local_state():
    ignored = (BASE_DIR / ".dockerignore").read_text(encoding="utf-8").split()

    for entry in [".env", ".git", ".venv", "var"]:
        assert entry in ignored
