"""CrowdAL settings: one module, every knob read from the environment with an embedded default.

Embedded default (no variables set): SQLite, in-memory channel layer, a local anvil chain started by
`manage.py serve`, anvil's well-known development keys. Scale-out is configuration only:
DATABASE_URL, REDIS_URL, CHAIN_RPC_URL (+ ORACLE_PRIVATE_KEY, deployed addresses), IPFS_API_URL.
"""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CROWDAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
# The fallback key is for the embedded development stack only; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or ("crowdal-dev-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "apps.accounts",
    "apps.chain",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "crowdal_site.urls"
ASGI_APPLICATION = "crowdal_site.asgi.application"

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
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Sessions: wallet sign-in lasts at most SESSION_MAX_AGE seconds, whatever the SIWE message says.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_MAX_AGE", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Chain -------------------------------------------------------------------------------------
# Empty CHAIN_RPC_URL means "embedded": `manage.py serve` starts anvil from node_modules on
# LOCAL_CHAIN_PORT and uses anvil's development keys.
CHAIN_RPC_URL = os.environ.get("CHAIN_RPC_URL", "")
LOCAL_CHAIN_PORT = int(os.environ.get("LOCAL_CHAIN_PORT", "8545"))
LOCAL_CHAIN_BLOCK_TIME = float(os.environ.get("LOCAL_CHAIN_BLOCK_TIME", "1"))
# Blocks behind the head before the indexer treats an event as final.
CHAIN_CONFIRMATIONS = int(os.environ.get("CHAIN_CONFIRMATIONS", "2"))
CHAIN_POLL_SECONDS = float(os.environ.get("CHAIN_POLL_SECONDS", "1"))
CHAIN_MAX_BLOCK_RANGE = int(os.environ.get("CHAIN_MAX_BLOCK_RANGE", "2000"))
# Anvil's first development key (well known, public). Only the embedded stack may fall back to it.
ANVIL_DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ORACLE_PRIVATE_KEY = os.environ.get("ORACLE_PRIVATE_KEY") or (ANVIL_DEV_KEY_0 if not CHAIN_RPC_URL else "")
# Addresses of contracts deployed elsewhere, e.g. "CrowdToken=0x..,JobManagement=0x..".
CHAIN_CONTRACT_ADDRESSES = dict(
    pair.split("=", 1) for pair in os.environ.get("CHAIN_CONTRACT_ADDRESSES", "").split(",") if "=" in pair
)
CONTRACTS_SRC_DIR = BASE_DIR / "contracts" / "src"
CONTRACTS_BUILD_DIR = BASE_DIR / "contracts" / "build"
NODE_MODULES_DIR = BASE_DIR / "node_modules"

# --- Wallet sign-in (SIWE) --------------------------------------------------------------------
# Domain and URI a SIWE message must name; empty means "the host of the request" (development).
SIWE_DOMAIN = os.environ.get("SIWE_DOMAIN", "")
SIWE_NONCE_TTL_SECONDS = int(os.environ.get("SIWE_NONCE_TTL_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"apps": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")}},
}
