"""CVJ Mapper settings: one module, driven by environment variables.

With nothing set you get the embedded development setup: SQLite in the project folder and
Celery tasks run eagerly in-process (no Redis needed). Production differs only by environment:
`DJANGO_ENV=production`, `DJANGO_SECRET_KEY`, `DATABASE_URL`, `REDIS_URL`, `DJANGO_ALLOWED_HOSTS`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    return int(raw) if raw else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


ENVIRONMENT = env_str("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DJANGO_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production.")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghij"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First, so `runserver` serves ASGI (HTTP and the live WebSockets) in development.
    "daphne",
    "cvj.admin_site.OperatorAdminConfig",  # Django admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "channels",
    "axes",
    "cvj",
    "stages",
    "journeys",
    "journeys.intake",
    "journeys.actuals",
    "journeys.workshop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns lockouts raised during login into a response.
    "axes.middleware.AxesMiddleware",
    # Remembers who is making this request, for the live "changed by …" notices.
    "journeys.changes.ChangeAuthorMiddleware",
]

ROOT_URLCONF = "cvj.urls"
WSGI_APPLICATION = "cvj.wsgi.application"
ASGI_APPLICATION = "cvj.asgi.application"

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
                "cvj.context_processors.membership",
            ],
        },
    },
]

# --- Database: SQLite in the project folder unless DATABASE_URL says otherwise.
# Any SQLite database, embedded or named by DATABASE_URL, waits for a lock instead of failing
# at once, and takes the write lock when a transaction starts (IMMEDIATE), so racing saves
# queue up rather than answer "database is locked".
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env_str("CVJ_TEST_DATABASE_NAME"):  # lets parallel test runs share one server
        DATABASES["default"]["TEST"] = {"NAME": env_str("CVJ_TEST_DATABASE_NAME")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("CVJ_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # brute-force lockout before the real check
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed sign-ins for one username from one address lock that pair out for an hour.
AXES_FAILURE_LIMIT = env_int("CVJ_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("CVJ_PROXY_COUNT", 0)
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files. WhiteNoise serves static files in every mode.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("CVJ_MEDIA_ROOT", str(BASE_DIR / "media")))
WHITENOISE_USE_FINDERS = not PRODUCTION

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "cvj.storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# An S3-compatible bucket by settings alone (needs `pip install django-storages[s3]`).
if env_str("CVJ_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("CVJ_S3_BUCKET"),
            "endpoint_url": env_str("CVJ_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# --- Redis: broker, result backend and cache when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Presence and rate limits live here: a dead Redis must fail fast, not hang a request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions stay in the database (one indexed read a request): Django's cached_db engine
    # turns a Redis outage into a 500 on every page (its load() re-fills the cache unguarded),
    # and editing must go on with Redis down.

# --- Live collaboration (Channels): Redis fans messages out across web processes and hosts;
# the in-memory layer serves the embedded default (one process).
LIVE_REDIS_URL = env_str("CVJ_LIVE_REDIS_URL", REDIS_URL)
# Each heartbeat (~10 s; ~60 s in a background tab) renews a socket's group membership, so a
# socket that died without leaving drops out of the group after this long (not after a day).
LIVE_GROUP_EXPIRY = env_int("CVJ_LIVE_GROUP_EXPIRY", 300)
# Sockets one Join-live link may hold open at once: a client's team, not a crowd.
LIVE_LINK_MAX_SOCKETS = env_int("CVJ_LIVE_LINK_MAX_SOCKETS", 60)
# "pubsub": a group message is ONE Redis publish, fanned out to its members by each web process
# (at most once: a page that missed one catches up by version when it reconnects); "core": one
# copy per member pushed into Redis and popped by each socket (measured in bench/README, issue 23).
LIVE_LAYER = env_str("CVJ_LIVE_LAYER", "pubsub")
# redis-py's default read timeout (5 s) equals the core layer's blocking pop: raise it, or every
# idle socket dies after 5 s (the pub/sub subscriber reads with its own). A dead Redis still
# fails fast on connect.
LIVE_REDIS_HOSTS = [{"address": LIVE_REDIS_URL, "socket_connect_timeout": 1, "socket_timeout": 15}]
if LIVE_REDIS_URL and LIVE_LAYER == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis's pub/sub layer, reading a group message once per process.
            "BACKEND": "journeys.live.layer.SharedPubSubChannelLayer",
            "CONFIG": {
                "hosts": LIVE_REDIS_HOSTS,
                "prefix": "cvj-live",
            },
        }
    }
elif LIVE_REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": LIVE_REDIS_HOSTS,
                "prefix": "cvj-live",
                "expiry": 30,
                "capacity": 500,
                "group_expiry": LIVE_GROUP_EXPIRY,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"group_expiry": LIVE_GROUP_EXPIRY},
        }
    }
# A broadcast from the write path gives up after this long (it never delays a save more).
LIVE_SEND_TIMEOUT = float(env_str("CVJ_LIVE_SEND_TIMEOUT", "0.5"))

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in-process right after the request's transaction commits.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# The web process must never hang on a dead broker: fail fast, the sweep re-enqueues later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "visibility_timeout": 600,
    # Publishing gives up after one quick retry (kombu's default sleeps 2 s and more);
    # the worker's own reconnect loop is governed by broker_connection_retry.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-exports": {"task": "journeys.tasks.exports_sweep", "schedule": 30.0},
}

# --- Security: strict in production, relaxed for the embedded dev server.
# No inline or eval'd script anywhere (htmx runs with allowEval off); inline style attributes
# are allowed because templates use a few and they cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Console email in development; SMTP in production (or any backend, by environment).
MAILERS = {
    "default": {
        "BACKEND": env_str(
            "DJANGO_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
        "port": env_int("DJANGO_EMAIL_PORT", 587),
        "username": env_str("DJANGO_EMAIL_USER") or None,
        "password": env_str("DJANGO_EMAIL_PASSWORD") or None,
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", True),
    }
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "CVJ Mapper <no-reply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Product limits, shared by forms, services and the PDF.
# A queued export not picked up after this long is enqueued again by the sweep.
CVJ_EXPORT_STALE_SECONDS = env_int("CVJ_EXPORT_STALE_SECONDS", 60)
# An export 'rendering' for longer than this was claimed by a worker that died.
CVJ_EXPORT_RENDER_TIMEOUT = env_int("CVJ_EXPORT_RENDER_TIMEOUT", CELERY_TASK_TIME_LIMIT + 30)
