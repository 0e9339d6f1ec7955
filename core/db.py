"""Statements the ORM does not write in one round trip."""

from django.db import connections, router
from django.db.models import Model
from django.db.models.constants import OnConflict
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
