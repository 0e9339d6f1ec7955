"""The private servers other tests drill with: each really serves, and survives a stop and a start."""

import smtplib
import socket
from email.message import EmailMessage

import psycopg
import pytest

pytestmark = pytest.mark.production


def test_the_smtp_sink_keeps_each_message_with_its_message_id(smtp_sink):
    for n in (1, 2):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@example.gov", "b@example.com", f"Hello {n}"
        message["Message-ID"] = f"<m{n}@portal.example.gov>"
        message.set_content(f"Body {n}")
        with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as client:
            client.send_message(message)
    got = smtp_sink.wait_for(2, timeout=10)
    assert [(m.message_id, m.to, m.subject, m.body.strip()) for m in got] == [
        ("<m1@portal.example.gov>", ("b@example.com",), "Hello 1", "Body 1"),
        ("<m2@portal.example.gov>", ("b@example.com",), "Hello 2", "Body 2"),
    ]
    assert smtp_sink.duplicates() == {}


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_private_redis_stops_and_starts_on_its_own_port(private_redis):
    assert private_redis.port != 6379 and _redis_ping(private_redis.port)
    private_redis.stop()
    assert not _redis_ping(private_redis.port)
    private_redis.start()
    assert _redis_ping(private_redis.port)


def test_private_postgres_stops_and_starts_with_its_data(private_postgres):
    assert private_postgres.port != 5432
    url = private_postgres.createdb("drill")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n int)")
        conn.execute("INSERT INTO kept VALUES (7)")
    private_postgres.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
    private_postgres.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT n FROM kept").fetchone() == (7,)


def test_gunicorn_serves_the_portal_and_stops(tmp_path):
    import sys
    import urllib.request
    from pathlib import Path

    from tests.servers import Gunicorn, port_open

    from .envs import clean_environ

    env = {**clean_environ(), "DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PORTAL_VAR_DIR": str(tmp_path)}
    with Gunicorn(tmp_path, Path(sys.executable).parent.parent, env, workers=1) as server:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
            assert response.status == 200
    assert not port_open(server.port)
