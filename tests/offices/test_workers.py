"""An admin's edit reaches every worker: gunicorn with two workers on Postgres and a shared Redis cache.

Each worker answers jurisdiction from its own in-process index; the edit bumps the version in the
shared cache when its transaction commits, and the next answer of every worker follows it.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from core import services as core_services
from core.models import Role
from offices.models import CountyRule, Office
from tests.auth import sign_in

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL.startswith("redis://"), reason="needs REDIS_URL for the shared cache"),
]


def _get(port: int, path: str) -> tuple[int, dict, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "localhost", "Connection": "close"})
        response = conn.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), json.loads(body) if body else {}
    finally:
        conn.close()


@pytest.fixture
def gunicorn_two_workers(directory, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "uscis_portal.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CACHE_URL": REDIS_URL,
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "uscis_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "sync", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:]
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.3)
        else:
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:])
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _answers(port: int, count: int) -> set[str]:
    """The office codes `count` requests got (Connection: close, so the workers share them)."""
    codes = set()
    for _ in range(count):
        status, headers, body = _get(port, "/api/v1/jurisdiction/?zip=53202")
        assert status == 200, body
        codes.add(body["office"]["code"])
    return codes


def test_an_admin_edit_changes_the_next_answer_of_every_worker(gunicorn_two_workers, client):
    port = gunicorn_two_workers
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": REDIS_URL}}):
        assert _answers(port, 20) == {"MIL"}  # both workers have built their index
        admin = core_services.staff_create(username="ada", password="correct-horse-battery", role=Role.ADMIN)
        sign_in(client, admin)
        rule = CountyRule.objects.get(state="WI", county="")
        response = client.post(f"/admin/offices/countyrule/{rule.pk}/change/", {
            "state": "WI", "county": "", "office": Office.objects.get(code="CHI").pk, "confidence": "secondary",
            "source": rule.source, "note": "a test edit",
        })
        assert response.status_code == 302
        assert _answers(port, 20) == {"CHI"}  # the very next answers, from either worker
        etag = _get(port, "/api/v1/jurisdiction/?zip=53202")[1]["ETag"]
        rule.refresh_from_db()
        rule.office = Office.objects.get(code="MIL")
        rule.save()
        status, _headers, body = _get(port, "/api/v1/jurisdiction/?zip=53202")
        assert status == 200 and body["office"]["code"] == "MIL" and etag
    assert [h.office.code for h in rule.history.order_by("history_date")][-3:] == ["MIL", "CHI", "MIL"]
