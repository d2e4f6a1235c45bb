"""Append many rows fast, inside the caller's transaction.

PostgreSQL gets ``COPY … FROM STDIN`` (psycopg 3), SQLite ``executemany``.
Only the importer uses this: it bypasses model ``save()``, so the importer
writes the audit entries itself (:func:`motcua.core.audit.bulk_log_entries`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

from django.db import connection


def _json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _sqlite_datetime(value: datetime | None):
    # Django stores aware datetimes on SQLite as naive UTC text.
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _sqlite_date(value: date | None):
    return None if value is None else value.isoformat()


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
            db_columns = [f.column for f in fields]
            converters = []
            for index, field in enumerate(fields):
                kind = field.get_internal_type()
                if kind == "JSONField":
                    converters.append((index, _json))
                elif self.vendor == "sqlite" and kind == "DateTimeField":
                    converters.append((index, _sqlite_datetime))
                elif self.vendor == "sqlite" and kind == "DateField":
                    converters.append((index, _sqlite_date))
            quote = connection.ops.quote_name
            table = quote(model._meta.db_table)
            column_list = ", ".join(quote(c) for c in db_columns)
            if self.vendor == "postgresql":
                sql = f"COPY {table} ({column_list}) FROM STDIN"
            else:
                sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(db_columns))})"
            self._plans[key] = (sql, converters)
        return self._plans[key]

    def write(self, model, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        sql, converters = self._plan(model, columns)
        if converters:
            converted = []
            for row in rows:
                row = list(row)
                for index, convert in converters:
                    row[index] = convert(row[index])
                converted.append(row)
            rows = converted
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(sql) as copy:
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
