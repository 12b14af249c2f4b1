"""SPKT settings. Everything that differs between machines comes from the environment
(config/env.py).

SPKT_ENV selects the profile: ``dev`` (default; embedded SQLite, demo keys), ``test`` (the suite)
and ``prod`` (every secret must be given; ``manage.py check --deploy`` passes).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_str
from config.storage import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SPKT_VAR_DIR", str(BASE_DIR / "var")))

SPKT_ENV = env_choice("SPKT_ENV", ("dev", "test", "prod"), "dev")
PROD = SPKT_ENV == "prod"
TESTING = SPKT_ENV == "test"

# Development keys are public by design; production refuses to start without its own.
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105 (public dev-only key)
_DEV_NIK_KEY = "ZGV2LW9ubHktbmlrLWVuY3J5cHRpb24ta2V5LTAxMjM="  # base64 of 32 bytes, dev only
_DEV_NIK_HASH_KEY = "dev-only-nik-hash-key"

SECRET_KEY = env_str("DJANGO_SECRET_KEY") if PROD else env_str("DJANGO_SECRET_KEY", _DEV_SECRET)
DEBUG = env_bool("DJANGO_DEBUG", False) if PROD else env_bool("DJANGO_DEBUG", not TESTING)
ALLOWED_HOSTS = (
    env_list("DJANGO_ALLOWED_HOSTS")
    if PROD
    else env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Fernet keys (urlsafe base64, 32 bytes); the first encrypts, all decrypt, so keys can be rotated.
NIK_ENCRYPTION_KEYS = (
    env_list("SPKT_NIK_ENCRYPTION_KEYS")
    if PROD
    else env_list("SPKT_NIK_ENCRYPTION_KEYS", [_DEV_NIK_KEY])
)
NIK_HASH_KEY = (
    env_str("SPKT_NIK_HASH_KEY") if PROD else env_str("SPKT_NIK_HASH_KEY", _DEV_NIK_HASH_KEY)
)
# Absolute base of the public links printed in QR codes. Unset in development: links follow the
# host the desk uses (spkt.core.publicurl).
SPKT_PUBLIC_BASE_URL = (
    env_str("SPKT_PUBLIC_BASE_URL") if PROD else env_str("SPKT_PUBLIC_BASE_URL", "")
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",
    "spkt.core",
    "spkt.org",
    "spkt.dutylog",
    "spkt.accounts",
    "spkt.documents",
    "spkt.reports",
    "spkt.reports.ikm",
    "spkt.reports.anev",
    "spkt.portal",
    "spkt.api",
    "spkt.intake",
    "spkt.fieldhelp",
    "spkt.channels",
    "spkt.alerts",
    "spkt.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "spkt.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "spkt.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "spkt.core.publicurl.PublicBaseMiddleware",
    "spkt.core.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "spkt.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so its process_exception sees a view's lost database connection first: 503, not 500.
    "spkt.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "spkt.accounts.context_processors.desk",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'spkt.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") if PROD else env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PROD else 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker write while the desk reads; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SPKT_SQLITE_TEST_NAME", "") or None}
else:
    DATABASES["default"]["TEST"] = {"NAME": env_str("SPKT_PG_TEST_NAME", "test_spkt")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

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
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock out a username from one IP after repeated failures, not the whole station.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# How many proxies of ours (nginx) stand in front of the app; see spkt/core/client_ip.py.
SPKT_TRUSTED_PROXIES = env_int("SPKT_TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "spkt.core.client_ip.client_ip"
AXES_VERBOSE = False

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from the npm registry at set-up (package.json), never copied in.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
# The field-help map's background tiles (activity 3). OpenStreetMap's by default (attribution
# shown); set to a station's own tile server, or to "" for markers on a plain background (the
# board and the list work without tiles). The map page allows images from this origin only.
SPKT_MAP_TILE_URL = env_str("SPKT_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
SPKT_MAP_ATTRIBUTION = env_str("SPKT_MAP_ATTRIBUTION", "© OpenStreetMap contributors")
# Web Push to the desk installed on a phone (ADR 0041). The VAPID private key: a raw P-256 key in
# urlsafe base64; unset, one is made on first use and kept encrypted with the data keys in the
# database. The subject is the contact push services write to about this deployment.
SPKT_VAPID_PRIVATE_KEY = env_str("SPKT_VAPID_PRIVATE_KEY", "")
SPKT_VAPID_SUBJECT = env_str("SPKT_VAPID_SUBJECT", "mailto:admin@localhost")
# Uploaded and rendered files (document PDFs, attachments, letter scans, report photos): a
# directory every app server sees (SPKT_VAR_DIR/media), or S3-compatible object storage through
# django-storages when SPKT_S3_BUCKET is set (ADR 0050). Files are always served by SPKT after its
# permission checks, never by a public bucket URL.
STORAGES = {
    "default": default_storage_config(VAR_DIR),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PROD
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Bodies above this are refused with 400 before any view runs (forms, API and webhooks alike).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("SPKT_MAX_BODY_BYTES", 1_048_576, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# --- Background work ------------------------------------------------------------------------------
_redis_url = env_str("SPKT_REDIS_URL", "")
SPKT_REDIS_URL = _redis_url  # for /health/ (spkt/core/health.py)
if _redis_url:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "spkt", "url": _redis_url, "immediate": False}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "spkt",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
    }
# The cache holds short-lived counters (rate limits); Redis shares them between app servers.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
HUEY["consumer"] = {"workers": env_int("SPKT_HUEY_WORKERS", 2, minimum=1), "worker_type": "thread"}

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing or bad token a 401 (with Session
    # first DRF answers 403, which tells a client nothing about what to send).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON nested too deep or with lone surrogates is a 400, not a 500 (spkt.core.safejson).
    "DEFAULT_PARSER_CLASSES": [
        "spkt.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "spkt.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    # Several models have a "status"; each choice set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "DailyReportStatusEnum": "spkt.reports.models.ReportStatus",
        "ContactStatusEnum": "spkt.intake.models.Status",
    },
    "TITLE": "SPKT API",
    "DESCRIPTION": "Sentra Pelayanan Kepolisian Terpadu — desk, documents and reports.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs describe the station's data: staff only (anonymous: 401).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "spkt.api.schema.error_responses",  # the 4xx answers and their JSON
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
# Staff sign-in with a second factor (ADR 0037): on in production; in dev and demo set
# SPKT_SECOND_FACTOR=1 to try it. An on-duty officer's session ends with the shift plus this grace.
SPKT_SECOND_FACTOR = env_bool("SPKT_SECOND_FACTOR", PROD)
SPKT_SESSION_GRACE_MINUTES = env_int("SPKT_SESSION_GRACE_MINUTES", 60, minimum=0)
# The demo's local sinks (`make run`, spkt/channels/sinks.py): an SMTP catcher and a provider stub
# that the demo channel accounts deliver to; what they receive is kept under VAR_DIR/demo-sinks.
SPKT_DEMO_SMTP_PORT = env_int("SPKT_DEMO_SMTP_PORT", 8025, minimum=1)
SPKT_DEMO_PROVIDER_PORT = env_int("SPKT_DEMO_PROVIDER_PORT", 8026, minimum=1)
OTP_TOTP_ISSUER = "SPKT"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every response carries this policy (spkt.core.middleware, ADR 0033): nothing inline, nothing
# from elsewhere. Same shape as Django 6.0's SECURE_CSP, so the move is a change of middleware.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if PROD:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SPKT_LOG_LEVEL", "INFO")},
    # huey's consumer installs its own handler; without this every line is printed twice.
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"propagate": False}},
}
CSRF_FAILURE_VIEW = "spkt.portal.errors.csrf_failure"
