"""Django settings for Puente.

Every setting that differs between a laptop and a server comes from the environment;
docs/settings.md lists them.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("PUENTE_DEBUG")
# Without PUENTE_SECRET_KEY a laptop runs on this public development key; outside debug the
# server, the WSGI application and the task worker refuse to start on it
# (puente.core.checks.production_keys_problems; `puente generate-keys` makes real keys).
DEVELOPMENT_SECRET_KEY = "puente-insecure-development-key-change-me"  # noqa: S105
SECRET_KEY = os.environ.get("PUENTE_SECRET_KEY", "") or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("PUENTE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "puente.core",
    "puente.accounts",
    "puente.reference",
    "puente.partners",
    "puente.reporting",
    "puente.analytics",
    "puente.plans",
    "puente.needs",
    "puente.funding",
    "puente.feedback",
    "puente.flows",
    "puente.collect",
    "puente.demo",
    "puente.site",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: everything after it (rate limits, the login lockout) sees the client's address.
    "puente.core.forwarded.ForwardedClientMiddleware",
    # The request id, the access line and the latency of every request, including those
    # answered by a middleware below (docs/deploy.md, "Logs and metrics").
    "puente.core.observability.middleware.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files collected into PUENTE_STATIC_ROOT, served by `puente serve` itself (a
    # container needs no proxy for them); a proxy in front may serve them instead.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "puente.core.replica.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "puente.accounts.middleware.RequireTwoFactorMiddleware",
    "puente.accounts.middleware.RequirePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Reverse proxies whose X-Forwarded-For (and X-Forwarded-Proto, for gunicorn) is believed:
# addresses or networks, comma-separated (docs/deploy.md). Empty: none, REMOTE_ADDR is the client.
PUENTE_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("PUENTE_TRUSTED_PROXIES", "").split(",") if p.strip()
]

ROOT_URLCONF = "puente.urls"
WSGI_APPLICATION = "puente.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "puente.site.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{PROJECT_DIR / 'puente.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A PostgreSQL streaming replica for the reads of GET requests (puente.core.replica,
# docs/deploy.md "Reads from a replica"); without it every query goes to the one database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASE_ROUTERS = ["puente.core.replica.ReplicaRouter"]
# How long a client that wrote (any POST, PUT, PATCH or DELETE) reads the primary only.
PUENTE_REPLICA_PIN_SECONDS = int(os.environ.get("PUENTE_REPLICA_PIN_SECONDS", "10"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Two-factor login is required for the roles in accounts.permissions.TWO_FACTOR_ROLES.
PUENTE_REQUIRE_2FA = _env_bool("PUENTE_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Puente"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("PUENTE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("pt", _("Portuguese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

FORMAT_MODULE_PATH = ["puente.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("PUENTE_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MEDIA_ROOT = Path(os.environ.get("PUENTE_MEDIA_ROOT", PROJECT_DIR / "media"))
MEDIA_URL = "media/"

# A file cache shared by the web server and the task worker (import progress).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("PUENTE_CACHE_DIR", str(PROJECT_DIR / ".cache")),
    }
}

# Background tasks (large imports) are stored in the database and run by `puente db_worker`.
# PUENTE_TASKS=immediate runs them inside the request instead (tests, single-user laptops).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("PUENTE_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# Uploads up to this size are imported while the page waits; larger ones in the background.
PUENTE_INLINE_IMPORT_BYTES = int(os.environ.get("PUENTE_INLINE_IMPORT_BYTES", str(2 * 1024 * 1024)))

# How people reached are consolidated (docs/methodology.md): across indicators of one
# organisation, across organisations, across sectors; each "max" or "sum".
PUENTE_CONSOLIDATION = {
    "indicators": os.environ.get("PUENTE_COMBINE_INDICATORS", "max"),
    "orgs": os.environ.get("PUENTE_COMBINE_ORGS", "sum"),
    "sectors": os.environ.get("PUENTE_COMBINE_SECTORS", "max"),
}

# The consolidation's columnar copy of the 5W rows (Parquet files read with DuckDB), kept
# beside the cube; PUENTE_COLUMNAR=off consolidates on the database only.
PUENTE_COLUMNAR = _env_bool("PUENTE_COLUMNAR", default=True)
PUENTE_COLUMNAR_DIR = Path(os.environ.get("PUENTE_COLUMNAR_DIR", PROJECT_DIR / ".columnar"))

# Imports refuse files above this size before reading them.
PUENTE_MAX_IMPORT_BYTES = int(os.environ.get("PUENTE_MAX_IMPORT_BYTES", str(200 * 1024 * 1024)))
# Hostile files (docs/imports.md): a workbook's members uncompressed, together; the
# compression ratio of any member above 1 MB; the rectangle a sheet spans from A1 (the
# workbook reader allocates all of it); the longest cell, in characters.
PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES", str(500 * 1024 * 1024))
)
PUENTE_IMPORT_MAX_COMPRESSION_RATIO = int(
    os.environ.get("PUENTE_IMPORT_MAX_COMPRESSION_RATIO", "100")
)
PUENTE_IMPORT_MAX_COLUMNS = int(os.environ.get("PUENTE_IMPORT_MAX_COLUMNS", "500"))
PUENTE_IMPORT_MAX_CELLS = int(os.environ.get("PUENTE_IMPORT_MAX_CELLS", "20000000"))
PUENTE_IMPORT_MAX_CELL_CHARS = int(os.environ.get("PUENTE_IMPORT_MAX_CELL_CHARS", "32767"))
# An XLS workbook is read in a child process with at most this much address space.
PUENTE_XLS_READER_MEMORY_BYTES = int(
    os.environ.get("PUENTE_XLS_READER_MEMORY_BYTES", str(2 * 1024 * 1024 * 1024))
)
# `puente worker`: the address space the worker may use (0: no limit), and how long a
# running import may go without a heartbeat before it is marked failed.
PUENTE_WORKER_MEMORY_BYTES = int(
    os.environ.get("PUENTE_WORKER_MEMORY_BYTES", str(4 * 1024 * 1024 * 1024))
)
PUENTE_IMPORT_HEARTBEAT_TIMEOUT = int(os.environ.get("PUENTE_IMPORT_HEARTBEAT_TIMEOUT", "120"))
# The API's largest page (`?limit=` above it is cut to it).
PUENTE_API_MAX_PAGE_SIZE = int(os.environ.get("PUENTE_API_MAX_PAGE_SIZE", "1000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Community feedback (docs/feedback.md). Keys: comma-separated Fernet keys, the first
# encrypts, every one decrypts (rotation). Never derived from SECRET_KEY. Without keys a
# development setup (DEBUG, or the development secret key) uses a development feedback key
# made at random on first use and kept in PUENTE_DEV_FEEDBACK_KEY_FILE on that machine only;
# a server refuses to start.
PUENTE_FEEDBACK_KEYS = [
    k.strip() for k in os.environ.get("PUENTE_FEEDBACK_KEYS", "").split(",") if k.strip()
]
PUENTE_DEV_FEEDBACK_KEY_FILE = Path(
    os.environ.get("PUENTE_DEV_FEEDBACK_KEY_FILE", PROJECT_DIR / ".dev-feedback-key")
)
PUENTE_FEEDBACK_SENSITIVE_ACK_HOURS = int(
    os.environ.get("PUENTE_FEEDBACK_SENSITIVE_ACK_HOURS", "72")
)
PUENTE_FEEDBACK_RESPOND_DAYS = int(os.environ.get("PUENTE_FEEDBACK_RESPOND_DAYS", "30"))
PUENTE_FEEDBACK_FORM_LIMIT = int(os.environ.get("PUENTE_FEEDBACK_FORM_LIMIT", "10"))
PUENTE_FEEDBACK_FORM_WINDOW = int(os.environ.get("PUENTE_FEEDBACK_FORM_WINDOW", "3600"))
# Password reset: links sent to one e-mail address, and requests from one client address,
# per window (seconds).
PUENTE_PASSWORD_RESET_LIMIT = int(os.environ.get("PUENTE_PASSWORD_RESET_LIMIT", "3"))
PUENTE_PASSWORD_RESET_CLIENT_LIMIT = int(os.environ.get("PUENTE_PASSWORD_RESET_CLIENT_LIMIT", "10"))
PUENTE_PASSWORD_RESET_WINDOW = int(os.environ.get("PUENTE_PASSWORD_RESET_WINDOW", "3600"))
PUENTE_FEEDBACK_MAX_TEXT = int(os.environ.get("PUENTE_FEEDBACK_MAX_TEXT", "4000"))
PUENTE_FEEDBACK_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("PUENTE_FEEDBACK_MAX_ATTACHMENT_BYTES", str(5 * 1024 * 1024))
)
PUENTE_FEEDBACK_REMINDER_HOURS = int(os.environ.get("PUENTE_FEEDBACK_REMINDER_HOURS", "24"))

# Field data collection over OpenRosa (docs/collect.md): the largest attachment accepted
# (larger ones answer 413), the size devices are told to keep each POST under
# (X-OpenRosa-Accept-Content-Length; larger submissions arrive split over several POSTs),
# the HTTP Digest realm (changing it invalidates every stored Digest hash until the
# password is set again) and how long a Digest nonce stays valid (seconds).
PUENTE_COLLECT_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("PUENTE_COLLECT_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024))
)
PUENTE_COLLECT_ACCEPT_CONTENT_LENGTH = int(
    os.environ.get("PUENTE_COLLECT_ACCEPT_CONTENT_LENGTH", str(10 * 1024 * 1024))
)
PUENTE_COLLECT_DIGEST_REALM = os.environ.get("PUENTE_COLLECT_DIGEST_REALM", "Puente")
PUENTE_COLLECT_NONCE_SECONDS = int(os.environ.get("PUENTE_COLLECT_NONCE_SECONDS", "300"))

# A form's export of more submissions than this is written by `puente worker` and fetched
# from its own page when ready (docs/collect.md, "Exports"); smaller ones while the page
# waits. Exports written in the background are deleted this many hours later.
PUENTE_INLINE_EXPORT_SUBMISSIONS = int(os.environ.get("PUENTE_INLINE_EXPORT_SUBMISSIONS", "5000"))
PUENTE_EXPORT_KEEP_HOURS = int(os.environ.get("PUENTE_EXPORT_KEEP_HOURS", "48"))

# Flow monitoring's figures from a stored submission (docs/flows.md): "worker" makes them
# in the background worker, so a device's POST is answered once the submission is stored;
# "inline" makes them in the request, once it is committed (tests; a laptop without a
# worker). With PUENTE_TASKS=immediate the worker's tasks run inline anyway.
PUENTE_FLOWS_FIGURES = os.environ.get("PUENTE_FLOWS_FIGURES", "worker")

# /readyz (docs/deploy.md) answers 503 when no background worker was seen for this long.
PUENTE_READY_WORKER_SECONDS = int(os.environ.get("PUENTE_READY_WORKER_SECONDS", "180"))
# A running task whose worker has not been seen for this long is retried or marked failed
# (puente.core.task_recovery); workers record a heartbeat every minute.
PUENTE_TASK_ORPHAN_SECONDS = int(os.environ.get("PUENTE_TASK_ORPHAN_SECONDS", "300"))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_HSTS_SECONDS = int(os.environ.get("PUENTE_HSTS_SECONDS", "0"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("PUENTE_HSTS_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = _env_bool("PUENTE_HSTS_PRELOAD")
    SECURE_SSL_REDIRECT = _env_bool("PUENTE_SSL_REDIRECT")
    # Health checks come from the proxy or the orchestrator, often over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A user's token, or the browser session; both refused to a user who needs the
        # second factor and has not passed it (docs/api.md).
        "puente.accounts.authentication.TokenAuthentication",
        "puente.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "puente.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "puente.core.api.Pagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Puente API",
    "DESCRIPTION": "Reference data, partners and reporting of a refugee and migrant response.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The status a row is submitted with (rows posted as JSON or a file): one name for the
    # one choice set, used by both.
    "ENUM_NAME_OVERRIDES": {"RowSubmitStatusEnum": ["draft", "submitted"]},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "puente.core.api.schema_error_responses",
    ],
}

EMAIL_BACKEND = os.environ.get(
    "PUENTE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# The SMTP server, for PUENTE_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("PUENTE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PUENTE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PUENTE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PUENTE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("PUENTE_EMAIL_TLS")
if os.environ.get("PUENTE_EMAIL_FROM"):
    DEFAULT_FROM_EMAIL = os.environ["PUENTE_EMAIL_FROM"]

# Logs (docs/deploy.md, "Logs and metrics"): one JSON object per line on a server, plain
# text in debug mode; every line carries the request's id (or the background task's).
PUENTE_LOG_FORMAT = os.environ.get("PUENTE_LOG_FORMAT", "") or ("text" if DEBUG else "json")
if PUENTE_LOG_FORMAT not in ("json", "text"):
    raise ValueError(f"PUENTE_LOG_FORMAT must be json or text, not {PUENTE_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "puente.core.observability.logs.LogContextFilter"}},
    "formatters": {
        "json": {"()": "puente.core.observability.logs.JsonFormatter"},
        "text": {"()": "puente.core.observability.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": PUENTE_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("PUENTE_LOG_LEVEL", "WARNING")},
    # One access line per request (`puente serve` leaves them to Puente): on by default
    # outside debug mode, where `runserver` prints its own.
    "loggers": {
        "puente.request": {
            "level": "INFO" if _env_bool("PUENTE_ACCESS_LOG", default=not DEBUG) else "WARNING"
        }
    },
}
# /metrics answers only a request bearing this token (`Authorization: Bearer ...`); unset,
# it is not found.
PUENTE_METRICS_TOKEN = os.environ.get("PUENTE_METRICS_TOKEN", "")
