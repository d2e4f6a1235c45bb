"""Dossier import on every core: worker processes parse, validate and build the rows.

The importer's main process reads raw JSON Lines in batches, reserves primary
keys for them and hands each batch to a worker. The worker returns the errors,
the keys it saw and the rows of every table, already encoded for the database
(binary COPY data for PostgreSQL, adapted tuples for SQLite). The main process
writes the results in file order inside its single transaction, so the import
stays all-or-nothing.

Workers are started with ``spawn`` and never touch the database: a forked child
would share the parent's PostgreSQL socket.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from .readers import ParseError, parse_jsonl_line
from .rows import DossierRows
from .validation import FieldError, get_validator


@dataclass
class BatchResult:
    errors: list[FieldError]
    keys: list[tuple[str, int]]  # (MaHoSo, line) of the valid records, in file order
    payload: dict[str, bytes | list[tuple]]


_context: dict = {}


def prepare(context: dict) -> dict:
    """The context a batch is processed with: the importer's plus the compiled validator and type oids."""
    prepared = dict(context)
    prepared["validator"] = get_validator("dossiers", context["source_name"])
    if context["vendor"] == "postgresql":
        import psycopg

        prepared["oids"] = {
            table: [psycopg.adapters.types.get_oid(t) for t in types] for table, types in context["pg_types"].items()
        }
    return prepared


def _init(context: dict) -> None:
    _context.update(prepare(context))
    if context["vendor"] == "postgresql":
        from psycopg.types.json import set_json_dumps

        from motcua.core.bulk import compact_json

        set_json_dumps(compact_json)  # this process only encodes rows: the compact dumper with its fast path


def process(task: tuple[list[tuple[int, bytes]], list[int]], context: dict, skip_lines=frozenset()) -> BatchResult:
    lines, ids = task
    errors, keys, rows = build_rows(lines, ids, context, skip_lines)
    return BatchResult(errors, keys, encode(rows, context))


def build_rows(
    lines: list[tuple[int, bytes | ParseError]], ids: list[int], context: dict, skip_lines=frozenset()
) -> tuple:
    """Validate ``lines`` and build their rows; returns (errors, keys, DossierRows)."""
    file, source = "dossiers", context["source_name"]
    validator = context["validator"]
    rows = DossierRows(**context["rows"])
    errors, keys = [], []
    for (line_no, data), pk in zip(lines, ids, strict=True):
        if line_no in skip_lines:
            continue
        raw = data if type(data) is ParseError else parse_jsonl_line(file, source, line_no, data)
        if raw is None:
            continue
        if type(raw) is ParseError:
            errors.append(raw)
            continue
        record, issues = validator(raw, line_no)
        if issues:
            errors.extend(issues)
            continue
        if (error := rows.prepare(record, source, line_no)) is not None:
            errors.append(error)
            continue
        keys.append((record["MaHoSo"], line_no))
        rows.add(pk, line_no, record)
    return errors, keys, rows


def encode(rows: DossierRows, context: dict) -> dict[str, bytes | list[tuple]]:
    """The rows of each table, ready for :meth:`motcua.core.bulk.TableWriter.write_encoded`."""
    payload: dict[str, bytes | list[tuple]] = {}
    if context["vendor"] == "postgresql":
        from psycopg import pq
        from psycopg._copy_base import BinaryFormatter
        from psycopg.adapt import Transformer

        for table, table_rows in rows.tables.items():
            if not table_rows:
                continue
            formatter = BinaryFormatter(Transformer())
            formatter.transformer.set_dumper_types(context["oids"][table], pq.Format.BINARY)
            buffer = bytearray()
            for row in table_rows:
                buffer += formatter.write_row(row)
            buffer += formatter.end()
            payload[table] = bytes(buffer)
    else:
        from motcua.core.bulk import SQLITE_CONVERTERS, apply_converters

        for table, table_rows in rows.tables.items():
            if table_rows:
                converters = [(i, SQLITE_CONVERTERS[kind]) for i, kind in context["sqlite_kinds"][table] if kind]
                payload[table] = apply_converters(table_rows, converters)
    return payload


def _process(task: tuple[list[tuple[int, bytes]], list[int]]) -> BatchResult:
    return process(task, _context)


def run(
    tasks: Iterable[tuple[list, list]],
    context: dict,
    workers: int,
    handle: Callable[[tuple[list, list], BatchResult], None],
) -> None:
    """Process ``tasks`` in ``workers`` processes and call ``handle`` on each result in order.

    At most two batches per worker are in flight, so memory stays bounded.
    """
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn, initializer=_init, initargs=(context,)) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append((task, pool.submit(_process, task)))
            if len(pending) >= 2 * workers:
                task_done, future = pending.popleft()
                handle(task_done, future.result())
        while pending:
            task_done, future = pending.popleft()
            handle(task_done, future.result())


def batches(lines: Iterator[tuple[int, bytes | ParseError]], size: int) -> Iterator[list]:
    batch: list = []
    for item in lines:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
