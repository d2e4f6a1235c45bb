"""The background queue (huey) lives in the project's database: PostgreSQL in production, a SQLite file of
its own beside an SQLite database (the demo), so that a production worker and the web processes share it
without a second store to run."""

from __future__ import annotations

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection
from huey.storage import PostgresStorage

from motcua.config import huey_settings
from tests.core.test_settings import child_environment, load_settings


def test_postgresql_database_means_a_postgresql_queue(tmp_path):
    database = dj_database_url.parse("postgres://motcua:secret@db.example.vn:5433/motcua?sslmode=require")
    config = huey_settings(database, tmp_path, immediate=False)
    assert config["huey_class"] == "huey.PostgresHuey" and config["immediate"] is False
    assert config["connection"] == {
        "dbname": "motcua",
        "user": "motcua",
        "password": "secret",
        "host": "db.example.vn",
        "port": 5433,
        "sslmode": "require",
    }
    assert config["create_tables"] is False  # `motcua migrate` creates them (core/migrations)


def test_sqlite_database_means_a_sqlite_queue_file(tmp_path):
    config = huey_settings(dj_database_url.parse(f"sqlite:///{tmp_path / 'motcua.sqlite3'}"), tmp_path, immediate=False)
    assert config["huey_class"] == "huey.SqliteHuey" and config["filename"] == str(tmp_path / "huey.sqlite3")


def test_settings_choose_the_queue_from_database_url_without_connecting(tmp_path):
    """Nothing listens on port 9: loading the settings and the huey app must not try to connect."""
    env = child_environment(tmp_path, DATABASE_URL="postgres://motcua@127.0.0.1:9/motcua", MOTCUA_HUEY_IMMEDIATE="0")
    env["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    shown = load_settings(
        env,
        show=(
            "__import__('django').setup() or __import__('huey.contrib.djhuey', fromlist=['HUEY']).HUEY.storage"
            ".__class__.__name__, s.HUEY['huey_class']"
        ),
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "('PostgresStorage', 'huey.PostgresHuey')"


@pytest.mark.postgres
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the PostgreSQL queue needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_the_queue_tables_are_migrated_and_carry_tasks(tmp_path):
    config = huey_settings(connection.settings_dict, tmp_path, immediate=False)
    storage = PostgresStorage("motcua-test", create_tables=False, blocking=False, **config["connection"])
    try:
        storage.enqueue(b"task one")
        storage.enqueue(b"task two")
        assert storage.queue_size() == 2
        assert [storage.dequeue(), storage.dequeue(), storage.dequeue()] == [b"task one", b"task two", None]
    finally:
        storage.flush_queue()
        storage.close()
