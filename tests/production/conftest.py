"""Session fixtures for the production tests: the production venv, a private Postgres with a
migrated template database, and collected static files (each made once per session)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import PostgresCluster, manage

from .envs import production_env
from .stack import prepare_template
from .venv import production_venv


@pytest.fixture(scope="session")
def production_python() -> Path:
    """A venv made from requirements.txt alone (cached under var/venvs by the file's hash)."""
    return production_venv()


@pytest.fixture(scope="session")
def drill_postgres(production_python: Path) -> Iterator[PostgresCluster]:
    with PostgresCluster(max_connections=300) as cluster:
        cluster.template = prepare_template(cluster, production_python)  # type: ignore[attr-defined]
        yield cluster


@pytest.fixture
def postgres_for_drill(drill_postgres: PostgresCluster) -> Iterator[PostgresCluster]:
    """The session's cluster, running (a test that stopped it has started it again)."""
    if not drill_postgres.running:
        drill_postgres.start()
    yield drill_postgres
    if not drill_postgres.running:
        drill_postgres.start()


@pytest.fixture(scope="session")
def static_root(production_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("static")
    manage(production_python, production_env(DJANGO_STATIC_ROOT=str(root), DATABASE_URL="sqlite:///:memory:",
                                             CELERY_BROKER_URL="memory://"), "collectstatic", "--noinput")
    return root


FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Lines a drill reports; printed in pytest's summary ("production figures"), pass or fail."""
    lines: list[str] = []
    request.config.stash.setdefault(FIGURES, []).append(f"{request.node.nodeid}")
    yield lines
    request.config.stash[FIGURES].extend(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.section("production figures")
        for line in lines:
            terminalreporter.write_line(line)
