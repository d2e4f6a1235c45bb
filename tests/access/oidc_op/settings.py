"""A real OpenID provider for the VNeID sign-in tests: django-oidc-provider in a Django of its own.

Started by tests/access/test_oidc.py as a separate process on 127.0.0.1 (see run.py). Its cookies have
names of their own: both servers are on 127.0.0.1, and cookies do not tell ports apart.
"""

import os
from pathlib import Path

BASE = Path(os.environ["OP_DIR"])
SECRET_KEY = "test-openid-provider-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.access.oidc_op.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(Path(__file__).parent / "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE / "op.sqlite3")}}
USE_TZ = True
LOGIN_URL = "/accounts/login/"
SESSION_COOKIE_NAME = "op_sessionid"
CSRF_COOKIE_NAME = "op_csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# The subject (sub) of a person is their số định danh cá nhân, kept here as the username.
OIDC_IDTOKEN_SUB_GENERATOR = "tests.access.oidc_op.claims.personal_number"
OIDC_USERINFO = "tests.access.oidc_op.claims.userinfo"
