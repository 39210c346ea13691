"""Settings for the after-sales service, read from the environment (see README "Configuration")."""

import hashlib
import os
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


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
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README).")
    # Development only: DEBUG on, or the Makefile's local run/test targets.
    SECRET_KEY = "django-insecure-development-key-never-use-in-production-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "afterservice_site.api.csrf_failure"

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
    "axes",
    "products",
    "suppliers",
    "orders",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by the gunicorn workers; the throttle counters use it with REDIS_URL) ------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "afterservice_cache",
        }
    }
# Throttle counters: Redis when REDIS_URL is set (shared by every host), else this process's memory.
CACHES["throttle"] = (
    {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
)

# Throttle counters (afterservice_site/throttling.py): with REDIS_URL in that cache (every host);
# without, in counter files in THROTTLE_DIR, shared by the gunicorn workers of this host — never
# the database cache, which made every GET a write transaction (README "Performance").
THROTTLE_DIR = (
    ""
    if REDIS_URL
    else os.environ.get("THROTTLE_DIR")
    or os.path.join(
        "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir(),  # noqa: S108 - a private 0700 folder
        f"afterservice-throttle-{os.getuid()}-{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]}",
    )
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

# --- Security (production behind a TLS-terminating proxy; see README "Deployment") -------------
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
    "DEFAULT_RENDERER_CLASSES": ["afterservice_site.api.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["afterservice_site.api.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "afterservice_site.api.PagePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "afterservice_site.api.exception_handler",
    "DEFAULT_METADATA_CLASS": "afterservice_site.api.PlainMetadata",
    "DEFAULT_THROTTLE_CLASSES": [
        "afterservice_site.throttling.AnonRateThrottle",
        "afterservice_site.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("THROTTLE_USER", "6000/minute"),
    },
    "PAGE_SIZE": 20,
    "DATETIME_FORMAT": "%Y-%m-%d %H:%M:%S",
    "DATETIME_INPUT_FORMATS": ["%Y-%m-%d %H:%M:%S", "iso-8601"],
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d", "iso-8601"],
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Trusted reverse proxies in front of the service: the client address is the one they saw, not
    # a forgeable X-Forwarded-For (throttles, token failures and admin lockouts all key on it).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "After-sales claim service (售后单) API",
    "DESCRIPTION": "Supplier quality claims and their approval workflow. Every response is an "
    'envelope `{"status": 0, "message": "ok", "data": ...}`; see the README.',
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
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "afterservice_site.api.envelope_schema_hook",
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
