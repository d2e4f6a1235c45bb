"""Writing exchange sets: JSONL (folder or .zip), CSV (folder or .zip) or one XLSX workbook.

Output is deterministic: records are written in the order given, fields in
schema order (see ``schema.record_to_json_dict``), files in import order, and
zip/XLSX metadata carry fixed dates, so the same records give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from motcua.core.spreadsheets import csv_writer, xlsx_workbook

from .schema import IMPORT_ORDER, LIST, get_file_spec, record_to_json_dict, timestamp_to_json

__all__ = ["JsonlWriter", "write_exchange_set", "dumps_json_line"]

# Fixed timestamps keep zip and XLSX output byte-identical between runs.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_XLSX_CREATED = _dt.datetime(2000, 1, 1)
_XLSX_MAX_STRING = 32767
_SAFE_INT = 2**53


def _json_default(value):
    # Lets trusted callers hand over dates and instants without pre-formatting.
    if isinstance(value, _dt.datetime):
        return timestamp_to_json(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    check_circular=False,
    allow_nan=False,
    default=_json_default,
)
_encode = _ENCODER.encode


def dumps_json_line(obj: dict) -> str:
    """Compact JSON text of one line (no newline), as every writer here emits it."""
    return _encode(obj)


class JsonlWriter:
    """Incremental JSON Lines writer.

    ``JsonlWriter(target, file)`` with ``target`` a path or an open text/binary
    stream; ``write_record(record)`` writes a normalized record in canonical form.
    With ``trusted=True`` the dicts given are written as they are (already in
    JSON form, fields in order): no schema work at all, for bulk generators.
    ``date``/``datetime`` values are still serialized (instants as +07:00).
    """

    def __init__(
        self,
        target: str | os.PathLike | io.TextIOBase | IO[bytes],
        file: str | None = None,
        *,
        trusted: bool = False,
    ):
        to_json = None
        if not trusted:
            if file is None:
                raise ValueError("file is required unless trusted=True")
            get_file_spec(file)
            to_json = _json_dict_maker(file)
        self.file = file
        self.trusted = trusted
        self.count = 0
        self._fh: io.TextIOBase | None
        if isinstance(target, (str, os.PathLike)):
            self._fh = open(target, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
            self._owns = True
        elif isinstance(target, io.TextIOBase):
            self._fh = target
            self._owns = False
        else:  # a binary stream, e.g. a zip member
            self._fh = io.TextIOWrapper(target, encoding="utf-8", newline="\n")
            self._owns = True
        self._write = self._fh.write
        self._to_json = to_json

    @classmethod
    def open(cls, target, file: str | None = None, *, trusted: bool = False) -> JsonlWriter:
        """Same as the constructor; reads well next to ``close()``."""
        return cls(target, file, trusted=trusted)

    def write_record(self, record: dict) -> None:
        obj = record if self._to_json is None else self._to_json(record)
        self._write(_encode(obj) + "\n")
        self.count += 1

    def write_records(self, records: Iterable[dict]) -> int:
        write, encode = self._write, _encode
        to_json = self._to_json
        n = 0
        if to_json is None:
            for obj in records:
                write(encode(obj) + "\n")
                n += 1
        else:
            for record in records:
                write(encode(to_json(record)) + "\n")
                n += 1
        self.count += n
        return n

    def close(self) -> None:
        if self._fh is None:
            return
        if self._owns:
            self._fh.close()
        else:
            self._fh.flush()
        self._fh = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _json_dict_maker(file: str):
    def to_json(record):
        return record_to_json_dict(file, record)

    return to_json


# --- CSV / XLSX cells ---------------------------------------------------------------


def _csv_cell(v) -> str:
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is str:
        return v
    if t is list and not v:
        return ""  # an empty cell is an omitted list, i.e. []
    return _encode(v)  # numbers, lists and objects as compact JSON text


def _columns_and_rows(file: str, records: Iterable[dict], extra_columns: Sequence[str] | None):
    """Column names (schema fields, then unknown fields sorted) and a row iterator.

    CSV and XLSX need every column in the header before the first row. Unless
    ``extra_columns`` is given, records that are not a list are spooled to a
    temporary file so that arbitrary large inputs still stream.
    """
    spec = get_file_spec(file)
    declared = list(spec.field_names)
    if extra_columns is not None:
        return declared + sorted(extra_columns), (record_to_json_dict(file, r) for r in records)
    if isinstance(records, (list, tuple)):
        extra: set[str] = set()
        for r in records:
            extra.update(r.get("extra") or ())
        return declared + sorted(extra), (record_to_json_dict(file, r) for r in records)

    spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
    extra = set()
    for r in records:
        extra.update(r.get("extra") or ())
        spool.write(_encode(record_to_json_dict(file, r)) + "\n")
    spool.seek(0)

    def replay():
        with spool:
            for line in spool:
                yield json.loads(line)

    return declared + sorted(extra), replay()


def _write_csv(stream, file, records, extra_columns) -> int:
    columns, rows = _columns_and_rows(file, records, extra_columns)
    writer = csv_writer(stream, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    for obj in rows:
        writer.writerow([_csv_cell(obj.get(c)) for c in columns])
        n += 1
    return n


def _write_sheet(workbook, file, records, extra_columns) -> int:
    columns, rows = _columns_and_rows(file, records, extra_columns)
    list_fields = {f.name for f in get_file_spec(file).fields if f.kind == LIST}
    ws = workbook.add_worksheet(file)
    for col, name in enumerate(columns):
        ws.write_string(0, col, name)
    n = 0
    for row, obj in enumerate(rows, 1):
        for col, name in enumerate(columns):
            v = obj.get(name)
            if v is None:
                continue
            t = type(v)
            if t is bool:
                ws.write_boolean(row, col, v)
            elif (t is int and -_SAFE_INT < v < _SAFE_INT) or t is float:
                ws.write_number(row, col, v)
            else:
                text = v if t is str else _csv_cell(v)
                if not text:
                    continue
                if len(text) > _XLSX_MAX_STRING:
                    where = "list" if name in list_fields else "value"
                    raise ValueError(
                        f"{file}, row {row}, {name}: {where} longer than the "
                        f"{_XLSX_MAX_STRING} characters an XLSX cell holds; use JSONL or CSV"
                    )
                ws.write_string(row, col, text)
        n += 1
    return n


# --- whole sets ---------------------------------------------------------------------


def _ordered(files: dict[str, Iterable[dict]]) -> list[str]:
    for name in files:
        get_file_spec(name)
    return [f for f in IMPORT_ORDER if f in files]


def write_exchange_set(
    path: str | os.PathLike,
    files: dict[str, Iterable[dict]],
    format: str = "jsonl",
    *,
    extra_columns: dict[str, Sequence[str]] | None = None,
) -> dict[str, int]:
    """Write normalized records as an exchange set; return the record count per file.

    ``format`` is ``"jsonl"`` or ``"csv"`` (``path`` is a folder, created if
    needed, or a ``.zip`` file) or ``"xlsx"`` (``path`` is the workbook, one sheet
    per file). Existing files of the same names are overwritten. ``extra_columns``
    (CSV/XLSX) names the unknown-field columns per file in advance, which avoids
    spooling a non-list input to find them.
    """
    if format not in ("jsonl", "csv", "xlsx"):
        raise ValueError(f"unknown format {format!r}; expected jsonl, csv or xlsx")
    path = Path(path)
    names = _ordered(files)
    extra_columns = extra_columns or {}
    counts: dict[str, int] = {}

    if format == "xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        workbook = xlsx_workbook(str(path), {"constant_memory": True})
        workbook.set_properties({"created": _XLSX_CREATED})
        try:
            for name in names:
                counts[name] = _write_sheet(workbook, name, files[name], extra_columns.get(name))
        finally:
            workbook.close()
        return counts

    def write_one(stream_text, name):
        if format == "jsonl":
            with JsonlWriter(stream_text, name) as w:
                return w.write_records(files[name])
        return _write_csv(stream_text, name, files[name], extra_columns.get(name))

    if path.suffix.lower() == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in names:
                info = zipfile.ZipInfo(f"{name}.{format}", date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with zf.open(info, "w", force_zip64=True) as member:
                    text = io.TextIOWrapper(member, encoding="utf-8", newline="\n")
                    counts[name] = write_one(text, name)
                    text.flush()
                    text.detach()
        return counts

    path.mkdir(parents=True, exist_ok=True)
    for name in names:
        with open(path / f"{name}.{format}", "w", encoding="utf-8", newline="\n", buffering=1 << 20) as fh:
            counts[name] = write_one(fh, name)
    return counts
