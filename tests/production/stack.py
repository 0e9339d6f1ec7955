"""The portal as production runs it, as processes on this machine: a migrated database cloned from
a template, a private Redis (broker and cache), an SMTP sink, gunicorn, Celery workers and beats.

    stack = Stack(tmp, venv, postgres=cluster, template="portal_template", static_root=root)
    with stack:                       # starts redis + sink, creates the database
        web = stack.web(); stack.worker(); stack.beat()
        ...
"""

import os
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Self

from tests.servers import Celery, Gunicorn, PostgresCluster, RedisServer, ServerProcess, SmtpSink, manage

from .envs import production_env

# Customers, staff and demo data use this password in the drills.
DRILL_PASSWORD = "drill-password-2026"
# By hand, to see a drill fail without a fix: KEY=VALUE pairs (space-separated) every process of
# the stack gets last, over the drill's own values, e.g. "DATABASE_BEHIND_PGBOUNCER=false" or
# "PYTHONPATH=tests/production/without_fixes DRILL_WITHOUT_FIXES=dispatch" (README, Operations).
OVERRIDES_ENV = "DRILL_ENV_OVERRIDES"


def drill_overrides() -> dict[str, str]:
    pairs = os.environ.get(OVERRIDES_ENV, "").split()
    malformed = [pair for pair in pairs if "=" not in pair]
    if malformed:
        raise ValueError(f"{OVERRIDES_ENV} takes KEY=VALUE pairs, not {malformed}")
    return dict(pair.split("=", 1) for pair in pairs)


def clone_database(cluster: PostgresCluster, template: str, name: str) -> str:
    cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return cluster.url(name)


def prepare_template(cluster: PostgresCluster, venv: Path, name: str = "portal_template") -> str:
    """Migrate once and load the office directory and schedules into a template database."""
    url = cluster.createdb(name)
    env = production_env(DATABASE_URL=url, CELERY_BROKER_URL="memory://")
    manage(venv, env, "migrate", "--noinput", timeout=600)
    manage(venv, env, "load_directory")
    manage(venv, env, "load_schedules")
    # No connection may stay open on a template database.
    cluster.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
    return name


class Stack:
    def __init__(self, directory: Path, venv: Path, *, postgres: PostgresCluster, template: str, static_root: Path,
                 database: str = "portal", requeue_seconds: int = 5, **env: str) -> None:
        self.directory = Path(directory)
        self.venv = Path(venv)
        self.postgres = postgres
        self.template = template
        self.database = database
        self.static_root = static_root
        self.requeue_seconds = requeue_seconds
        self.extra_env = env
        self.redis = RedisServer(self.directory / "redis")
        self.sink = SmtpSink()
        self.processes: list[ServerProcess] = []
        self._exit = ExitStack()
        self.database_url = ""

    def env(self, **overrides: str) -> dict[str, str]:
        return production_env(**{
            "DATABASE_URL": self.database_url, "CELERY_BROKER_URL": self.redis.url(0), "CACHE_URL": self.redis.url(1),
            "EMAIL_URL": self.sink.url, "PORTAL_BASE_URL": "https://portal.example.gov",
            "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_STATIC_ROOT": str(self.static_root),
            "PORTAL_NOTIFICATIONS_REQUEUE_SECONDS": str(self.requeue_seconds), "PORTAL_VAR_DIR": str(self.directory),
            **self.extra_env, **overrides, **drill_overrides(),
        })

    def __enter__(self) -> Self:
        self._exit.enter_context(self.sink)
        self._exit.enter_context(self.redis)
        self.database_url = clone_database(self.postgres, self.template, self.database)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            process.stop()
        self._exit.close()

    def _start(self, process: ServerProcess) -> ServerProcess:
        self.processes.append(process)
        return process.start()

    def web(self, name: str = "web", workers: int = 2, threads: int = 1, **env: str) -> Gunicorn:
        server = Gunicorn(self.directory, self.venv, self.env(**env), workers=workers, threads=threads, name=name)
        self._start(server)
        return server

    def worker(self, name: str = "worker", **env: str) -> Celery:
        worker = Celery(self.directory, self.venv, self.env(**env), kind="worker", name=name)
        self._start(worker)
        return worker

    def beat(self, name: str = "beat", **env: str) -> Celery:
        beat = Celery(self.directory, self.venv, self.env(**env), kind="beat", name=name)
        self._start(beat)
        return beat

    def manage(self, *args: str, **env: str) -> str:
        return manage(self.venv, self.env(**env), *args)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log_tail(60)}" for p in self.processes)


def elapsed(since: float) -> str:
    return f"{time.monotonic() - since:.1f} s"
