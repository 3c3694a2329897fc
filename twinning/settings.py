"""Settings for Twinning CMS.

Everything that differs between a laptop and production comes from the
environment (see docs/deployment.md and .env.example). The defaults are safe: debug is
off and a secret key is required unless DJANGO_DEBUG=1 says this is local work.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from twinning.mailers import mailers_from_environment
from twinning.media_storage import csp_sources, storage_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, *, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_number(name: str, *, default: float, unit: str, whole: bool = True, minimum: int = 0):
    """A number of ``unit``, ``minimum`` or more (whole ones, written in digits alone, unless
    ``whole`` is off). An empty variable, as .env.example lists them, means the default;
    anything else stops the start with a message rather than failing later, on some request."""
    value = os.environ.get(name, "").strip()
    try:
        if not value:
            number = default
        elif whole:
            number = int(value) if value.isdecimal() else minimum - 1
        else:
            number = float(value)
    except ValueError:
        number = minimum - 1
    if not minimum <= number < float("inf"):
        kind = f"a whole number of {unit}" if whole else f"a number of {unit}"
        raise ImproperlyConfigured(f"{name} must be {kind}, {minimum} or more.")
    return number


def env_seconds(name: str, *, default: float, whole: bool = True) -> float:
    return env_number(name, default=default, unit="seconds", whole=whole)


# A rate as django-ninja reads it: requests per (a number of) seconds, minutes, hours or days.
RATE = re.compile(r"[1-9][0-9]*/([1-9][0-9]*)?(s|sec|m|min|h|hour|d|day)")


def env_rate(name: str, *, default: str) -> str:
    """``600/min``, ``10000/hour`` …; ``0`` is off (""). Anything else stops the start:
    ninja would only fail on the first request, and every page with it."""
    value = (os.environ.get(name) or default).strip()
    if value == "0":
        return ""
    if not RATE.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 600/min or 10000/hour, or 0 to turn it off."
        )
    return value


DEBUG = env_bool("DJANGO_DEBUG", default=False)

DEV_ONLY_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (DEV_ONLY_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY (a long random string), or DJANGO_DEBUG=1 for local work."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default="127.0.0.1,localhost,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its admin classes win.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_prose_editor",
    "ninja",
    "reversion",
    "axes",
    "corsheaders",
    "django_tasks_db",
    # The read path connects its receivers before the domain connects its own, the order
    # they always ran in (page cache, read model, export records).
    "readpath",
    "programmes",
    "public",
    "webhooks",
    "registrations",
]

MIDDLEWARE = [
    # CORS first (django-cors-headers answers preflights itself), then the API's error
    # format, which turns any error under /api/ into application/problem+json.
    "corsheaders.middleware.CorsMiddleware",
    "api.problems.ProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # A request larger than MAX_UPLOAD_BYTES is answered before its body is read.
    "twinning.uploads.UploadLimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "twinning.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # The admin's start page: its panels (programmes/admin/start_page.py).
            "libraries": {"start_page": "programmes.admin.start_page"},
        },
    },
]

WSGI_APPLICATION = "twinning.wsgi.application"
ASGI_APPLICATION = "twinning.asgi.application"

# An empty DATABASE_URL means the default, so `DATABASE_URL= make test` selects SQLite.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_seconds("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# While Redis cannot be reached the site works uncached (twinning/cache.py). The timeouts keep
# a Redis that does not answer from holding requests up (redis-py waits 5 s by default);
# REDIS_URL may set others (redis://host:6379/1?socket_timeout=2).
REDIS_CACHE = {
    "BACKEND": "twinning.cache.ResilientRedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "twinning",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
}
CACHES = {
    "default": (
        REDIS_CACHE if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Public pages are cached whole for anonymous visitors and dropped when content changes
# (readpath/caching.py). The memory cache belongs to one process: a change made in
# another (a second gunicorn worker, a management command) reaches its pages only when
# they expire, so without Redis they are kept for a minute. 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_seconds("DJANGO_PAGE_CACHE_SECONDS", default=3600 if REDIS_URL else 60)

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair out for an hour.
# Locking by the pair (not by username alone) keeps a stranger from locking staff out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. Dutch is the editors' first language and the fallback of last resort.
LANGUAGE_CODE = "nl"
LANGUAGES = [
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "nl"
MODELTRANSLATION_LANGUAGES = ("nl", "en", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": ("nl",),
    "en": ("nl",),
    "zh-hans": ("en", "nl"),
}
# The tabbed admin loads jQuery UI from this URL; it is vendored, never a CDN.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "static/"
# An empty variable is the default: Path("") would be the working directory.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded photos and their renditions: on the file system under DJANGO_MEDIA_ROOT, or, with
# MEDIA_S3_BUCKET set, in S3-compatible object storage that every app server shares
# (twinning/media_storage.py; docs/deployment.md, "Configuration" and "Object storage").
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_STORAGE = storage_from_environment(os.environ)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. The public site runs under a strict Content-Security-Policy: no
# inline script or style, nothing from another origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *csp_sources(MEDIA_STORAGE)],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG and env_bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only, once the site is served over HTTPS (docs/deployment.md); off by default, as
# HSTS cannot be taken back from browsers that saw it. The redirect asks is_secure(), which
# behind the TLS proxy reads SECURE_PROXY_SSL_HEADER: without DJANGO_BEHIND_TLS_PROXY=1 there,
# every request would look like plain HTTP and be redirected for ever.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_seconds("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)

LOGIN_URL = "admin:login"
# After logging in without a safe ?next= (none, or one off the site): the admin, not
# Django's default /accounts/profile/, which does not exist here.
LOGIN_REDIRECT_URL = "admin:index"
# After logging out without a safe ?next=: the login page. Django's default, the logout URL
# itself, answers only POST, so "?next=https://elsewhere" ended on a dead end.
LOGOUT_REDIRECT_URL = "admin:login"

# The JSON API (/api/v1/, api/ and docs/api.md). Partner sites whose browsers
# may read it (CORS), comma-separated origins such as https://www.partner.cn; GET only.
CORS_ALLOWED_ORIGINS = env_list("PARTNER_ORIGINS")
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "if-modified-since", "if-none-match")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After", "Date")
# Requests per anonymous client address ("600/min", "10000/hour"); 0 turns the limit off.
# Staff who are logged in are not limited.
API_RATE_LIMIT = env_rate("API_RATE_LIMIT", default="600/min")
# How long partners and shared caches may keep an answer without asking again.
API_CACHE_SECONDS = env_seconds("API_CACHE_SECONDS", default=60)
# The client address the rate limit counts: behind the TLS proxy, the one the proxy saw
# (the last X-Forwarded-For entry); otherwise REMOTE_ADDR. Never the client's own claim.
NINJA_NUM_PROXIES = 1 if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False) else 0

# The site's own address, for absolute links in webhook events (and wherever there is no
# request to ask). Without a trailing slash.
SITE_URL = (os.environ.get("SITE_URL") or ("http://127.0.0.1:8000" if DEBUG else "")).rstrip("/")

# Background tasks (Django's tasks framework): webhook deliveries. "database" stores them
# for `manage.py db_worker` (django-tasks-db), so no partner can slow down a save, even in
# development; "immediate" sends them in the request (a slow partner then slows the save);
# "dummy" keeps them in memory and never runs them.
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "dummy": "django.tasks.backends.dummy.DummyBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND") or "database"
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}.")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND]}}

# Webhooks (webhooks/): endpoints on private or loopback addresses are refused unless this
# is on (a partner on the same private network); plain http only with DEBUG.
WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
WEBHOOK_ALLOW_HTTP = DEBUG
# 0 would make every connection fail at once (a non-blocking socket): at least a millisecond.
WEBHOOK_TIMEOUT = env_seconds("WEBHOOK_TIMEOUT", default=5, whole=False)
if WEBHOOK_TIMEOUT < 0.001:
    raise ImproperlyConfigured("WEBHOOK_TIMEOUT must be more than 0 seconds.")
# Seconds before each retry of a failed delivery; after the last one it is given up.
WEBHOOK_RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600)

# Uploads: the largest request body the site reads, in MB (MiB, as the photos' 20 MB); a
# larger request is refused before it is read (twinning/uploads.py). A photo may be 20 MB,
# the rest of its form is small; match the proxy's limit (client_max_body_size 25m).
MAX_UPLOAD_BYTES = env_number("DJANGO_MAX_UPLOAD_MB", default=25, unit="MB", minimum=1) * 1024**2

# E-mail (twinning/mailers.py; README, "Configuration"): Django 6.1's MAILERS, from the
# EMAIL_* environment variables. With debug on, mail is printed to the console by default.
MAILERS = mailers_from_environment(os.environ, debug=DEBUG)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "webmaster@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Registrations for missions (registrations/; docs/architecture.md, "Registrations").
# Hours a sign-up waits for its confirmation link to be followed; then it is removed.
REGISTRATION_CONFIRM_HOURS = env_number(
    "REGISTRATION_CONFIRM_HOURS", default=48, unit="hours", minimum=1
)
# Months after a mission ends (its last day) before its registrants' data is erased by
# `manage.py purge_registrations`; anonymous counts stay.
REGISTRATION_RETENTION_MONTHS = env_number(
    "REGISTRATION_RETENTION_MONTHS", default=6, unit="months", minimum=1
)
# Sign-ups per e-mail address (over every mission) and per client address, as "3/hour".
REGISTRATION_RATE_PER_ADDRESS = env_rate("REGISTRATION_RATE_PER_ADDRESS", default="3/hour")
REGISTRATION_RATE_PER_CLIENT = env_rate("REGISTRATION_RATE_PER_CLIENT", default="20/hour")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": (os.environ.get("DJANGO_LOG_LEVEL") or "WARNING").upper(),
    },
}
