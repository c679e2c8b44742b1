"""Settings for hostportal, read from the environment.

With no configuration at all the service runs: a SQLite file under var/, Celery's filesystem broker
under var/broker (no server), emails printed on the console. DATABASE_URL, CELERY_BROKER_URL and EMAIL_URL
switch to PostgreSQL, Redis and SMTP. Every variable is documented in .env.example.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from hostportal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HOSTPORTAL_VAR_DIR", str(BASE_DIR / "var")))

_env = environ.Env()

DEBUG = env_bool("DEBUG", True)
# The default key is for the embedded demo only; production sets SECRET_KEY (see .env.example).
_DEMO_SECRET_KEY = "insecure-dev-key-change-me-hostportal"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEMO_SECRET_KEY)
if not DEBUG and SECRET_KEY in (_DEMO_SECRET_KEY, "change-me"):
    raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY to a long random value (see .env.example).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "simple_history",
    "hostportal",
    "hostportal.portal",
    "conventions",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hostportal.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "hostportal.urls"
WSGI_APPLICATION = "hostportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": _env.db_url_config(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hostportal.sqlite3'}")),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: let a worker and the web process share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# French first, English second (issue 7): translations in locale/ (compiled by `manage.py
# compile_translations`, run by `make run` and `make test`), one date format per language (formats/).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
FORMAT_MODULE_PATH = ["hostportal.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded documents (passports...) are personal data: capped in size, never served without a login.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# --- Email -------------------------------------------------------------------------------------------
_email = _env.email_url_config(env_str("EMAIL_URL", "consolemail://"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
if "EMAIL_FILE_PATH" in _email:
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hostportal <no-reply@hostportal.localhost>")

# --- Celery ------------------------------------------------------------------------------------------
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files under var/broker, so the demo needs no server.
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Redis: a task not acknowledged within the visibility timeout is handed out again (killed worker).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Logging: never a passport number (see conventions.logging_filters) --------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_passports": {"()": "hostportal.logging.MaskPassportFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_passports"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}

# History is read, never reverted: a revert would write past the services (no lock, no audit row).
SIMPLE_HISTORY_REVERT_DISABLED = True

HOSTPORTAL_DEMO_PASSWORD = env_str("HOSTPORTAL_DEMO_PASSWORD", "demo-hostportal")

# --- Notifications -----------------------------------------------------------------------------------
# Reminders and the email outbox (notifications/, docs/notifications.md). Documented in .env.example.

NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8)
# A row left "sending" longer than this (its worker was killed) is sent again. It must exceed the longest
# SMTP transaction, or a slow but living worker could see its row reclaimed and the email sent twice.
NOTIFICATIONS_CLAIM_LEASE_SECONDS = env_int("NOTIFICATIONS_CLAIM_LEASE_SECONDS", 600)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 6 * 3600)
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 200)
# Right part of the Message-ID (<idempotency-key@domain>) and of the calendar UIDs.
NOTIFICATIONS_MESSAGE_ID_DOMAIN = env_str("NOTIFICATIONS_MESSAGE_ID_DOMAIN", "hostportal.localhost")
_notification_errors = [
    f"NOTIFICATIONS_CLAIM_LEASE_SECONDS={NOTIFICATIONS_CLAIM_LEASE_SECONDS} must be more than twice "
    f"EMAIL_TIMEOUT={EMAIL_TIMEOUT}: a send still running when its lease expires would be sent twice."
    if NOTIFICATIONS_CLAIM_LEASE_SECONDS <= 2 * EMAIL_TIMEOUT
    else "",
    "NOTIFICATIONS_MAX_ATTEMPTS and NOTIFICATIONS_BATCH_SIZE must be at least 1."
    if min(NOTIFICATIONS_MAX_ATTEMPTS, NOTIFICATIONS_BATCH_SIZE) < 1
    else "",
]
if any(_notification_errors):
    raise ImproperlyConfigured(" ".join(error for error in _notification_errors if error))
# --- end of Notifications ----------------------------------------------------------------------------
