"""Takes issue 11's fixes away in a server process, for the tests that show the drills fail without them.

Test-only: a process sees this file only when its PYTHONPATH names this folder (Python imports
`sitecustomize` at start-up), and it changes something only when DRILL_WITHOUT_FIXES names what to
take away (comma-separated). Product code is not edited and never reads the variable.

    dispatch  core.notifications hands rows to the broker after commit with a plain on_commit, as
              before issue 11: a broker that is down raises out of the request (a 500 for a
              change that committed).
    cache     core.cache.cache_call uses the shared cache only, no database fallback: a cache that
              is down raises out of the throttles (a 500 on the token endpoint).
    broker    core.broker's Redis channel builds its connection parameters as kombu's does: a
              worker acknowledging on a connection Redis dropped gets AttributeError and exits.

Each patch is applied as soon as its module has run, before anything imports names from it.
"""

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

VARIABLE = "DRILL_WITHOUT_FIXES"


def _naive_dispatch(module: ModuleType) -> None:
    from django.db import transaction

    def after_commit(dispatch: Callable[[], Any], what: str) -> None:
        transaction.on_commit(dispatch)

    module._after_commit = after_commit  # type: ignore[attr-defined]


def _cache_without_fallback(module: ModuleType) -> None:
    from django.core.cache import BaseCache, caches

    def cache_call(operation: Callable[[BaseCache], Any]) -> Any:
        return operation(caches["default"])

    module.cache_call = cache_call  # type: ignore[attr-defined]


def _kombu_redis_channel(module: ModuleType) -> None:
    from kombu.transport import redis as kombu_redis

    module.Channel._connparams = kombu_redis.Channel._connparams  # type: ignore[attr-defined]


PATCHES: dict[str, tuple[str, Callable[[ModuleType], None]]] = {
    "dispatch": ("core.notifications", _naive_dispatch),
    "cache": ("core.cache", _cache_without_fallback),
    "broker": ("core.broker", _kombu_redis_channel),
}


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Finds a patched module with the other finders, and runs its patch right after the module."""

    def __init__(self, patches: dict[str, Callable[[ModuleType], None]]) -> None:
        self.patches = patches

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None,
                  ) -> importlib.machinery.ModuleSpec | None:
        patch = self.patches.get(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                _patch_after_exec(spec.loader, fullname, patch)
                return spec
        return None


def _patch_after_exec(loader: Any, fullname: str, patch: Callable[[ModuleType], None]) -> None:
    run = loader.exec_module

    def exec_module(module: ModuleType) -> None:
        run(module)
        patch(module)
        print(f"{VARIABLE}: {fullname} patched by {patch.__name__} in pid {os.getpid()}", file=sys.stderr, flush=True)

    loader.exec_module = exec_module


def install(names: str) -> None:
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in PATCHES]
    if unknown:
        raise SystemExit(f"{VARIABLE}: unknown fixes {unknown}; known: {sorted(PATCHES)}")
    sys.meta_path.insert(0, _PatchAfterImport(dict(PATCHES[name] for name in chosen)))


if os.environ.get(VARIABLE):
    install(os.environ[VARIABLE])
