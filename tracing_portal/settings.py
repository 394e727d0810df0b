"""Settings for the tracing portal, read from the environment (django-environ).

Every variable is listed in the README with its default.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Under pytest the embedded defaults apply without DEBUG or SECRET_KEY being set.
TESTING = "pytest" in sys.modules
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (or set DEBUG=true for local work)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "import_export",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "tracing_portal.core",
    "tracing_portal.geo",
    "tracing_portal.accounts",
    "tracing_portal.audit",
    "tracing_portal.cases",
    "tracing_portal.bluezone",
    "tracing_portal.bluezone.sandbox",
    "tracing_portal.notifications",
    "tracing_portal.stats",
    "tracing_portal.exchange",
    "tracing_portal.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tracing_portal.core.middleware.PortalSessionMiddleware",
    "tracing_portal.core.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tracing_portal.core.middleware.OtpRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tracing_portal.audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the view into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracing_portal.urls"
WSGI_APPLICATION = "tracing_portal.wsgi.application"

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
                "tracing_portal.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # No JIT compilation: the dashboard's larger figures cross PostgreSQL's JIT cost
    # threshold but run in tens of milliseconds, and compiling them took about as long
    # again (the verification-to-trace figure: 70 ms with JIT, 39 ms without).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes checks for a lockout before the password is even compared.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with permissions read in one query.
    "tracing_portal.accounts.backends.PortalModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tracing_portal" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Failed sign-ins lock the account, not the address: a whole office shares one IP.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tracing_portal.accounts.views.login_locked_out"
AXES_VERBOSE = False
# axes.W006 asks for the IP in the lockout key. Counting per user already ignores the
# address, user agent and cookies, so rotating them does not reset the count; adding the IP
# would let one person lock a whole office (they share an address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if not SECURE_SSL_REDIRECT:
    # security.W008: the reverse proxy in front of gunicorn terminates TLS and redirects
    # plain HTTP (README, "Running in production"); Django sees HTTPS by X-Forwarded-Proto.
    SILENCED_SYSTEM_CHECKS.append("security.W008")
# models.W040: the verification-queue index includes two columns so PostgreSQL answers the
# dashboard's backlog from the index alone; SQLite builds the same index without them.
SILENCED_SYSTEM_CHECKS.append("models.W040")

# Two-step sign-in (TOTP). These roles cannot reach anything until their code is checked;
# every other user may enrol, and is then asked for a code too.
OTP_REQUIRED_ROLES = ["dic", "province_admin", "national_admin"]
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Cổng truy vết")
# Users are created by administrators; the person sets a password through a link.
INVITATION_TTL_HOURS = env.int("INVITATION_TTL_HOURS", default=72)

# Content-Security-Policy: no inline script anywhere (JSON data blocks are not executed).
# MapLibre (inside plotly.js) starts its worker from a blob: URL and draws to canvases.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        # Only an empty style attribute (the sha256 of ""): plotly.js clears the colour bar's
        # rects with style="", which is blocked (and logged) otherwise. Any other inline
        # style stays refused.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        ],
        "img-src": [CSP_SELF, "data:", "blob:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "worker-src": [CSP_SELF, "blob:"],
        "child-src": [CSP_SELF, "blob:"],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}

# Celery: without a broker, tasks run eagerly in the web process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# --- retention (Decree 13/2023: keep personal data no longer than needed) ---
# Sightings and unaccepted Bluezone contacts go this many days after a trace's ingestion.
RETENTION_SIGHTINGS_DAYS = env.int("RETENTION_SIGHTINGS_DAYS", default=21)
# Closed people (negative, recovered, deceased, released) are anonymised after this many days.
RETENTION_ANONYMISE_DAYS = env.int("RETENTION_ANONYMISE_DAYS", default=180)
CELERY_BEAT_SCHEDULE["retention.purge_sightings"] = {
    "task": "retention.purge_sightings",
    "schedule": 6 * 3600.0,
}
CELERY_BEAT_SCHEDULE["retention.anonymise_closed_cases"] = {
    "task": "retention.anonymise_closed_cases",
    "schedule": 6 * 3600.0,
}

REST_FRAMEWORK = {
    # Bearer first: a request without credentials gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracing_portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tracing_portal.api.permissions.HasRequiredPermissions",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["tracing_portal.api.throttling.ApiTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "tracing_portal.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "tracing_portal.api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tracing portal API",
    "DESCRIPTION": (
        "The portal's people, Bluezone tracing, SMS and figures for the agencies' own "
        "systems. Authenticate with `Authorization: Bearer <token>` (a token an administrator "
        "issues in the admin) or a portal session. Every endpoint enforces the same roles "
        "and province as the portal's pages: another province's record is a 404. Errors "
        'are `{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several models have a "status"; each choice set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "tracing_portal.cases.models.CaseStatus",
        "TraceStateEnum": "tracing_portal.bluezone.models.TraceState",
        "LookupStatusEnum": "tracing_portal.bluezone.models.LookupStatus",
        "SmsStatusEnum": "tracing_portal.notifications.models.SmsStatus",
        "SmsTemplateKindEnum": "tracing_portal.notifications.models.TemplateKind",
        "SmsPageKindEnum": "tracing_portal.notifications.forms.PAGE_KINDS",
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# The province a demo install and the default admin province belong to (GSO code).
HOME_PROVINCE_CODE = env("HOME_PROVINCE_CODE", default="30")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # Eager tasks would log a line each in the web process.
        "celery.app.trace": {"level": "INFO" if CELERY_BROKER_URL else "WARNING"},
    },
}

# Bluezone: unset BLUEZONE_API_URL means the in-site sandbox under /bluezone-sandbox/.
BLUEZONE_API_URL = env("BLUEZONE_API_URL", default="")
BLUEZONE_SANDBOX_ENABLED = not BLUEZONE_API_URL
BLUEZONE_API_KEY = env("BLUEZONE_API_KEY", default="sandbox-key")
BLUEZONE_WEBHOOK_SECRET = env("BLUEZONE_WEBHOOK_SECRET", default="sandbox-webhook-secret")
# The portal's own address, used to build the URL the sandbox (or Bluezone) calls back.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- cases ---

# --- bluezone (client, sandbox, tracing) ---

# The client (tracing_portal/bluezone/client.py): timeouts, retries with back-off and jitter.
BLUEZONE_TIMEOUT_SECONDS = env.float("BLUEZONE_TIMEOUT_SECONDS", default=5.0)
BLUEZONE_MAX_ATTEMPTS = env.int("BLUEZONE_MAX_ATTEMPTS", default=4)
BLUEZONE_BACKOFF_SECONDS = env.float("BLUEZONE_BACKOFF_SECONDS", default=0.5)
# Cap of one back-off wait; a Retry-After longer than this is not waited out in-process.
BLUEZONE_BACKOFF_MAX_SECONDS = env.float("BLUEZONE_BACKOFF_MAX_SECONDS", default=10.0)
# "http" calls the sandbox over the network; "wsgi" calls it in-process (unit tests).
BLUEZONE_SANDBOX_TRANSPORT = env("BLUEZONE_SANDBOX_TRANSPORT", default="http")
# The sandbox (tracing_portal/bluezone/sandbox/): synthetic population and contacts.
BLUEZONE_SANDBOX_SEED = env.int("BLUEZONE_SANDBOX_SEED", default=2020)
BLUEZONE_SANDBOX_MATCHING_SECONDS = env.float("BLUEZONE_SANDBOX_MATCHING_SECONDS", default=3.0)
# e.g. {"latency_ms": 200, "error_rate": 0.1, "rate_limit_rate": 0.05, "retry_after": 1,
#       "timeout_rate": 0.02, "timeout_seconds": 10, "lose_webhook_rate": 0.2, "seed": 1}
BLUEZONE_SANDBOX_FAULTS = env.json("BLUEZONE_SANDBOX_FAULTS", default={})

# Exposure scoring of Bluezone contacts: RSSI buckets (strongest first), the gap that
# splits sightings into windows, and the weighted minutes that make an F1 candidate.
BLUEZONE_EXPOSURE_BUCKETS = env.json(
    "BLUEZONE_EXPOSURE_BUCKETS",
    default=[
        {"label": "near", "min_rssi": -65, "weight": 1.0},
        {"label": "medium", "min_rssi": -75, "weight": 0.5},
        {"label": "far", "min_rssi": -200, "weight": 0.0},
    ],
)
BLUEZONE_WINDOW_GAP_MINUTES = env.float("BLUEZONE_WINDOW_GAP_MINUTES", default=5.0)
BLUEZONE_CANDIDATE_THRESHOLD_MINUTES = env.float(
    "BLUEZONE_CANDIDATE_THRESHOLD_MINUTES", default=15.0
)
# How often beat polls Bluezone for open trace requests (the webhook is only a hint).
BLUEZONE_POLL_SECONDS = env.int("BLUEZONE_POLL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["bluezone-poll-open-traces"] = {
    "task": "bluezone.poll_open_traces",
    "schedule": BLUEZONE_POLL_SECONDS,
}
# A task whose worker died unacknowledged (acks_late) goes back to the queue after this
# many seconds on Redis (the broker's visibility timeout; longer than the longest task).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}

# --- notifications (SMS) ---

# "console" writes each SMS to the log; "http" sends it through the operator's API.
SMS_BACKEND = env("SMS_BACKEND", default="console")
# The operator's API; unset means the in-site SMS sandbox under /sms-sandbox/ (at SITE_URL).
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_SANDBOX_ENABLED = not SMS_HTTP_URL
SMS_HTTP_USERNAME = env("SMS_HTTP_USERNAME", default="sandbox")
SMS_HTTP_PASSWORD = env("SMS_HTTP_PASSWORD", default="sandbox-password")
SMS_HTTP_TIMEOUT_SECONDS = env.float("SMS_HTTP_TIMEOUT_SECONDS", default=10.0)
# The province's short code, the sender of every message.
SMS_SHORT_CODE = env("SMS_SHORT_CODE", default="8058")
# HMAC secret of the operator's delivery receipts (X-Sms-Signature).
SMS_CALLBACK_SECRET = env("SMS_CALLBACK_SECRET", default="sandbox-sms-callback-secret")
SMS_DAILY_CAP_PER_NUMBER = env.int("SMS_DAILY_CAP_PER_NUMBER", default=5)
SMS_DAILY_CAP_PER_OPERATOR = env.int("SMS_DAILY_CAP_PER_OPERATOR", default=1000)
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=5)
SMS_BACKOFF_SECONDS = env.float("SMS_BACKOFF_SECONDS", default=30.0)
SMS_BULK_MAX = env.int("SMS_BULK_MAX", default=1000)
# Sandbox behaviour, e.g. {"error_rate": 0.1, "rate_limit_rate": 0.05, "latency_ms": 300,
#   "reject_prefixes": ["8491"], "undeliverable_prefixes": ["8498"], "receipts": true,
#   "receipt_delay_seconds": 2}
SMS_SANDBOX_FAULTS = env.json("SMS_SANDBOX_FAULTS", default={})
if SMS_BACKEND not in ("console", "http"):
    raise ImproperlyConfigured("SMS_BACKEND is console or http.")
if SMS_HTTP_URL and not (DEBUG or TESTING) and SMS_CALLBACK_SECRET.startswith("sandbox-"):
    raise ImproperlyConfigured("Set SMS_CALLBACK_SECRET to the operator's receipt secret.")
INSTALLED_APPS += ["tracing_portal.notifications.sandbox"]
# A message left queued by a worker that died is sent again (same client_ref: no duplicate).
CELERY_BEAT_SCHEDULE["sms-requeue-stale"] = {
    "task": "tracing_portal.notifications.tasks.sms_requeue_stale",
    "schedule": 300.0,
}

# --- stats ---

from celery.schedules import crontab  # noqa: E402

# The dashboard's people per day: rows of changes folded together (PostgreSQL).
CELERY_BEAT_SCHEDULE["stats.people_days_compact"] = {
    "task": "stats.people_days_compact",
    "schedule": 300.0,
}
# Bluezone install figures of yesterday and today, fetched every morning (Asia/Ho_Chi_Minh).
CELERY_BEAT_SCHEDULE["stats.fetch_install_snapshots"] = {
    "task": "stats.fetch_install_snapshots",
    "schedule": crontab(
        hour=env.int("STATS_FETCH_HOUR", default=6), minute=env.int("STATS_FETCH_MINUTE", default=0)
    ),
}

# --- exchange ---

# Largest spreadsheet an import accepts, in MB (100,000 people are about 6 MB as .xlsx).
EXCHANGE_MAX_UPLOAD_MB = env.float("EXCHANGE_MAX_UPLOAD_MB", default=25.0)
# Uploaded files and error files (personal data) are deleted after this many days.
EXCHANGE_KEEP_FILES_DAYS = env.int("EXCHANGE_KEEP_FILES_DAYS", default=7)
# An xlsx export is written in the web process; beyond this many rows, export CSV.
EXCHANGE_XLSX_MAX_ROWS = env.int("EXCHANGE_XLSX_MAX_ROWS", default=200_000)
CELERY_BEAT_SCHEDULE["exchange.import_files_purge"] = {
    "task": "tracing_portal.exchange.tasks.import_files_purge",
    "schedule": crontab(hour=3, minute=30),
}

# --- api ---

# Swagger UI and ReDoc are served from the drf-spectacular-sidecar package, not a CDN.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
# Django REST framework's messages in Vietnamese (see ApiConfig.package_catalogues). A
# LOCALE_PATHS catalogue wins over the apps' ones, DRF's own included.
LOCALE_PATHS = [*LOCALE_PATHS, BASE_DIR / "tracing_portal" / "api" / "locale" / "rest_framework"]
# Requests one API token (or one browser session) may make, e.g. "600/min", "20000/day".
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")
# Throttle counts live in this cache. Several web processes count together only if it is
# shared: in production point it at Redis, e.g. redis://127.0.0.1:6379/2.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    **globals().get("CACHES", {}),
    "api": env.cache("API_CACHE_URL", default="locmemcache://tracing-portal-api"),
}
# A token's last use is written at most this often (one UPDATE, whatever the request rate).
API_TOKEN_LAST_USED_SECONDS = env.int("API_TOKEN_LAST_USED_SECONDS", default=60)
# A new token expires after this many days unless the administrator says otherwise (0: never).
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=365)

# --- end of app sections ---

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
