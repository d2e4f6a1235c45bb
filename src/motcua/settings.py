"""Django settings for motcua.

Everything that differs between a laptop demo and a provincial data centre comes
from the environment (``DATABASE_URL`` and ``MOTCUA_*``). The defaults give a
working embedded demo on SQLite; production mode (``MOTCUA_ENV=production``)
refuses to start with the demo secret or debug on.

Every ``MOTCUA_*`` variable is read here, once, through :class:`motcua.config.Environment`
(a bad value stops the start and names the variable), and documented in the README's
Configuration table; the rest of the code reads ``django.conf.settings``.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from motcua.config import Environment, huey_settings, weak_secret_key

env = Environment(os.environ)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env.path("MOTCUA_DATA_DIR", Path.cwd() / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)

#: "development" (the demo: debug, the published demo key) or "production"; any other value is an error,
#: so that a misspelt "Production" does not silently run the demo configuration.
ENVIRONMENT = env.choice("MOTCUA_ENV", "development", ["development", "production"])
PRODUCTION = ENVIRONMENT == "production"

DEMO_SECRET_KEY = "motcua-demo-secret-key-do-not-use-in-production"
SECRET_KEY = env.text("MOTCUA_SECRET_KEY", "" if PRODUCTION else DEMO_SECRET_KEY)
DEBUG = env.flag("MOTCUA_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env.items("MOTCUA_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

if PRODUCTION:
    _make_key = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    if not SECRET_KEY:
        raise ImproperlyConfigured(f"MOTCUA_ENV=production needs MOTCUA_SECRET_KEY ({_make_key}).")
    if _weak := weak_secret_key(SECRET_KEY, DEMO_SECRET_KEY):
        raise ImproperlyConfigured(f"MOTCUA_SECRET_KEY is refused in production: {_weak} ({_make_key}).")
    if DEBUG:
        raise ImproperlyConfigured("MOTCUA_ENV=production refuses MOTCUA_DEBUG=1.")

# HTTPS only in production: plain HTTP is redirected, cookies are never sent without TLS, and browsers are
# told (HSTS) to use HTTPS for the site and its subdomains. Behind a TLS-terminating proxy on the same host,
# gunicorn trusts its X-Forwarded-Proto (FORWARDED_ALLOW_IPS for a proxy elsewhere; see the README).
SECURE_SSL_REDIRECT = PRODUCTION
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env.integer("MOTCUA_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "auditlog",
    "axes",
    "huey.contrib.djhuey",
    "motcua.core",
    "motcua.workdays",
    "motcua.org",
    "motcua.catalog",
    "motcua.files",
    "motcua.dossiers",
    "motcua.feedback",
    "motcua.documents",
    "motcua.interchange",
    "motcua.index766",
    "motcua.nationalportal",
    "motcua.notifications",
    "motcua.access",
    "motcua.workspace",
    "motcua.scoreboard",
    "motcua.web",
    "motcua.public",
    "motcua.api",
    "django_ratelimit",
]

MIDDLEWARE = [
    "motcua.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A form's one-time token and the view's changes in one transaction: a double click records once.
    "motcua.core.once.OnceMiddleware",
    "motcua.workspace.middleware.UserErrorMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles, fonts and requests only from the site itself
# (Bootstrap, Chart.js and htmx are vendored), no inline code, no plugins, not framed. Images also from
# data: URIs, which Bootstrap's CSS uses for its small icons (select arrows, the menu button).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.workspace.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite embedded by default, PostgreSQL in production (DATABASE_URL).
_default_sqlite = f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env.text("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)  # a custom DATABASE_URL path
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # One writer at a time, taken at BEGIN: no "database is locked" upgrades.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The test suite's SQLite database in a file of one's choosing (tests/index766/test_database_source.py).
    _test_sqlite = env.text("MOTCUA_TEST_SQLITE", "")
    DATABASES["default"]["TEST"] = {"NAME": _test_sqlite} if _test_sqlite else {}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# In development WhiteNoise serves from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env.path("MOTCUA_MEDIA_ROOT", DATA_DIR / "media")
MEDIA_URL = "media/"
# The digital dossier's files (motcua.files): content-addressed, never under MEDIA_URL; every download goes
# through a scoped view. "s3": any S3-compatible store through django-storages (boto3: the [s3] extra,
# credentials from the usual AWS_* variables of boto3).
MOTCUA_FILE_STORAGE = env.choice("MOTCUA_FILE_STORAGE", "filesystem", ["filesystem", "s3"])
MOTCUA_FILES_DIR = env.path("MOTCUA_FILES_DIR", DATA_DIR / "files")
MOTCUA_S3_BUCKET = env.text("MOTCUA_S3_BUCKET", "")
MOTCUA_S3_ENDPOINT_URL = env.text("MOTCUA_S3_ENDPOINT_URL", "")
if MOTCUA_FILE_STORAGE == "s3" and not MOTCUA_S3_BUCKET:
    raise ImproperlyConfigured("MOTCUA_FILE_STORAGE=s3 needs MOTCUA_S3_BUCKET.")
MOTCUA_UPLOAD_MAX_MB = env.integer("MOTCUA_UPLOAD_MAX_MB", 20, minimum=1, maximum=500)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, MOTCUA_UPLOAD_MAX_MB * 1024 * 1024 + 1_048_576)
# Antivirus check of uploads by clamd ("/run/clamav/clamd.ctl" or "host:3310"); empty: off.
MOTCUA_CLAMD = env.text("MOTCUA_CLAMD", "")
# The organisation's signing certificate: a PKCS#12 file, or a PKCS#11 token (USB token / HSM).
MOTCUA_SIGNING_PKCS12 = env.text("MOTCUA_SIGNING_PKCS12", "")
MOTCUA_SIGNING_PKCS12_PASSWORD = env.text("MOTCUA_SIGNING_PKCS12_PASSWORD", "")
MOTCUA_SIGNING_PKCS11_MODULE = env.text("MOTCUA_SIGNING_PKCS11_MODULE", "")
MOTCUA_SIGNING_PKCS11_TOKEN = env.text("MOTCUA_SIGNING_PKCS11_TOKEN", "")
MOTCUA_SIGNING_PKCS11_KEY = env.text("MOTCUA_SIGNING_PKCS11_KEY", "")
MOTCUA_SIGNING_PKCS11_PIN = env.text("MOTCUA_SIGNING_PKCS11_PIN", "")
MOTCUA_SIGNING_TRUST_ROOTS = env.items("MOTCUA_SIGNING_TRUST_ROOTS", [])
MOTCUA_TSA_URL = env.text("MOTCUA_TSA_URL", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "motcua_files": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MOTCUA_S3_BUCKET,
            "endpoint_url": MOTCUA_S3_ENDPOINT_URL or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if MOTCUA_FILE_STORAGE == "s3"
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MOTCUA_FILES_DIR), "base_url": None, "file_permissions_mode": 0o640},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# One cache shared by every web worker process (the scoreboard's drill-downs are costly to recompute per
# process): files under the data directory by default; "locmem" for tests (each test database its own).
# The cache holds the public pages' request counters (django-ratelimit) and the catalogue: with several web
# workers it must be shared. The file cache needs no server and serves one host (demo); Redis is the production
# choice: shared by web servers on several hosts, and no file write per counted request on a busy disk.
_CACHE = env.choice("MOTCUA_CACHE", "file", ["file", "redis", "locmem"])
CACHES = {
    "default": {
        "file": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache")},
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.text("MOTCUA_REDIS_URL", "redis://127.0.0.1:6379/1"),
        },
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }[_CACHE]
}
#: How long the scoreboard keeps an explanation, forecast or late list (the facts refresh every 5 minutes).
MOTCUA_SCOREBOARD_CACHE_SECONDS = env.integer("MOTCUA_SCOREBOARD_CACHE_SECONDS", 300, minimum=0)

LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "access:login"
# Password sign-in now (Django's ModelBackend, refusing the demo password in production); an OIDC (VNeID)
# backend is added here later (see motcua.access.identity).
_AUTH_BACKENDS = env.items("MOTCUA_AUTH_BACKENDS", ["motcua.access.backends.PasswordBackend"])
if PRODUCTION and "django.contrib.auth.backends.ModelBackend" in _AUTH_BACKENDS:
    raise ImproperlyConfigured(
        "MOTCUA_AUTH_BACKENDS: use motcua.access.backends.PasswordBackend instead of Django's ModelBackend "
        "in production (it also refuses the demo's published password)."
    )
# VNeID through OpenID Connect (motcua.access.oidc, mozilla-django-oidc): authorization code + PKCE; the
# claim MOTCUA_OIDC_ID_CLAIM is the số định danh cá nhân an administrator links to an official's account.
MOTCUA_OIDC_CLIENT_ID = env.text("MOTCUA_OIDC_CLIENT_ID", "")
MOTCUA_OIDC_CLIENT_SECRET = env.text("MOTCUA_OIDC_CLIENT_SECRET", "")
MOTCUA_OIDC_AUTHORIZATION_URL = env.text("MOTCUA_OIDC_AUTHORIZATION_URL", "")
MOTCUA_OIDC_TOKEN_URL = env.text("MOTCUA_OIDC_TOKEN_URL", "")
MOTCUA_OIDC_USERINFO_URL = env.text("MOTCUA_OIDC_USERINFO_URL", "")
MOTCUA_OIDC_JWKS_URL = env.text("MOTCUA_OIDC_JWKS_URL", "")
MOTCUA_OIDC_SCOPES = env.text("MOTCUA_OIDC_SCOPES", "openid profile")
MOTCUA_OIDC_ID_CLAIM = env.text("MOTCUA_OIDC_ID_CLAIM", "sub")
# "VNeID only": password sign-in is off except for the break-glass administrators named here.
MOTCUA_VNEID_ONLY = env.flag("MOTCUA_VNEID_ONLY", False)
MOTCUA_BREAK_GLASS_USERS = env.items("MOTCUA_BREAK_GLASS_USERS", [])
if MOTCUA_OIDC_CLIENT_ID and not all(
    (MOTCUA_OIDC_AUTHORIZATION_URL, MOTCUA_OIDC_TOKEN_URL, MOTCUA_OIDC_USERINFO_URL, MOTCUA_OIDC_JWKS_URL)
):
    raise ImproperlyConfigured(
        "MOTCUA_OIDC_CLIENT_ID needs MOTCUA_OIDC_AUTHORIZATION_URL, MOTCUA_OIDC_TOKEN_URL, "
        "MOTCUA_OIDC_USERINFO_URL and MOTCUA_OIDC_JWKS_URL."
    )
if MOTCUA_VNEID_ONLY and not MOTCUA_OIDC_CLIENT_ID:
    raise ImproperlyConfigured("MOTCUA_VNEID_ONLY=1 needs the VNeID client (MOTCUA_OIDC_CLIENT_ID …).")
OIDC_RP_CLIENT_ID = MOTCUA_OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = MOTCUA_OIDC_CLIENT_SECRET
OIDC_OP_AUTHORIZATION_ENDPOINT = MOTCUA_OIDC_AUTHORIZATION_URL
OIDC_OP_TOKEN_ENDPOINT = MOTCUA_OIDC_TOKEN_URL
OIDC_OP_USER_ENDPOINT = MOTCUA_OIDC_USERINFO_URL
OIDC_OP_JWKS_ENDPOINT = MOTCUA_OIDC_JWKS_URL
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = MOTCUA_OIDC_SCOPES
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_CREATE_USER = False
OIDC_AUTHENTICATE_CLASS = "motcua.access.oidc.SignInRequestView"
OIDC_CALLBACK_CLASS = "motcua.access.oidc.CallbackView"
if MOTCUA_OIDC_CLIENT_ID:
    _AUTH_BACKENDS = [*_AUTH_BACKENDS, "motcua.access.oidc.VNeIDBackend"]
# django-axes first: it refuses any sign-in while its account or client address is locked (access/throttle.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *_AUTH_BACKENDS]

# Failed sign-ins: an account is locked after MOTCUA_LOGIN_FAILURES_PER_ACCOUNT failures from anywhere, a
# client address after MOTCUA_LOGIN_FAILURES_PER_CLIENT failures on any accounts (higher: an office shares
# one address), for MOTCUA_LOGIN_LOCKOUT_MINUTES. Behind reverse proxies, MOTCUA_PROXY_COUNT says how many
# entries of X-Forwarded-For they add (0: the connection's address is the client's).
MOTCUA_LOGIN_FAILURES_PER_ACCOUNT = env.integer("MOTCUA_LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1, maximum=100)
MOTCUA_LOGIN_FAILURES_PER_CLIENT = env.integer("MOTCUA_LOGIN_FAILURES_PER_CLIENT", 20, minimum=1, maximum=10_000)
MOTCUA_LOGIN_LOCKOUT_MINUTES = env.integer("MOTCUA_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
MOTCUA_PROXY_COUNT = env.integer("MOTCUA_PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_HANDLER = "motcua.access.throttle.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "motcua.access.throttle.axes_failure_limit"  # both limits are applied in throttle.py
AXES_COOLOFF_TIME = "motcua.access.throttle.lockout_period"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # retrying while locked does not lengthen the lock
AXES_CLIENT_IP_CALLABLE = "motcua.access.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "motcua.access.views.locked_out"

REST_FRAMEWORK = {
    # The signed-in session only (the pages call the API from the browser; unsafe methods need the CSRF
    # token): no HTTP Basic, which would take passwords on every request outside the sign-in page's limits.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "Hệ thống thông tin giải quyết thủ tục hành chính — REST API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,  # the schema describes the API, not its own endpoint
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Background jobs (huey) in the project's database: PostgreSQL's own queue tables in production, a SQLite
# file beside an SQLite database (motcua.config.huey_settings). MOTCUA_HUEY_IMMEDIATE=1 runs tasks inline
# (tests, demo).
HUEY = huey_settings(DATABASES["default"], DATA_DIR, immediate=env.flag("MOTCUA_HUEY_IMMEDIATE", DEBUG))

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "one_line": {"()": "motcua.core.logging.OneLineFormatter", "format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "one_line", "level": "WARNING"},
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "formatter": "plain",
            "delay": True,
            "filename": str(env.path("MOTCUA_LOG_FILE", DATA_DIR / "motcua.log")),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
        },
    },
    "loggers": {
        # django-axes reports its own errors only: failed sign-ins and locks are logged by motcua.access.
        "axes": {"handlers": ["console", "file"], "level": "ERROR", "propagate": False},
        "motcua": {
            "handlers": ["console", "file"],
            "level": env.choice("MOTCUA_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
        },
    },
}

# The national portal link (portal-sync.md): no URL = sync off, changes still queue in the outbox.
# The applicant's electronic data store (4.4): "" off, "fake" (records pushes; the demo), or a dotted class path.
MOTCUA_CITIZEN_STORE = env.text("MOTCUA_CITIZEN_STORE", "fake" if DEBUG else "")
MOTCUA_PORTAL_URL = env.matching("MOTCUA_PORTAL_URL", "", r"https?://\S+", "an http:// or https:// URL").rstrip("/")
MOTCUA_PORTAL_USERNAME = env.text("MOTCUA_PORTAL_USERNAME", "")
MOTCUA_PORTAL_PASSWORD = env.text("MOTCUA_PORTAL_PASSWORD", "")
MOTCUA_PORTAL_MADONVI = env.text("MOTCUA_PORTAL_MADONVI", "")
MOTCUA_PORTAL_TIMEOUT = env.parse("MOTCUA_PORTAL_TIMEOUT", 10.0, float, "a number of seconds")
if not 0 < MOTCUA_PORTAL_TIMEOUT <= 300:
    raise ImproperlyConfigured(f"MOTCUA_PORTAL_TIMEOUT={MOTCUA_PORTAL_TIMEOUT}: expected 0 < seconds <= 300.")
#: HMAC-SHA256 key of the portal's calls to motcua (X-Portal-Signature); unset = inbound endpoints refuse all.
MOTCUA_PORTAL_INBOUND_SECRET = env.text("MOTCUA_PORTAL_INBOUND_SECRET", "")
if PRODUCTION and MOTCUA_PORTAL_INBOUND_SECRET and len(MOTCUA_PORTAL_INBOUND_SECRET) < 32:
    raise ImproperlyConfigured("MOTCUA_PORTAL_INBOUND_SECRET must have at least 32 characters in production.")
if MOTCUA_PORTAL_URL and not (MOTCUA_PORTAL_USERNAME and MOTCUA_PORTAL_MADONVI):
    raise ImproperlyConfigured("MOTCUA_PORTAL_URL needs MOTCUA_PORTAL_USERNAME and MOTCUA_PORTAL_MADONVI.")

#: Set by ``motcua demo`` only (never from the environment): the "Giả lập Cổng DVCQG" page exists.
MOTCUA_DEMO_PORTAL = False

# Notifications (motcua.notifications): e-mail through Django's framework, SMS and Zalo through a channel class.
#: "file" (one file per message under var/mail, the demo's default), "console", "smtp" (production's default),
#: "locmem", or the dotted path of any Django e-mail backend.
_EMAIL_BACKENDS = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env.text("MOTCUA_EMAIL_BACKEND", "smtp" if PRODUCTION else "file")
if "." not in _email_backend and _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"MOTCUA_EMAIL_BACKEND must be one of {', '.join(_EMAIL_BACKENDS)} or a dotted path, not {_email_backend!r}."
    )
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = env.text("MOTCUA_EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("MOTCUA_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.text("MOTCUA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env.text("MOTCUA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env.flag("MOTCUA_EMAIL_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.text("MOTCUA_EMAIL_FROM", "motcua <khong-tra-loi@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: Channels citizens are notified on, among email, sms, zalo (each needs the applicant's address or phone).
MOTCUA_NOTIFY_CHANNELS = tuple(env.items("MOTCUA_NOTIFY_CHANNELS", ["email", "sms", "zalo"]))
if set(MOTCUA_NOTIFY_CHANNELS) - {"email", "sms", "zalo"}:
    raise ImproperlyConfigured("MOTCUA_NOTIFY_CHANNELS lists channels among email, sms, zalo.")
#: Dotted paths of the SMS and Zalo gateways' channel classes; unset = the messages are written to the log.
MOTCUA_SMS_CHANNEL = env.text("MOTCUA_SMS_CHANNEL", "")
MOTCUA_ZALO_CHANNEL = env.text("MOTCUA_ZALO_CHANNEL", "")

# Working-day calendar: default office hours (process-rules.md R2.6).
_HOURS = r"[0-2]\d:[0-5]\d-[0-2]\d:[0-5]\d"
MOTCUA_OFFICE_HOURS = env.matching(
    "MOTCUA_OFFICE_HOURS",
    "07:00-11:30,13:30-17:00",
    rf"{_HOURS}(\s*,\s*{_HOURS})*",
    "HH:MM-HH:MM periods separated by commas, e.g. 07:00-11:30,13:30-17:00",
)
#: Seconds a process keeps the working-day calendar before it re-reads an edit made in another process.
MOTCUA_CALENDAR_TTL = env.integer("MOTCUA_CALENDAR_TTL", 300, minimum=0)
#: Working hours before the due instant from which the queue proposes an apology-and-extension letter
#: (R1.27: at least one working day before).
MOTCUA_APOLOGY_WARNING_HOURS = env.integer("MOTCUA_APOLOGY_WARNING_HOURS", 8, minimum=1, maximum=80)

# The live 766 index (index766/signals.py, tasks.py, sources.py).
#: Recompute the changed units' current tuples after each committed dossier or complaint event.
MOTCUA_LIVE_766 = env.flag("MOTCUA_LIVE_766", True)
#: Minutes between the worker's full runs (a run takes ~2 minutes at 2 million dossiers).
MOTCUA_766_RECOMPUTE_MINUTES = env.integer("MOTCUA_766_RECOMPUTE_MINUTES", 5, minimum=1, maximum=60)
#: DuckDB's memory limit when scoring or preparing an exchange set (it spills to disk above it).
MOTCUA_DUCKDB_MEMORY = env.matching(
    "MOTCUA_DUCKDB_MEMORY",
    "2200MB",
    r"(?i)\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)",
    "a size such as 2200MB or 2GB",
)

# Imports (and exchange sets scored without importing): bounds against zip bombs and endless lines.
#: The most the members of a .zip or .xlsx may expand to, together (MB).
MOTCUA_IMPORT_MAX_EXPANDED_MB = env.integer("MOTCUA_IMPORT_MAX_EXPANDED_MB", 5000, minimum=1)
#: The most a member of 64 KB or more may expand relative to its compressed size (x : 1).
MOTCUA_IMPORT_MAX_RATIO = env.integer("MOTCUA_IMPORT_MAX_RATIO", 200, minimum=1)
#: The longest line of a JSON Lines or CSV file (KB); a dossier line is a few KB.
MOTCUA_IMPORT_MAX_LINE_KB = env.integer("MOTCUA_IMPORT_MAX_LINE_KB", 1024, minimum=1)

# The citizens' side (motcua.public).
#: The site's public address: the receipts' QR codes and the embed snippet point there.
MOTCUA_PUBLIC_URL = env.matching(
    "MOTCUA_PUBLIC_URL", "" if PRODUCTION else "http://127.0.0.1:8000", r"https?://\S+", "an http:// or https:// URL"
).rstrip("/")
if PRODUCTION and not MOTCUA_PUBLIC_URL:
    raise ImproperlyConfigured("MOTCUA_ENV=production needs MOTCUA_PUBLIC_URL (printed in the receipts' QR codes).")
#: Request limits per client (django-ratelimit, "N/<k><s|m|h|d>"): dossier look-ups by code and second
#: factor; the same per dossier code, all clients together (a code under attack from many addresses);
#: every other public page that reads a dossier or records a rating.
_RATE = r"\d+/\d*[smhd]"
_RATE_EXPECTED = "count/[multiplier]s|m|h|d, e.g. 10/m or 30/10m"
MOTCUA_TRACKING_RATE = env.matching("MOTCUA_TRACKING_RATE", "10/10m", _RATE, _RATE_EXPECTED)
MOTCUA_TRACKING_CODE_RATE = env.matching("MOTCUA_TRACKING_CODE_RATE", "30/h", _RATE, _RATE_EXPECTED)
MOTCUA_PUBLIC_RATE = env.matching("MOTCUA_PUBLIC_RATE", "60/m", _RATE, _RATE_EXPECTED)
#: The request header a reverse proxy sets with the client's address (e.g. X-Forwarded-For: its last
#: address is used); unset = the connection's address. Rate limits are per client address.
MOTCUA_CLIENT_IP_HEADER = env.text("MOTCUA_CLIENT_IP_HEADER", "")
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "motcua.public.ratelimits.client_address"
# django-ratelimit wants an atomic shared cache (memcached, Redis); the file cache shared by the web
# workers increments without a lock, so concurrent requests of one client may each count once less.
# The limits stay bounded (by the number of workers), which is enough against enumeration.
SILENCED_SYSTEM_CHECKS = [
    *globals().get("SILENCED_SYSTEM_CHECKS", []),
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]
