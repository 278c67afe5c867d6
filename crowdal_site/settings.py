"""CrowdAL settings: one module, every knob read from the environment with an embedded default.

Embedded default (no variables set): SQLite, in-memory channel layer, a local anvil chain started by
`manage.py serve`, anvil's well-known development keys. Scale-out is configuration only:
DATABASE_URL, REDIS_URL, CHAIN_RPC_URL (+ ORACLE_PRIVATE_KEY, deployed addresses), IPFS_API_URL.
"""

import os
import secrets
import time
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from eth_account import Account

# siwe's grammar redefines core ABNF rules on import; abnf warns about each one on every start.
warnings.filterwarnings("ignore", message=r"rule '\w+' redefines", module=r"abnf\.")

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CROWDAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Embedded mode (no CHAIN_RPC_URL): one machine on localhost with its own anvil and anvil's
# development keys. Anything else is a deployment and must be configured as one.
EMBEDDED = not os.environ.get("CHAIN_RPC_URL")


def embedded_secret_key(path: Path) -> str:
    """A random key made on the embedded stack's first start and kept in var/ (never a constant
    anyone can read in the source: sessions, CSRF tokens and capabilities are signed with it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made already, possibly by a process starting at the same time
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.01)
        raise ImproperlyConfigured(f"{path} is empty: delete it and start again") from None
    with os.fdopen(fd, "w") as file:
        key = secrets.token_urlsafe(50)
        file.write(key)
    return key


# Off unless asked for: `make run` (the embedded demo) turns it on.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (embedded_secret_key(VAR_DIR / "secret-key") if EMBEDDED else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set: CHAIN_RPC_URL is set, so this is not the embedded stack")
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
    "apps.runtime",  # before channels: its runworker (eager worker) replaces Channels' own
    "channels",
    "rest_framework",
    "drf_spectacular",
    "apps.lib",
    "apps.accounts",
    "apps.chain",
    "apps.pages",
    "apps.storage",
    "apps.jobs",
    "apps.labeling",
    "apps.learning",
    "apps.quality",
    "apps.reputation",
    "apps.rewards",
    "apps.classification",
    "apps.boxes",
    "apps.gamification",
    "apps.audit",
    "apps.integrity",
    "apps.anonymity",
    "apps.models",
    "apps.cockpit",
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
    "apps.lib.errors.ApiErrorMiddleware",
]
# Under /api/ Django's own refusals answer JSON like every API error (apps/lib/errors.py).
CSRF_FAILURE_VIEW = "apps.lib.errors.csrf_failure"
# Request limits Django enforces before any view runs: a body without files (JSON, form fields),
# files in one upload, fields in one form. File sizes are the importer's (STORAGE_MAX_UPLOAD_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FILES", "100"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000"))
# Uploaded files above this size are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))

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
# DB_POOL=N: a psycopg connection pool of up to N connections on PostgreSQL. Under ASGI each request
# runs on a fresh thread, so without it every request opens (and PostgreSQL forks) a new connection.
if os.environ.get("DB_POOL") and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": int(os.environ["DB_POOL"])}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded stack writes from the server, the worker and the indexer at once: wait for the
    # lock instead of failing, and take it when a transaction starts so none fails half-way.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        # channels-redis blocks 5 s in BZPOPMIN on a quiet channel, and redis-py >= 8 reads with a 5 s
        # socket timeout by default: the read timed out and killed `runworker`. A longer timeout fixes it.
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Sessions: wallet sign-in lasts at most SESSION_MAX_AGE seconds, whatever the SIWE message says.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_MAX_AGE", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A deployment is served over HTTPS (TLS ends at the proxy in front, which sets X-Forwarded-Proto);
# the embedded stack serves plain http on localhost. HTTPS=0/1 overrides.
HTTPS = env_bool("HTTPS", not EMBEDDED)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files from the ASGI app itself; finders let it serve static/ (and the
# vendored npm libraries) without a collectstatic step on the embedded stack. A deployment sets
# STATIC_ROOT and runs `manage.py collectstatic`.
STATIC_ROOT = Path(os.environ["STATIC_ROOT"]) if os.environ.get("STATIC_ROOT") else None
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.lib.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CrowdAL API",
    "VERSION": "1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.labeling.schema.add_next_items",  # a plain Django view drf-spectacular cannot see
    ],
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
# How often the Channels worker re-runs handlers of events still unhandled (a worker died half-way).
CHAIN_WORKER_SWEEP_SECONDS = float(os.environ.get("CHAIN_WORKER_SWEEP_SECONDS", "30"))
# How often the settlement worker retries stopped jobs whose settlement did not finish.
REWARDS_SETTLEMENT_SWEEP_SECONDS = float(os.environ.get("REWARDS_SETTLEMENT_SWEEP_SECONDS", "60"))
# Settlement after a stop waits for label batches still in flight (pending or sent) to become final,
# at most this long after it started: past it, what is still in flight is not paid.
REWARDS_SETTLEMENT_BATCH_WAIT_SECONDS = int(os.environ.get("REWARDS_SETTLEMENT_BATCH_WAIT_SECONDS", "300"))
# Three separate keys (docs/security.md). Anvil's development keys 0, 10 and 11 (well known, public;
# the local chain funds 12 accounts) are the embedded stack's defaults; nothing else falls back to them.
ANVIL_DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ANVIL_DEV_KEY_10 = "0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897"
ANVIL_DEV_KEY_11 = "0x701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82"
# Settlement (oracle) key: admits workers, posts truth and payout roots. Only the settlement worker
# needs it; a web process run without it still serves pages and relays batches.
ORACLE_PRIVATE_KEY = os.environ.get("ORACLE_PRIVATE_KEY") or (ANVIL_DEV_KEY_0 if not CHAIN_RPC_URL else "")
# The oracle address jobs are created with (deploy): derived from the key when the key is here.
ORACLE_ADDRESS = os.environ.get("ORACLE_ADDRESS") or (
    Account.from_key(ORACLE_PRIVATE_KEY).address if ORACLE_PRIVATE_KEY else ""
)
# The guardian may cancel a pending payout root within the dispute window; its key stays off the servers.
GUARDIAN_ADDRESS = os.environ.get("GUARDIAN_ADDRESS") or (
    Account.from_key(ANVIL_DEV_KEY_11).address if not CHAIN_RPC_URL else ""
)
# Seconds between a payout root and its claims for jobs created from a deployment with this setting.
CHAIN_DISPUTE_WINDOW_SECONDS = int(
    os.environ.get("CHAIN_DISPUTE_WINDOW_SECONDS", str(0 if not CHAIN_RPC_URL else 2 * 86_400))
)
# Addresses of contracts deployed elsewhere, e.g. "CrowdToken=0x..,JobManagement=0x..".
CHAIN_CONTRACT_ADDRESSES = dict(
    pair.split("=", 1) for pair in os.environ.get("CHAIN_CONTRACT_ADDRESSES", "").split(",") if "=" in pair
)
# Key that pays gas for relayed (EIP-712) label batches and claims: it has no role on chain.
RELAYER_PRIVATE_KEY = os.environ.get("RELAYER_PRIVATE_KEY") or (ANVIL_DEV_KEY_10 if not CHAIN_RPC_URL else "")
CONTRACTS_SRC_DIR = BASE_DIR / "contracts" / "src"
CONTRACTS_BUILD_DIR = BASE_DIR / "contracts" / "build"
NODE_MODULES_DIR = BASE_DIR / "node_modules"

# --- Blob storage ------------------------------------------------------------------------------
# Empty IPFS_API_URL means "embedded": blobs are files under STORAGE_DIR, named by the same CIDs a
# kubo node would give them. Set it (e.g. http://127.0.0.1:5001) to store on a kubo node instead.
IPFS_API_URL = os.environ.get("IPFS_API_URL", "")
STORAGE_DIR = Path(os.environ.get("STORAGE_DIR", VAR_DIR / "blobs"))
STORAGE_MAX_UPLOAD_BYTES = int(os.environ.get("STORAGE_MAX_UPLOAD_BYTES", str(64 * 1024 * 1024)))
# One dataset import (all its files, a zip counted unpacked): STORAGE_MAX_UPLOAD_BYTES caps each file.
JOBS_MAX_IMPORT_BYTES = int(os.environ.get("JOBS_MAX_IMPORT_BYTES", str(512 * 1024 * 1024)))

# --- Wallet sign-in (SIWE) --------------------------------------------------------------------
# Domain and URI a SIWE message must name; empty means "the host of the request" (development).
SIWE_DOMAIN = os.environ.get("SIWE_DOMAIN", "")
SIWE_NONCE_TTL_SECONDS = int(os.environ.get("SIWE_NONCE_TTL_SECONDS", "300"))
# Chains a wallet may sign in on: the chain the platform runs on (anvil's 31337 in the embedded stack).
SIWE_CHAIN_IDS = [int(c) for c in os.environ.get("SIWE_CHAIN_IDS", "31337").split(",") if c.strip()]
# Tolerance for the difference between the wallet's clock and ours (Issued At / Not Before / Expiration).
SIWE_CLOCK_SKEW_SECONDS = int(os.environ.get("SIWE_CLOCK_SKEW_SECONDS", "60"))
# A signed message older than this is refused even if it names no expiration; a nonce cannot outlive its TTL anyway.
SIWE_MAX_MESSAGE_AGE_SECONDS = int(os.environ.get("SIWE_MAX_MESSAGE_AGE_SECONDS", str(SIWE_NONCE_TTL_SECONDS)))

# --- Labeling ----------------------------------------------------------------------------------
# How long a served item holds one of its label slots for the labeler it was served to.
LABELING_LEASE_SECONDS = int(os.environ.get("LABELING_LEASE_SECONDS", "120"))
# Share of newly served items that are gold honeypots (scored like qualification, look like any item).
LABELING_HONEYPOT_RATE = float(os.environ.get("LABELING_HONEYPOT_RATE", "0.1"))
# Most items a labeler holds unconfirmed in one job (live leases plus pending labels): next-items
# serves nothing beyond it, so batches that are never sent cannot hold a job's slots.
LABELING_MAX_PENDING_ITEMS = int(os.environ.get("LABELING_MAX_PENDING_ITEMS", "100"))
# Relayed batches are sent by the batch worker (apps/labeling/sending.py): its sweep interval; how
# long a worker's claim on a batch it is sending lasts (older: it crashed, another takes over); how
# long a sent transaction may go unmined before a dropped one is sent again; how many sends a batch
# gets; and after how long a batch never sent (or a wallet batch never reported) fails and frees its items.
LABELING_SEND_SWEEP_SECONDS = float(os.environ.get("LABELING_SEND_SWEEP_SECONDS", "2"))
LABELING_SEND_CLAIM_SECONDS = int(os.environ.get("LABELING_SEND_CLAIM_SECONDS", "60"))
LABELING_RECEIPT_WAIT_SECONDS = int(os.environ.get("LABELING_RECEIPT_WAIT_SECONDS", "15"))
LABELING_SEND_ATTEMPTS = int(os.environ.get("LABELING_SEND_ATTEMPTS", "3"))
LABELING_SEND_CONCURRENCY = int(os.environ.get("LABELING_SEND_CONCURRENCY", "8"))  # sends in flight per worker
LABELING_BATCH_EXPIRY_SECONDS = int(os.environ.get("LABELING_BATCH_EXPIRY_SECONDS", "900"))
# Most boxes a labeler may draw on one image (bounding-box jobs).
BOXES_MAX_PER_ITEM = int(os.environ.get("BOXES_MAX_PER_ITEM", "100"))

# --- Integrity (fraud and sybil signals, docs/integrity.md) ------------------------------------
# Wallets whose transfers do not count as a common funder: exchanges' hot wallets, public faucets
# (comma-separated). The platform's own accounts and contracts are always ignored.
INTEGRITY_IGNORED_FUNDERS = [a.strip() for a in os.environ.get("INTEGRITY_IGNORED_FUNDERS", "").split(",") if a.strip()]
# How far back the first-funder scan reads (blocks before the head), and from which block at least.
INTEGRITY_FUNDING_MAX_BLOCKS = int(os.environ.get("INTEGRITY_FUNDING_MAX_BLOCKS", "200000"))
INTEGRITY_FUNDING_FROM_BLOCK = int(os.environ.get("INTEGRITY_FUNDING_FROM_BLOCK", "0"))

# Every log goes to stderr, one JSON object a line with its traceback (apps/lib/logging.py), whatever
# DEBUG says: Django's default sends a production 500 only to mail_admins, so it was lost.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "apps.lib.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "apps": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        # 5xx with their tracebacks (4xx are warnings: refusals the client was told about).
        "django.request": {"level": "ERROR", "propagate": True},
        "django": {"level": "WARNING"},
    },
}
