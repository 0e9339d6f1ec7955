"""Matching people's names as staff type them: case and accents do not matter ('fernandez' finds 'Fernández')."""

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.db.models import Func, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

# Accented letters as the names in the queue are written, and what a search for them may be typed as.
_FOLD = {"á": "a", "à": "a", "â": "a", "ä": "a", "ã": "a", "é": "e", "è": "e", "ê": "e", "ë": "e", "í": "i", "ì": "i",
         "î": "i", "ï": "i", "ó": "o", "ò": "o", "ô": "o", "ö": "o", "õ": "o", "ú": "u", "ù": "u", "û": "u", "ü": "u",
         "ñ": "n", "ç": "c"}


def fold(text: str) -> str:
    """Lower case without accents: 'Fernández' → 'fernandez' (NFKD, combining marks dropped)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


class _Folded(Func):
    """On Postgres, the column lower-cased with REPLACE per accented letter above. On SQLite (`make run`'s
    default), whose parser overflows on so many nested calls once a search has two words, the Python
    `fold` registered as the SQL function portal_fold (core.apps, on each new connection)."""

    function = "portal_fold"

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        expression: Func = Lower(self.source_expressions[0])
        for accented, plain in _FOLD.items():
            expression = Replace(expression, Value(accented), Value(plain))
        return compiler.compile(expression)


def folded(column: str) -> Func:
    """The column lower-cased and without accents, in SQL."""
    return _Folded(column)


def with_name_match(queryset: QuerySet[Any], text: str, columns: Sequence[str], *,
                    max_words: int = 5) -> tuple[QuerySet[Any], Q]:
    """The queryset with the folded `columns` as aliases, and a Q: every word of `text` (up to `max_words`)
    is in one of them. The caller filters with the Q, or ORs it with other keys first."""
    names = {f"name_match_{i}": folded(column) for i, column in enumerate(columns)}
    words = Q()
    for word in fold(text).split()[:max_words]:
        one = Q()
        for alias in names:
            one |= Q(**{f"{alias}__contains": word})
        words &= one
    return queryset.alias(**names), words


def sqlite_functions_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: SQLite gets portal_fold (folded() above)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("portal_fold", 1, lambda text: None if text is None else fold(text),
                                              deterministic=True)
