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


DEBUG = env_bool("DEBUG", False)
# A fixed development key is fine locally; production deployments must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY") or "dev-insecure-secret-key-change-me-in-production-0123456789"
# Encrypts signing keys, MFA secrets and other secrets at rest (see ciam/crypto.py).
CIAM_MASTER_KEY = env("CIAM_MASTER_KEY") or "dev-insecure-master-key-change-me"
CIAM_BASE_DOMAIN = (env("CIAM_BASE_DOMAIN") or "localhost").lower()
# Path prefix under which every tenant is reachable on the shared host: /t/<name>/...
CIAM_TENANT_PATH_PREFIX = "t"
# Warm pool of migrated, empty schemas that tenant creation renames in place.
CIAM_SCHEMA_POOL_SIZE = int(env("CIAM_SCHEMA_POOL_SIZE") or 4)
# Web processes check Redis for configuration changes made elsewhere this often (seconds).
CIAM_GENERATION_RECHECK_SECONDS = float(env("CIAM_GENERATION_RECHECK_SECONDS") or 0.5)
# How long a process answers from its caches while Redis does not answer (ciam/generations.py).
CIAM_REDIS_OUTAGE_GRACE_SECONDS = float(env("CIAM_REDIS_OUTAGE_GRACE_SECONDS") or 30)
# Custom domains prove ownership with a DNS TXT record at _ciam-challenge.<domain>;
# "host:port" of the resolver to ask (default: the system's resolvers).
CIAM_DNS_NAMESERVER = env("CIAM_DNS_NAMESERVER") or ""
# Admin-configured outbound URLs (JWKS, OIDC issuers) may reach private and loopback
# addresses over http only when this is on (development and tests); see ciam/outbound.py.
CIAM_OUTBOUND_ALLOW_PRIVATE = env_bool("CIAM_OUTBOUND_ALLOW_PRIVATE", False)
# Seconds between a tenant's soft delete and the purge of its schema.
CIAM_TENANT_PURGE_GRACE_SECONDS = int(env("CIAM_TENANT_PURGE_GRACE_SECONDS") or 0)

ALLOWED_HOSTS = [h for h in (env("ALLOWED_HOSTS") or "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in (env("CSRF_TRUSTED_ORIGINS") or "").split(",") if o]
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SHARED_APPS = [
    # Our apps come first so that their management commands (create_tenant,
    # delete_tenant) take precedence over django-tenants' generic ones.
    "tenants",
    "directory",
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
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "directory",
    "applications",
    "userflows",
    "branding",
    "insights",
    "oauth2_provider",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
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

MIDDLEWARE = [
    "ciam.middleware.SharedStateUnavailableMiddleware",
    "ciam.middleware.HealthMiddleware",
    "ciam.lanes.MachineLaneMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
            ],
        },
    }
]

WSGI_APPLICATION = "ciam.wsgi.application"
ASGI_APPLICATION = "ciam.asgi.application"

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
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_USE_SESSIONS = True
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

AUTH_USER_MODEL = "directory.User"
# Emails are unique case-insensitively (a functional unique index), which the check misses.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
]
# Customers sign in on the tenant's sign-in pages; the admin center has its own.
LOGIN_URL = "account_login"

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
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

# Celery: tenant-aware through tenant-schemas-celery (schema in the task headers).
_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = infra.celery_broker(REDIS_URL)
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or _BROKER_URL
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
}

# OAuth 2.0 / OpenID Connect: django-oauth-toolkit with its models swapped into
# `applications` from the first migration (filled in by the identity-server work).
OAUTH2_PROVIDER_APPLICATION_MODEL = "applications.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "applications.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "applications.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "applications.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "applications.Grant"
OAUTH2_PROVIDER: dict[str, Any] = {"OIDC_ENABLED": True, "PKCE_REQUIRED": True}

# django-allauth (customer sign-up / sign-in, built out by the user-flows work).
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
MFA_ADAPTER = "directory.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Accept one 30-second step of clock drift either way; used codes are remembered for the
# whole window, so a code still works only once.
MFA_TOTP_TOLERANCE = 1

# Steps that fill a newly provisioned tenant schema, in order (see tenants.services).
CIAM_TENANT_INITIALIZERS = [
    "directory.services.initialize_tenant_directory",
]

REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {"TITLE": "CIAM management API", "VERSION": "1.0.0"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- identity server (applications) ---
OAUTH2_PROVIDER.update(
    {
        "OAUTH2_VALIDATOR_CLASS": "applications.validator.TenantOAuth2Validator",
        "OAUTH2_SERVER_CLASS": "applications.server.TenantServer",
        "OIDC_SERVER_CLASS": "applications.server.TenantServer",
        "OAUTH2_BACKEND_CLASS": "applications.server.TenantOAuthLibCore",
        "SCOPES_BACKEND_CLASS": "applications.scopes.TenantScopes",
        "PKCE_REQUIRED": True,  # for public clients; the validator decides per client
        "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only
        # Access and refresh tokens are stored as SHA-256 checksums only, never in clear.
        "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
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
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
        "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
        "OIDC_RP_INITIATED_REGISTRATION_ENABLED": True,
        "OIDC_RP_INITIATED_REGISTRATION_URL": "account_signup",
        "CLEAR_EXPIRED_TOKENS_BATCH_SIZE": 5000,
    }
)
CIAM_TENANT_INITIALIZERS.append("applications.services.initialize_tenant_keys")
CELERY_BEAT_SCHEDULE["purge-expired-oauth-tokens"] = {
    "task": "applications.purge_expired_tokens_all_tenants",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["rotate-signing-keys"] = {
    "task": "applications.rotate_signing_keys_all_tenants",
    "schedule": 24 * 3600.0,
}
# Signing keys older than this are rotated by the scheduled task.
CIAM_SIGNING_KEY_MAX_AGE_DAYS = int(env("CIAM_SIGNING_KEY_MAX_AGE_DAYS") or 90)

# --- user flows (customer sign-up / sign-in, MFA, federation) ---
TENANT_APPS += [
    "django.contrib.humanize",  # used by allauth.usersessions templates
    "allauth.usersessions",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.openid_connect",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware") + 1,
    "userflows.middleware.UILocalesMiddleware",
)
MIDDLEWARE.append("allauth.usersessions.middleware.UserSessionsMiddleware")
MIDDLEWARE.append("userflows.middleware.PasswordChangeRequiredMiddleware")
CIAM_TENANT_INITIALIZERS.append("userflows.services.initialize_tenant_userflows")
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
ACCOUNT_RATE_LIMITS: dict | bool = {
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
if (env("CIAM_RATE_LIMITS") or "").lower() == "off":
    ACCOUNT_RATE_LIMITS = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never link by matching email
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
USERSESSIONS_TRACK_ACTIVITY = False
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "dashed": False, "length": 6}

# --- directory (accounts, groups, management API, SCIM) ---
# Swagger UI for /api/v1/docs/ from drf-spectacular-sidecar's bundled static files (no CDN).
SHARED_APPS.append("drf_spectacular_sidecar")
INSTALLED_APPS.append("drf_spectacular_sidecar")
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
)
