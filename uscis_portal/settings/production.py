"""Production settings: every secret and service address must come from the environment.

Fails closed (cookiecutter-django's production settings): each required variable missing, empty or
naming a development-only service (console e-mail, a per-process cache) stops start-up with a
message naming it, instead of quietly running on development values.
"""

from .base import *  # noqa: F403
from .base import base_url as base_url_from
from .base import (
    broker_transport,
    broker_transport_options,
    cache_from_url,
    database_from_url,
    email_from_url,
    logging_config,
)
from .env import env_bool, env_int, env_required, env_required_list, env_str

DEBUG = False
SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_required_list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": database_from_url(env_required("DATABASE_URL"))}
CELERY_BROKER_URL = env_required("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_BROKER_TRANSPORT = broker_transport(CELERY_BROKER_URL)
CACHES = {"default": cache_from_url(env_required("CACHE_URL"), production=True), "fallback": FALLBACK_CACHE}  # noqa: F405
globals().update(email_from_url(env_required("EMAIL_URL"), production=True))
PORTAL_BASE_URL = base_url_from(env_required("PORTAL_BASE_URL"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Probes come over plain HTTP from inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = logging_config(env_str("LOG_FORMAT", "json"))

# Errors to Sentry when SENTRY_DSN is set (web, workers and beat all read these settings).
SENTRY_DSN = env_str("SENTRY_DSN").strip()
if SENTRY_DSN:
    from core.sentry import sentry_init

    sentry_init(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"),
                traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0))
