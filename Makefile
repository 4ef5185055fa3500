# Two commands on a fresh clone: `make run` (dev server with demo data) and `make test`.
# Everything else the portal needs comes from the environment (see network_portal/settings.py).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Touched after a successful install: the venv is rebuilt only when requirements.lock changes.
STAMP := $(VENV)/.installed

# Python 3.11 exactly (Django 5.2 LTS, and what production runs): python3.11, or python3 if it is 3.11.
PYTHON311 ?= $(shell if command -v python3.11 >/dev/null 2>&1; then echo python3.11; \
	elif python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; then echo python3; fi)

# Production-like values for `make check-deploy`: never used by a real deployment.
DEPLOY_CHECK_ENV := DEBUG=false \
	SECRET_KEY=check-deploy-only-9f3c1a7e5b2d4c6e8a0b1d3f5e7c9a2b4d6f8e0a1c3e5g7 \
	ALLOWED_HOSTS=portal.example.no \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	EMAIL_HOST=smtp.example.no

.PHONY: help venv install run test lint audit messages check-deploy check-migrations backup restore bench load clean distclean

help:
	@echo "make run              dev server on http://127.0.0.1:8000/ with the network and demo accounts loaded"
	@echo "make test             the test suite (PYTEST_ARGS='-k foo' to select; DATABASE_URL/REDIS_URL honoured)"
	@echo "make lint             ruff check"
	@echo "make audit            pip-audit (known vulnerabilities in requirements.lock) and bandit (high findings)"
	@echo "make messages         update and compile the bokmål translations (needs gettext)"
	@echo "make check-deploy     Django's deployment checks with production-like settings"
	@echo "make check-migrations fail if a model change has no migration"
	@echo "make backup           database (pg_dump) and uploaded files into var/backups/<time>/ (DATABASE_URL, MEDIA_ROOT)"
	@echo "make restore BACKUP=var/backups/<time>  put them back (replaces the database's tables and MEDIA_ROOT)"
	@echo "make bench            page benchmark on a generated national network (and 1/10) on a throwaway PostgreSQL"
	@echo "make load             gunicorn + Celery on throwaway PostgreSQL/Redis under a mixed load; checks nothing was lost"
	@echo "make clean            remove caches and build output (distclean: also .venv and var/)"

venv install: $(STAMP)

$(STAMP): requirements.lock
	@if [ -z "$(PYTHON311)" ]; then echo "Python 3.11 is required (python3.11 or python3 = 3.11); none found." >&2; exit 1; fi
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		echo "$(VENV) is not Python 3.11: recreating it"; rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $(PYTHON311)"; $(PYTHON311) -m venv $(VENV); fi
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements.lock
	@touch $@

# The dev server: DEBUG on, embedded SQLite in var/ unless DATABASE_URL is set, mail to the console.
run: export DEBUG := true
# The demo's entrepreneurs sign up themselves; production keeps sign-up closed unless set.
run: export PORTAL_SIGNUP_OPEN ?= true
run: $(STAMP)
	mkdir -p var
	@# The system checks (and their REDIS_URL warning) run once, in runserver, not in every step.
	$(PY) manage.py migrate --noinput --skip-checks
	$(PY) manage.py load_network --skip-checks
	$(PY) manage.py demo_accounts --skip-checks
	@echo ""
	@echo "Serving the portal at http://127.0.0.1:8000/ (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:8000

# Tests run with DEBUG off, as production does. CI overrides DATABASE_URL, REDIS_URL and
# REQUIRE_SERVICES from the environment; plain HTTP in the test client needs the redirect off.
test: export DEBUG := false
test: export SECURE_SSL_REDIRECT := false
test: export SECRET_KEY ?= test-only-secret-key-not-for-production-5d1f0c8a2e4b6d8f0a1c3e5b7d9f1a3c
test: export EMAIL_HOST ?= localhost
test: $(STAMP)
	mkdir -p var
	@# pytest exits 5 when it collected no tests: that is a broken selection or suite, not a pass.
	rc=0; $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Security checks: no known vulnerability in the pinned packages, no high-severity finding in our code.
# pip-audit needs its vulnerability database (PyPI's JSON API or OSV); where the machine cannot
# reach it (a registry mirror without that API) it says so loudly and bandit still runs.
audit: $(STAMP)
	@rc=0; out=$$($(VENV)/bin/pip-audit --strict --disable-pip --no-deps -r requirements.lock 2>&1) || rc=$$?; \
	echo "$$out"; \
	if [ $$rc -ne 0 ] && echo "$$out" | grep -qE 'could not be audited|ConnectionError|Failed to resolve'; then \
		echo "pip-audit cannot reach OSV or PyPI's release pages from here: reading PyPI's project pages instead"; \
		rc=0; $(PY) .ci/pypi_advisories.py requirements.lock || rc=$$?; \
		if [ $$rc -eq 1 ]; then exit 1; fi; \
		if [ $$rc -eq 2 ]; then echo "!!! PyPI is unreachable too: packages NOT checked" >&2; fi; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi
	$(VENV)/bin/bandit -q -r core gardens members agreements projects network_portal -x '*/migrations/*' --severity-level high

messages: export DEBUG := true
messages: $(STAMP)
	$(PY) manage.py makemessages -l nb --no-location --ignore=.venv --ignore=var --ignore=tests --ignore=node_modules --ignore=test-results
	$(PY) manage.py compilemessages --ignore=.venv

check-deploy: $(STAMP)
	$(DEPLOY_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING

check-migrations: export DEBUG := true
check-migrations: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

# Backup and restore (README "Security and operations"): the same environment as the running portal.
backup: $(STAMP)
	$(PY) manage.py backup

restore: $(STAMP)
	@if [ -z "$(BACKUP)" ]; then echo "Name the backup: make restore BACKUP=var/backups/<time>" >&2; exit 1; fi
	$(PY) manage.py restore "$(BACKUP)"
# Slow (minutes): not part of `make test` or CI. Figures go to var/bench/ (README, "Performance").
bench: $(STAMP)
	.ci/bench

# About two minutes: not part of `make test` or CI. Figures in var/load/last.txt (README, "Performance").
load: $(STAMP)
	.ci/load

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf var/staticfiles test-results .pytest_cache .ruff_cache

distclean: clean
	rm -rf $(VENV) var
