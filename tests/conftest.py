import os

import pytest
from django.db import connection


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs Postgres: set DATABASE_URL=postgres://… (.ci/run does) for real concurrency")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _load_reference_data() -> None:
    """The office directory, plus appointment reasons, the default policy and weekly schedules."""
    from appointments.services import schedules_load
    from offices.services import directory_load

    directory_load()
    schedules_load()
    # Rows that data migrations write (the expedite criteria) are gone after a transactional test's flush too.
    import importlib

    from django.apps import apps

    importlib.import_module("inquiries.migrations.0002_expedite_criteria").load(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real directory once into the test database; each test's rollback keeps it."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture
def directory(db):
    """The real office directory: offices/data/reference/ merged with offices/data/directory.yaml.

    Loaded once per session; transactional tests flush it away, so load it again when missing.
    """
    from offices.models import Office

    if not Office.objects.filter(code="NCSC").exists():
        _load_reference_data()
        _as_if_committed()


def _as_if_committed() -> None:
    """The reload runs inside this test's transaction, so the jurisdiction index would treat the whole test
    as an uncommitted edit (nothing kept in memory). The reference data is the test's starting point, as if
    committed before it: bump the version now instead of at a commit that never comes."""
    from django.db import connection

    from offices import jurisdiction

    connection.run_on_commit = [c for c in connection.run_on_commit if c[1] is not jurisdiction._bump_version]
    jurisdiction._bump_version()


@pytest.fixture(autouse=True)
def _fresh_jurisdiction_index():
    """Each test's rollback may undo rules the in-process jurisdiction index saw: drop it after each test."""
    yield
    from offices import jurisdiction

    jurisdiction.forget()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _english_by_default():
    """A Spanish request leaves Spanish active in the thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def demo_accounts(directory, settings):
    """The accounts `manage.py seed_demo` makes (with DEBUG on, as in development)."""
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")


# --- Private servers (tests/servers.py): real services on free ports, stopped after the test ----------

@pytest.fixture
def smtp_sink():
    """A real SMTP server collecting every message with its Message-ID (`sink.url` for EMAIL_URL)."""
    from tests.servers import SmtpSink

    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own; `stop()` and `start()` it to drill an outage."""
    from tests.servers import RedisServer

    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def private_postgres():
    """A Postgres cluster of this test's own (initdb into a temporary folder) on a free port."""
    from tests.servers import PostgresCluster

    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(autouse=True)
def _fresh_sign_in_counters():
    """Sign-in and sign-up counters live on the cache (locmem in tests): each test starts clean."""
    from django.core.cache import caches

    caches["default"].clear()
    yield


@pytest.fixture
def admin_client(db, client):
    """pytest-django's admin_client, signed in the way admins must be: with the second factor."""
    from tests.auth import sign_in
    from tests.factories import UserFactory

    return sign_in(client, UserFactory(username="admin-client", role="admin", is_staff=True, is_superuser=True))
