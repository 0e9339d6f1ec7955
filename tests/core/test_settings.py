"""Production settings refuse to start without their secrets; development needs nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run(env: dict[str, str], probe: str = PROBE) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_requires_its_variables(missing):
    env = {
        "DJANGO_SETTINGS_MODULE": "uscis_portal.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://u@db/portal",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov",
    }
    env.pop(missing)
    result = run(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_is_never_debug():
    result = run({
        "DJANGO_SETTINGS_MODULE": "uscis_portal.settings.production", "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://u@db/portal", "CELERY_BROKER_URL": "redis://redis:6379/0",
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov", "DJANGO_DEBUG": "true",
    })
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
