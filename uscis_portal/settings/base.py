"""Settings shared by every environment; each environment module imports this and adjusts."""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "django_countries",
    # ours
    "core",
    "offices",
    "appointments",
    "service_requests",
    "inquiries",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.NullCharacterMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "uscis_portal.urls"
WSGI_APPLICATION = "uscis_portal.wsgi.application"

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
    config: dict[str, Any] = {**dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Bind parameters on the server and let psycopg prepare statements a connection repeats,
            # so Postgres stops re-planning the same queue and lookup queries on every request.
            # Turn off behind PgBouncer in transaction mode.
            config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
    return config


DATABASES = {"default": database_from_url(env_str("DATABASE_URL", DEFAULT_SQLITE_URL))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["core.auth_backends.UsernameOrEmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["uscis_portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/New_York"

# --- Static files ----------------------------------------------------------------------------
# USWDS comes from the npm package @uswds/uswds (installed by `make`); it is never copied into
# the repository. When node_modules is absent the pages still render with core/static/core/site.css.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
USWDS_DIST = Path(env_str("USWDS_DIST", str(BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist")))
USWDS_AVAILABLE = (USWDS_DIST / "css" / "uswds.min.css").exists()
STATICFILES_DIRS = [("uswds", USWDS_DIST)] if USWDS_AVAILABLE else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# How many proxies of ours stand in front of the app (nginx: 1; a load balancer and nginx: 2).
# core.net.client_ip and DRF's throttles take the client address from that many; 0 believes no
# forwarding header at all.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
if PORTAL_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("PORTAL_TRUSTED_PROXY_COUNT must be 0 or more")

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PortalPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
        "ServiceRequestChannelEnum": "service_requests.models.Channel",
        "InquiryChannelEnum": "inquiries.models.InquiryChannel",
        "EscalationStepEnum": "service_requests.windows.StepKey",
        "DayKindEnum": "service_requests.windows.DayKind",
        "ConfidenceEnum": "offices.models.Confidence",
    },
}

# --- Cache --------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}}

# --- Celery -------------------------------------------------------------------------------------
# CELERY_BROKER_URL selects the broker. Without it the broker is kombu's filesystem transport
# under var/celery, which needs no server (fine for one machine; use Redis in production).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for _folder in (_queue_dir, VAR_DIR / "celery" / "control"):  # kombu needs them to exist
        _folder.mkdir(parents=True, exist_ok=True)
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
    # Every 30 seconds, hand over again e-mails still owed after 30 seconds (the broker was down when
    # they were owed, or their task was lost): they go out within a minute of the broker's return.
    "notifications-requeue": {"task": "core.tasks.notifications_requeue", "schedule": 30.0},
    # Every 15 minutes, remind customers whose appointment is about a day away (once each).
    "appointment-reminders": {"task": "appointments.tasks.appointment_reminders_send", "schedule": 900.0},
    # Escalation windows (15 and 21 days): every ESCALATION_SWEEP_SECONDS, move due requests to their
    # next stage and owe each customer one e-mail per window. Idempotent; catches up after downtime.
    "escalation-sweep": {
        "task": "service_requests.tasks.escalation_sweep_task",
        "schedule": float(env_int("ESCALATION_SWEEP_SECONDS", 600)),
    },
}

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "USCIS Portal <no-reply@portal.example.gov>")

# Public site address used in e-mails and calendar files.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
