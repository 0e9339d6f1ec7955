"""Development settings: `make run` uses these."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-development-only-not-secret")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
