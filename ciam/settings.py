"""Settings for the CIAM platform. Everything comes from the environment (12-factor).

Platform-wide configuration lives here; per-tenant configuration lives in database rows.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ciam import infra

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item for item in (env(name) or default).split(",") if item]


# --- platform (CIAM_*): every platform setting and its default, here and nowhere else ---
DEBUG = env_bool("DEBUG", False)
# A fixed development key is fine locally; production deployments must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY") or "dev-insecure-secret-key-change-me-in-production-0123456789"
# Encrypts signing keys, MFA secrets and other secrets at rest (see ciam/crypto.py).
CIAM_MASTER_KEY: str = env("CIAM_MASTER_KEY") or "dev-insecure-master-key-change-me"
CIAM_BASE_DOMAIN: str = (env("CIAM_BASE_DOMAIN") or "localhost").lower()
# More hosts on which tenants answer under /t/<name>/ (besides the base domain, localhost).
CIAM_SHARED_HOSTS: list[str] = env_list("CIAM_SHARED_HOSTS")
# Path prefix under which every tenant is reachable on the shared host: /t/<name>/...
CIAM_TENANT_PATH_PREFIX: str = "t"
# Warm pool of migrated, empty schemas that tenant creation renames in place.
CIAM_SCHEMA_POOL_SIZE: int = int(env("CIAM_SCHEMA_POOL_SIZE") or 4)
# Web processes check Redis for configuration changes made elsewhere this often (seconds).
CIAM_GENERATION_RECHECK_SECONDS: float = float(env("CIAM_GENERATION_RECHECK_SECONDS") or 0.5)
# How long a process answers from its caches while Redis does not answer (ciam/generations.py).
CIAM_REDIS_OUTAGE_GRACE_SECONDS: float = float(env("CIAM_REDIS_OUTAGE_GRACE_SECONDS") or 30)
# Custom domains prove ownership with a DNS TXT record at _ciam-challenge.<domain>;
# "host:port" of the resolver to ask (default: the system's resolvers).
CIAM_DNS_NAMESERVER: str = env("CIAM_DNS_NAMESERVER") or ""
# Admin-configured outbound URLs (JWKS, OIDC issuers) may reach private and loopback
# addresses over http only when this is on (development and tests); see ciam/outbound.py.
CIAM_OUTBOUND_ALLOW_PRIVATE: bool = env_bool("CIAM_OUTBOUND_ALLOW_PRIVATE", False)
# The platform's public base URL(s) on the shared host (comma-separated, first one
# canonical): the path form's issuer and links (/t/<name>) are built from the one the
# request reached when it is listed, else from the first — never from an arbitrary Host
# header (a port chosen by the client would otherwise become the tokens' issuer).
CIAM_PUBLIC_URLS: list[str] = [
    u.strip().rstrip("/")
    for u in (env("CIAM_PUBLIC_URL") or "http://localhost:8000").split(",")
    if u.strip()
]
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For header
# is believed for the client address (ciam/clientip.py); empty: the socket's peer.
CIAM_TRUSTED_PROXIES: list[str] = [
    p.strip() for p in (env("CIAM_TRUSTED_PROXIES") or "").split(",") if p.strip()
]
# Seconds between a tenant's soft delete and the purge of its schema.
CIAM_TENANT_PURGE_GRACE_SECONDS: int = int(env("CIAM_TENANT_PURGE_GRACE_SECONDS") or 0)
# Signing keys older than this are rotated by the scheduled task.
CIAM_SIGNING_KEY_MAX_AGE_DAYS: int = int(env("CIAM_SIGNING_KEY_MAX_AGE_DAYS") or 90)
# Steps that fill a newly provisioned tenant schema, in order (see tenants.services).
CIAM_TENANT_INITIALIZERS: list[str] = [
    "directory.services.initialize_tenant_directory",
    "applications.services.initialize_tenant_keys",
    "userflows.services.initialize_tenant_userflows",
]

# --- HTTP ---
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- apps (django-tenants: SHARED_APPS in the public schema, TENANT_APPS in each tenant's) ---
SHARED_APPS = [
    # Our apps come first so that their management commands (create_tenant,
    # delete_tenant) take precedence over django-tenants' generic ones.
    "tenants",
    "directory",
    # No models: the admin shell with the portal and the demo seed, and the management API.
    "admincenter",
    "api",
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI for /api/v1/docs/ from bundled static files (no CDN).
    "drf_spectacular_sidecar",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "directory",
    "applications",
    "userflows",
    "extensions",
    "branding",
    "insights",
    "oauth2_provider",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "django.contrib.humanize",  # used by allauth.usersessions templates
    "allauth.usersessions",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.openid_connect",
]

INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# Tenants are created by renaming a warm pool schema or cloning this template.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_LIMIT_SET_CALLS = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

# --- requests ---
MIDDLEWARE = [
    "ciam.middleware.HealthMiddleware",
    "ciam.csp.ContentSecurityPolicyMiddleware",
    "ciam.lanes.MachineLaneMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "userflows.middleware.UILocalesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "userflows.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "ciam.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "ciam.urls_public"

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
                "ciam.context_processors.platform",
                "admincenter.navigation.navigation",
                "ciam.csp.nonce",
            ],
        },
    }
]

WSGI_APPLICATION = "ciam.wsgi.application"
ASGI_APPLICATION = "ciam.asgi.application"

# --- storage: PostgreSQL, Redis, sessions ---
DATABASES = {
    "default": infra.database_config(
        env("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/ciam",
        conn_max_age=int(env("DB_CONN_MAX_AGE") or 60),
    )
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("TEST", {})
if env("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = env("TEST_DATABASE_NAME")

REDIS_URL = env("REDIS_URL") or "redis://127.0.0.1:6379/0"
_CACHE_LOCATION, _CACHE_OPTIONS = infra.cache_location_and_options(REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": _CACHE_LOCATION,
        # Every key carries the schema name, so tenants never share cache entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        # Test runs give each pytest-xdist worker its own prefix.
        "KEY_PREFIX": (env("CACHE_KEY_PREFIX") or "ciam") + (env("PYTEST_XDIST_WORKER") or ""),
        "OPTIONS": _CACHE_OPTIONS,
    }
}
if infra.redis_sentinels():
    DJANGO_REDIS_CONNECTION_FACTORY = "django_redis.pool.SentinelConnectionFactory"
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A deployment whose public URL is https gets secure cookies, HTTPS redirects and HSTS by
# default (`manage.py check --deploy` is clean; tests/security/test_headers.py).
HTTPS = CIAM_PUBLIC_URLS[0].startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_USE_SESSIONS = True
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS") or (31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# --- accounts and passwords ---
AUTH_USER_MODEL = "directory.User"
# Emails are unique case-insensitively (a functional unique index), which the check misses.
SILENCED_SYSTEM_CHECKS = [
    "auth.W004",
    # http redirect URIs stay allowed for loopback (native apps, RFC 8252) and local SPAs;
    # applications.services validates them per app type.
    "oauth2_provider.W008",
    # RFC 9207 `iss` in authorization responses: not yet adopted (the code's audience and
    # PKCE already bind it; adopting changes every client's callback query).
    "oauth2_provider.W005",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # OnPasswordSubmit: accounts still to migrate from a legacy password store
    "userflows.backends.PasswordMigrationBackend",
]
PASSWORD_HASHERS = [
    "directory.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "directory.breached.BreachedPasswordValidator"},
]
# Breached passwords (directory/breached.py): the corpus compiled by
# `manage.py load_breached_passwords`, and HIBP's k-anonymity range API (off by default).
CIAM_BREACHED_PASSWORDS_FILE = env("CIAM_BREACHED_PASSWORDS_FILE") or str(
    BASE_DIR / "var" / "breached-passwords.bin"
)
CIAM_HIBP_RANGE_API = env_bool("CIAM_HIBP_RANGE_API", False)
CIAM_HIBP_RANGE_URL = env("CIAM_HIBP_RANGE_URL") or "https://api.pwnedpasswords.com/range/"
# Customers sign in on the tenant's sign-in pages; the admin center has its own.
LOGIN_URL = "account_login"

# --- languages, static files ---
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic fills it (ciam/devserver.py creates it for local runs).
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- email ---
EMAIL_URL = env("EMAIL_URL") or "console://"
if EMAIL_URL.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith("locmem:"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme in {"smtp+tls", "submission"}
    EMAIL_USE_SSL = _email.scheme == "smtps"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "no-reply@ciam.localhost"

# --- Celery: tenant-aware through tenant-schemas-celery (schema in the task headers).
_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = infra.celery_broker(REDIS_URL)
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or _BROKER_URL
if env("CELERY_VISIBILITY_TIMEOUT"):  # seconds before a dead worker's task is redelivered
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = int(env("CELERY_VISIBILITY_TIMEOUT"))
# A task is acknowledged after it ran, so a worker killed mid-task leaves it to another
# worker (tasks are idempotent); one task prefetched at a time per process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "refill-schema-pool": {"task": "tenants.refill_schema_pool", "schedule": 60.0},
    "purge-deleted-tenants": {"task": "tenants.purge_deleted_tenants", "schedule": 300.0},
    "purge-expired-oauth-tokens": {
        "task": "tenants.for_each_tenant",
        "args": ["applications.purge_expired_tokens"],
        "schedule": 3600.0,
    },
    "rotate-signing-keys": {
        "task": "tenants.for_each_tenant",
        "args": ["applications.rotate_signing_keys"],
        "schedule": 24 * 3600.0,
    },
}

# --- identity server (applications) ---
# OAuth 2.0 / OpenID Connect: django-oauth-toolkit with its models swapped into
# `applications` from the first migration (filled in by the identity-server work).
OAUTH2_PROVIDER_APPLICATION_MODEL = "applications.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "applications.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "applications.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "applications.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "applications.Grant"
OAUTH2_PROVIDER: dict[str, Any] = {
    "OIDC_ENABLED": True,
    "OAUTH2_VALIDATOR_CLASS": "applications.validator.TenantOAuth2Validator",
    "OAUTH2_SERVER_CLASS": "applications.server.TenantServer",
    "OIDC_SERVER_CLASS": "applications.server.TenantServer",
    "OAUTH2_BACKEND_CLASS": "applications.server.TenantOAuthLibCore",
    "SCOPES_BACKEND_CLASS": "applications.scopes.TenantScopes",
    "PKCE_REQUIRED": True,  # for public clients; the validator decides per client
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only
    # Access and refresh tokens are stored as SHA-256 checksums only, never in clear.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # No implicit or password grant (never offered), no access tokens in query strings.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 14 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    # Remembered consent is the applications.Consent table (see TenantAuthorizationView),
    # not the presence of live tokens.
    "REQUEST_APPROVAL_PROMPT": "force",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    # CORS origins come from SPA redirect URIs (http only for localhost/loopback, as
    # applications.services validates them): a local SPA may call the token endpoint.
    "ALLOWED_SCHEMES": ["https", "http"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OIDC_RP_INITIATED_REGISTRATION_ENABLED": True,
    "OIDC_RP_INITIATED_REGISTRATION_URL": "account_signup",
    "CLEAR_EXPIRED_TOKENS_BATCH_SIZE": 5000,
}

# --- user flows: django-allauth (customer sign-up / sign-in, MFA, federation) ---
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
MFA_ADAPTER = "directory.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Accept one 30-second step of clock drift either way; used codes are remembered for the
# whole window, so a code still works only once.
MFA_TOTP_TOLERANCE = 1

ACCOUNT_ADAPTER = "userflows.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "userflows.adapters.SocialAccountAdapter"
LOGIN_REDIRECT_URL = "userflows_profile"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 300
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 600
ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_CHANGE_EMAIL = False
# Rate limits of every unauthenticated allauth endpoint (per IP / per key, Redis-backed).
# CIAM_RATE_LIMITS=off turns them off (load tests from one address only).
ACCOUNT_RATE_LIMITS: dict | bool = (env("CIAM_RATE_LIMITS") or "").lower() != "off" and {
    "login": "30/m/ip",
    # Per account, smart lockout (userflows.lockout) applies instead of a plain key limit.
    "login_failed": "30/m/ip",
    "signup": "20/h/ip",
    "confirm_email": "3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never link by matching email
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
USERSESSIONS_TRACK_ACTIVITY = False
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "dashed": False, "length": 6}

# --- management API (api) ---
REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CIAM management API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- custom authentication extensions (docs/extensions.md) ---
# Consecutive failures that open an extension's circuit breaker, and how long it stays open.
CIAM_EXTENSION_BREAKER_FAILURES = int(env("CIAM_EXTENSION_BREAKER_FAILURES") or 5)
CIAM_EXTENSION_BREAKER_COOLDOWN_SECONDS = float(
    env("CIAM_EXTENSION_BREAKER_COOLDOWN_SECONDS") or 30
)
CIAM_EXTENSION_MAX_RESPONSE_BYTES = int(env("CIAM_EXTENSION_MAX_RESPONSE_BYTES") or 65536)
CIAM_EXTENSION_CALL_LOG_DAYS = int(env("CIAM_EXTENSION_CALL_LOG_DAYS") or 30)
# Call log rows are written in batches at most this often (0: at every request end).
CIAM_EXTENSION_CALL_LOG_BATCH_SECONDS = float(env("CIAM_EXTENSION_CALL_LOG_BATCH_SECONDS") or 1)
CELERY_BEAT_SCHEDULE["purge-extension-call-logs"] = {
    "task": "extensions.purge_call_logs_all_tenants",
    "schedule": 24 * 3600.0,
}

# --- branding (company branding, language customisations, branded emails) ---
TEMPLATES[0]["OPTIONS"]["context_processors"].append("branding.context_processors.branding")
# After userflows' UILocalesMiddleware: the branding middleware makes the final choice
# (ui_locales, the language picked on the page, Accept-Language, the tenant's default).
MIDDLEWARE.insert(
    MIDDLEWARE.index("userflows.middleware.UILocalesMiddleware") + 1,
    "branding.middleware.BrandingMiddleware",
)
# Branding images go through Django's storage API: local files under var/media by default
# (served by branding.views.asset with year-long caching), or an S3-compatible bucket
# through django-storages when CIAM_MEDIA_S3_BUCKET is set (AWS_* variables as usual).
MEDIA_ROOT = Path(env("CIAM_MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env("CIAM_MEDIA_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("CIAM_MEDIA_S3_BUCKET"),
            "endpoint_url": env("CIAM_MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env("CIAM_MEDIA_S3_REGION") or None,
            "custom_domain": env("CIAM_MEDIA_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }

# --- usage & insights ---
# Raw events are kept this many days (then purged in batches); roll-ups are kept.
CIAM_INSIGHTS_RETENTION_DAYS = int(env("CIAM_INSIGHTS_RETENTION_DAYS") or 90)
CIAM_INSIGHTS_BATCH_SIZE = int(env("CIAM_INSIGHTS_BATCH_SIZE") or 5000)
# A MaxMind-format country database (.mmdb); the geoip2fast package's data otherwise.
CIAM_GEOIP_DATABASE = env("CIAM_GEOIP_DATABASE") or ""
CELERY_BEAT_SCHEDULE["insights-roll-up"] = {
    "task": "tenants.for_each_tenant",
    "args": ["insights.roll_up"],
    "schedule": float(env("CIAM_INSIGHTS_ROLLUP_SECONDS") or 60),
}
CELERY_BEAT_SCHEDULE["insights-purge-events"] = {
    "task": "tenants.for_each_tenant",
    "args": ["insights.purge_events"],
    "schedule": 3600.0,
}
