"""Append (or update) many rows fast, inside the caller's transaction.

PostgreSQL gets ``COPY … FROM STDIN`` (psycopg 3), SQLite ``executemany``; updates by primary key
are one parameterised ``UPDATE`` sent as a batch (:func:`update_by_pk`).
It bypasses model ``save()`` and signals, so callers write the audit entries
themselves (:func:`motcua.core.audit.log_entry_rows`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import set_json_dumps

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def compact_json(value):
    """JSON text of a JSONField value for COPY/bulk rows (compact, non-ASCII kept)."""
    if not value:  # most extra/data bags are empty: skip the encoder
        return "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else _dumps(value)
    return _dumps(value)


def _sqlite_datetime(value: datetime | None):
    # Django stores aware datetimes on SQLite as naive UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]").
    return None if value is None else value.astimezone(UTC).isoformat(" ")[:-6]


def _sqlite_date(value: date | None):
    return None if value is None else value.isoformat()


def _sqlite_time(value):
    return None if value is None else value.isoformat()


def _sqlite_decimal(value):
    return None if value is None else str(value)


SQLITE_CONVERTERS = {
    "JSONField": compact_json,
    "DateTimeField": _sqlite_datetime,
    "DateField": _sqlite_date,
    "TimeField": _sqlite_time,
    "DecimalField": _sqlite_decimal,
}


def apply_converters(rows: list, converters: list[tuple[int, Callable[[Any], Any]]]) -> list:
    """Rows with the given columns converted (SQLite adapts nothing itself)."""
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for index, convert in converters:
            row[index] = convert(row[index])
        converted.append(row)
    return converted


_PG_TYPE_NAMES = {
    "timestamp with time zone": "timestamptz",
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "double precision": "float8",
    "bigserial": "int8",
    "serial": "int4",
}


def _pg_type(field) -> str:
    """The PostgreSQL type name psycopg's binary dumpers know, for a model field's column."""
    db_type = field.db_type(connection) or ""
    base = db_type.split("(")[0].split(" CHECK")[0].strip().lower()
    if field.get_internal_type() == "JSONField":
        return "jsonb"
    if base.startswith("varchar"):
        return "text"  # binary text is the same wire format
    return _PG_TYPE_NAMES.get(base, base)


class TableWriter:
    """Writes rows given as tuples in the order of ``columns`` (model attribute names)."""

    def __init__(self):
        self.vendor = connection.vendor
        self._next_id: dict[str, int] = {}
        self._plans: dict[tuple, tuple] = {}

    def _plan(self, model, columns: Sequence[str]):
        key = (model, tuple(columns))
        if key not in self._plans:
            fields = [model._meta.get_field(name) for name in columns]
            quote = connection.ops.quote_name
            table = quote(model._meta.db_table)
            column_list = ", ".join(quote(f.column) for f in fields)
            converters, types = [], None
            if self.vendor == "postgresql":
                # Binary COPY: the server does not parse text timestamps, which is most of its work here.
                sql = f"COPY {table} ({column_list}) FROM STDIN (FORMAT BINARY)"
                types = [_pg_type(f) for f in fields]
            else:
                sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(fields))})"
                for index, field in enumerate(fields):
                    convert = SQLITE_CONVERTERS.get(field.get_internal_type())
                    if convert is not None:
                        converters.append((index, convert))
            self._plans[key] = (sql, converters, types)
        return self._plans[key]

    def write(self, model, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        sql, converters, types = self._plan(model, columns)
        rows = apply_converters(rows, converters)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # The queued writer sends rows from a worker thread, so the server ingests
                # while Python builds the next rows (2 cores: one each).
                set_json_dumps(compact_json, context=cursor.cursor)
                with cursor.cursor.copy(sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
                    copy.set_types(types)
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, rows)

    def reserve_ids(self, model, count: int) -> list[int]:
        """Primary keys for ``count`` new rows, so children can reference them before insertion."""
        if count == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the import holds the database's write lock for its whole transaction,
            # so nobody else can take these ids in between.
            if table not in self._next_id:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
                self._next_id[table] = cursor.fetchone()[0] + 1
        start = self._next_id[table]
        self._next_id[table] = start + count
        return list(range(start, start + count))

    def write_instances(self, model, instances: list) -> None:
        """Insert unsaved model instances, giving them primary keys (no ``save()``, no signals)."""
        if not instances:
            return
        for instance, pk in zip(instances, self.reserve_ids(model, len(instances)), strict=True):
            instance.pk = pk
        fields = model._meta.concrete_fields
        self.write(model, [f.name for f in fields], [tuple(getattr(i, f.attname) for f in fields) for i in instances])

    # -- rows encoded elsewhere (the importer's worker processes) -----------------------------------

    def pg_types(self, model, columns: Sequence[str]) -> list[str]:
        return [_pg_type(model._meta.get_field(name)) for name in columns]

    def sqlite_kinds(self, model, columns: Sequence[str]) -> list[tuple[int, str | None]]:
        kinds = [model._meta.get_field(name).get_internal_type() for name in columns]
        return [(i, kind if kind in SQLITE_CONVERTERS else None) for i, kind in enumerate(kinds)]

    def write_encoded(self, model, columns: Sequence[str], payload) -> None:
        """Write rows already encoded by :func:`motcua.interchange.parallel.encode`."""
        if not payload:
            return
        sql, _converters, _types = self._plan(model, columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(sql) as copy:
                    copy.write(payload)  # a complete binary COPY stream (signature … trailer)
            else:
                cursor.executemany(sql, payload)


@contextlib.contextmanager
def foreign_keys_checked_at_end(models) -> Iterator[None]:
    """Bulk-load mode for PostgreSQL: drop the tables' foreign keys, load, add them back.

    Adding a constraint back validates it with one set-based scan per key, instead
    of one trigger per inserted row (what pg_restore does). Everything happens in
    the caller's transaction, so a failure restores the constraints with the rest.
    It takes an exclusive lock on the tables: use it only for a first bulk load.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        constraints = cursor.fetchall()
        # Fire checks still pending from earlier in the transaction: ALTER TABLE refuses tables with pending events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


def update_by_pk(model, fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``UPDATE … SET fields WHERE pk`` for many ``(pk, *values)`` rows, in one ``executemany``.

    What ``bulk_update`` would write, without its ``CASE WHEN pk = … THEN …`` per field and row
    (minutes for 100,000 rows; 1.8 s of Python and SQL for 200 rows of 11 fields)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(c.column)} = %s' for c in columns)} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [c.get_db_prep_save(v, connection) for c, v in zip(columns, values, strict=True)] + [pk] for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
