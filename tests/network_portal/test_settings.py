"""Settings read the environment strictly (STYLE.md practice 7).

Each case runs manage.py in a fresh process: settings are evaluated once per process,
so only a new one shows what a given environment really does at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Every variable settings.py (or a system check) reads: removed from the inherited
# environment so the test's own (or CI's) values cannot leak into the case under test.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "TRUST_X_FORWARDED_PROTO",
    "PORTAL_SIGNUP_OPEN",
    "STAFF_SESSION_IDLE_MINUTES",
    "SECRET_KEY_FALLBACKS",
    "MEDIA_ROOT",
    "LOG_LEVEL",
    "DJANGO_SETTINGS_MODULE",
    # Set by the browser tests (tests/e2e/conftest.py); Django refuses it in deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

# The same production-like values as `make check-deploy`.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "settings-test-only-3b8e1d6f0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c",
    "ALLOWED_HOSTS": "portal.example.no",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.example.no",
}


def manage(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    """Run manage.py with exactly the given settings variables (VAR_DIR kept out of the checkout)."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(variables, VAR_DIR=str(tmp_path / "var"))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "abc"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("SESSION_COOKIE_SECURE", "yes please"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(tmp_path, variable, value):
    result = manage(tmp_path, "check", **{**PRODUCTION, variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}={value!r}" in result.stderr


def test_missing_secret_key_with_debug_off_stops_start_up(tmp_path):
    production_without_key = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}

    result = manage(tmp_path, "check", **production_without_key)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_missing_email_host_with_debug_off_stops_start_up(tmp_path):
    production_without_mail = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_HOST"}

    result = manage(tmp_path, "check", **production_without_mail)

    assert result.returncode != 0
    assert "EMAIL_HOST must be set" in result.stderr


def test_without_redis_the_eager_celery_warning_is_shown(tmp_path):
    production_without_redis = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}

    result = manage(tmp_path, "check", **production_without_redis)

    # A warning, not an error: the portal runs without Redis, but says so.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "network_portal.W001" in result.stdout + result.stderr
    assert "REDIS_URL is not set" in result.stdout + result.stderr


def test_debug_on_needs_no_other_variable(tmp_path):
    """`make run` on a fresh clone: DEBUG alone is enough to start."""
    result = manage(tmp_path, "check", DEBUG="true")

    assert result.returncode == 0, result.stdout + result.stderr
