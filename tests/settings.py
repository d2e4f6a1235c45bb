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

# The dossiers' files in a folder of this test process, and a demo organisation certificate to sign with
# (motcua.files.pki: EC keys, made in milliseconds), trusted through its demo CA.
import tempfile as _tempfile2  # noqa: E402

from motcua.files.pki import DEMO_PASSWORD as _DEMO_PASSWORD  # noqa: E402
from motcua.files.pki import make_demo_pki as _make_demo_pki  # noqa: E402

_TEST_FILES = Path(_tempfile2.mkdtemp(prefix="motcua-test-files-"))  # noqa: F405
import atexit as _atexit  # noqa: E402
import shutil as _shutil  # noqa: E402

_atexit.register(_shutil.rmtree, _TEST_FILES, True)
STORAGES = {
    **STORAGES,  # noqa: F405
    "motcua_files": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(_TEST_FILES / "store"), "base_url": None},
    },
}
_PKI = _make_demo_pki(_TEST_FILES / "pki")
MOTCUA_SIGNING_PKCS12 = str(_PKI.pkcs12)
MOTCUA_SIGNING_PKCS12_PASSWORD = _DEMO_PASSWORD
MOTCUA_SIGNING_TRUST_ROOTS = [str(_PKI.ca_certificate)]
# Pushes to the applicant's data store are turned on by the tests that look at them.
MOTCUA_CITIZEN_STORE = ""
