"""Reading an exchange set: a folder, a .zip of one, or a single .xlsx workbook.

Records are streamed: JSONL and CSV line by line (never a whole file in
memory), XLSX through openpyxl's read-only mode. A line that cannot be read
yields a ``ParseError`` for that line instead of raising.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import math
import os
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from motcua.core.spreadsheets import restore

from .schema import FILES, IMPORT_ORDER, get_file_spec
from .validation import JSON_DECODER, FieldError, ParseError, get_validator, show_value

__all__ = ["ExchangeSet", "ExchangeSetError", "ReadLimits", "open_exchange_set"]

FORMATS = ("jsonl", "csv")
_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class ReadLimits:
    """What reading a set may cost: the settings ``MOTCUA_IMPORT_MAX_*`` (see settings.py)."""

    expanded_mb: int = 5000
    ratio: int = 200
    line_kb: int = 1024

    @classmethod
    def from_settings(cls) -> ReadLimits:
        from django.conf import settings

        if not settings.configured:
            return cls()
        return cls(
            settings.MOTCUA_IMPORT_MAX_EXPANDED_MB, settings.MOTCUA_IMPORT_MAX_RATIO, settings.MOTCUA_IMPORT_MAX_LINE_KB
        )

    @property
    def line_bytes(self) -> int:
        return self.line_kb * 1024


#: Archive members smaller than this are never refused for their compression ratio: they cannot hurt.
RATIO_FLOOR = 64 * 1024


class ExchangeSetError(ValueError):
    """The set as a whole cannot be read (missing path, ambiguous files, bad zip)."""

    def __init__(self, message: str, message_en: str = ""):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


def _encoding_error(file, source, line, exc: UnicodeDecodeError | None) -> ParseError:
    detail = f" (byte 0x{exc.object[exc.start]:02X})" if exc is not None else ""
    return ParseError(
        file,
        line,
        None,
        "encoding",
        f"tệp không được mã hóa UTF-8{detail}; hãy lưu lại tệp với mã hóa UTF-8",
        f"the file is not UTF-8 encoded{detail}; save it again as UTF-8",
        None,
        source,
    )


def _line_too_long(file, source, line, limits: ReadLimits) -> ParseError:
    return ParseError(
        file,
        line,
        None,
        "too_long",
        f"dòng dài hơn {limits.line_kb} KB (MOTCUA_IMPORT_MAX_LINE_KB); không đọc được",
        f"the line is longer than {limits.line_kb} KB (MOTCUA_IMPORT_MAX_LINE_KB)",
        None,
        source,
    )


def _bounded_lines(fh, limit: int) -> Iterator[bytes | None]:
    """The lines of a binary file, or None for a line longer than ``limit`` bytes (skipped, never held whole)."""
    while data := fh.readline(limit + 1):
        if len(data) <= limit or data.endswith(b"\n"):
            yield data
            continue
        while data and not data.endswith(b"\n"):
            data = fh.readline(limit + 1)
        yield None


def _decoded_csv_lines(fh, entry: _Entry, limits: ReadLimits, state: dict[str, ParseError | None]) -> Iterator[str]:
    """A CSV file's lines as text (UTF-8 BOM dropped); stops at the first unreadable line, its error in ``state``.

    A CSV record may span lines, so reading cannot resume safely after a line it cannot decode."""
    for line_no, data in enumerate(_bounded_lines(fh, limits.line_bytes), 1):
        if data is None:  # like an encoding error: a record may span lines, so stop here
            state["error"] = _line_too_long(entry.file, entry.source, line_no, limits)
            return
        if line_no == 1:
            if data.startswith(_UTF16_BOMS):
                state["error"] = _encoding_error(entry.file, entry.source, line_no, None)
                return
            if data.startswith(_BOM):
                data = data[3:]
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError as exc:
            state["error"] = _encoding_error(entry.file, entry.source, line_no, exc)
            return


def _csv_error(file, source, line, exc: csv.Error) -> ParseError:
    """A line the CSV reader rejects (an unclosed quote, a stray character)."""
    return ParseError(
        file, line, None, "csv", f"dòng CSV không hợp lệ: {exc}", f"invalid CSV line: {exc}", None, source
    )


def _duplicate_header_error(file, source, line, header: list[str]) -> ParseError | None:
    """An error naming the header's repeated column names, None when each is unique."""
    dup = sorted({h for h in header if h and header.count(h) > 1})
    if not dup:
        return None
    return ParseError(
        file,
        line,
        None,
        "header",
        f"dòng tiêu đề có cột trùng tên: {', '.join(dup)}",
        f"duplicate header columns: {', '.join(dup)}",
        None,
        source,
    )


def _too_many_cells_error(file, source, line, cells: int, columns: int) -> ParseError:
    """A CSV line with more cells than the header has columns."""
    return ParseError(
        file,
        line,
        None,
        "csv",
        f"dòng có {cells} ô, nhiều hơn {columns} cột của dòng tiêu đề",
        f"the line has {cells} cells, more than the {columns} header columns",
        None,
        source,
    )


class _Entry:
    """Where one logical file lives: a path on disk, a zip member or an XLSX sheet."""

    __slots__ = ("file", "fmt", "location", "source")

    def __init__(self, file, fmt, location, source):
        self.file = file
        self.fmt = fmt  # "jsonl" | "csv" | "xlsx"
        self.location = location
        self.source = source  # how messages name it


class ExchangeSet:
    """An opened exchange set. Use as a context manager (zip and XLSX hold a handle).

    ``files`` lists the present files in import order; ``ignored`` the names of
    other files or sheets that were found and not recognised.
    """

    def __init__(
        self, path: Path, kind: str, entries: dict[str, _Entry], ignored, handle=None, limits: ReadLimits | None = None
    ):
        self.path = path
        self.limits = limits or ReadLimits()
        self.kind = kind  # "folder" | "zip" | "xlsx"
        self._entries = entries
        self.ignored: list[str] = sorted(ignored)
        self._handle = handle
        self._headers: dict[str, frozenset[str]] = {}  # CSV and XLSX: the columns of each file

    # -- listing
    @property
    def files(self) -> list[str]:
        return [f for f in IMPORT_ORDER if f in self._entries]

    def __contains__(self, file: str) -> bool:
        return file in self._entries

    def format_of(self, file: str) -> str:
        return self._entry(file).fmt

    def source_name(self, file: str) -> str:
        """How error messages name the file, e.g. ``dossiers.csv``."""
        return self._entry(file).source

    def _entry(self, file: str) -> _Entry:
        get_file_spec(file)
        try:
            return self._entries[file]
        except KeyError:
            raise KeyError(f"{file} is not in this exchange set") from None

    # -- lifecycle
    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<ExchangeSet {self.kind} {self.path} files={self.files}>"

    # -- reading
    def iter_records(self, file: str) -> Iterator[tuple[int, dict | ParseError]]:
        """Yield ``(line, raw_dict)`` or ``(line, ParseError)`` for every data line.

        Lines are physical lines (JSONL, CSV: the line where the record starts;
        the CSV header is line 1) or sheet rows (header row 1). Empty lines are
        skipped. Raw dicts hold only non-empty cells for CSV and XLSX.
        """
        entry = self._entry(file)
        if entry.fmt == "xlsx":
            return self._iter_xlsx(entry)
        if entry.fmt == "jsonl":
            return self._iter_jsonl(entry)
        return self._iter_csv(entry)

    def iter_validated(self, file: str, *, seen_keys: bool = True, with_fields: bool = False) -> Iterator[tuple]:
        """Yield ``(line, record, errors)``; ``record`` is None exactly when there are errors.

        With ``seen_keys`` a record whose key already appeared earlier in the file
        is rejected with an error naming both lines (the first one is kept). With
        ``with_fields`` each tuple ends with the names of the fields the line carries
        (JSON Lines: its keys; CSV and XLSX: the header's columns, an empty cell meaning null).
        """
        entry = self._entry(file)
        spec = FILES[file]
        validator = get_validator(file, entry.source)
        key_fields = spec.key
        single = key_fields[0] if len(key_fields) == 1 else None
        seen: dict | None = {} if seen_keys else None
        for line, raw in self.iter_records(file):
            if type(raw) is ParseError:
                result = line, None, [raw]
            else:
                record, errors = validator(raw, line)
                if record is not None and seen is not None:
                    key = record[single] if single else tuple(record[k] for k in key_fields)
                    first = seen.setdefault(key, line)
                    if first != line:
                        record, errors = None, [_duplicate_error(file, entry.source, line, key_fields, key, first)]
                result = line, record, errors
            if with_fields:
                result += (self._headers.get(file) or frozenset(() if type(raw) is ParseError else raw),)
            yield result

    # -- formats
    def _open_binary(self, entry: _Entry):
        if self.kind == "zip":
            return self._handle.open(entry.location)
        return open(entry.location, "rb")

    def _iter_jsonl(self, entry: _Entry):
        file, source = entry.file, entry.source
        for line_no, data in self.iter_jsonl_lines(entry.file):
            if type(data) is ParseError:  # a UTF-16 file: the lines end here
                yield line_no, data
                continue
            parsed = parse_jsonl_line(file, source, line_no, data)
            if parsed is not None:
                yield line_no, parsed

    def iter_jsonl_lines(self, file: str) -> Iterator[tuple[int, bytes | ParseError]]:
        """Raw lines of a JSONL file (BOM stripped), for callers that parse them elsewhere.

        Only a UTF-16 file is reported here; everything else is left to
        :func:`parse_jsonl_line`, so both paths give the same errors.
        """
        entry = self._entry(file)
        with self._open_binary(entry) as fh:
            for line_no, data in enumerate(_bounded_lines(fh, self.limits.line_bytes), 1):
                if data is None:
                    yield line_no, _line_too_long(entry.file, entry.source, line_no, self.limits)
                    continue
                if line_no == 1:
                    if data.startswith(_UTF16_BOMS):
                        yield line_no, _encoding_error(entry.file, entry.source, line_no, None)
                        return
                    if data.startswith(_BOM):
                        data = data[3:]
                yield line_no, data

    def _iter_csv(self, entry: _Entry):
        file, source = entry.file, entry.source
        state: dict[str, ParseError | None] = {"error": None}
        with self._open_binary(entry) as fh:
            reader = csv.reader(_decoded_csv_lines(fh, entry, self.limits, state), strict=True)
            header = None
            end = 0  # physical line where the previous row ended
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    yield end + 1, _csv_error(file, source, end + 1, exc)
                    return
                start, end = end + 1, reader.line_num
                if not row or all(not c for c in row):
                    continue
                if header is None:
                    header = row
                    self._headers[file] = frozenset(h for h in header if h)
                    if (error := _duplicate_header_error(file, source, start, header)) is not None:
                        yield start, error
                        return
                    continue
                if len(row) > len(header):
                    yield start, _too_many_cells_error(file, source, start, len(row), len(header))
                    continue
                # Empty cell = omitted field; a cell our writer neutralised ('=…) gets its text back.
                yield start, {h: restore(c) for h, c in zip(header, row, strict=False) if c != ""}
            if (error := state["error"]) is not None:
                yield error.line, error

    def _iter_xlsx(self, entry: _Entry):
        declared = FILES[entry.file].by_name
        header = None
        for row_no, (row, formulas) in enumerate(self._handle.rows(entry.location), 1):
            if header is not None and (uncomputed := _first_uncomputed(header, row, formulas)) is not None:
                yield row_no, _formula_error(entry, row_no, uncomputed)
                continue
            if row is None or all(c is None or c == "" for c in row):
                continue
            if header is None:
                header = [("" if h is None else str(h)) for h in row]
                self._headers[entry.file] = frozenset(h for h in header if h)
                if (error := _duplicate_header_error(entry.file, entry.source, row_no, header)) is not None:
                    yield row_no, error
                    return
                continue
            raw = {}
            for h, c in zip(header, row, strict=False):
                if c is None or c == "":
                    continue
                raw[h] = _xlsx_value(c, h in declared)
            extra_cells = [c for c in row[len(header) :] if c is not None and c != ""]
            if extra_cells:
                yield (
                    row_no,
                    ParseError(
                        entry.file,
                        row_no,
                        None,
                        "csv",
                        "dòng có ô dữ liệu nằm ngoài các cột của dòng tiêu đề",
                        "the row has cells beyond the header columns",
                        None,
                        entry.source,
                    ),
                )
                continue
            yield row_no, raw


def _first_uncomputed(header: list[str], row, formulas) -> str | None:
    """The column of the first formula cell saved without its value."""
    for index, (value, formula) in enumerate(zip(row, formulas, strict=True)):
        if _uncomputed_formula(value, formula):
            return header[index] if index < len(header) and header[index] else f"cột {index + 1}"
    return None


def _formula_error(entry: _Entry, row_no: int, column: str) -> ParseError:
    return ParseError(
        entry.file,
        row_no,
        column,
        "formula",
        "ô chứa công thức nhưng tệp không lưu giá trị đã tính; hãy mở và lưu lại tệp bằng "
        "chương trình bảng tính, hoặc dán giá trị thay cho công thức",
        "the cell holds a formula saved without its computed value; open and save the file in a "
        "spreadsheet program, or paste values instead of formulas",
        None,
        entry.source,
    )


def parse_jsonl_line(file: str, source: str, line_no: int, data: bytes) -> dict | ParseError | None:
    """One JSONL line → raw dict, a :class:`ParseError`, or None for a blank line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _encoding_error(file, source, line_no, exc)
    if not text or text.isspace():
        return None
    try:
        obj = JSON_DECODER.decode(text)
    except RecursionError:
        return ParseError(
            file,
            line_no,
            None,
            "too_deep",
            "dòng có dữ liệu JSON lồng nhau quá nhiều tầng, không đọc được",
            "the line's JSON is nested too deeply to read",
            None,
            source,
        )
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        col = f" (cột {exc.colno})" if hasattr(exc, "colno") else ""
        col_en = f" (column {exc.colno})" if hasattr(exc, "colno") else ""
        return ParseError(
            file,
            line_no,
            None,
            "json",
            f"dòng không phải JSON hợp lệ: {msg}{col}: {show_value(text.strip())}",
            f"the line is not valid JSON: {msg}{col_en}",
            text.strip()[:200],
            source,
        )
    if type(obj) is not dict:
        return _not_object(file, source, line_no, obj)
    return obj


def _xlsx_value(c, declared: bool):
    """Spreadsheet cells as the values the validators expect.

    Date/time cells of declared fields stay objects (the validators know a date
    from an instant); in unknown fields, bound for ``extra``, they become text.
    """
    if type(c) is float and c.is_integer():
        return int(c)
    if declared and isinstance(c, (_dt.date, _dt.time)):
        return c
    if isinstance(c, _dt.datetime):
        # A date-formatted cell comes back as midnight; an instant keeps its time.
        if c.time() == _dt.time(0) and c.tzinfo is None:
            return c.date().isoformat()
        return c.isoformat()
    if isinstance(c, _dt.date):
        return c.isoformat()
    if isinstance(c, _dt.time):
        return c.strftime("%H:%M") if not c.second else c.isoformat()
    return c


def _not_object(file, source, line, obj) -> ParseError:
    shown = show_value(obj)
    return ParseError(
        file,
        line,
        None,
        "type",
        f"dòng phải là một đối tượng JSON ({{...}}), không phải {shown}",
        f"the line must be a JSON object ({{...}}), not {shown}",
        obj,
        source,
    )


def _duplicate_error(file, source, line, key_fields, key, first) -> FieldError:
    shown = show_value(list(key) if isinstance(key, tuple) else key)
    return FieldError(
        file,
        line,
        ", ".join(key_fields),
        "duplicate",
        f"khóa {shown} trùng với dòng {first} (dòng {first} và dòng {line} cùng khóa)",
        f"key {shown} duplicates line {first} (lines {first} and {line} share the key)",
        key,
        source,
    )


# --- opening -----------------------------------------------------------------------


def _classify(name: str) -> tuple[str, str] | None:
    """``("dossiers", "jsonl")`` for a recognised file name, else None."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return None
    stem, ext = stem.lower(), ext.lower()
    if stem in FILES and ext in FORMATS:
        return stem, ext
    return None


def _collect(names: list[tuple[str, str]], kind: str) -> tuple[dict[str, _Entry], list[str]]:
    """Entries from ``(display name, location)`` pairs, refusing a file present twice."""
    entries: dict[str, _Entry] = {}
    ignored = []
    for display, location in names:
        found = _classify(posixpath.basename(display))
        if found is None:
            ignored.append(display)
            continue
        file, fmt = found
        if file in entries:
            other = entries[file].source
            raise ExchangeSetError(
                f"tệp {file} có hai lần trong bộ dữ liệu: {other} và {display}; hãy giữ lại một",
                f"{file} is present twice in the set: {other} and {display}; keep one",
            )
        entries[file] = _Entry(file, fmt, location, display)
    return entries, ignored


def _no_files_error(path) -> ExchangeSetError:
    names = ", ".join(f"{f}.jsonl" for f in IMPORT_ORDER)
    return ExchangeSetError(
        f"không tìm thấy tệp dữ liệu trao đổi nào trong {path} (cần một trong: {names}; hoặc .csv cùng tên)",
        f"no exchange file found in {path} (expected any of: {names}, or .csv)",
    )


def _is_junk(name: str) -> bool:
    base = posixpath.basename(name)
    return name.startswith("__MACOSX/") or base.startswith("._") or base.startswith(".")


def open_exchange_set(path: str | os.PathLike, limits: ReadLimits | None = None) -> ExchangeSet:
    """Open a folder, a .zip of one (files may be in a sub-folder) or one .xlsx workbook.

    Raises ``ExchangeSetError`` (Vietnamese message) when the set cannot be read
    as a whole: missing path, unknown kind, a file present in two formats, files
    spread over several folders of a zip, no recognised file at all, or an archive
    beyond ``limits`` (default: the settings).
    """
    path = Path(path)
    limits = limits or ReadLimits.from_settings()
    if not path.exists():
        raise ExchangeSetError(f"không tìm thấy {path}", f"{path} does not exist")
    if path.is_dir():
        names = sorted((p.name, str(p)) for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        entries, ignored = _collect(names, "folder")
        if not entries:
            raise _no_files_error(path)
        return ExchangeSet(path, "folder", entries, ignored, limits=limits)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _open_zip(path, limits)
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, limits)
    found = _classify(path.name)
    if found is not None:
        raise ExchangeSetError(
            f"{path} là một tệp đơn lẻ; hãy chỉ ra thư mục chứa nó (hoặc tệp .zip, .xlsx)",
            f"{path} is a single file; give the folder that holds it (or a .zip or .xlsx)",
        )
    raise ExchangeSetError(
        f"không đọc được {path}: cần một thư mục, tệp .zip hoặc tệp .xlsx",
        f"cannot read {path}: expected a folder, a .zip or an .xlsx file",
    )


def _check_archive(zf: zipfile.ZipFile, path: Path, limits: ReadLimits) -> None:
    """Refuse a zip bomb from its directory, before anything is expanded.

    Every member counts (scoring extracts them all); reading never yields more than a
    member's declared size, so the declared sizes bound the work.
    """
    members = [info for info in zf.infolist() if not info.is_dir()]
    expanded = sum(info.file_size for info in members)
    if expanded > limits.expanded_mb * 2**20:
        mb = math.ceil(expanded / 2**20)
        raise ExchangeSetError(
            f"tệp {path.name} giải nén ra {mb} MB, vượt quá giới hạn {limits.expanded_mb} MB "
            "(MOTCUA_IMPORT_MAX_EXPANDED_MB)",
            f"{path.name} expands to {mb} MB, more than the {limits.expanded_mb} MB allowed",
        )
    for info in members:
        if info.file_size >= RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ExchangeSetError(
                f"tệp {info.filename} trong {path.name} có tỉ lệ nén {ratio}:1, vượt quá giới hạn "
                f"{limits.ratio}:1 (MOTCUA_IMPORT_MAX_RATIO); tệp nén như vậy có thể là tệp zip độc hại",
                f"{info.filename} in {path.name} is compressed {ratio}:1, more than the {limits.ratio}:1 allowed",
            )


def _open_zip(path: Path, limits: ReadLimits) -> ExchangeSet:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExchangeSetError(
            f"{path} không phải tệp zip hợp lệ ({exc})", f"{path} is not a valid zip ({exc})"
        ) from None
    try:
        _check_archive(zf, path, limits)
        members = [i.filename for i in zf.infolist() if not i.is_dir() and not _is_junk(i.filename)]
        folders = {posixpath.dirname(m) for m in members if _classify(posixpath.basename(m))}
        if len(folders) > 1:
            listed = ", ".join(sorted(f or "/" for f in folders))
            raise ExchangeSetError(
                f"tệp zip {path} chứa tệp dữ liệu trong nhiều thư mục ({listed}); hãy để chúng trong một thư mục",
                f"zip {path} holds exchange files in several folders ({listed})",
            )
        if not folders:
            raise _no_files_error(path)
        (folder,) = folders
        entries, ignored = _collect([(m, m) for m in sorted(members) if posixpath.dirname(m) == folder], "zip")
        ignored += [m for m in members if posixpath.dirname(m) != folder]
        for entry in entries.values():
            entry.source = f"{path.name}:{entry.location}"
    except BaseException:
        zf.close()
        raise
    return ExchangeSet(path, "zip", entries, ignored, handle=zf, limits=limits)


class _Workbook:
    """A workbook read twice: the values a spreadsheet program computed, and the formulas behind them.

    A formula cell saved without its computed value (files written by libraries, not by a
    spreadsheet program) reads as empty: the formulas tell it from a cell that is really empty.
    """

    def __init__(self, values, formulas):
        self.values, self.formulas = values, formulas
        self.sheetnames = values.sheetnames

    def rows(self, sheet: str):
        """(values, formulas) of each row."""
        return zip(
            self.values[sheet].iter_rows(values_only=True),
            self.formulas[sheet].iter_rows(values_only=True),
            strict=True,
        )

    def close(self):
        self.values.close()
        self.formulas.close()


def _uncomputed_formula(value, formula) -> bool:
    return value is None and type(formula) is str and formula.startswith("=")


def _open_xlsx(path: Path, limits: ReadLimits) -> ExchangeSet:
    import openpyxl  # imported lazily: only XLSX sets need it

    try:
        with zipfile.ZipFile(path) as zf:  # a workbook is a zip: checked before openpyxl expands it
            _check_archive(zf, path, limits)
    except (zipfile.BadZipFile, OSError):
        pass  # openpyxl says what is wrong with it below
    try:
        wb = _Workbook(
            openpyxl.load_workbook(path, read_only=True, data_only=True),
            openpyxl.load_workbook(path, read_only=True, data_only=False),
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ExchangeSetError(
            f"không mở được sổ tính {path} ({exc})", f"cannot open workbook {path} ({exc})"
        ) from None
    entries: dict[str, _Entry] = {}
    ignored = []
    for sheet in wb.sheetnames:
        file = sheet.strip().lower()
        if file not in FILES:
            ignored.append(sheet)
            continue
        if file in entries:
            wb.close()
            raise ExchangeSetError(
                f"sổ tính {path.name} có hai trang cho {file}: {entries[file].location} và {sheet}",
                f"workbook {path.name} has two sheets for {file}",
            )
        entries[file] = _Entry(file, "xlsx", sheet, f"{path.name}, trang {sheet}")
    if not entries:
        wb.close()
        raise _no_files_error(path)
    return ExchangeSet(path, "xlsx", entries, ignored, handle=wb, limits=limits)
