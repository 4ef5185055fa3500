"""Settings for the næringshage network portal.

One module for every environment. Everything that differs between a laptop and
production comes from environment variables, read strictly (see env.py):

    DEBUG            true/false (default false)
    SECRET_KEY       required when DEBUG is off
    ALLOWED_HOSTS    comma-separated (default: localhost names when DEBUG is on)
    DATABASE_URL     default: the embedded SQLite file var/db.sqlite3
    REDIS_URL        Celery broker, result store and cache; unset: tasks run eagerly
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
    DEFAULT_FROM_EMAIL   SMTP; unset with DEBUG on: mail is printed to the console
    ACCESSIBILITY_CONTACT_EMAIL  where the accessibility statement asks for feedback (unset: the page
                     points to the garden's request form and the supervisory authority only)
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0123456789"

# Rotation (README "Rotating the secret key"): old keys still accepted for signatures made with them.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    # Ours, from the bottom of the stack up: each app imports only those listed before it.
    "core",
    "gardens",
    "members",
    "agreements",
    "projects",
    "network_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Sign-in and hardening (issue 13): the policy headers, then the role-dependent sign-in rules.
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "gardens.signin.StaffIdleTimeoutMiddleware",
    "gardens.signin.MfaSetupRequiredMiddleware",
]

ROOT_URLCONF = "network_portal.urls"
WSGI_APPLICATION = "network_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "network_portal.context_processors.navigation",
                "gardens.context_processors.garden_access",
            ],
        },
    },
]

# Database: the embedded SQLite file unless DATABASE_URL names another one.
_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    # Faults (issue 13): conn_health_checks makes a kept connection that died (PostgreSQL restarted)
    # be noticed and replaced at the start of the next request, instead of answering one 500 per worker.
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60,
                                                  conn_health_checks=True)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database needs its folder; create it rather than fail on a fresh clone.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "network_portal:dashboard"

# django-allauth: e-mail is the login; nobody has a username.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Næringshagenettverket] "
ACCOUNT_FORMS = {"signup": "members.forms.SignupForm"}
ACCOUNT_SIGNUP_REDIRECT_URL = "members:my-page"
# Entrepreneurs sign up themselves (with a verified e-mail address) to ask gardens for
# help; staff are still invited by their garden's admin. PORTAL_SIGNUP_OPEN=false closes
# public sign-up (the sign-up page then says it is closed).
PORTAL_SIGNUP_OPEN = env_bool("PORTAL_SIGNUP_OPEN", False)
# How long a staff invitation link stays valid.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
# The target-company import: the largest file accepted (more rows or megabytes is refused with a message).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 40) * 1024 * 1024
# Personal data (README "Personal data"): contact persons of a record whose contract ended
# (completed or withdrawn) are erased this many days after the contract's end by a daily beat
# task. Three years (1095 days) is the general limitation period for claims under the contract
# (foreldelsesloven § 2), the longest the garden can need to know whom it dealt with.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 1095)
if PERSONAL_DATA_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(f"PERSONAL_DATA_RETENTION_DAYS={PERSONAL_DATA_RETENTION_DAYS} must be at least 1.")
# Report exports (the files readers make from the report page) are deleted, file and row, this many
# days after they were asked for, by a daily beat task: a file is a copy of figures the page shows
# anyway, and a county reader's file should not outlive its use on the server.
REPORT_EXPORT_KEEP_DAYS = env_int("REPORT_EXPORT_KEEP_DAYS", 7)
if REPORT_EXPORT_KEEP_DAYS < 1:
    raise ImproperlyConfigured(f"REPORT_EXPORT_KEEP_DAYS={REPORT_EXPORT_KEEP_DAYS} must be at least 1.")
# A batch being checked or imported with no progress for this long lost its worker: the page
# offers to start it again or cancel it (the commit is one transaction, so nothing was written).
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 10)
# The portal's public address, without a trailing slash. Celery tasks have no request to
# build links from, so e-mailed links (invitations) start with this: set it in production.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# --- Sign-in and sessions (issue 13; README "Security and operations") -------------------------------
# Two-factor sign-in with an authenticator app (TOTP) and recovery codes. Required for garden
# admins, network readers and superusers (gardens/access.py: mfa_required_for, enforced by
# gardens/signin.py); everyone else may turn it on from their account page.
MFA_ADAPTER = "members.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Næringshagenettverket"
# A password change ends every session of the account, the one that changed it included: a
# thief who knew the old password is signed out everywhere (Django's session hash ends the others).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# allauth's own limits on sign-in, password reset and two-factor codes stay at their defaults
# (for example 5 failed sign-ins per account per 5 minutes); they count per client address as
# seen through TRUSTED_PROXY_COUNT proxies (ALLAUTH_TRUSTED_PROXY_COUNT below).
# Garden staff, readers and superusers are signed out after this many minutes without a request.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 60)
if STAFF_SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured(f"STAFF_SESSION_IDLE_MINUTES={STAFF_SESSION_IDLE_MINUTES} must be at least 1.")

# Internationalisation: bokmål first, English second.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and the development server serve straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_MANIFEST_STRICT = False

# Celery and cache: Redis when REDIS_URL is set, otherwise tasks run in-process
# (see network_portal/checks.py, which says so at start-up).
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# --- Faults (issue 13): Redis or a worker going away loses nothing and hangs nothing ----------------
# Nothing reads task results (the outbox and the import batch rows hold the outcome), and with a
# result store every .delay() subscribed to Redis and retried for ~19 s when it was down.
# Tasks that are asked for an answer say so (network_portal.tasks.ping).
CELERY_TASK_IGNORE_RESULT = True
# A pool child killed mid-task (OOM, kill -9) puts its message back for another run (tasks are
# safe to run twice); with acks_late alone the message was acknowledged and the work lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Publishing (web requests, after their commit): give up fast; core.tasks.enqueue_on_commit
# then leaves the work to the beat sweeps. Two quick retries cover a Redis restart's blink.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                    "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# The worker: wait for the broker at start-up and reconnect for ever when it drops (and the
# compose file restarts a worker that exits anyway).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# --- end of faults settings --------------------------------------------------------------------------
CELERY_BEAT_SCHEDULE: dict = {
    # Every e-mail an outage held back (broker or mail server down), with growing pauses.
    "mail-retry-unsent": {"task": "core.tasks.mail_retry_unsent", "schedule": 5 * 60},
    # Progress reports due within 14 days or overdue: remind the partner gardens' admins (daily).
    "project-progress-report-reminders": {
        "task": "projects.tasks.send_progress_report_reminders", "schedule": 24 * 60 * 60,
    },
    # Agreements: meeting reminders a week ahead and overdue action items, each mailed once.
    "agreements-meeting-reminders": {
        "task": "agreements.tasks.send_meeting_reminders", "schedule": crontab(hour=7, minute=0),
    },
    "network-quarterly-reports": {
        "task": "network_portal.tasks.send_quarterly_reports", "schedule": crontab(hour=6, minute=30),
    },
    # Personal data: erase the contact persons of contracts that ended longer ago than the retention.
    "members-contacts-retention": {
        "task": "members.tasks.contacts_retention_sweep_task", "schedule": crontab(hour=3, minute=30),
    },
    # Report exports older than REPORT_EXPORT_KEEP_DAYS: their files and rows.
    "network-report-exports-cleanup": {
        "task": "network_portal.tasks.report_exports_cleanup_task", "schedule": crontab(hour=3, minute=45),
    },
    "agreements-overdue-actions": {
        "task": "agreements.tasks.send_overdue_action_reminders", "schedule": crontab(hour=7, minute=15),
    },
}
if REDIS_URL:
    # Faults (issue 13): the fail-safe backend carries on as an empty cache while Redis is down (rate
    # limits off, logged) instead of a 500 on every sign-in and help request; short socket timeouts.
    CACHES = {"default": {"BACKEND": "core.cache.FailSafeRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail: SMTP when EMAIL_HOST is set. Without it, DEBUG prints mail to the
# console; production refuses to start rather than drop mail silently.
EMAIL_HOST = env_str("EMAIL_HOST")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Næringshagenettverket <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ACCESSIBILITY_CONTACT_EMAIL = env_str("ACCESSIBILITY_CONTACT_EMAIL")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    raise ImproperlyConfigured("EMAIL_HOST must be set when DEBUG is off, or e-mail would be lost.")

# Security: strict by default outside DEBUG; each switch can be turned off
# explicitly (for example behind a proxy that terminates TLS itself).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The header only matters once the domain owner submits it to the preload list.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the portal append to X-Forwarded-For (0: none, use
# REMOTE_ADDR). Rate limits and allauth's sign-in limits key on the address they saw.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} cannot be negative.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database (Django's default, stated here on purpose): never in Redis, so a
# Redis outage signs nobody out and does not stop anyone signing in.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images come from the portal
# itself, nothing inline (no inline <script>, on…= handler or style="…" attribute in any page),
# never framed. img-src allows data: for the QR code of the two-factor setup. The admin site
# works under it too: its scripts are files. Browser test: tests/e2e/test_security_headers.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (core/middleware.py): browser features the portal never uses, switched off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in ("camera", "microphone", "geolocation", "payment", "usb")
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Each line once: Django's own loggers write to the console and stop there (propagating to the root
# as well printed every request warning twice); the dev server's request lines keep their timestamp;
# 4xx answers log one line without a traceback (core/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_client_errors": {"()": "core.logging.OneLineClientErrors"}},
    "formatters": {
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["one_line_client_errors"]},
        "server": {"class": "logging.StreamHandler", "formatter": "server"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
