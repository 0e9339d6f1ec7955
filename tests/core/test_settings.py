"""Production settings refuse to start without their secrets and services; development needs nothing."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.production.envs import clean_environ, production_env

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
REQUIRED = ["DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOWED_HOSTS", "EMAIL_URL", "CACHE_URL",
            "PORTAL_BASE_URL"]


def run(env: dict[str, str], probe: str = PROBE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**clean_environ(), **env}, capture_output=True,
                          text=True, timeout=60)


def run_production(probe: str = PROBE, **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=production_env(**overrides), capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("missing", REQUIRED)
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_requires_its_variables(missing, how):
    env = production_env()
    if how == "unset":
        env.pop(missing)
    else:
        env[missing] = " "
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("EMAIL_URL", "consolemail://", "EMAIL_URL must deliver e-mail"),
    ("EMAIL_URL", "memorymail://", "EMAIL_URL must deliver e-mail"),
    ("CACHE_URL", "locmemcache://", "CACHE_URL must name a shared cache"),
    ("CACHE_URL", "dummycache://", "CACHE_URL must name a shared cache"),
    ("PORTAL_BASE_URL", "portal.example.gov", "PORTAL_BASE_URL must be an address"),
    ("PORTAL_BASE_URL", "ftp://portal.example.gov", "PORTAL_BASE_URL must be an address"),
])
def test_production_refuses_development_services(variable, value, message):
    result = run_production(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_reads_its_services_from_urls():
    probe = ("import django; django.setup(); from django.conf import settings as s; "
             "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER, "
             "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.PORTAL_BASE_URL, s.ALLOWED_HOSTS, "
             "s.DATABASES['default']['HOST'], s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])")
    result = run_production(probe, EMAIL_URL="smtp+tls://mailer:secret@mail.example.gov:587",
                            CACHE_URL="redis://cache.internal:6379/1", PORTAL_BASE_URL="https://portal.example.gov/",
                            DJANGO_ALLOWED_HOSTS="portal.example.gov, www.portal.example.gov",
                            DATABASE_URL="postgres://portal@db.internal:5432/portal",
                            CELERY_BROKER_URL="redis://broker.internal:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend", "mail.example.gov", "587", "True", "mailer",
        "django.core.cache.backends.redis.RedisCache", "redis://cache.internal:6379/1", "https://portal.example.gov",
        "['portal.example.gov',", "'www.portal.example.gov']", "db.internal", "3600",
    ]


def test_production_is_never_debug():
    result = run_production(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_development_defaults_need_no_environment():
    result = run({"DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(("env", "conn_max_age"), [({}, "0"), ({"DATABASE_CONN_MAX_AGE": "60"}, "60")])
def test_development_closes_connections_after_each_request_unless_told(env, conn_max_age):
    """runserver answers each request in a new thread: persistent connections would pile up in Postgres."""
    probe = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    result = run({"DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local",
                  "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x", **env}, probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == conn_max_age


def test_development_prints_e_mail_and_caches_in_memory():
    probe = ("import django; django.setup(); from django.conf import settings as s; "
             "print(s.EMAIL_BACKEND, s.CACHES['default']['BACKEND'], s.PORTAL_BASE_URL)")
    result = run({"DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local"}, probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.console.EmailBackend",
                                     "django.core.cache.backends.locmem.LocMemCache", "http://127.0.0.1:8000"]
