"""Django settings, read from the environment.

DATABASE_URL     database (default: SQLite file under var/)
SECRET_KEY       required in production (REXIAN_ENV=production refuses the development default)
REXIAN_ENV       "development" (default) or "production"
REXIAN_DEBUG     "1" to enable DEBUG (default on in development)
ALLOWED_HOSTS    comma-separated host names
REXIAN_TASKS     "immediate" (default: background work runs in-process after commit) or "database"
                 (queued in the database and run by `rexian worker`)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from rexian.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("REXIAN_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("REXIAN_VAR_DIR", PROJECT_DIR / "var"))

DEVELOPMENT_SECRET_KEY = "rexian-development-key-do-not-use-in-production"
ENVIRONMENT = os.environ.get("REXIAN_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("REXIAN_ENV must be 'development' or 'production'")
IS_PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if IS_PRODUCTION and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production; the development default is refused.")

# Old keys, comma-separated, still accepted for sessions, signatures and sealed secrets while they are replaced.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]

DEBUG = os.environ.get("REXIAN_DEBUG", "0" if IS_PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "rexian.core",
    "rexian.directory",
    "rexian.taxonomy",
    "rexian.workdays",
    "rexian.tickets",
    "rexian.notify",
    "rexian.supervision",
    "rexian.intake",
    "rexian.telephony",
    "rexian.knowledge",
    "rexian.routing",
    "rexian.analytics",
    "rexian.imports",
    "rexian.api",
    "rexian.web",
    "rexian.demo",
]

MIDDLEWARE = [
    "rexian.core.middleware.RequestLogMiddleware",  # first: its duration and request id cover everything below
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rexian.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rexian.web.middleware.IdleLogoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rexian.urls"
WSGI_APPLICATION = "rexian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide overrides of other apps' templates (admin/base_site.html), searched before the apps.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rexian.web.context_processors.console",
            ],
        },
    },
]


def _database_config() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'rexian.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so that
        # two writers queue on the busy timeout instead of failing with "database is locked".
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not memory: tests with several threads (concurrency) need one shared database.
        config["TEST"] = {"NAME": str(VAR_DIR / "test-rexian.sqlite3")}
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Serve the apps' static files straight from their folders: no collectstatic step for a new install.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/login/"
SESSION_SAVE_EVERY_REQUEST = False
LOCALE_PATHS = [BASE_DIR / "locale"]

# Rate limits and login throttling count in the default cache: per process unless shared. With several app
# servers set REXIAN_CACHE=database (then run `rexian createcachetable` once) so that they count together.
CACHE_MODE = os.environ.get("REXIAN_CACHE", "local")
if CACHE_MODE not in {"local", "database"}:
    raise ImproperlyConfigured("REXIAN_CACHE must be 'local' or 'database'")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rexian_cache"}
    if CACHE_MODE == "database"
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

TASK_MODE = os.environ.get("REXIAN_TASKS", "immediate")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASK_MODE == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

SESSION_COOKIE_AGE = 8 * 3600  # one shift, however busy; web/middleware.IdleLogoutMiddleware ends idle ones sooner
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = os.environ.get("REXIAN_INSECURE_COOKIES") != "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REXIAN = {
    "DEMO_PASSWORD": os.environ.get("REXIAN_DEMO_PASSWORD", "demo12345"),
    # The key that seals channel secrets in the database (core/fields.py); default: derived from SECRET_KEY.
    "FIELD_KEY": os.environ.get("REXIAN_FIELD_KEY", ""),
    "API_TOKEN_TTL_HOURS": int(os.environ.get("REXIAN_API_TOKEN_TTL_HOURS", "12")),
    "MAX_EXTENSION_REQUESTS": int(os.environ.get("REXIAN_MAX_EXTENSION_REQUESTS", "2")),
    "MAX_EXTENSION_DAYS": int(os.environ.get("REXIAN_MAX_EXTENSION_DAYS", "15")),
    # A stage clock turns yellow when this share of its limit has passed (supervision/clocks.py).
    "WARNING_SHARE": float(os.environ.get("REXIAN_WARNING_SHARE", "0.7")),
    # Overdue tickets in a month that earn a unit its yellow, orange and red card.
    "CARD_THRESHOLDS": [int(x) for x in os.environ.get("REXIAN_CARD_THRESHOLDS", "3,6,10").split(",")],
    # The public portal's limits per client address (core/ratelimit.py; one process unless CACHES is shared).
    "PORTAL_SUBMITS_PER_HOUR": int(os.environ.get("REXIAN_PORTAL_SUBMITS_PER_HOUR", "5")),
    "PORTAL_LOOKUPS_PER_10_MIN": int(os.environ.get("REXIAN_PORTAL_LOOKUPS_PER_10_MIN", "20")),
    "PORTAL_QUESTIONS_PER_MINUTE": int(os.environ.get("REXIAN_PORTAL_QUESTIONS_PER_MINUTE", "30")),
    # Open311 POST per api_key and client address, and signed webhook calls per channel, per minute.
    "OPEN311_POSTS_PER_MINUTE": int(os.environ.get("REXIAN_OPEN311_POSTS_PER_MINUTE", "30")),
    "WEBHOOK_CALLS_PER_MINUTE": int(os.environ.get("REXIAN_WEBHOOK_CALLS_PER_MINUTE", "600")),
    # Login throttling (directory/throttle.py): failures per user name and per address within the window.
    "LOGIN_FAILURES_PER_USER": int(os.environ.get("REXIAN_LOGIN_FAILURES_PER_USER", "5")),
    "LOGIN_FAILURES_PER_ADDRESS": int(os.environ.get("REXIAN_LOGIN_FAILURES_PER_ADDRESS", "30")),
    "LOGIN_WINDOW_SECONDS": int(os.environ.get("REXIAN_LOGIN_WINDOW_SECONDS", "900")),
    # A console session left alone this long ends (the cookie's age caps even a busy one at a shift).
    "SESSION_IDLE_MINUTES": int(os.environ.get("REXIAN_SESSION_IDLE_MINUTES", "60")),
    # Only behind a reverse proxy that sets X-Forwarded-For: otherwise clients could forge their address.
    "TRUST_X_FORWARDED_FOR": os.environ.get("REXIAN_TRUST_X_FORWARDED_FOR", "0") == "1",
    # Notifications (docs/notifications.md): channels among log (or console), sms, email.
    "NOTIFY_CHANNELS": [c.strip() for c in os.environ.get("REXIAN_NOTIFY_CHANNELS", "log").split(",") if c.strip()],
    "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("REXIAN_NOTIFY_MAX_ATTEMPTS", "5")),
    "PORTAL_URL": os.environ.get("REXIAN_PORTAL_URL", "http://127.0.0.1:8000/portal/"),
    "SMS_GATEWAY_URL": os.environ.get("REXIAN_SMS_GATEWAY_URL", ""),
    "SMS_GATEWAY_TOKEN": os.environ.get("REXIAN_SMS_GATEWAY_TOKEN", ""),
    "SMS_GATEWAY_TIMEOUT": float(os.environ.get("REXIAN_SMS_GATEWAY_TIMEOUT", "10")),
    # Citizens' personal data on tickets finished this many years ago is anonymised (0: kept for ever).
    "RETENTION_YEARS": int(os.environ.get("REXIAN_RETENTION_YEARS", "3")),
    # Knowledge entries (docs/search.md): warn this many days before an entry expires, and about published
    # entries the centre has not reviewed for this many months.
    "KNOWLEDGE_EXPIRY_NOTICE_DAYS": int(os.environ.get("REXIAN_KNOWLEDGE_EXPIRY_NOTICE_DAYS", "30")),
    "KNOWLEDGE_REVIEW_MONTHS": int(os.environ.get("REXIAN_KNOWLEDGE_REVIEW_MONTHS", "12")),
}

# One JSON object per line in production (core/logs.py), readable lines in development.
LOG_FORMAT = os.environ.get("REXIAN_LOG_FORMAT", "json" if IS_PRODUCTION else "plain")
LOGGING = logging_config(LOG_FORMAT, os.environ.get("REXIAN_LOG_LEVEL", "INFO"))
