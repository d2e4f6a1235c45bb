"""Shared by the index commands: where the facts come from."""

from __future__ import annotations

from pathlib import Path

from motcua.core.errors import UserError


def facts_and_switches(data: str | None):
    """Facts of an exchange set/snapshot, or of the database (refreshed), and the default switches."""
    if data:
        return load_facts(Path(data)), {}
    from motcua.index766.database import DEFAULT_SWITCHES, database_facts, refresh_database_facts

    refresh_database_facts()
    return database_facts(), dict(DEFAULT_SWITCHES)


def parse_switches(items: list[str]) -> dict[str, str]:
    """``--switch NAME=VALUE`` options (repeatable) as a dict; names and values are checked by the engine."""
    switches = {}
    for item in items:
        name, _, value = item.partition("=")
        if not value:
            raise UserError(f"--switch phải có dạng TÊN=GIÁ_TRỊ, nhận được «{item}».", f"bad --switch {item!r}")
        switches[name] = value
    return switches


def load_facts(path: Path):
    """An exchange set (folder or .zip) or a prepared DuckDB snapshot, refused with line-precise errors."""
    from motcua.index766.sources import load_exchange_set, open_snapshot

    if not path.exists():
        raise UserError(f"Không tìm thấy {path}.", f"{path} not found")
    if path.suffix == ".duckdb":
        return open_snapshot(path)
    first_error = _first_error(path)
    if first_error is not None:
        raise UserError(f"Bộ dữ liệu có lỗi, không chấm điểm: {first_error}", "exchange set has errors")
    return load_exchange_set(path)


def _first_error(path: Path):
    """Validate the set with the importer's readers (streaming); the first error, if any."""
    from motcua.interchange.readers import ExchangeSetError, open_exchange_set

    try:
        exchange_set = open_exchange_set(path)
    except ExchangeSetError as exc:
        raise UserError(exc.message, exc.message_en) from None
    with exchange_set:
        for name in exchange_set.files:
            for _line, _record, errors in exchange_set.iter_validated(name):
                if errors:
                    return errors[0]
    return None
