"""Shared test setup.

The suite runs on SQLite by default and on PostgreSQL when ``DATABASE_URL``
points at one (``.ci/run`` does both). Nothing is mocked at the database level.
"""

import os

os.environ.setdefault("MOTCUA_HUEY_IMMEDIATE", "1")
# The live 766 recomputation after each dossier event (index766/signals.py) is off in tests,
# except where tests/index766/test_live.py turns it on.
os.environ.setdefault("MOTCUA_LIVE_766", "0")
