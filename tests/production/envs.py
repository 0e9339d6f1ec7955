"""Environments for running the portal in a child process, as production or development would."""

import os

# Variables the portal reads; a child process starts without the parent's values of these.
PORTAL_PREFIXES = ("DJANGO_", "DATABASE_", "CELERY_", "CACHE_", "EMAIL_", "PORTAL_", "SENTRY_", "REDIS_")


def clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(PORTAL_PREFIXES)}


def production_env(**overrides: str) -> dict[str, str]:
    """Production settings with every required variable set (to harmless values unless overridden)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "uscis_portal.settings.production",
        "DJANGO_SECRET_KEY": "production-test-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov,127.0.0.1,localhost",
        "DATABASE_URL": "postgres://u@127.0.0.1:1/portal",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        "CACHE_URL": "redis://127.0.0.1:1/1",
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "PORTAL_BASE_URL": "https://portal.example.gov",
    }
    return {**clean_environ(), **env, **overrides}
