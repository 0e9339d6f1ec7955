"""Real servers of our own for tests: an SMTP sink, redis-server, a Postgres cluster, gunicorn and
Celery, each on a free loopback port, each stoppable and restartable mid-test.

    with SmtpSink() as sink, RedisServer(tmp) as redis, PostgresCluster(tmp) as pg:
        pg.createdb("portal")
        redis.stop(); ...; redis.start()        # same port, so clients reconnect
        sink.wait_for(3); sink.count_by_message_id()

Nothing here talks to the shared Postgres (5432) or Redis (6379), and every process is stopped on
exit (context manager, or `stop()`), even when a test fails.
"""

import asyncio
import email
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick); the caller binds it soon after."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def port_open(port: int, host: str = LOOPBACK) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# --- SMTP sink ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SinkMessage:
    message_id: str
    to: tuple[str, ...]
    subject: str
    body: str
    received_at: float


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it is given."""

    host: str = LOOPBACK
    port: int = field(default_factory=free_port)
    messages: list[SinkMessage] = field(default_factory=list)
    # Seconds each message takes to be accepted (a slow provider): a drill sets it to hold a send open.
    delay: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._controller: Any = None

    @property
    def url(self) -> str:
        """For the portal's EMAIL_URL."""
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        message = SinkMessage(
            message_id=str(parsed.get("Message-ID", "")).strip(), to=tuple(envelope.rcpt_tos),
            subject=str(parsed.get("Subject", "")), body=body.get_content() if body is not None else "",
            received_at=time.monotonic(),
        )
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> Self:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def received(self) -> list[SinkMessage]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, *, timeout: float = 30, to: str | None = None) -> list[SinkMessage]:
        """At least `count` messages (to `to`, if given); fails after `timeout` seconds."""
        def enough() -> list[SinkMessage] | None:
            got = [m for m in self.received() if to is None or to in m.to]
            return got if len(got) >= count else None

        return wait_until(enough, timeout=timeout, what=f"{count} e-mail(s){f' to {to}' if to else ''} at the sink")

    def count_by_message_id(self) -> Counter[str]:
        return Counter(m.message_id for m in self.received())

    def duplicates(self) -> dict[str, int]:
        """Message-IDs that arrived more than once (a resend the provider would have dropped)."""
        return {mid: n for mid, n in self.count_by_message_id().items() if n > 1}


# --- Processes ------------------------------------------------------------------------------------

def _as_postgres_user() -> dict[str, Any]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


class ServerProcess:
    """A child process with its output in a log file; `start()` waits until it is ready."""

    name = "server"
    ready_timeout = 30.0

    def __init__(self, directory: Path, *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.directory / f"{self.name}.log"
        self.starts = 0

    def command(self) -> Sequence[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        return True

    def popen_options(self) -> dict[str, Any]:
        return {}

    def start(self) -> Self:
        assert not self.running, f"{self.name} is already running"
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it until it exits
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed commands
            list(self.command()), cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, **self.popen_options(),
        )
        log.close()
        self.starts += 1
        try:
            wait_until(lambda: self._exited_early() or self.ready(), timeout=self.ready_timeout, what=f"{self.name}")
        except TimeoutError:
            self.stop()
            raise TimeoutError(f"{self.name} did not become ready:\n{self.log_tail()}") from None
        if self._exited_early():
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
        return self

    def _exited_early(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Stop the process and its children (its own session), by signal, then by SIGKILL."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RedisServer(ServerProcess):
    """A private redis-server; `stop()` then `start()` keeps its port, so clients can reconnect."""

    name = "redis"

    def __init__(self, directory: Path, port: int | None = None) -> None:
        super().__init__(directory)
        self.port = port or free_port()

    def command(self) -> Sequence[str]:
        return [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", LOOPBACK,
                "--save", "", "--appendonly", "no", "--dir", str(self.directory)]

    def ready(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def url(self, db: int = 0) -> str:
        return f"redis://{LOOPBACK}:{self.port}/{db}"


def _postgres_bin(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))
    if not versions:
        raise FileNotFoundError(f"{tool} not found (install postgresql)")
    return str(versions[-1])


class PostgresCluster(ServerProcess):
    """A private Postgres cluster (initdb into `directory`) on its own port, trust auth on loopback.

    Durability is off (fsync, synchronous_commit): it is a test server. `stop(mode)` uses pg_ctl's
    modes: "fast" (a clean restart) or "immediate" (a crash).
    """

    name = "postgres"

    def __init__(self, directory: Path | None = None, port: int | None = None, *, max_connections: int = 100) -> None:
        # Its own folder under /tmp by default: pytest's tmp_path is private to root, and the server
        # runs as the postgres user.
        self._own_directory = directory is None
        super().__init__(directory or Path(tempfile.mkdtemp(prefix="portal-pg-")))
        self.port = port or free_port()
        self.data = self.directory / "data"
        self.max_connections = max_connections
        self._user = _as_postgres_user()

    def _chown(self) -> None:
        if self._user:
            os.chown(self.directory, self._user["user"], self._user["group"])
            for path in self.directory.iterdir():
                os.chown(path, self._user["user"], self._user["group"])

    def command(self) -> Sequence[str]:
        return [_postgres_bin("postgres"), "-D", str(self.data), "-p", str(self.port), "-c", f"listen_addresses={LOOPBACK}",
                "-c", f"unix_socket_directories={self.directory}", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", f"max_connections={self.max_connections}"]

    def start(self) -> Self:
        if not (self.data / "PG_VERSION").exists():
            self._chown()
            init = subprocess.run([_postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                                   "--no-sync", "-E", "UTF8", "--locale=C"], capture_output=True, text=True, timeout=120,
                                  **self._user)
            if init.returncode:
                raise RuntimeError(f"initdb failed:\n{init.stdout}{init.stderr}")
        self.log_path.touch()
        self._chown()
        return super().start()

    def popen_options(self) -> dict[str, Any]:
        return self._user

    def ready(self) -> bool:
        result = subprocess.run([_postgres_bin("pg_isready"), "-h", LOOPBACK, "-p", str(self.port), "-q"],
                                capture_output=True, timeout=10)
        return result.returncode == 0

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> None:
        """SIGINT is Postgres's "fast" shutdown; SIGQUIT its "immediate" one (a crash, no checkpoint)."""
        super().stop(sig, timeout)

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def crash(self) -> None:
        self.stop(signal.SIGQUIT)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{dbname}"

    def sql(self, statement: str, dbname: str = "postgres") -> str:
        result = subprocess.run([_postgres_bin("psql"), "-h", LOOPBACK, "-p", str(self.port), "-U", "postgres", "-d", dbname,
                                 "-tAc", statement], check=True, capture_output=True, text=True, timeout=60)
        return result.stdout.strip()

    def createdb(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)


class PgBouncer(ServerProcess):
    """Debian's pgbouncer in transaction mode in front of `postgres`, on its own port, with a config
    file in its own folder (it runs as the postgres user: pgbouncer refuses root)."""

    name = "pgbouncer"

    def __init__(self, postgres: "PostgresCluster", port: int | None = None, *, pool_size: int = 20) -> None:
        super().__init__(Path(tempfile.mkdtemp(prefix="portal-pgbouncer-")))
        self.postgres = postgres
        self.port = port or free_port()
        self.pool_size = pool_size
        self._user = _as_postgres_user()
        self.config = self.directory / "pgbouncer.ini"

    def start(self) -> Self:
        (self.directory / "userlist.txt").write_text('"postgres" ""\n')
        self.config.write_text(f"""[databases]
* = host={LOOPBACK} port={self.postgres.port}
[pgbouncer]
listen_addr = {LOOPBACK}
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.directory / "userlist.txt"}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = {self.pool_size}
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
admin_users = postgres
stats_users = postgres
""")
        self.log_path.touch()
        if self._user:
            for path in (self.directory, *self.directory.iterdir()):
                os.chown(path, self._user["user"], self._user["group"])
        return super().start()

    def command(self) -> Sequence[str]:
        return [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(self.config)]

    def popen_options(self) -> dict[str, Any]:
        return self._user

    def ready(self) -> bool:
        return port_open(self.port)

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{dbname}"

    def show(self, what: str) -> str:
        """SHOW <what> on pgbouncer's admin console (POOLS, STATS, CONFIG …)."""
        result = subprocess.run([_postgres_bin("psql"), "-h", LOOPBACK, "-p", str(self.port), "-U", "postgres", "-d",
                                 "pgbouncer", "-tAc", f"SHOW {what}"], check=True, capture_output=True, text=True,
                                timeout=30)
        return result.stdout.strip()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class Nginx(ServerProcess):
    """Debian's nginx as our one proxy in front of `upstreams` (host:port), round robin, on its own
    port with its own config, pid and temp files in `directory` (never the system service)."""

    name = "nginx"

    def __init__(self, directory: Path, upstreams: Sequence[str], port: int | None = None) -> None:
        super().__init__(Path(directory))
        self.upstreams = list(upstreams)
        self.port = port or free_port()
        self.config = self.directory / "nginx.conf"

    def start(self) -> Self:
        servers = "\n".join(f"    server {upstream} max_fails=0;" for upstream in self.upstreams)
        user = "user root;" if os.geteuid() == 0 else ""
        self.config.write_text(f"""{user}
worker_processes 2;
pid {self.directory / "nginx.pid"};
error_log {self.directory / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {self.directory / "client_body"};
  proxy_temp_path {self.directory / "proxy"};
  fastcgi_temp_path {self.directory / "fastcgi"};
  uwsgi_temp_path {self.directory / "uwsgi"};
  scgi_temp_path {self.directory / "scgi"};
  upstream portal {{
{servers}
    keepalive 32;
  }}
  server {{
    listen {LOOPBACK}:{self.port};
    location / {{
      proxy_pass http://portal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host portal.example.gov;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Request-ID $request_id;
      proxy_read_timeout 60s;
    }}
  }}
}}
""")
        return super().start()

    def command(self) -> Sequence[str]:
        return [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(self.config), "-p", str(self.directory),
                "-g", "daemon off;"]

    def ready(self) -> bool:
        return port_open(self.port)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


class Gunicorn(ServerProcess):
    """gunicorn serving the portal from `venv` with `env` (production settings, say) on a free port."""

    name = "gunicorn"

    def __init__(self, directory: Path, venv: Path, env: dict[str, str], *, workers: int = 2, threads: int = 1,
                 port: int | None = None, name: str = "gunicorn") -> None:
        self.name = name
        super().__init__(directory, env=env)
        self.venv = Path(venv)
        self.workers = workers
        self.threads = threads
        self.port = port or free_port()

    def command(self) -> Sequence[str]:
        return [str(self.venv / "bin" / "gunicorn"), "uscis_portal.wsgi:application", "--bind", f"{LOOPBACK}:{self.port}",
                "--workers", str(self.workers), "--threads", str(self.threads), "--timeout", "60",
                "--graceful-timeout", "10", "--access-logfile", "-"]

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                return response.status < 500
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


class Celery(ServerProcess):
    """A Celery worker or beat from `venv`, with `env`. A worker is ready when it logs that it is."""

    def __init__(self, directory: Path, venv: Path, env: dict[str, str], *, kind: str = "worker", name: str = "",
                 args: Sequence[str] = ()) -> None:
        assert kind in {"worker", "beat"}
        self.name = name or f"celery-{kind}"
        super().__init__(directory, env=env)
        self.venv = Path(venv)
        self.kind = kind
        self.args = list(args)
        self.ready_timeout = 60

    def command(self) -> Sequence[str]:
        base = [str(self.venv / "bin" / "celery"), "-A", "uscis_portal", self.kind, "--loglevel=INFO"]
        if self.kind == "worker":
            base += ["--pool=threads", "--concurrency=2", f"--hostname={self.name}@%h", "--without-gossip",
                     "--without-mingle"]
        else:
            base += [f"--schedule={self.directory / (self.name + '-schedule')}",
                     f"--pidfile={self.directory / (self.name + '.pid')}"]
        return base + self.args

    def ready(self) -> bool:
        text = self.log_text()
        return " ready." in text if self.kind == "worker" else "beat: Starting..." in text


def manage(venv: Path, env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """`manage.py <args>` in a child process with `env`; its output, or an error with it."""
    result = subprocess.run([str(Path(venv) / "bin" / "python"), "manage.py", *args], cwd=ROOT, env=env,  # noqa: S603
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout
