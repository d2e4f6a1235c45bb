"""Validation and normalization of exchange records (see schema.py for the contract).

The schema is compiled once per file into closures, so a line costs a handful of
dict lookups and calls rather than an interpretation of the schema per field.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Callable
from functools import cache

from motcua.core.weblinks import is_web_url

from .schema import (
    BOOL,
    DATE,
    ENUM,
    HHMM,
    INT,
    LIST,
    NUMBER,
    PERIOD,
    STR,
    TIMESTAMP,
    URL,
    VN_TZ,
    FieldSpec,
    get_file_spec,
)

__all__ = [
    "FieldError",
    "InvalidRecord",
    "ParseError",
    "get_validator",
    "normalize",
    "show_value",
    "validate",
]

_MAX_SHOWN = 60


def show_value(value) -> str:
    """The offending value as shown in a message: JSON text, truncated."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return text


class FieldError:
    """One problem in one line of one file.

    ``file`` is the logical file name (``"dossiers"``), ``source`` how the user
    sees it (``"dossiers.jsonl"``, ``"bo.xlsx, trang dossiers"``), ``field`` a dotted
    path (``DanhSachHoSoBoSung[2].NgayBoSung``, list indices from 0) or ``None``
    for a problem with the whole line, ``code`` a stable machine-readable kind.
    """

    __slots__ = ("file", "line", "field", "code", "message", "message_en", "value", "source")

    def __init__(
        self,
        file: str,
        line: int | None,
        field: str | None,
        code: str,
        message: str,
        message_en: str,
        value=None,
        source: str | None = None,
    ):
        self.file = file
        self.line = line
        self.field = field
        self.code = code
        self.message = message
        self.message_en = message_en
        self.value = value
        self.source = source or f"{file}.jsonl"

    def _where(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(f"dòng {self.line}")
        if self.field:
            parts.append(f"trường {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self._where()}: {self.message}"

    def str_en(self) -> str:
        where = [self.source]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message_en}"

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def __eq__(self, other):
        return type(other) is type(self) and self.as_dict() == other.as_dict()

    __hash__ = None


class ParseError(FieldError):
    """A line (or a whole file) that could not be read into a dict at all."""

    __slots__ = ()


class InvalidRecord(ValueError):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _reject_constant(name):
    # NaN and Infinity are not JSON; the exporter could not write them back.
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text):
    # 1e400 would read as infinity, which no database stores as JSON.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


#: Reads a JSON Lines line or a list cell: only what the exporter can write back.
JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


# --- converters --------------------------------------------------------------------
# A converter takes a non-empty raw value and returns the normalized value, or
# raises _Invalid with issues (path suffix, code, message vi, message en, value).


class _Invalid(Exception):
    __slots__ = ("issues",)

    def __init__(self, issues):
        self.issues = issues


def _bad(code: str, value, vi: str, en: str):
    shown = show_value(value)
    return _Invalid([("", code, f"{shown} {vi}", f"{shown} {en}", value)])


_INT_RE = re.compile(r"[+-]?\d+\Z", re.ASCII)
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_HHMM_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)\Z", re.ASCII)
_PERIOD_RE = re.compile(r"\d{4}(?:-(?:H[12]|Q[1-4]|0[1-9]|1[0-2]))?\Z", re.ASCII)


def _check_bounds(spec: FieldSpec, conv):
    minimum, maximum = spec.minimum, spec.maximum
    if minimum is None and maximum is None:
        return conv

    def bounded(v):
        n = conv(v)
        if minimum is not None and n < minimum:
            raise _bad("negative", v, "không được là số âm", "must not be negative")
        if maximum is not None and n > maximum:
            raise _bad(
                "too_large",
                v,
                f"vượt quá giá trị lớn nhất cho phép ({maximum})",
                f"exceeds the largest value allowed ({maximum})",
            )
        return n

    return bounded


def _conv_str(v):
    t = type(v)
    if t is str:
        return None if v.isspace() else v
    if t is int:  # a numeric code from a spreadsheet cell or a lenient exporter
        return str(v)
    raise _bad("type", v, "không phải chuỗi ký tự", "is not a string")


# PostgreSQL refuses NUL in text and JSON, SQLite stores it: refused here, on both.
_NUL_VI, _NUL_EN = "chứa ký tự NUL (\\u0000), không được phép", "contains a NUL character (\\u0000)"


def _text_issue(s: str, max_length: int | None) -> _Invalid | None:
    """A text no database column can hold the same way on SQLite and PostgreSQL."""
    if "\x00" in s:
        return _bad("nul", s, _NUL_VI, _NUL_EN)
    if max_length is not None and len(s) > max_length:
        return _bad(
            "too_long",
            s,
            f"dài {len(s)} ký tự, vượt quá {max_length} ký tự cho phép",
            f"has {len(s)} characters, more than the {max_length} allowed",
        )
    return None


def text_issue(value, max_length: int | None) -> tuple[str, str, str] | None:
    """(code, message, message_en) when ``value`` is not a storable text; for fields outside the schema."""
    if type(value) is int:
        value = str(value)
    elif type(value) is not str:
        shown = show_value(value)
        return "type", f"{shown} không phải chuỗi ký tự", f"{shown} is not a string"
    issue = _text_issue(value, max_length)
    return None if issue is None else issue.issues[0][1:4]


def _str_converter(spec: FieldSpec):
    max_length = spec.max_length

    def conv_checked_str(v):
        s = _conv_str(v)
        if s is not None and (issue := _text_issue(s, max_length)) is not None:
            raise issue
        return s

    return conv_checked_str


def _pattern_converter(spec: FieldSpec):
    full_match = re.compile(rf"{spec.pattern.regex}\Z", re.ASCII).match
    rule, rule_en = spec.pattern.rule, spec.pattern.rule_en

    def conv_patterned_str(v):
        s = _conv_str(v)
        if s is not None and (issue := _text_issue(s, spec.max_length)) is not None:
            raise issue
        if s is not None and full_match(s) is None:
            raise _bad("pattern", v, f"không hợp lệ: {rule}", f"is not valid: {rule_en}")
        return s

    return conv_patterned_str


def _url_converter(spec: FieldSpec):
    """Like ``str`` (NUL, length), and only an absolute http(s) URL: it is rendered as a link."""
    checked = _str_converter(spec)

    def conv_url(v):
        text = checked(v)
        if text is not None and not is_web_url(text):
            raise _bad(
                "url",
                v,
                "không phải địa chỉ web bắt đầu bằng http:// hoặc https://",
                "is not an absolute http:// or https:// URL",
            )
        return text

    return conv_url


def _conv_int(v):
    t = type(v)
    if t is int:
        return v
    if t is str:
        s = v.strip()
        if _INT_RE.match(s):
            return int(s)
    elif t is float and v.is_integer():
        return int(v)
    raise _bad("type", v, "không phải số nguyên", "is not an integer")


def _conv_number(v):
    t = type(v)
    if t is int:
        return v
    if t is str:
        s = v.strip()
        if _NUMBER_RE.match(s):
            v, t = float(s), float
    if t is float and math.isfinite(v):
        return int(v) if v.is_integer() else v
    raise _bad("type", v, "không phải số", "is not a number")


_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def _conv_bool(v):
    if v is True or v is False:
        return v
    t = type(v)
    if t is int and (v == 0 or v == 1):
        return v == 1
    if t is str:
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    raise _bad("type", v, "không phải giá trị đúng/sai (true/false, 1/0)", "is not a boolean")


def boolean(value) -> bool | None:
    """A boolean outside the schema (omitted: False), or None when ``value`` is not one."""
    if value is None or value == "":
        return False
    try:
        return _conv_bool(value)
    except _Invalid:
        return None


def _conv_date(v):
    t = type(v)
    if t is str:
        if _DATE_RE.match(v):
            try:
                return _dt.date.fromisoformat(v)
            except ValueError:
                pass
    elif t is _dt.date:
        return v
    elif t is _dt.datetime and v.tzinfo is None and v.time() == _dt.time(0):
        return v.date()  # a spreadsheet date cell reads back as midnight
    raise _bad("date", v, "không phải ngày hợp lệ (YYYY-MM-DD)", "is not a valid date (YYYY-MM-DD)")


_fromisoformat = _dt.datetime.fromisoformat

# Parsed timestamps by their text. A line repeats the same instants (the status
# log echoes NgayTiepNhan, NgayHenTra...), and datetimes are immutable, so
# sharing them is safe; the cache is simply emptied when it grows.
_TS_CACHE: dict[str, _dt.datetime] = {}
_TS_CACHE_MAX = 8192


def _conv_timestamp(v):
    try:
        if type(v) is str:
            hit = _TS_CACHE.get(v)
            if hit is not None:
                return hit
            # A date alone is not an instant; ISO 8601 needs the time part here.
            if len(v) >= 16 and v[10] in "T ":
                dt = _fromisoformat(v)
                if dt.tzinfo is None:  # no offset: Asia/Ho_Chi_Minh (+07:00)
                    dt = dt.replace(tzinfo=VN_TZ)
                else:
                    dt = dt.astimezone(VN_TZ)
                if len(_TS_CACHE) >= _TS_CACHE_MAX:
                    _TS_CACHE.clear()
                _TS_CACHE[v] = dt
                return dt
        elif isinstance(v, _dt.datetime):
            if v.tzinfo is None:
                return v.replace(tzinfo=VN_TZ)
            return v if v.tzinfo is VN_TZ else v.astimezone(VN_TZ)
    except (ValueError, OverflowError):
        pass
    raise _bad(
        "timestamp",
        v,
        "không phải ngày giờ hợp lệ (ISO 8601)",
        "is not a valid timestamp (ISO 8601)",
    )


def _conv_hhmm(v):
    if type(v) is str:
        m = _HHMM_RE.match(v.strip())
        if m:
            return f"{int(m.group(1)):02d}:{m.group(2)}"
    elif isinstance(v, _dt.time) and not v.second and not v.microsecond:
        return f"{v.hour:02d}:{v.minute:02d}"
    raise _bad("hhmm", v, "không phải giờ phút hợp lệ (HH:MM)", "is not a valid time (HH:MM)")


def _conv_period(v):
    if type(v) is str:
        if _PERIOD_RE.match(v):
            return v
    elif type(v) is int and 1000 <= v <= 9999:
        return str(v)
    raise _bad(
        "period",
        v,
        "không phải kỳ hợp lệ (2026, 2026-H1, 2026-Q3, 2026-08)",
        "is not a valid period (2026, 2026-H1, 2026-Q3, 2026-08)",
    )


def _enum_converter(spec: FieldSpec):
    values = spec.values
    allowed = frozenset(values)
    listed = ", ".join(str(x) for x in values)
    ints = all(type(x) is int for x in values)

    def fail(v):
        return _bad(
            "enum",
            v,
            f"không thuộc các giá trị cho phép: {listed}",
            f"is not one of the allowed values: {listed}",
        )

    if ints:

        def conv_int_enum(v):
            t = type(v)
            if t is str:
                s = v.strip()
                if _INT_RE.match(s):
                    v, t = int(s), int
            elif t is float and v.is_integer():
                v, t = int(v), int
            if t is int and v in allowed:
                return v
            raise fail(v)

        return conv_int_enum

    def conv_str_enum(v):
        if type(v) is str and v in allowed:
            return v
        raise fail(v)

    return conv_str_enum


_SCALAR_CONVERTERS = {
    INT: _conv_int,
    NUMBER: _conv_number,
    BOOL: _conv_bool,
    DATE: _conv_date,
    TIMESTAMP: _conv_timestamp,
    HHMM: _conv_hhmm,
    PERIOD: _conv_period,
}


def _list_value(v):
    """A list value; CSV/XLSX cells (and lenient exporters) give its JSON text."""
    if type(v) is list:
        return v
    if type(v) is str:
        try:
            parsed = JSON_DECODER.decode(v)
        except RecursionError:
            raise _bad("too_deep", v, "có dữ liệu JSON lồng nhau quá nhiều tầng", "is JSON nested too deeply") from None
        except ValueError:
            raise _bad("json", v, "không phải danh sách JSON hợp lệ", "is not a valid JSON list") from None
        if type(parsed) is list:
            return parsed
    raise _bad("type", v, "không phải danh sách", "is not a list")


def _scalar_list_converter(spec: FieldSpec):
    item = _converter(spec.item)

    def conv_list(v):
        v = _list_value(v)
        out = []
        issues = None
        for i, x in enumerate(v):
            try:
                if x is None or x == "":
                    raise _bad("required", x, "mục của danh sách không được rỗng", "empty list item")
                out.append(item(x))
            except _Invalid as e:
                issues = issues or []
                for suffix, code, vi, en, value in e.issues:
                    issues.append((f"[{i}]{suffix}", code, vi, en, value))
        if issues:
            raise _Invalid(issues)
        return out

    return conv_list


def _object_list_converter(spec: FieldSpec):
    validate_obj = _compile_object(spec.fields, keep_unknown_inline=True)
    ordered_by = spec.ordered_by

    def conv_list(v):
        v = _list_value(v)
        out = []
        issues = None
        for i, x in enumerate(v):
            if type(x) is not dict:
                issues = issues or []
                shown = show_value(x)
                issues.append(
                    (
                        f"[{i}]",
                        "type",
                        f"{shown} không phải đối tượng JSON",
                        f"{shown} is not a JSON object",
                        x,
                    )
                )
                continue
            obj, sub_issues = validate_obj(x)
            if sub_issues:
                issues = issues or []
                for path, code, vi, en, value in sub_issues:
                    issues.append((f"[{i}].{path}", code, vi, en, value))
            else:
                out.append(obj)
        if issues:
            raise _Invalid(issues)
        if ordered_by is not None and len(out) > 1:
            _check_chronological(out, v, ordered_by)
        return out

    return conv_list


def _check_chronological(items: list[dict], raw: list, ordered_by: str) -> None:
    """Raise when an item's ``ordered_by`` is earlier than the last non-empty one before it (oldest first)."""
    prev = items[0][ordered_by]
    for i in range(1, len(items)):
        cur = items[i][ordered_by]
        if prev is not None and cur is not None and cur < prev:
            shown, shown_prev = (
                show_value(raw[i].get(ordered_by)),
                show_value(raw[i - 1].get(ordered_by)),
            )
            raise _Invalid(
                [
                    (
                        f"[{i}].{ordered_by}",
                        "order",
                        f"{shown} sớm hơn mục trước ({shown_prev}); "
                        "danh sách phải theo thứ tự thời gian, cũ nhất trước",
                        f"{shown} is earlier than the previous item ({shown_prev}); the list must be oldest first",
                        raw[i].get(ordered_by),
                    )
                ]
            )
        if cur is not None:
            prev = cur


def _converter(spec: FieldSpec):
    if spec.kind == LIST:
        if spec.fields is not None:
            return _object_list_converter(spec)
        return _scalar_list_converter(spec)
    if spec.kind == ENUM:
        return _enum_converter(spec)
    if spec.kind == STR:
        return _pattern_converter(spec) if spec.pattern is not None else _str_converter(spec)
    if spec.kind == URL:
        return _url_converter(spec)
    return _check_bounds(spec, _SCALAR_CONVERTERS[spec.kind])


def _required_issue(spec: FieldSpec, value):
    return (
        spec.name,
        "required",
        f"thiếu giá trị bắt buộc ({spec.label})",
        "required value is missing",
        value,
    )


def _add_issues(issues, name: str, exc: _Invalid):
    issues = issues or []
    for suffix, code, vi, en, bad in exc.issues:
        issues.append((name + suffix, code, vi, en, bad))
    return issues


def _add_required(issues, spec: FieldSpec, value):
    issues = issues or []
    issues.append(_required_issue(spec, value))
    return issues


#: How deep lists and objects may nest in a field the schema does not declare (it is kept in ``extra``).
MAX_NESTING = 16


def _unsafe(value, path: str, depth: int = 1):
    """(path, code, vi, en, value) of the first string with a NUL or container nested too deep, else None.

    Too deep is reported at the field itself (path None): the path down to it says nothing more.
    """
    t = type(value)
    if t is str:
        return (
            (path, "nul", f"{show_value(value)} {_NUL_VI}", f"{show_value(value)} {_NUL_EN}", value)
            if "\x00" in value
            else None
        )
    if t is not list and t is not dict:
        return None
    if depth > MAX_NESTING:
        return (
            None,
            "too_deep",
            f"có dữ liệu lồng nhau quá {MAX_NESTING} tầng",
            f"is nested more than {MAX_NESTING} levels deep",
            None,
        )
    items = enumerate(value) if t is list else value.items()
    for key, item in items:
        if t is list:
            found = _unsafe(item, f"{path}[{key}]", depth + 1)
        else:
            found = _unsafe_key(key, path) or _unsafe(item, f"{path}.{key}", depth + 1)
        if found is not None:
            return found
    return None


def _unsafe_key(key: str, parent: str | None):
    if "\x00" not in key:
        return None
    shown = key.replace("\x00", "\\u0000")
    return (
        shown if parent is None else f"{parent}.{shown}",
        "nul",
        f"tên trường {_NUL_VI}",
        f"the field name {_NUL_EN}",
        None,
    )


def _check_unknown(raw: dict, names: frozenset, issues):
    """Fields outside the schema are kept verbatim: only what no database can store is refused."""
    for key, value in raw.items():
        if key not in names and (found := _unsafe_key(key, None) or _unsafe(value, key)) is not None:
            issues = issues or []
            issues.append((found[0] or key, *found[1:]))
    return issues


def _compile_object(fields: tuple[FieldSpec, ...], *, keep_unknown_inline: bool):
    """Compile ``fields`` into ``validate_obj(raw) -> (obj, issues | None)``.

    The function is generated as straight-line Python source (one block per
    field, with inline fast paths for values that are already canonical), which
    is several times faster than looping over a field table. Unknown keys go to
    ``obj["extra"]`` (top level) or stay in ``obj`` after the declared keys,
    sorted (sub-objects of lists).
    """
    env = {
        "_Invalid": _Invalid,
        "_add_issues": _add_issues,
        "_add_required": _add_required,
        "_check_unknown": _check_unknown,
        "_names": frozenset(spec.name for spec in fields),
    }
    lines = ["def validate_obj(raw):", "    get = raw.get", "    issues = None"]
    for i, spec in enumerate(fields):
        name = repr(spec.name)
        env[f"c{i}"] = _converter(spec)
        env[f"s{i}"] = spec
        default = "[]" if spec.kind == LIST else "False" if spec.kind == BOOL else "None"
        lines += [
            f"    v = get({name})",
            '    if v is None or v == "":',
            f"        x{i} = {default}",
        ]
        if spec.kind == STR and spec.pattern is None:
            fits = "" if spec.max_length is None else f" and len(v) <= {spec.max_length}"
            lines += [f'    elif type(v) is str{fits} and "\\x00" not in v and not v.isspace():', f"        x{i} = v"]
        elif spec.kind == BOOL:
            lines += ["    elif v is True or v is False:", f"        x{i} = v"]
        elif spec.kind == TIMESTAMP:
            env["_ts_get"] = _TS_CACHE.get
            lines += [
                "    elif type(v) is str and (t := _ts_get(v)) is not None:",
                f"        x{i} = t",
            ]
        elif spec.kind == ENUM:
            env[f"a{i}"] = frozenset(x for x in spec.values)
            vtype = "int" if type(spec.values[0]) is int else "str"
            lines += [f"    elif type(v) is {vtype} and v in a{i}:", f"        x{i} = v"]
        lines += [
            "    else:",
            "        try:",
            f"            x{i} = c{i}(v)",
            "        except _Invalid as e:",
            f"            issues = _add_issues(issues, {name}, e)",
            f"            x{i} = 0",  # any non-None value: the record is rejected anyway
        ]
        if spec.required:
            lines += [f"    if x{i} is None:", f"        issues = _add_required(issues, s{i}, v)"]
    lines += [
        "    if not _names.issuperset(raw):",
        "        issues = _check_unknown(raw, _names, issues)",
        "    if issues:",
        "        return None, issues",
    ]
    items = ", ".join(f"{spec.name!r}: x{i}" for i, spec in enumerate(fields))
    lines.append(f"    obj = {{{items}}}")
    lines.append("    if not _names.issuperset(raw):")
    unknown = "{k: raw[k] for k in sorted(raw) if k not in _names}"
    if keep_unknown_inline:
        lines.append(f"        obj.update({unknown})")
    else:
        lines += [f"        obj['extra'] = {unknown}", "    else:", "        obj['extra'] = {}"]
    lines.append("    return obj, None")
    exec("\n".join(lines), env)  # noqa: S102 - source built from the static schema only
    return env["validate_obj"]


Validator = Callable[[dict, "int | None"], "tuple[dict | None, list[FieldError]]"]


@cache
def _compiled(file: str):
    return _compile_object(get_file_spec(file).fields, keep_unknown_inline=False)


def get_validator(file: str, source: str | None = None) -> Validator:
    """A compiled ``validator(raw, line) -> (record | None, errors)`` for hot loops."""
    validate_obj = _compiled(file)
    source = source or f"{file}.jsonl"

    def validator(raw, line=None):
        if type(raw) is not dict:
            shown = show_value(raw)
            return None, [
                FieldError(
                    file,
                    line,
                    None,
                    "type",
                    f"dòng phải là một đối tượng JSON ({{...}}), không phải {shown}",
                    f"the line must be a JSON object ({{...}}), not {shown}",
                    raw,
                    source,
                )
            ]
        record, issues = validate_obj(raw)
        if issues is None:
            return record, []
        return None, [FieldError(file, line, path, code, vi, en, value, source) for path, code, vi, en, value in issues]

    return validator


def validate(
    file: str, raw: dict, line: int | None = None, *, source: str | None = None
) -> tuple[dict | None, list[FieldError]]:
    """Validate and normalize one raw record of ``file`` (e.g. ``"dossiers"``).

    Returns ``(record, [])`` or ``(None, errors)``; never raises on bad data.
    """
    return get_validator(file, source)(raw, line)


def normalize(file: str, raw: dict) -> dict:
    """The normalized record of a raw dict, or ``InvalidRecord`` (a ValueError).

    ``normalize(file, record_to_json_dict(file, record)) == record``.
    """
    record, errors = validate(file, raw)
    if errors:
        raise InvalidRecord(errors)
    return record
