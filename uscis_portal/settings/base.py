"""Settings shared by every environment; each environment module imports this and adjusts."""

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, which it extends
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "django_countries",
    "csp",
    "django_prometheus",
    # ours
    "core",
    "offices",
    "appointments",
    "service_requests",
    "inquiries",
    "contact_center",
]

MIDDLEWARE = [
    # First and last: django-prometheus times every request (django_http_request_latency_seconds…).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp) and the headers Django has no setting for (core.middleware).
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # One read of the shared jurisdiction version for all of a request's lookups (offices.jurisdiction).
    "offices.middleware.JurisdictionVersionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A request id and the user id on every log line, and one line per request (core.observability).
    "core.observability.RequestLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.NullCharacterMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused by the limits into the lock-out answer.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# --- Security headers (OWASP secure headers) ----------------------------------------------------
# Every asset is served by us (USWDS from node_modules, Swagger UI from drf-spectacular-sidecar), so
# the policy allows our own origin and nothing else: no inline script or style, no eval, no framing.
# A page that needs an inline <script> or <style> gives it nonce="{{ request.csp_nonce }}".
# USWDS's stylesheet draws some icons as data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page uses these browser features; refuse them to the page and anything it might embed.
PORTAL_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

ROOT_URLCONF = "uscis_portal.urls"
WSGI_APPLICATION = "uscis_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Overrides of third-party templates (an inline script given the CSP nonce).
        "DIRS": [BASE_DIR / "uscis_portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL selects the database; without it the app uses a SQLite file under var/.
# SQLite is tuned for several processes (web, worker, beat) sharing one file: WAL journal,
# a busy timeout, and IMMEDIATE transactions so writers queue instead of failing mid-way.
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"


def database_from_url(url: str) -> dict[str, Any]:
    config: dict[str, Any] = {**env.db_url_config(url.strip()), "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60)}
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL must be a database address like postgres://user@host:5432/name, got {url!r}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif env_bool("DATABASE_BEHIND_PGBOUNCER", False):
        # PgBouncer in transaction mode hands each transaction to any server connection: nothing may
        # outlive a transaction on the server. No prepared statements (psycopg 3 prepares none with
        # prepare_threshold None), no server-side cursors (a named cursor spans transactions).
        config["CONN_HEALTH_CHECKS"] = True
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config["OPTIONS"] = {"prepare_threshold": None}
    else:
        config["CONN_HEALTH_CHECKS"] = True
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Bind parameters on the server and let psycopg prepare statements a connection repeats,
            # so Postgres stops re-planning the same queue and lookup queries on every request.
            # Behind PgBouncer in transaction mode set DATABASE_BEHIND_PGBOUNCER=true instead.
            config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
    return config


DATABASES = {"default": database_from_url(env_str("DATABASE_URL").strip() or DEFAULT_SQLITE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# django-axes' backend comes first: it refuses a sign-in past the limits before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "core.auth_backends.UsernameOrEmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("PORTAL_PASSWORD_RESET_SECONDS", 3 * 3600)
# How long the link in a sign-up's confirmation e-mail works (core.signup): 3 days.
PORTAL_SIGNUP_CONFIRM_SECONDS = env_int("PORTAL_SIGNUP_CONFIRM_SECONDS", 3 * 86400)
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:start"  # customers: their dashboard; staff: their role's start page
LOGOUT_REDIRECT_URL = "core:home"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# Translated data fields (label_en, label_es, ...): English is the default and the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["uscis_portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/New_York"

# --- Static files ----------------------------------------------------------------------------
# USWDS comes from the npm package @uswds/uswds (installed by `make`); it is never copied into
# the repository. When node_modules is absent the pages still render with core/static/core/site.css.
STATIC_URL = "/static/"
# collectstatic writes here (the image builds it in; the production smoke in a temporary folder).
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
USWDS_DIST = Path(env_str("USWDS_DIST", str(BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist")))
USWDS_AVAILABLE = (USWDS_DIST / "css" / "uswds.min.css").exists()
STATICFILES_DIRS = [("uswds", USWDS_DIST)] if USWDS_AVAILABLE else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Every filter menu (directory, queues, inquiry lists) starts with this blank choice.
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

# How many proxies of ours stand in front of the app (nginx: 1; a load balancer and nginx: 2).
# core.net.client_ip and DRF's throttles take the client address from that many; 0 believes no
# forwarding header at all.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
if PORTAL_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("PORTAL_TRUSTED_PROXY_COUNT must be 0 or more")

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's tokens, read with their user and profile in one query (core.api.authentication).
        "core.api.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.SignedInWithSecondFactorForStaff"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PortalPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PortalAutoSchema",
    # JSON with a depth limit and text that can be stored; forms as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.PortalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.api.exceptions.portal_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env_str("PORTAL_AUTH_THROTTLE", "30/minute")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF reads REMOTE_ADDR when this is 0, else the N-th X-Forwarded-For entry from the right.
    "NUM_PROXIES": PORTAL_TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "USCIS public services portal API",
    "DESCRIPTION": (
        "Office directory and jurisdiction, contact channels, appointments, service requests and "
        "inquiries. Token auth (`Authorization: Token …`) for API clients, session auth for the browser. "
        "Errors: 400 with field errors, 401/403 for auth, 404 for what does not exist or is not yours, "
        "409 for a conflict with current state."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI is served from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AppointmentStatusEnum": "appointments.models.AppointmentStatus",
        "ServiceRequestStatusEnum": "service_requests.models.Status",
        "EscalationStageEnum": "service_requests.windows.Stage",
        "LadderStepStateEnum": "service_requests.windows.StepState",
        "ServiceRequestChannelEnum": "service_requests.models.Channel",
        "InquiryChannelEnum": "inquiries.models.InquiryChannel",
        "EscalationStepEnum": "service_requests.windows.StepKey",
        "DayKindEnum": "service_requests.windows.DayKind",
        "ConfidenceEnum": "offices.models.Confidence",
    },
}

# --- Sign-in, second factor, sessions and tokens (core.signin, core.middleware, core.api) -------------
# Failed sign-ins: at most this many evaluated per account and per client address in a window; the
# window (and so the lock-out) lasts PORTAL_SIGNIN_LOCKOUT_SECONDS, doubling each time it recurs.
PORTAL_SIGNIN_ACCOUNT_LIMIT = env_int("PORTAL_SIGNIN_ACCOUNT_LIMIT", 5)
PORTAL_SIGNIN_ADDRESS_LIMIT = env_int("PORTAL_SIGNIN_ADDRESS_LIMIT", 30)
PORTAL_SIGNIN_LOCKOUT = timedelta(seconds=env_int("PORTAL_SIGNIN_LOCKOUT_SECONDS", 900))
# Sign-ups and password-reset requests per client address per hour (web and API share each).
PORTAL_SIGNUP_LIMIT = env_int("PORTAL_SIGNUP_LIMIT", 10)
PORTAL_PASSWORD_RESET_LIMIT = env_int("PORTAL_PASSWORD_RESET_LIMIT", 10)
# Sign-ups and password-reset requests for one e-mail address per hour (whatever the client address).
PORTAL_SIGNUP_ACCOUNT_LIMIT = env_int("PORTAL_SIGNUP_ACCOUNT_LIMIT", 3)
PORTAL_PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PORTAL_PASSWORD_RESET_ACCOUNT_LIMIT", 3)
AXES_HANDLER = "core.signin.AtomicLimitHandler"
AXES_LOCKOUT_CALLABLE = "core.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_COOLOFF_TIME = PORTAL_SIGNIN_LOCKOUT
AXES_CACHE = "default"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ENABLE_ADMIN = False  # attempts live on the cache, not in axes' tables
AXES_VERBOSE = False
# Staff sessions: 15 idle minutes, 12 hours in all. Customers keep Django's default.
PORTAL_STAFF_IDLE = timedelta(minutes=env_int("PORTAL_STAFF_IDLE_MINUTES", 15))
PORTAL_STAFF_SESSION_MAX = timedelta(hours=env_int("PORTAL_STAFF_SESSION_HOURS", 12))
# API tokens (django-rest-knox; stored hashed): customers 30 days, staff 8 hours; a few per person.
PORTAL_API_TOKEN_TTL_CUSTOMER = timedelta(days=env_int("PORTAL_API_TOKEN_DAYS_CUSTOMER", 30))
PORTAL_API_TOKEN_TTL_STAFF = timedelta(hours=env_int("PORTAL_API_TOKEN_HOURS_STAFF", 8))
PORTAL_API_TOKENS_PER_USER = env_int("PORTAL_API_TOKENS_PER_USER", 10)
REST_KNOX = {"TOKEN_TTL": PORTAL_API_TOKEN_TTL_CUSTOMER, "AUTO_REFRESH": False, "AUTH_HEADER_PREFIX": "Token"}
OTP_TOTP_ISSUER = env_str("PORTAL_OTP_ISSUER", "USCIS Portal")
# Admins can remove a lost authenticator, never read its secret or QR code (nor recovery codes).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Cache --------------------------------------------------------------------------------------
# CACHE_URL (django-environ: redis://host:6379/1, locmemcache://, …); development defaults to
# per-process memory. "fallback" is a table in the database (core.CacheEntry): when the shared
# cache is down, throttles count there instead (core.cache.cache_call), so limits still hold.
REDIS_URL = env_str("REDIS_URL", "")
# A cache that is down answers within a second instead of holding the request.
CACHE_SOCKET_TIMEOUT = 1.0
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


def cache_from_url(url: str, *, production: bool = False) -> dict[str, Any]:
    config: dict[str, Any] = {**env.cache_url_config(url)}
    if production and config["BACKEND"] in PER_PROCESS_CACHES:
        raise ImproperlyConfigured(
            f"CACHE_URL must name a shared cache in production (Redis); {config['BACKEND']} is per process or per host."
        )
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["OPTIONS"] = {"socket_connect_timeout": CACHE_SOCKET_TIMEOUT, "socket_timeout": CACHE_SOCKET_TIMEOUT,
                             **config.get("OPTIONS", {})}
    return config


FALLBACK_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache_fallback"}
CACHES = {"default": cache_from_url(env_str("CACHE_URL").strip() or "locmemcache://"), "fallback": FALLBACK_CACHE}

# --- Celery -------------------------------------------------------------------------------------
# CELERY_BROKER_URL selects the broker. Without it the broker is kombu's filesystem transport
# under var/celery, which needs no server (fine for one machine; use Redis in production).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL").strip() or "filesystem://localhost//"


def broker_transport_options(url: str) -> dict[str, Any]:
    if url.startswith("filesystem://"):
        queue_dir, control_dir = VAR_DIR / "celery" / "queue", VAR_DIR / "celery" / "control"
        for folder in (queue_dir, control_dir):  # kombu needs them to exist
            folder.mkdir(parents=True, exist_ok=True)
        return {"data_folder_in": str(queue_dir), "data_folder_out": str(queue_dir),
                "control_folder": str(control_dir), "store_processed": False}
    if url.startswith(("redis://", "rediss://")):
        return {
            # An unacknowledged message (acks_late) goes back to the queue after this long if its
            # worker vanished; longer than any task runs, so a slow task is never run twice at once.
            "visibility_timeout": 3600,
            # A broker that is down answers "no" quickly, so a request that owes an e-mail is not held.
            "socket_connect_timeout": 2, "socket_timeout": 10, "retry_on_timeout": True,
            # Find a half-open connection (a Redis restart behind a proxy) within 25 s, not hours.
            "health_check_interval": 25,
        }
    return {}




def broker_transport(url: str) -> str | None:
    """Redis brokers use kombu's Redis transport with an ack that survives a dropped connection
    (core.broker); any other URL its own scheme's transport."""
    return "core.broker:Transport" if url.startswith(("redis://", "rediss://")) else None


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_BROKER_TRANSPORT = broker_transport(CELERY_BROKER_URL)
# The broker may go away and come back; nothing should exit or hang because of it.
# Workers and beat keep reconnecting for as long as it takes (never "give up after 100 tries").
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A request publishing after commit waits about two seconds at most for a broker that is down; the
# outbox row stays owed and notifications_requeue sends it when the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# Tasks running when the connection drops finish (their send completes and is recorded); their
# messages come back and find the row sent already. Cancelling them would leave rows half-claimed.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = False
# Beat jobs. DatabaseScheduler copies these into django-celery-beat's tables at start-up, where
# admins can see them and pause them. Each job is idempotent: a second run changes nothing.
CELERY_BEAT_SCHEDULE: dict = {
    # Every 30 seconds, enqueue again e-mails still owed whose task was lost (the broker was down at
    # commit, or restarted) or whose retry is due, so owed mail goes out within a minute of its return.
    "notifications-requeue": {
        "task": "core.tasks.notifications_requeue",
        "schedule": float(env_int("PORTAL_NOTIFICATIONS_REQUEUE_SECONDS", 30)),
    },
    # Every 15 minutes, remind customers whose appointment is about a day away (once each).
    "appointment-reminders": {"task": "appointments.tasks.appointment_reminders_send", "schedule": 900.0},
    # Escalation windows (15 and 21 days): every ESCALATION_SWEEP_SECONDS, move due requests to their
    # next stage and owe each customer one e-mail per window. Idempotent; catches up after downtime.
    "escalation-sweep": {
        "task": "service_requests.tasks.escalation_sweep_task",
        "schedule": float(env_int("ESCALATION_SWEEP_SECONDS", 600)),
    },
    # Hourly, delete pending sign-ups whose links have all expired (core.signup.signups_expired_purge).
    "signups-expired-purge": {"task": "core.tasks.signups_expired_purge", "schedule": 3600.0},
}

# --- E-mail -------------------------------------------------------------------------------------
# EMAIL_URL (django-environ): smtp://user:password@host:25, smtp+tls://…:587, smtp+ssl://…:465.
# Development prints e-mails to the console (consolemail://); production refuses anything that
# does not deliver.
NON_DELIVERING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend", "django.core.mail.backends.filebased.EmailBackend",
}


def email_from_url(url: str, *, production: bool = False) -> dict[str, Any]:
    config = {key: value for key, value in env.email_url_config(url).items() if value is not None}
    if production and config["EMAIL_BACKEND"] in NON_DELIVERING_EMAIL_BACKENDS:
        raise ImproperlyConfigured(f"EMAIL_URL must deliver e-mail in production (SMTP); {url.split(':')[0]}:// does not.")
    return {"EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "", **config}


globals().update(email_from_url(env_str("EMAIL_URL").strip() or "consolemail://"))
# An SMTP server that stops answering fails the send (and the row is retried) instead of hanging a worker.
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "USCIS Portal <no-reply@portal.example.gov>")

# Public site address used in e-mails and calendar files.


def base_url(value: str) -> str:
    parsed = urlsplit(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or parsed.query or parsed.fragment:
        raise ImproperlyConfigured(f"PORTAL_BASE_URL must be an address like https://portal.example.gov, got {value!r}")
    return value.rstrip("/")


PORTAL_BASE_URL = base_url(env_str("PORTAL_BASE_URL").strip() or "http://127.0.0.1:8000")

# Logs: one line per record on standard error, with the request id and the user id (never personal
# data; core.observability). LOG_FORMAT=json gives one JSON object a line (production's default).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")


def logging_config(log_format: str) -> dict[str, Any]:
    if log_format not in {"plain", "json"}:
        raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "core.logcontext.RequestContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"},
            "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                     "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s",
                     "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request"]}},
        "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


LOGGING = logging_config(LOG_FORMAT)
