"""Shared test setup.

The suite runs on SQLite by default and on PostgreSQL when ``DATABASE_URL``
points at one (``.ci/run`` does both). Nothing is mocked at the database level.
"""

import os

os.environ.setdefault("MOTCUA_HUEY_IMMEDIATE", "1")
