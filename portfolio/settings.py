"""Settings for every environment, read from the environment.

Development (the default) runs on the embedded SQLite database with no configuration.
`DJANGO_ENV=production` refuses to start without `DJANGO_SECRET_KEY` and
`DJANGO_ALLOWED_HOSTS` and turns on the secure defaults `check --deploy` asks for.
`DATABASE_URL` (e.g. postgres://user:pass@host:5432/name) switches the database.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats as spreadsheet_formats

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "development-only-key-not-for-production-use-9f8e7d6c5b4a39281706"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "portfolio.apps.LoginProtectionConfig",  # django-axes
    "django_countries",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "portfolio",
    "companies",
    "rounds",
    "fx",
]

MIDDLEWARE = [
    "portfolio.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portfolio.middleware.PrivateApiAnswersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portfolio.middleware.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portfolio.middleware.UnusableInputMiddleware",
    "portfolio.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portfolio.urls"
WSGI_APPLICATION = "portfolio.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# One request, one transaction: an error leaves no partial write.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# PostgreSQL: a connection attempt gives up after DATABASE_CONNECT_TIMEOUT seconds, the server
# cancels a statement after DATABASE_STATEMENT_TIMEOUT seconds, and a server that does not answer
# at all (hung) is given up after DATABASE_ANSWER_TIMEOUT seconds (`portfolio.postgresql`); the
# request then gets 503 with Retry-After. 0 turns a timeout off.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))
DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "3"))
DATABASE_ANSWER_TIMEOUT = float(
    os.environ.get(
        "DATABASE_ANSWER_TIMEOUT", str(DATABASE_STATEMENT_TIMEOUT + 1 if DATABASE_STATEMENT_TIMEOUT else 0)
    )
)
# Long work (a streamed export, a large import; `portfolio.database`) may wait this long on a
# statement or a commit instead.
DATABASE_LONG_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_LONG_STATEMENT_TIMEOUT", "300"))
# The API's queries are short, and PostgreSQL's JIT compilation only pays off for long analytic
# ones: for an export of 100,000 rounds it spent half a second compiling.
DATABASE_JIT = os.environ.get("DATABASE_JIT", "off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "portfolio.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUT * 1000)} -c jit={DATABASE_JIT}",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait their turn instead of failing with "database is locked": the
    # write-ahead log lets readers go on during a write, every transaction takes the write lock
    # when it begins (so none has to give up half-way), and a busy connection waits up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("DJANGO_SQLITE_TIMEOUT", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
    # The test database is a file, not Django's in-memory default: an in-memory database is one
    # connection that every thread of a live test server shares, so two requests at once (a
    # browser's) would run in each other's transaction. With a file, each has its own.
    # Named by the process, so that two test runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-database-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Brute force (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair cannot log in for AXES_COOLOFF_MINUTES; every failure is recorded, and staff
# unlock a pair in the admin (Axes: Access attempts, delete it). A success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "portfolio.lockout.lockout_response"
# Behind a load balancer, the client's address is the last one it adds to X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "1" if PRODUCTION else "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The admin follows the browser's language; LANGUAGE_CODE is the default for everyone else.
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# The firm's view: positions and converted amounts are stated in this one currency (ISO 4217),
# at rates no older than FX_RATE_MAX_AGE_DAYS before an amount's date (`fx.rates`).
REPORTING_CURRENCY = os.environ.get("REPORTING_CURRENCY", "USD").upper()
FX_RATE_MAX_AGE_DAYS = int(os.environ.get("FX_RATE_MAX_AGE_DAYS", "7"))

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Outside production, whitenoise serves static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Replaces Django's own console handler for "django", which would print each line twice.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer checks health over plain HTTP; a redirect to https would fail its check.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only (the
# admin, Swagger UI and the import and export pages serve theirs from here, none from a CDN);
# inline style attributes are allowed (the admin's templates use some), inline scripts are not,
# except the one event handler of django-import-export's export form, by its hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, "'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# API rate limits (`portfolio.middleware.RateLimitMiddleware`), counted in the database, which
# every process and server shares, or in Redis when REDIS_URL is set.
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "6000/minute")
API_ANON_THROTTLE_RATE = os.environ.get("API_ANON_THROTTLE_RATE", "60/minute")
API_BAD_TOKEN_THROTTLE_RATE = os.environ.get("API_BAD_TOKEN_THROTTLE_RATE", "20/minute")
REDIS_URL = os.environ.get("REDIS_URL", "")
RATELIMIT_CACHE = "ratelimit" if REDIS_URL else None
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portfolio.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portfolio.api.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "portfolio.api.pagination.PortfolioPagination",
    "DEFAULT_FILTER_BACKENDS": ["portfolio.filters.FilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["portfolio.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["portfolio.api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "portfolio.api.schema.PortfolioAutoSchema",
    "EXCEPTION_HANDLER": "portfolio.api.exceptions.exception_handler",
    # `format` selects an export (csv, xlsx, json), not a renderer.
    "URL_FORMAT_OVERRIDE": None,
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Portfolio API",
    "DESCRIPTION": (
        "The record of a venture-capital portfolio: companies, funding rounds and their investors, "
        "listings, model releases and KPIs. Authenticate with `Authorization: Bearer <token>` "
        "(`manage.py issue_token USERNAME`) or the admin's session.\n\n"
        "Every record has a `version`, which its detail and every write answer carry as a strong "
        '`ETag` (`"3"`). PUT, PATCH and DELETE with `If-Match` apply only to that version (else 412 '
        "with the current ETag, and nothing changes); GET with `If-None-Match` answers 304 while the "
        "record is unchanged. Without `If-Match`, concurrent writes apply one after the other and a "
        "PATCH writes only the fields it sends. A 201 carries `Location`. A POST with an "
        "`Idempotency-Key` is answered once; a retry within 24 hours gets the same status and body "
        "with `Idempotent-Replayed: true`, and the key with another body is a 422. A round is "
        "written with its `participations`. A body field a resource does not have is a 400; "
        "read-only fields are accepted and ignored. `/api/v1/changes/` lists every create, update "
        "and delete in commit order, resumable with its cursor."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portfolio.api.schema.require_list_items",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "portfolio.dates.DatePrecision",
        "CurrencyEnum": "portfolio.money.CURRENCY_CHOICES",
    },
}

# Spreadsheet import and export in the admin (django-import-export).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# An import is one transaction: a file with any invalid row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Exported text that a spreadsheet would run as a formula is kept as text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
IMPORT_FORMATS = EXPORT_FORMATS = [
    spreadsheet_formats.CSV,
    spreadsheet_formats.XLSX,
    spreadsheet_formats.JSON,
]
