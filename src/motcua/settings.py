"""Django settings for motcua.

Everything that differs between a laptop demo and a provincial data centre comes
from the environment (``DATABASE_URL`` and ``MOTCUA_*``). The defaults give a
working embedded demo on SQLite; production mode (``MOTCUA_ENV=production``)
refuses to start with the demo secret or debug on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MOTCUA_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = os.environ.get("MOTCUA_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

DEMO_SECRET_KEY = "motcua-demo-secret-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("MOTCUA_SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = os.environ.get("MOTCUA_DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

if PRODUCTION:
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "MOTCUA_ENV=production needs MOTCUA_SECRET_KEY (at least 32 characters), not the demo key."
        )
    if DEBUG:
        raise ImproperlyConfigured("MOTCUA_ENV=production refuses MOTCUA_DEBUG=1.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "auditlog",
    "huey.contrib.djhuey",
    "motcua.core",
    "motcua.workdays",
    "motcua.org",
    "motcua.catalog",
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
    "motcua.api",
]

MIDDLEWARE = [
    "motcua.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
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
    "motcua.workspace.middleware.UserErrorMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

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
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite))}
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
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("MOTCUA_TEST_SQLITE", "")} if os.environ.get("MOTCUA_TEST_SQLITE") else {}
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
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# One cache shared by every web worker process (the scoreboard's drill-downs are costly to recompute per
# process): files under the data directory by default; "locmem" for tests (each test database its own).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if os.environ.get("MOTCUA_CACHE", "file") == "locmem"
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache")}
}
#: How long the scoreboard keeps an explanation, forecast or late list (the facts refresh every 5 minutes).
MOTCUA_SCOREBOARD_CACHE_SECONDS = int(os.environ.get("MOTCUA_SCOREBOARD_CACHE_SECONDS", "300"))

LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "access:login"
# Password sign-in now; an OIDC (VNeID) backend is added here later (see motcua.access.identity).
AUTHENTICATION_BACKENDS = [
    b.strip() for b in os.environ.get(
        "MOTCUA_AUTH_BACKENDS", "django.contrib.auth.backends.ModelBackend").split(",") if b.strip()
]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "Hệ thống thông tin giải quyết thủ tục hành chính — REST API",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Background jobs: huey on its own SQLite file (no writer-lock fights with the
# app database); MOTCUA_HUEY_IMMEDIATE=1 runs tasks inline (tests, demo).
HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "motcua",
    "filename": str(DATA_DIR / "huey.sqlite3"),
    "immediate": os.environ.get("MOTCUA_HUEY_IMMEDIATE", "1" if DEBUG else "0") == "1",
}

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
            "class": "logging.handlers.RotatingFileHandler", "formatter": "plain", "delay": True,
            "filename": str(Path(os.environ.get("MOTCUA_LOG_FILE", DATA_DIR / "motcua.log"))),
            "maxBytes": 10 * 1024 * 1024, "backupCount": 5,
        },
    },
    "loggers": {"motcua": {"handlers": ["console", "file"], "level": os.environ.get("MOTCUA_LOG_LEVEL", "INFO")}},
}

# The national portal link (portal-sync.md): no URL = sync off, changes still queue in the outbox.
MOTCUA_PORTAL_URL = os.environ.get("MOTCUA_PORTAL_URL", "").strip()
MOTCUA_PORTAL_USERNAME = os.environ.get("MOTCUA_PORTAL_USERNAME", "")
MOTCUA_PORTAL_PASSWORD = os.environ.get("MOTCUA_PORTAL_PASSWORD", "")
MOTCUA_PORTAL_MADONVI = os.environ.get("MOTCUA_PORTAL_MADONVI", "")
try:
    MOTCUA_PORTAL_TIMEOUT = float(os.environ.get("MOTCUA_PORTAL_TIMEOUT", "10"))
except ValueError as exc:
    raise ImproperlyConfigured("MOTCUA_PORTAL_TIMEOUT must be a number of seconds.") from exc
if not 0 < MOTCUA_PORTAL_TIMEOUT <= 300:
    raise ImproperlyConfigured("MOTCUA_PORTAL_TIMEOUT must be between 0 and 300 seconds.")
#: HMAC-SHA256 key of the portal's calls to motcua (X-Portal-Signature); unset = inbound endpoints refuse all.
MOTCUA_PORTAL_INBOUND_SECRET = os.environ.get("MOTCUA_PORTAL_INBOUND_SECRET", "")
if PRODUCTION and MOTCUA_PORTAL_INBOUND_SECRET and len(MOTCUA_PORTAL_INBOUND_SECRET) < 32:
    raise ImproperlyConfigured("MOTCUA_PORTAL_INBOUND_SECRET must have at least 32 characters in production.")

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
_email_backend = os.environ.get("MOTCUA_EMAIL_BACKEND", "smtp" if PRODUCTION else "file").strip()
if "." not in _email_backend and _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"MOTCUA_EMAIL_BACKEND must be one of {', '.join(_EMAIL_BACKENDS)} or a dotted path, not {_email_backend!r}."
    )
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = os.environ.get("MOTCUA_EMAIL_HOST", "localhost")
try:
    EMAIL_PORT = int(os.environ.get("MOTCUA_EMAIL_PORT", "25"))
except ValueError as exc:
    raise ImproperlyConfigured("MOTCUA_EMAIL_PORT must be a port number.") from exc
EMAIL_HOST_USER = os.environ.get("MOTCUA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MOTCUA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("MOTCUA_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("MOTCUA_EMAIL_FROM", "motcua <khong-tra-loi@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: Channels citizens are notified on, among email, sms, zalo (each needs the applicant's address or phone).
MOTCUA_NOTIFY_CHANNELS = tuple(
    c.strip() for c in os.environ.get("MOTCUA_NOTIFY_CHANNELS", "email,sms,zalo").split(",") if c.strip()
)
if set(MOTCUA_NOTIFY_CHANNELS) - {"email", "sms", "zalo"}:
    raise ImproperlyConfigured("MOTCUA_NOTIFY_CHANNELS lists channels among email, sms, zalo.")
#: Dotted paths of the SMS and Zalo gateways' channel classes; unset = the messages are written to the log.
MOTCUA_SMS_CHANNEL = os.environ.get("MOTCUA_SMS_CHANNEL", "")
MOTCUA_ZALO_CHANNEL = os.environ.get("MOTCUA_ZALO_CHANNEL", "")
#: The address citizens reach the application at (the opt-out link in every e-mail).
MOTCUA_SITE_URL = os.environ.get("MOTCUA_SITE_URL", "http://127.0.0.1:8000")

# Working-day calendar: default office hours (process-rules.md R2.6).
MOTCUA_OFFICE_HOURS = os.environ.get("MOTCUA_OFFICE_HOURS", "07:00-11:30,13:30-17:00")
