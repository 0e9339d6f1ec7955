"""Run inside the production venv: import every module of the project and everything the
production settings name by dotted path, and load the broker's transport.

Prints one line per failure and exits 1 if any module cannot be imported.
"""

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = {"tests", "bench", "node_modules", "var", "deploy"}


def project_packages() -> list[str]:
    return sorted(
        path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in NOT_SHIPPED
    )


def project_modules() -> list[str]:
    names = []
    for package in project_packages():
        names.append(package)
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            names.append(info.name)
    return names


def dotted_paths_in_settings() -> list[str]:
    """Classes and callables the settings name as strings (middleware, backends, handlers…)."""
    from django.conf import settings

    templates: list[dict[str, Any]] = settings.TEMPLATES
    logging: dict[str, Any] = settings.LOGGING
    rest_framework: dict[str, Any] = settings.REST_FRAMEWORK
    found: list[str] = list(settings.MIDDLEWARE) + list(settings.AUTHENTICATION_BACKENDS)
    found += [settings.EMAIL_BACKEND, settings.WSGI_APPLICATION]
    found += [cache["BACKEND"] for cache in settings.CACHES.values()]
    found += [storage["BACKEND"] for storage in settings.STORAGES.values()]
    found += [template["BACKEND"] for template in templates]
    for template in templates:
        found += template.get("OPTIONS", {}).get("context_processors", [])
    for key, value in rest_framework.items():
        if key.startswith("DEFAULT_") and key.endswith("_CLASSES"):
            found += list(value)
        elif key in {"DEFAULT_PAGINATION_CLASS", "DEFAULT_SCHEMA_CLASS", "EXCEPTION_HANDLER"}:
            found.append(value)
    for handler in logging.get("handlers", {}).values():
        found.append(handler["class"])
    for formatter in logging.get("formatters", {}).values():
        if "()" in formatter:
            found.append(formatter["()"])
    return [path for path in found if isinstance(path, str)]


def main() -> int:
    sys.path.insert(0, str(ROOT))  # as `python manage.py` or gunicorn started in the project folder
    import django

    django.setup()
    from django.conf import settings
    from django.utils.module_loading import import_string
    from kombu import Connection

    failures = 0
    modules = project_modules()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - report every failure, not just the first
            failures += 1
            print(f"FAIL import {name}\n{traceback.format_exc()}")
    paths = dotted_paths_in_settings()
    for path in paths:
        try:
            import_string(path)
        except Exception:  # noqa: BLE001
            failures += 1
            print(f"FAIL settings path {path}\n{traceback.format_exc()}")
    try:
        Connection(settings.CELERY_BROKER_URL).transport  # noqa: B018 - loads kombu's transport module
    except Exception:  # noqa: BLE001
        failures += 1
        print(f"FAIL broker transport for {settings.CELERY_BROKER_URL}\n{traceback.format_exc()}")
    print(f"imported {len(modules)} project modules and {len(paths)} settings paths; {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
