"""Statements the ORM does not write in one round trip, and a query the ORM need not compile each time."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery


def insert_unless_conflict(obj: Model) -> bool:
    """INSERT `obj` … ON CONFLICT DO NOTHING RETURNING its key, in one statement: no savepoint.

    True and `obj` saved (its primary key set) when the row went in; False when a unique rule refused it
    and nothing changed. Field defaults and auto_now are applied as save() would; no signals are sent.
    """
    meta = type(obj)._meta
    using = router.db_for_write(type(obj), instance=obj)
    connection = connections[using]
    fields = [f for f in meta.local_concrete_fields if f is not meta.pk and not getattr(f, "generated", False)]
    pk_column = meta.pk.column
    assert pk_column is not None
    query = InsertQuery(type(obj), on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [obj])
    [(sql, params)] = query.get_compiler(using=using).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {connection.ops.quote_name(pk_column)}", params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, using
    return True


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    value_at: int  # where the looked-up value goes in `params`
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, the ORM's converter functions, expression)
    init_list: tuple[str, ...]
    fields: slice
    annotations: tuple[tuple[str, int], ...]
    model: type[Model]
    populators: tuple[Any, ...]  # select_related's, as the ORM builds them


class CompiledQuery:
    """A queryset of one looked-up value, compiled to SQL once per database alias and read as the ORM reads
    it (ModelIterable: its converters, `from_db` instances, select_related populators and annotations),
    with the connection of the thread that runs it.

    For the queries of every request (the API token, the session's user): with joins and an EXISTS,
    compiling took more CPU than running, about 2 ms a request. `build(value)` must give the queryset,
    and `placeholder` must be a value no other parameter of it has; the statement is the ORM's own, so
    `build(value)` run by the ORM gives the same instances (tests/core/test_tokens.py checks it). Two
    threads compiling at once compile the same thing.
    """

    def __init__(self, build: Callable[[Any], QuerySet[Any]], placeholder: Any) -> None:
        self.build, self._placeholder = build, placeholder
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiler = self.build(self._placeholder).query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            select, klass_info = compiler.select, compiler.klass_info
            assert klass_info is not None, "CompiledQuery reads model instances"
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            converters = compiler.get_converters([column[0] for column in select[:compiler.col_count]])
            compiled = _Compiled(
                sql=sql, params=tuple(params), value_at=list(params).index(self._placeholder),
                converters=tuple((pos, tuple(funcs), expr) for pos, (funcs, expr) in converters.items()),
                init_list=tuple(column[0].target.attname for column in select[first:last]),
                fields=slice(first, last), annotations=tuple(compiler.annotation_col_map.items()),
                model=klass_info["model"],
                populators=tuple(get_related_populators(  # type: ignore[call-arg]  # the stubs: Django 6's
                    klass_info, select, alias)))
            self._compiled[alias] = compiled
        return compiled

    def __call__(self, value: Any, using: str = "default") -> list[Any]:
        compiled = self._compile(using)
        params = list(compiled.params)
        params[compiled.value_at] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found = []
        for fetched in rows:
            row = list(fetched)
            for pos, funcs, expression in compiled.converters:
                converted = row[pos]
                for convert in funcs:
                    converted = convert(converted, expression, connection)
                row[pos] = converted
            obj = compiled.model.from_db(using, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, pos in compiled.annotations:
                setattr(obj, name, row[pos])
            found.append(obj)
        return found
