"""Settings for the test suite (pytest-django). DATABASE_URL still selects the database."""

import os

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK


def _redis_db_of_this_worker() -> None:
    """Under pytest-xdist (gw0, gw1, …) each worker gets a Redis db of its own, so broker tests never
    take each other's tasks and cache tests never see each other's keys."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("REDIS_URL", "")
    if not worker.startswith("gw") or not url.startswith("redis://"):
        return
    base, _, db = url.rpartition("/")
    os.environ["REDIS_URL"] = f"{base}/{(int(db or 0) + 8 * int(worker[2:])) % 16}"


_redis_db_of_this_worker()
REDIS_URL = os.environ.get("REDIS_URL", "")

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process right after commit, so tests see their effects; a separate test sends a
# task through the real broker to a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1000/minute"}}
# Static files come from the finders (app folders and node_modules), not from collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# On SQLite, test against a file (not shared-cache memory) so that threads in concurrency tests
# each get a real connection that waits on the database lock, as web workers do.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test process, so parallel runs never share it; Django deletes it afterwards.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-portal-{os.getpid()}.sqlite3")}  # noqa: F405
