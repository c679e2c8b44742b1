"""Settings for hostportal, read from the environment.

With no configuration at all the service runs: a SQLite file under var/, Celery's filesystem broker
under var/broker (no server), emails printed on the console. DATABASE_URL, CELERY_BROKER_URL and EMAIL_URL
switch to PostgreSQL, Redis and SMTP. Every variable is documented in .env.example.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from hostportal.env import env_bool, env_int, env_list, env_pair, env_str
from hostportal.logging import use_json_logs, use_plain_logs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HOSTPORTAL_VAR_DIR", str(BASE_DIR / "var")))

_env = environ.Env()

# Off unless asked for (issue 9): a 500 never shows Django's debug page. `make run` sets DEBUG=1 for the demo.
DEBUG = env_bool("DEBUG", False)
# The default key is for the embedded demo only; production sets SECRET_KEY (see .env.example).
_DEMO_SECRET_KEY = "insecure-dev-key-change-me-hostportal"  # noqa: S105
_LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
SECRET_KEY = env_str("SECRET_KEY", _DEMO_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _LOCAL_HOSTS)
# The demo key serves this machine only (the demo, the tests, DEBUG unset): DEBUG=false said explicitly, or
# a public host in ALLOWED_HOSTS, is a deployment, and a deployment has its own key.
_DEPLOYED = (env_str("DEBUG", "").strip() != "" and not DEBUG) or not set(ALLOWED_HOSTS) <= set(_LOCAL_HOSTS)
if _DEPLOYED and SECRET_KEY in (_DEMO_SECRET_KEY, "change-me", ""):
    raise ImproperlyConfigured(
        "DEBUG is off or ALLOWED_HOSTS names a public host: set SECRET_KEY to a long random value "
        "(see .env.example)."
    )
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
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the docs page's JavaScript and CSS, served locally (no CDN)
    "hostportal.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files with DEBUG off (docs/deployment.md)
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
    # The embedded default, shared by the web's threads and the worker (issue 9): WAL lets readers go on
    # while one writes; IMMEDIATE takes the write lock when a transaction starts, so that a second writer
    # waits (up to `timeout` seconds) instead of failing at once with "database is locked" when it upgrades
    # a read to a write; synchronous=NORMAL is safe in WAL mode (a power cut may lose the last commit only).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Applied by every form that sets a password (the portal's reset and invitation link, the admin), with
# Django's own French messages: not like the username or email, 10 characters, not common, not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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
# collectstatic's folder: the Docker image fills /app/staticfiles at build time (outside the var/ volume).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
# STATIC_MANIFEST=true (the image): hashed, compressed names that browsers may cache for ever; it needs
# collectstatic's manifest, so the demo and the tests (no collectstatic) keep Django's plain storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
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

# --- Logging: never a passport number, a calendar link, a reset link or an API token ----------------------
# The filter (hostportal.logging) is on every handler, the request lines of runserver (django.server) and of
# gunicorn (gunicorn.access) included: Django's default handlers are replaced so no record escapes it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "hostportal.logging.MaskSecretsFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# LOG_FORMAT=json (the Docker image): one JSON object a line on every handler, still masked; "plain" (the
# default, `make run`) prefixes the console's lines with time, level and logger.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT == "json":
    use_json_logs(LOGGING)
elif LOG_FORMAT == "plain":
    use_plain_logs(LOGGING)
else:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be plain or json.")

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
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 1000)
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

# --- REST API (hostportal/api/, docs/api.md) -----------------------------------------------------------
# Bearer tokens of one organisation, or the portal's session (with CSRF); errors as problem+json.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hostportal.api.authentication.BearerTokenAuthentication",
        "hostportal.api.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["hostportal.api.permissions.IsMember"],
    "DEFAULT_PARSER_CLASSES": [
        "hostportal.api.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "hostportal.api.pagination.Cursor",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hostportal.api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"check": "60/minute"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_INPUT_FORMATS": ["iso-8601"],
}
# POST /api/v1/check per token (or session user): the rule engine is cheap, but not free.
API_CHECK_RATE = env_str("API_CHECK_RATE", "60/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "hostportal API",
    "DESCRIPTION": "Interns, conventions de stage, avenants, visas and cartes de séjour of one host "
    "organisation; transitions as actions; every date with its why. Guide: docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ConventionStateEnum": "conventions.models.ConventionState.choices",
        "AvenantStateEnum": "conventions.models.AvenantState.choices",
        "VisaStateEnum": "conventions.models.VisaState.choices",
        "PermitStateEnum": "conventions.models.PermitState.choices",
        "CountryEnum": "django_countries.countries",
        "FileDecisionEnum": [("validated", "validated"), ("refused", "refused")],
        "VisaDecisionEnum": [("issued", "issued"), ("refused", "refused")],
        "PermitDecisionEnum": [("granted", "granted"), ("refused", "refused")],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hostportal.api.schema.problem_responses",
    ],
}
# --- end of REST API ---------------------------------------------------------------------------------

# --- Webhooks ------------------------------------------------------------------------------------------
# Signed POSTs of events to the organisations' endpoints (notifications/services/webhook_delivery.py,
# docs/webhooks.md). The claim / lease / retry machinery is the email outbox's.
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
# A row left "sending" longer than this is sent again: it must exceed the longest POST (2 x the timeout).
WEBHOOKS_CLAIM_LEASE_SECONDS = env_int("WEBHOOKS_CLAIM_LEASE_SECONDS", 120)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8)
WEBHOOKS_RETRY_BASE_SECONDS = env_int("WEBHOOKS_RETRY_BASE_SECONDS", 30)
WEBHOOKS_RETRY_MAX_SECONDS = env_int("WEBHOOKS_RETRY_MAX_SECONDS", 6 * 3600)
WEBHOOKS_BATCH_SIZE = env_int("WEBHOOKS_BATCH_SIZE", 100)
# An endpoint is disabled (and its managers told) after this many failed attempts in a row, or after
# failing for this many hours without a success in between.
WEBHOOKS_DISABLE_AFTER_FAILURES = env_int("WEBHOOKS_DISABLE_AFTER_FAILURES", 10)
WEBHOOKS_DISABLE_AFTER_HOURS = env_int("WEBHOOKS_DISABLE_AFTER_HOURS", 24)
if WEBHOOKS_CLAIM_LEASE_SECONDS <= 2 * WEBHOOKS_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        f"WEBHOOKS_CLAIM_LEASE_SECONDS={WEBHOOKS_CLAIM_LEASE_SECONDS} must be more than twice "
        f"WEBHOOKS_TIMEOUT_SECONDS={WEBHOOKS_TIMEOUT_SECONDS}: a POST still running when its lease expires "
        "would be sent twice."
    )
# --- end of Webhooks -----------------------------------------------------------------------------------

# --- Uploaded documents (conventions/uploads.py, issue 9) ----------------------------------------------
# One limit for every channel (admin, portal, API), enforced by conventions.services.documents. Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (above) caps the request's other fields, never its files: the first upload
# handler counts each file's bytes and drops them past the limit, so that the service refuses it with its
# size named (a 50 MB upload costs neither memory nor disk, and never a 500).
DOCUMENT_UPLOAD_MAX_BYTES = env_int("DOCUMENT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Up to this size a file is kept in memory while the request is read; above, in a temporary file (0600).
FILE_UPLOAD_MAX_MEMORY_SIZE = min(
    env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440), DOCUMENT_UPLOAD_MAX_BYTES
)
FILE_UPLOAD_HANDLERS = [
    "conventions.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Passport scans: readable by the service's user only. MEDIA_ROOT (under var/) has no URL: no pattern
# serves MEDIA_URL, even with DEBUG on; files go out through portal:document-download, to members only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
if DOCUMENT_UPLOAD_MAX_BYTES < 1:
    raise ImproperlyConfigured("DOCUMENT_UPLOAD_MAX_BYTES must be at least 1 byte.")
# --- end of Uploaded documents -------------------------------------------------------------------------

# --- Data protection (conventions/services/privacy.py, docs/privacy.md, issue 9) -----------------------
# `manage.py purge_personal_data` anonymises an intern this many months after the end of their last stay
# (and only once no file of theirs is open). 24 months: the host may have to answer for a stay (a control,
# a dispute, a new application by the same intern) for that long; nothing needs the data afterwards.
PERSONAL_DATA_RETENTION_MONTHS = env_int("PERSONAL_DATA_RETENTION_MONTHS", 24)
if PERSONAL_DATA_RETENTION_MONTHS < 0:
    raise ImproperlyConfigured("PERSONAL_DATA_RETENTION_MONTHS must be 0 or more (months after the stay).")
# --- end of Data protection ----------------------------------------------------------------------------

# --- Hardening: login throttling, security headers and cookies (issue 9, docs in .env.example) ------------
# django-axes counts failed logins per username and address (database handler: shared by every process).
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: it turns a lockout into the lockout page
AUTHENTICATION_BACKENDS = [
    "hostportal.login_throttle.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hostportal.login_throttle.lockout_response"
AXES_VERBOSE = False
# Behind N reverse proxies (the compose file's web sits behind one in production), the client is the N-th
# address from the right of X-Forwarded-For, not the proxy: without this, one proxy's address would be
# throttled as a single client. 0 (default): REMOTE_ADDR, for a server reached directly.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "hostportal.login_throttle.client_ip"

# Behind a TLS proxy a deployment sets these (see the production section of .env.example); the defaults
# suit the plain-HTTP demo on this machine.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", [])
SECURE_PROXY_SSL_HEADER = env_pair("SECURE_PROXY_SSL_HEADER")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env_str("SECURE_REFERRER_POLICY", "same-origin")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
X_FRAME_OPTIONS = "DENY"
# --- end of Hardening ------------------------------------------------------------------------------------
