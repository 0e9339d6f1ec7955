"""`make run`'s own defaults, which the rest of the suite (on Postgres, in CI) never uses: SQLite, local-memory
cache, the filesystem broker. The set-up `make run` does, then a demo customer's appointment through gunicorn:
availability, booking, the full slot's 409, rescheduling and cancelling.

The booking's conditional UPDATE was once raw SQL whose datetime parameter SQLite compared as text: every
booking in `make run` answered 409 while CI, on Postgres, stayed green.
"""

import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.servers import Gunicorn, manage

from .api_client import Api
from .envs import clean_environ

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parents[2]
SET_UP = (("migrate", "--noinput"), ("load_directory",), ("load_schedules",), ("seed_demo", "--force"))


def test_make_run_defaults_book_reschedule_and_cancel_on_sqlite(tmp_path):
    venv = Path(sys.executable).parent.parent
    env = {**clean_environ(), "DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local", "DJANGO_DEBUG": "0",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PORTAL_VAR_DIR": str(tmp_path)}
    for name in ("CACHE_URL", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_URL"):
        env.pop(name, None)
    for command in SET_UP:
        manage(venv, env, *command)
    with Gunicorn(tmp_path, venv, env, workers=1) as server:
        maria = Api(server.url).signed_in("maria@example.com", "portal-demo-2026")
        today = datetime.now(ZoneInfo("America/Chicago")).date()
        first, last = today + timedelta(days=1), today + timedelta(days=14)
        free = maria.get(f"/api/v1/offices/CHI/availability/?start={first}&end={last}")
        assert free.status == 200 and len(free.body["slots"]) >= 2, free
        slot, later = free.body["slots"][0], free.body["slots"][-1]

        booked = maria.post("/api/v1/appointments/", {"office": "CHI", "start": slot["start"], "reason": "information"})
        assert booked.status == 201, booked
        assert booked.body["start"] == slot["start"] and len(booked.body["confirmation_code"]) == 10
        again = maria.post("/api/v1/appointments/", {"office": "CHI", "start": slot["start"], "reason": "information"})
        assert again.status == 409, again  # the same customer at the same time: refused, nothing written
        places = maria.get(f"/api/v1/offices/CHI/availability/?start={slot['start'][:10]}&end={slot['start'][:10]}")
        (same,) = [s for s in places.body["slots"] if s["start"] == slot["start"]]
        assert same["remaining"] == slot["remaining"] - 1

        moved = maria.post(f"/api/v1/appointments/{booked.body['id']}/reschedule/", {"start": later["start"]})
        assert moved.status == 200 and moved.body["start"] == later["start"], moved
        cancelled = maria.post(f"/api/v1/appointments/{booked.body['id']}/cancel/")
        assert cancelled.status == 200 and cancelled.body["status"] == "cancelled", cancelled
        mine = maria.get("/api/v1/appointments/")
        assert mine.status == 200 and [a["status"] for a in mine.body["results"] if a["id"] == booked.body["id"]] == [
            "cancelled"]
