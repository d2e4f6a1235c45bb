"""Settings for the test suite: the project's own, with two changes that only make tests faster and isolated."""

from motcua.settings import *  # noqa: F403

# Each xdist worker has its own test database: a shared file cache would mix their entries.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# PBKDF2 costs ~0.3 s per password on this hardware, and most tests create several officials.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# SQLite: a file test database (one per xdist worker: pytest-django adds the worker's suffix), so that the
# 766 engine's own Ibis connection and the live server's thread see the same committed data as the test.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not DATABASES["default"].get("TEST"):  # noqa: F405
    import tempfile as _tempfile

    DATABASES["default"]["TEST"] = {"NAME": str(Path(_tempfile.gettempdir()) / f"motcua-test-{os.getpid()}.sqlite3")}  # noqa: F405

# Background work runs inline, and the live 766 recomputation after each dossier event is off except where
# a test turns it on (tests/index766/test_live.py, tests/e2e).
HUEY = {**HUEY, "immediate": True}  # noqa: F405
MOTCUA_LIVE_766 = False
