"""Settings for the after-sales service, read from the environment (docs/operations.md, "Configuration")."""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A local checkout's own settings: `make run` / `make test` write `.env` (git-ignored) with a
# random SECRET_KEY, so `.venv/bin/python manage.py ...` works as the README prints it. The
# environment always wins; a production host sets its environment and has no such file
# (`AFTERSERVICE_ENV_FILE` names another file, or one that does not exist).
load_dotenv(os.environ.get("AFTERSERVICE_ENV_FILE") or BASE_DIR / ".env", override=False)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("AFTERSERVICE_DEV_KEY_OK"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see docs/operations.md).")
    # Development only: DEBUG on, or the Makefile's local run/test targets.
    SECRET_KEY = "django-insecure-development-key-never-use-in-production-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "afterservice_site.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_fsm",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "products",
    "suppliers",
    "orders",
    "notifications",
    "stats",
]

MIDDLEWARE = [
    "afterservice_site.middleware.RequestIDMiddleware",
    "afterservice_site.middleware.ApiNoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "afterservice_site.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "afterservice_site.middleware.DatabaseBusyMiddleware",
    # django-axes: last, so it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "afterservice_site.urls"
WSGI_APPLICATION = "afterservice_site.wsgi.application"
# The customer's paths have no trailing slash; both forms are routed explicitly instead.
APPEND_SLASH = False

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# The embedded database's settings, whichever way its file is named (the default file,
# SQLITE_PATH or DATABASE_URL=sqlite:///…). IMMEDIATE takes the write lock at BEGIN, so concurrent
# writers queue on the busy timeout instead of failing with "database is locked" on lock upgrade;
# WAL lets readers read while one request writes. Options in a sqlite:// URL's query win.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The `default` database from DATABASE_URL, else the SQLite file SQLITE_PATH (or db.sqlite3)."""
    url = environ.get("DATABASE_URL", "")
    if url:
        database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    else:
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    return database


DATABASES = {"default": database_settings(os.environ)}
# The statistics tables' covering indexes (INCLUDE columns) are PostgreSQL's; SQLite builds the
# same indexes without them, which is all the embedded database needs: don't warn on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches ----------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    )
}
# Throttle counters: Redis when REDIS_URL is set (shared by every host), else this process's memory.
CACHES["throttle"] = (
    {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
)

# --- Auth ----------------------------------------------------------------------------------------
# django-axes first: a locked-out login is refused before the password hasher runs (~0.7 s CPU).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise serves the admin's under gunicorn) -------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not env_bool("AFTERSERVICE_PLAIN_STATIC")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Limits --------------------------------------------------------------------------------------
# 2 MiB request bodies (413 above); enforced for JSON bodies by BodySizeLimitMiddleware too.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Security (production behind a TLS-terminating proxy; see docs/operations.md "Deployment") -------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- REST framework ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "afterservice_site.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["afterservice_site.rendering.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["afterservice_site.rendering.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "afterservice_site.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "afterservice_site.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "afterservice_site.rendering.PlainMetadata",
    "DEFAULT_THROTTLE_CLASSES": [
        "afterservice_site.throttling.AnonRateThrottle",
        "afterservice_site.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("THROTTLE_USER", "6000/minute"),
    },
    # Trusted reverse proxies in front of the service: the client address is the one they add to
    # X-Forwarded-For. 0 (the default) uses the socket's address, so a forged header changes nothing
    # (throttles, token failures and admin lockouts all key on it).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES") or 0),
    "PAGE_SIZE": 20,
    "DATETIME_FORMAT": "%Y-%m-%d %H:%M:%S",
    "DATETIME_INPUT_FORMATS": ["%Y-%m-%d %H:%M:%S", "iso-8601"],
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d", "iso-8601"],
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "After-sales claim service (售后单) API",
    "DESCRIPTION": "Supplier quality claims and their approval workflow. Every response is an "
    'envelope `{"status": 0, "message": "ok", "data": ...}`; see docs/api.md.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.workflow.Status",
        "WorkflowStatusEnum": "orders.workflow.WorkflowStatus",
        "OperationEnum": "orders.workflow.Operation",
        "JournalOperationEnum": "orders.workflow.JournalOperation",
        "ReasonEnum": "orders.models.Reason",
        "NotificationKindEnum": "notifications.models.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "afterservice_site.schema.envelope_schema_hook",
        # After the envelope: a download's success is its file only.
        "orders.views.attachments.file_responses_schema_hook",
    ],
}

# --- Login and authentication failures (docs/limits.md) -------------------------------------------
# Admin logins (django-axes): 10 failures lock the client address and, separately, the username
# for 15 minutes; `manage.py axes_reset` (or axes_reset_username / axes_reset_ip) unlocks.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# A success must not wipe the failures: it would delete the address's rows, the locked username's
# included, so one valid account would let its owner guess another's password without end.
AXES_RESET_ON_SUCCESS = False
# Attempts during a lock are not recorded: no write and no row growth per refused attempt.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "afterservice_site.authentication.client_address"
AXES_LOCKOUT_CALLABLE = "afterservice_site.lockout.lockout_response"
# The admin is Chinese and axes ships no Chinese: its models stay out of the admin, the unlock is
# the command; successful logins are not logged (nothing would show them).
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Failed token authentications per client address (afterservice_site/authentication.py), counted
# in the `throttle` cache; above the rate → 429 `throttled` with Retry-After.
THROTTLE_TOKEN_FAILURES = os.environ.get("THROTTLE_TOKEN_FAILURES", "20/minute")

# --- Domain settings -----------------------------------------------------------------------------
AFTERSERVICE_STEP_SLA_HOURS = int(os.environ.get("AFTERSERVICE_STEP_SLA_HOURS", "72"))
AFTERSERVICE_IDEMPOTENCY_TTL_HOURS = int(os.environ.get("AFTERSERVICE_IDEMPOTENCY_TTL_HOURS", "24"))
# A `POST orders` whose body equals one the same user filed this many seconds ago answers that
# order instead of filing a duplicate (the old app retries after its 60 s timeout); 0 turns it off.
AFTERSERVICE_DUPLICATE_WINDOW_S = int(os.environ.get("AFTERSERVICE_DUPLICATE_WINDOW_S", "600"))

# --- Attachments (orders/uploads.py; docs/attachments.md) ----------------------------------------
# Private files: never served as static files and no MEDIA_URL route; downloads go through the API.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
AFTERSERVICE_ATTACHMENT_MAX_MB = int(os.environ.get("AFTERSERVICE_ATTACHMENT_MAX_MB", "10"))
# Decompression bombs: refused from the image header, before any pixel is decoded. Decoding costs
# about 4 bytes a pixel, twice for a rotated photo (docs/attachments.md).
AFTERSERVICE_ATTACHMENT_MAX_PIXELS = int(os.environ.get("AFTERSERVICE_ATTACHMENT_MAX_MEGAPIXELS", "50")) * 1_000_000


def attachments_storage(environ: Mapping[str, str], media_root: Path) -> dict[str, Any]:
    """`STORAGES["attachments"]`: a private folder under MEDIA_ROOT, or an S3-compatible bucket
    when ATTACHMENTS_S3_BUCKET is set (django-storages + boto3)."""
    bucket = environ.get("ATTACHMENTS_S3_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": media_root / "attachments",
                # The service user and its group only (a proxy serving X-Accel-Redirect may be in it).
                "file_permissions_mode": 0o640,
                "directory_permissions_mode": 0o750,
            },
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            # Unset keys: boto3's own chain (environment, instance role, ...).
            "access_key": environ.get("ATTACHMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("ATTACHMENTS_S3_SECRET_ACCESS_KEY") or None,
            "region_name": environ.get("ATTACHMENTS_S3_REGION") or None,
            "addressing_style": environ.get("ATTACHMENTS_S3_ADDRESSING_STYLE") or None,
            # Empty for a bucket with ACLs disabled ("bucket owner enforced"), which refuses any ACL.
            "default_acl": environ.get("ATTACHMENTS_S3_DEFAULT_ACL", "private") or None,
            "querystring_auth": True,  # a URL of an object is only ever a signed, expiring one
            "signature_version": "s3v4",
            "file_overwrite": False,
            # Reads spool to a temporary file past 2 MiB instead of holding a whole object in memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }


STORAGES["attachments"] = attachments_storage(os.environ, MEDIA_ROOT)

# --- Background tasks, notifications and webhooks (docs/webhooks.md) ---------------------------
# Django's Tasks API (the django-tasks backport on 5.2). The database backend keeps the queue in
# this database, so a task enqueued inside a transaction commits or rolls back with it; `manage.py
# db_worker` runs the tasks. TASKS_BACKEND=rq moves the queue to RQ on Redis (several hosts; needs
# `pip install -r requirements-rq.txt` and REDIS_URL).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL (see docs/webhooks.md).")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be 'database' or 'rq', not {TASKS_BACKEND!r}.")

# Links in webhook messages point at the order's admin page under this address (no trailing slash);
# unset, they are relative paths.
AFTERSERVICE_PUBLIC_URL = os.environ.get("AFTERSERVICE_PUBLIC_URL", "").rstrip("/")
AFTERSERVICE_WEBHOOK_TIMEOUT_S = float(os.environ.get("AFTERSERVICE_WEBHOOK_TIMEOUT_S", "5"))
# Webhook requests in flight at once in one worker process (each slow endpoint holds one ≤ the timeout).
AFTERSERVICE_WEBHOOK_THREADS = int(os.environ.get("AFTERSERVICE_WEBHOOK_THREADS", "8"))
# The worker runs `mark_overdue` this often (0: not at all — run it from cron instead).
AFTERSERVICE_OVERDUE_SWEEP_MINUTES = int(os.environ.get("AFTERSERVICE_OVERDUE_SWEEP_MINUTES", "15"))

# --- Logging (request id on every line; no bodies, no tokens) ----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "afterservice_site.middleware.RequestIDLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # 4xx are answered in the envelope; logging each one at WARNING floods the log.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # django-axes logs each failed login at INFO before its WARNING; the WARNINGs are enough.
        "axes": {"level": "WARNING"},
    },
}
