"""Reading the environment for settings.py: each ``MOTCUA_*`` variable parsed and checked once.

settings.py asks :class:`Environment` for every variable it uses (the README's Configuration table lists
the same names, tests/core/test_settings.py keeps the two equal); the rest of the code reads
``django.conf.settings``. A value that cannot be used stops the start with an ``ImproperlyConfigured``
naming the variable, the value and what is expected, instead of a silent default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


class Environment:
    """Typed access to environment variables; an empty value counts as unset."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name, "").strip()
        return value or None

    def parse(self, name: str, default: T, parser: Callable[[str], T], expected: str) -> T:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return parser(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r}: expected {expected}.") from None

    def text(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value is None else value

    def path(self, name: str, default: Path) -> Path:
        return Path(self.text(name, str(default))).expanduser().resolve()

    def flag(self, name: str, default: bool) -> bool:
        def parser(value: str) -> bool:
            if value.lower() not in TRUE | FALSE:
                raise ValueError(value)
            return value.lower() in TRUE

        return self.parse(name, default, parser, "1 or 0 (also true/false, yes/no, on/off)")

    def integer(self, name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
        def parser(value: str) -> int:
            number = int(value)
            if number < minimum or (maximum is not None and number > maximum):
                raise ValueError(value)
            return number

        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        return self.parse(name, default, parser, f"a whole number {bounds}")

    def choice(self, name: str, default: str, choices: Iterable[str]) -> str:
        """One of ``choices``, whatever the case of the value (the choice's own spelling is returned)."""
        canonical = {c.lower(): c for c in choices}

        def parser(value: str) -> str:
            if value.lower() not in canonical:
                raise ValueError(value)
            return canonical[value.lower()]

        return self.parse(name, default, parser, "one of " + ", ".join(canonical.values()))

    def matching(self, name: str, default: str, pattern: str, expected: str) -> str:
        def parser(value: str) -> str:
            if not re.fullmatch(pattern, value):
                raise ValueError(value)
            return value

        return self.parse(name, default, parser, expected)

    def items(self, name: str, default: Iterable[str]) -> list[str]:
        """A comma-separated list (blank items dropped)."""
        value = self.raw(name)
        items = default if value is None else value.split(",")
        return [item.strip() for item in items if item.strip()]


#: The least a production secret key must have (Django's own deploy check asks for 50 characters and 5
#: distinct ones; a key made by ``secrets.token_urlsafe(50)`` has about 60 distinct characters).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 10


def weak_secret_key(key: str, demo_key: str) -> str | None:
    """Why ``key`` may not sign production sessions, or None."""
    if key == demo_key:
        return "it is the demo key published with the source code"
    if key.startswith("django-insecure-"):
        return "it is a throwaway key made by django-admin startproject"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters, at least {SECRET_KEY_MIN_LENGTH} are needed"
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        return f"it has {len(set(key))} distinct characters, at least {SECRET_KEY_MIN_DISTINCT} are needed"
    return None


#: Django's own keys in a PostgreSQL database's OPTIONS; the rest are libpq parameters (sslmode, …).
_DJANGO_PG_OPTIONS = frozenset({"isolation_level", "server_side_binding", "pool", "assume_role", "prepare_threshold"})


def huey_settings(database: Mapping, data_dir: Path, *, immediate: bool) -> dict:
    """The ``HUEY`` setting: the queue in the project's database.

    PostgreSQL: huey's own PostgresHuey (tables ``huey_*``, created by ``motcua migrate``, and
    LISTEN/NOTIFY, so the worker wakes up as soon as a task is queued) on a connection of its own to the
    same database. SQLite (the demo): a SQLite file beside the database, so that the queue's writes never
    wait for the application database's single writer.
    """
    if database["ENGINE"] == "django.db.backends.postgresql":
        params = {
            "dbname": database.get("NAME"),
            "user": database.get("USER"),
            "password": database.get("PASSWORD"),
            "host": database.get("HOST"),
            "port": database.get("PORT"),
        }
        params.update({k: v for k, v in database.get("OPTIONS", {}).items() if k not in _DJANGO_PG_OPTIONS})
        return {
            "huey_class": "huey.PostgresHuey",
            "name": "motcua",
            "immediate": immediate,
            "create_tables": False,
            "connection": {k: v for k, v in params.items() if v not in (None, "")},
        }
    return {
        "huey_class": "huey.SqliteHuey",
        "name": "motcua",
        "immediate": immediate,
        "filename": str(data_dir / "huey.sqlite3"),
    }
