"""Settings for the test suite: the project's own, with two changes that only make tests faster and isolated."""

from motcua.settings import *  # noqa: F403

# Each xdist worker has its own test database: a shared file cache would mix their entries.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# PBKDF2 costs ~0.3 s per password on this hardware, and most tests create several officials.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
