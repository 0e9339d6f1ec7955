"""Fragments of pages built once per process and key, and never stale: the key holds everything they
show (the code, the language, and for what shows offices the directory's version, which
offices.jurisdiction bumps after every committed edit). At most _MAX_FRAGMENTS are kept; past that the
memo starts again, so keys made of what people type cannot grow it."""

from collections.abc import Callable

from django.utils.safestring import SafeString

_FRAGMENTS: dict[tuple, SafeString] = {}
_MAX_FRAGMENTS = 64


def fragment(key: tuple, build: Callable[[], SafeString]) -> SafeString:
    if key not in _FRAGMENTS:
        if len(_FRAGMENTS) >= _MAX_FRAGMENTS:
            _FRAGMENTS.clear()
        _FRAGMENTS[key] = build()
    return _FRAGMENTS[key]


