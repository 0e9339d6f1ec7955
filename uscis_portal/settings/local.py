"""Development settings: `make run` uses these."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-development-only-not-secret")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The development server answers each request in a new thread, so a persistent connection would be
# left open by every request until Postgres runs out (Django's docs: don't enable them in development).
# Benchmarks run gunicorn on these settings and set DATABASE_CONN_MAX_AGE as production does.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0)  # noqa: F405
