"""Reading settings from the environment, with django-environ.

`env` is django-environ's reader (`env.str`, `env.int`, `env.list`, `env.db_url_config`, …). The
small helpers below are what the settings modules call. Production settings call `env_required`
(and the `*_from_url` helpers in base with `production=True`), so a missing or development-only
value stops start-up instead of silently falling back to a development default.
"""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def env_str(name: str, default: str = "") -> str:
    return str(env.str(name, default=default))


def env_bool(name: str, default: bool = False) -> bool:
    if not env.str(name, default=""):
        return default
    return bool(env.bool(name, default=default))


def env_int(name: str, default: int) -> int:
    if not env.str(name, default=""):
        return default
    try:
        return int(env.int(name, default=default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {env.str(name)!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env.str(name, default=default).split(",") if item.strip()]


def env_required(name: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required in this environment.")
    return str(value)


def env_required_list(name: str) -> list[str]:
    values = env_list(name)
    if not values:
        raise ImproperlyConfigured(f"The environment variable {name} is required in this environment (comma-separated).")
    return values
