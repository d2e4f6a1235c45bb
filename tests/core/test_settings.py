"""Configuration: every ``MOTCUA_*`` variable is read and checked once, in settings.py, and documented.

Production mode is tested the way an operator meets it: the settings are loaded (or ``manage.py check
--deploy`` is run) in a child process with the production environment, a throwaway SQLite database and a
data folder of its own; nothing of the test process's configuration leaks in.
"""

from __future__ import annotations

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "motcua"
SETTINGS_MODULES = {PACKAGE / "settings.py", PACKAGE / "config.py"}
#: Modules that only name the settings module for Django (``DJANGO_SETTINGS_MODULE``).
ENTRY_POINTS = {PACKAGE / "cli.py", PACKAGE / "wsgi.py"}


def child_environment(tmp_path: Path, **variables: str | None) -> dict[str, str]:
    """This process's environment without any motcua or Django configuration, plus ``variables``."""
    # (DJANGO_ALLOW_ASYNC_UNSAFE, set for the browser tests, would fail the deploy check.)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(MOTCUA_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}")
    env.update({k: v for k, v in variables.items() if v is not None})
    return env


def production(tmp_path: Path, **variables: str | None) -> dict[str, str]:
    defaults = {
        "MOTCUA_ENV": "production",
        "MOTCUA_SECRET_KEY": secrets.token_urlsafe(50),
        "MOTCUA_ALLOWED_HOSTS": "motcua.example.gov.vn",
        "MOTCUA_PUBLIC_URL": "https://motcua.example.gov.vn",
    }
    return child_environment(tmp_path, **{**defaults, **variables})


def load_settings(env: dict[str, str], show: str = "") -> subprocess.CompletedProcess:
    """Import motcua.settings in a child process; ``show`` is a Python expression over it to print."""
    code = "import motcua.settings as s\n" + (f"print(({show}))\n" if show else "")
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=env["MOTCUA_DATA_DIR"], capture_output=True, text=True, timeout=120
    )


def refused(result: subprocess.CompletedProcess, variable: str) -> bool:
    return (
        result.returncode != 0
        and "ImproperlyConfigured" in result.stderr
        and variable in result.stderr.strip().splitlines()[-1]
    )


# --- production mode ---------------------------------------------------------------------------------------


def test_check_deploy_is_clean_in_production(tmp_path):
    env = production(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "from motcua.cli import main; main()", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_safe(tmp_path):
    shown = load_settings(
        production(tmp_path),
        show=(
            "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0"
        ),
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "(False, True, True, True, True)"


@pytest.mark.parametrize("name", ["Production", "PRODUCTION", " production "])
def test_environment_name_is_case_insensitive(tmp_path, name):
    """MOTCUA_ENV=Production used to run development mode: debug on, the demo key accepted."""
    assert refused(load_settings(production(tmp_path, MOTCUA_ENV=name, MOTCUA_SECRET_KEY=None)), "MOTCUA_SECRET_KEY")
    shown = load_settings(production(tmp_path, MOTCUA_ENV=name), show="s.PRODUCTION, s.DEBUG")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "(True, False)"


@pytest.mark.parametrize("name", ["prod", "staging", "dev", "production1"])
def test_unknown_environment_name_is_an_error(tmp_path, name):
    assert refused(load_settings(child_environment(tmp_path, MOTCUA_ENV=name)), "MOTCUA_ENV")


#: A random-looking key of 32 characters: long enough for the old rule, too short for Django's check.
SHORT_KEY = "Xq3vN8rTz1LmW5pK9sYb2HdFg7JcE4uA"


@pytest.mark.parametrize(
    "key",
    [
        None,  # missing
        "motcua-demo-secret-key-do-not-use-in-production",  # the demo key
        "a" * 32,  # long enough for the old rule, one distinct character
        "a" * 80,
        "abcd" * 20,  # four distinct characters
        SHORT_KEY,
        "django-insecure-" + SHORT_KEY * 2,  # startproject's throwaway key
    ],
    ids=["missing", "demo", "32a", "80a", "abcd", "short", "django-insecure"],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    env = production(tmp_path)
    if key is None:
        del env["MOTCUA_SECRET_KEY"]
    else:
        env["MOTCUA_SECRET_KEY"] = key
    assert refused(load_settings(env), "MOTCUA_SECRET_KEY")


def test_production_refuses_debug(tmp_path):
    assert refused(load_settings(production(tmp_path, MOTCUA_DEBUG="1")), "MOTCUA_DEBUG")


def test_production_refuses_plain_model_backend(tmp_path):
    """Django's ModelBackend would accept the demo's published password; PasswordBackend refuses it."""
    env = production(tmp_path, MOTCUA_AUTH_BACKENDS="django.contrib.auth.backends.ModelBackend")
    assert refused(load_settings(env), "MOTCUA_AUTH_BACKENDS")


# --- every variable checked once ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MOTCUA_DEBUG", "maybe"),
        ("MOTCUA_766_RECOMPUTE_MINUTES", "0"),
        ("MOTCUA_766_RECOMPUTE_MINUTES", "every five"),
        ("MOTCUA_APOLOGY_WARNING_HOURS", "8h"),
        ("MOTCUA_SCOREBOARD_CACHE_SECONDS", "-1"),
        ("MOTCUA_LIVE_766", "perhaps"),
        ("MOTCUA_CACHE", "memcached"),
        ("MOTCUA_LOG_LEVEL", "LOUD"),
        ("MOTCUA_OFFICE_HOURS", "7h-17h"),
        ("MOTCUA_DUCKDB_MEMORY", "lots"),
        ("MOTCUA_LOGIN_FAILURES_PER_ACCOUNT", "0"),
        ("MOTCUA_LOGIN_FAILURES_PER_CLIENT", "many"),
        ("MOTCUA_LOGIN_LOCKOUT_MINUTES", "x"),
        ("MOTCUA_PROXY_COUNT", "-1"),
    ],
)
def test_a_bad_value_is_refused_with_the_variable_named(tmp_path, variable, value):
    assert refused(load_settings(child_environment(tmp_path, **{variable: value})), variable)


def test_values_are_parsed_into_settings(tmp_path):
    env = child_environment(
        tmp_path,
        MOTCUA_766_RECOMPUTE_MINUTES="15",
        MOTCUA_LIVE_766="false",
        MOTCUA_APOLOGY_WARNING_HOURS="16",
        MOTCUA_DUCKDB_MEMORY="1GB",
    )
    shown = load_settings(
        env,
        show=(
            "s.MOTCUA_766_RECOMPUTE_MINUTES, s.MOTCUA_LIVE_766, s.MOTCUA_APOLOGY_WARNING_HOURS, s.MOTCUA_DUCKDB_MEMORY"
        ),
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "(15, False, 16, '1GB')"


def test_redis_cache_shares_values_between_processes(tmp_path):
    """MOTCUA_CACHE=redis: what one process stores (a request counter), another reads, on the real server."""
    key = f"motcua-test-{secrets.token_hex(8)}"
    env = child_environment(tmp_path, MOTCUA_CACHE="redis", MOTCUA_REDIS_URL="redis://127.0.0.1:6379/15")
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'motcua.settings'; django.setup()\n"
        "from django.core.cache import cache\n"
    )
    store = subprocess.run(
        [sys.executable, "-c", code + f"cache.set({key!r}, 41, 60); print(cache.incr({key!r}))"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    read = subprocess.run(
        [sys.executable, "-c", code + f"print(cache.get({key!r})); cache.delete({key!r})"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (store.stdout.strip(), read.stdout.strip()) == ("42", "42"), store.stderr + read.stderr


def test_apology_warning_hours_is_a_setting(settings):
    assert settings.MOTCUA_APOLOGY_WARNING_HOURS == 8


def _variables_read_by(path: Path) -> set[str]:
    """``MOTCUA_*`` names passed as the first argument of a call (os.environ.get, env.int, …)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            value = node.args[0].value
            if isinstance(value, str) and re.fullmatch(r"MOTCUA_[A-Z0-9_]+", value):
                names.add(value)
    return names


def _variables_documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`(MOTCUA_[A-Z0-9_]+)`", row.split("|")[1])}


def test_readme_documents_exactly_the_variables_settings_read():
    read = set().union(*(_variables_read_by(p) for p in SETTINGS_MODULES if p.exists()))
    documented = _variables_documented()
    assert not documented - read, f"documented in the README, read by nothing: {sorted(documented - read)}"
    assert not read - documented, f"read by settings.py, not in the README: {sorted(read - documented)}"


def test_only_settings_read_the_environment():
    """Everything else reads ``django.conf.settings``; the entry points only name the settings module."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in SETTINGS_MODULES or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"os\.environ|os\.getenv|getenv\(", line):
                if path in ENTRY_POINTS and "DJANGO_SETTINGS_MODULE" in line:
                    continue
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_every_motcua_setting_the_code_reads_exists(settings):
    """A ``settings.MOTCUA_*`` read elsewhere names a setting settings.py defines (no silent getattr default)."""
    read = {
        name
        for path in PACKAGE.rglob("*.py")
        if path not in SETTINGS_MODULES
        for name in re.findall(
            r'(?:settings\.|getattr\(settings,\s*")(MOTCUA_[A-Z0-9_]+)', path.read_text(encoding="utf-8")
        )
    }
    assert read and not [name for name in sorted(read) if not hasattr(settings, name)]
