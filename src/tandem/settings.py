"""One settings module, driven by TANDEM_* environment variables.

Defaults suit a developer's laptop (SQLite under var/, DEBUG on). Outside debug mode the
app refuses to start with the built-in development secret key, so a forgotten setting
cannot ship a guessable session-signing key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = Path(os.environ.get("TANDEM_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", PROJECT_ROOT / "var"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DEV_SECRET_KEY = "tandem-dev-only-insecure-key-do-not-use-in-production"
DEBUG = _env_bool("TANDEM_DEBUG", True)
SECRET_KEY = os.environ.get("TANDEM_SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "Set TANDEM_SECRET_KEY: the development key is refused when TANDEM_DEBUG is off."
    )

# Key for pseudonymous ids shown to analysts; separate from SECRET_KEY so it can be rotated on its own.
PSEUDONYM_KEY = os.environ.get("TANDEM_PSEUDONYM_KEY", SECRET_KEY)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TANDEM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TANDEM_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "tandem.core",
    "tandem.accounts",
    "tandem.patients",
    "tandem.programs",
    "tandem.engagement",
    "tandem.referrals",
    "tandem.synth",
    "tandem.assessment",
    "tandem.caseload",
    "tandem.careplans",
    "tandem.population",
    "tandem.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tandem.core.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tandem.core.middleware.AuditContextMiddleware",
    "tandem.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tandem.core.context_processors.navigation",
            ],
        },
    }
]

_db_url = os.environ.get("TANDEM_DATABASE_URL")
if _db_url:
    DATABASES: dict[str, Any] = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
else:
    # A fresh checkout has no var/ yet; SQLite cannot create a file in a missing folder.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("TANDEM_SQLITE_PATH", str(VAR_DIR / "tandem.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
# One transaction per request: a failed request leaves nothing half-written.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"].setdefault(
        "NAME", os.environ.get("TANDEM_TEST_DATABASE_NAME", "tandem_test")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Argon2 first: new and upgraded passwords are stored with it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a period of inactivity: activity pushes the expiry forward (at most once a
# minute, by core.middleware.SessionRenewalMiddleware, rather than a database write per request).
SESSION_COOKIE_AGE = int(os.environ.get("TANDEM_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login throttling: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("TANDEM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TANDEM_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# The predictive model `tandem population train` writes and the population pages read.
RISK_MODEL_PATH = Path(os.environ.get("TANDEM_RISK_MODEL", VAR_DIR / "models" / "risk.json"))

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Logs carry no PHI: request paths hold opaque ids only, and the audit trail lives in the database.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TANDEM_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
