"""Settings shared by every environment; values come from the environment (12-factor).

Embedded defaults: a PostgreSQL server started from a pip wheel with its data in var/postgres/, and Celery running
tasks eagerly in-process, so the platform starts with nothing but Python. Set DATABASE_URL / REDIS_URL to use a
PostgreSQL server and Redis of your own.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config.database.embedded import DATABASE_NAME as EMBEDDED_DATABASE
from config.database.embedded import EmbeddedServer

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram similarity for catalog search
    # third party
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "simple_history",
    "django_fsm",
    "axes",
    # the platform
    "common",
    "accounts",
    "catalog",
    "qualifications",
    "procurement",
    "contracts",
    "pricing",
    "settlement",
    "transparency",
    "ocds",
    "workbench",
    "payment_standards",
    "traceability",
    "pharmacies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.middleware.UploadSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.InactiveOrganizationMiddleware",
    "accounts.middleware.PlatformLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "common.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL only (≥ 15, checked by config.database). DATABASE_URL names the server; unset, the embedded PostgreSQL
# (config.database.embedded: data in var/postgres/, started on first use) is the database (docs/database.md).
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must name a PostgreSQL server (postgres://…): the platform runs on "
            "PostgreSQL only; unset it to use the embedded one."
        )
else:
    # EMBEDDED_DATABASE_NAME: another database on the same server (the benchmarks use their own, yaoxie_bench).
    DATABASES = {
        "default": EmbeddedServer().database_settings(env("EMBEDDED_DATABASE_NAME", default=EMBEDDED_DATABASE))
    }
# PostgreSQL's backend, plus the minimum-version check and the embedded server's start on first connection.
DATABASES["default"]["ENGINE"] = "config.database"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# Test databases are created from template0 in UTF-8 so trigram search on Chinese works.
DATABASES["default"].setdefault("TEST", {}).update({"TEMPLATE": "template0", "CHARSET": "UTF8"})
# Server-side parameters with prepared statements: a statement run 5 times on a connection is then parsed and
# planned once (psycopg keeps the last 100 per connection). Most of the time PostgreSQL spends on a short
# request's queries is parsing their long texts: ordering handles ~40% more orders/s with them (bench/order_api).
# Off (DB_PREPARED_STATEMENTS=false) behind a pooler in transaction mode without prepared-statement support.
if env.bool("DB_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A read replica for the portals' reports (common.replicas, docs/scale-out.md): a streaming replica of the primary.
# Reads inside `report_reads()` go to it; everything else stays on `default`. Tests mirror it to `default`.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "ENGINE": "config.database",
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["common.replicas.ReplicaRouter"]
# Monthly partitions of the flow tables (common.partitions): months created ahead by the nightly job.
PARTITION_MONTHS_AHEAD = env.int("PARTITION_MONTHS_AHEAD", default=3)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's password check, refusing members of a deactivated organisation (accounts/backends.py).
    "accounts.backends.PlatformBackend",
]
# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for LOGIN_LOCKOUT_MINUTES, on the login page and on the API token endpoint alike; a
# successful login resets the count.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
# The address is REMOTE_ADDR: behind a proxy, have the server set it from the proxy (gunicorn --forwarded-allow-ips).
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # YYYY-MM-DD in every language
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
# Without a broker, tasks run in-process when enqueued (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queues (docs/scale-out.md): the long jobs each on a queue of their own, so that a catalog import or the nightly scan
# never waits behind another and each can get workers of its own (`celery -A config worker -Q imports`). A worker
# started without -Q consumes every queue listed here, as a single worker always did.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {name: {"routing_key": name} for name in ("celery", "imports", "scans", "settlement")}
CELERY_TASK_ROUTES = {
    "catalog.run_import": {"queue": "imports"},
    "pricing.scan_prices": {"queue": "scans"},
    "pricing.shortage_watch": {"queue": "scans"},
    "pricing.credit_maintenance": {"queue": "scans"},
    "settlement.*": {"queue": "settlement"},
}
# Redis: a task whose worker died before acknowledging it (acks_late) goes back on the queue once it has been unacked
# this long. Longer than the task time limit, so a task still running is never handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 15 * 60),
}
# Agreed-volume progress (procurement.services.progress). Shares are of the pro-rata or agreed volume.
COMMITMENT_PROGRESS = {
    # behind: cumulative received below this share of the pro-rata volume
    "BEHIND_SHARE": env.float("COMMITMENT_BEHIND_SHARE", default=0.8),
    # at_risk: at the rate of the last RATE_WINDOW_MONTHS months the cycle would end below this share of agreed
    "AT_RISK_SHARE": env.float("COMMITMENT_AT_RISK_SHARE", default=0.8),
    "RATE_WINDOW_MONTHS": env.int("COMMITMENT_RATE_WINDOW_MONTHS", default=3),
    # the first days of a cycle are neither behind nor at risk
    "GRACE_DAYS": env.int("COMMITMENT_GRACE_DAYS", default=30),
    # listed as high substitution: substitutes / (selected + substitutes) at or above this
    "HIGH_SUBSTITUTION_RATIO": env.float("COMMITMENT_HIGH_SUBSTITUTION_RATIO", default=0.5),
    # a manufacturer lags when less than this share of the units due (orders older than DELIVERY_DUE_DAYS) shipped
    "DELIVERY_LAG_SHARE": env.float("COMMITMENT_DELIVERY_LAG_SHARE", default=0.9),
    "DELIVERY_DUE_DAYS": env.int("COMMITMENT_DELIVERY_DUE_DAYS", default=3),
}
# Seconds the health endpoint waits for the broker before calling it down.
HEALTH_BROKER_TIMEOUT = env.float("HEALTH_BROKER_TIMEOUT", default=2.0)
# Crash tests only (common.faults): checkpoints where a job waits for the test to kill its worker. Empty in production.
FAULT_CHECKPOINTS = env.list("FAULT_CHECKPOINTS", default=[])

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API request then gets 401 with a WWW-Authenticate header.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in and a member of an active organisation, whatever the authentication class (accounts/permissions.py).
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.ActiveMember"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
# Request input (common.numbers, common.parsers, common.filters; docs/security.md): the JSON parser bounds a
# body's size and nesting and reads numbers without float; query filters parse numbers strictly.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "common.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] = [
    "common.filters.FilterBackend" if backend.startswith("django_filters.") else backend
    for backend in REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]
]
# Bytes of a request body (JSON or form; uploads have IMPORT_MAX_UPLOAD_BYTES) and levels of JSON nesting.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
# Pages: a domain error a view lets through (a bad number in a query string) is a 400 page naming the field.
MIDDLEWARE = [*MIDDLEWARE, "common.middleware.DomainErrorPageMiddleware"]
# The schema is read by the client generators of hospitals' HIS and manufacturers' ERPs (docs/api.md): an ASCII title
# (a generated package is named after it), one tag per resource (the path's segment after /api/v1/) and operationIds
# made of the path and the action only, so that they stay when views move; common.openapi adds the error body, the
# media types and the examples.
SPECTACULAR_SETTINGS = {
    "TITLE": "Yaoxie Platform API",
    "DESCRIPTION": "药械集采平台：药品和医用耗材集中带量采购、挂网阳光采购、价格监测、医保基金直接结算。\n\n"
    "Centralized procurement of drugs and medical consumables: catalog, tenders, online ordering, price monitoring "
    "and direct settlement. Authentication, pagination, errors, idempotency, concurrency and rate limits: "
    "docs/api.md.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "common.openapi.postprocess_schema"],
    "TAGS": [{"name": "public", "description": "Open to anyone, without signing in."}],
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field called "kind" or "status"; name their enums after the model.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "accounts.models.Organization.Kind",
        "TenderKindEnum": "procurement.models.tenders.Tender.Kind",
        "TenderStatusEnum": "procurement.models.tenders.Tender.Status",
        "BidStatusEnum": "procurement.models.tenders.Bid.Status",
        "PriceAlertStatusEnum": "pricing.models.PriceAlert.Status",
        "CreditRecordStatusEnum": "pricing.models.CreditRecord.Status",
        "ShortageStatusEnum": "pricing.models.ShortageAlert.Status",
        "CreditLevelEnum": "pricing.models.CreditRecord.Level",
        "ListingStatusEnum": "procurement.models.listings.Listing.Status",
        "PaymentStandardStatusEnum": "payment_standards.models.PaymentStandard.Status",
        "PaymentStandardSourceEnum": "payment_standards.models.PaymentStandard.Source",
        "ListingSourceEnum": "procurement.models.listings.Listing.Source",
        "PurchaseOrderStatusEnum": "procurement.models.orders.PurchaseOrder.Status",
        "SupplyClassEnum": "procurement.models.orders.SupplyClass",
        "ProgressStatusEnum": "procurement.models.progress.ProgressStatus",
        "ProgressRunStatusEnum": "procurement.models.progress.ProgressRun.Status",
        "ProgressRunKindEnum": "procurement.models.progress.ProgressRun.Kind",
        "SettlementStatementStatusEnum": "settlement.models.SettlementStatement.Status",
    },
}

# --- API tokens, API rate limits, login lockout by address (docs/security.md) ---------------
# API tokens (django-rest-knox; accounts.ApiToken): stored as SHA-512 digests; every token expires. A sign-in token
# (POST /api/v1/auth/token/) lapses after API_TOKEN_IDLE_DAYS unused, each use extending it, never past
# API_TOKEN_SIGN_IN_MAX_DAYS after the sign-in; a user keeps at most API_TOKEN_SIGN_IN_MAX_PER_USER of them (the
# oldest go). An integration token (POST /api/v1/auth/tokens/, named) lives the days chosen, default
# API_TOKEN_INTEGRATION_DEFAULT_DAYS, at most API_TOKEN_INTEGRATION_MAX_DAYS. A new password revokes them all.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own token model is swapped for accounts.ApiToken, but its migrations would still create its table, unused,
# referencing users (and blocking the flush of users between transactional tests): they are not run.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=7)
API_TOKEN_SIGN_IN_MAX_DAYS = env.int("API_TOKEN_SIGN_IN_MAX_DAYS", default=30)
API_TOKEN_SIGN_IN_MAX_PER_USER = env.int("API_TOKEN_SIGN_IN_MAX_PER_USER", default=20)
API_TOKEN_INTEGRATION_DEFAULT_DAYS = env.int("API_TOKEN_INTEGRATION_DEFAULT_DAYS", default=90)
API_TOKEN_INTEGRATION_MAX_DAYS = env.int("API_TOKEN_INTEGRATION_MAX_DAYS", default=365)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_IDLE_DAYS),
    "AUTO_REFRESH": True,  # sign-in tokens only (accounts.authentication): an integration token keeps its date
    "AUTO_REFRESH_MAX_TTL": timedelta(days=API_TOKEN_SIGN_IN_MAX_DAYS),
    "MIN_REFRESH_INTERVAL": 60,  # seconds: a token in steady use is written at most once a minute
    "AUTH_HEADER_PREFIX": "Token",  # the header clients already send
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ApiTokenKindEnum"] = "accounts.models.ApiToken.Kind"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ListingApplicationKindEnum": "procurement.models.applications.ListingApplication.Kind",
        "ListingApplicationStatusEnum": "procurement.models.applications.ListingApplication.Status",
        "QualificationKindEnum": "qualifications.models.Qualification.Kind",
    }
)
# API rate limits (DRF throttles), counted in the cache (Redis with REDIS_URL, shared by every web process; without
# it each process counts alone). Rates are "<n>/<second|minute|hour|day>"; over the rate the API answers 429 with
# Retry-After. anon: per address, unauthenticated; user: per user; sign_in: per address, on the token endpoint.
# The address is REMOTE_ADDR (NUM_PROXIES 0: an X-Forwarded-For sent by the client is ignored), as for the lockout.
REST_FRAMEWORK.update(
    {
        "DEFAULT_THROTTLE_CLASSES": ["common.throttling.AnonRateThrottle", "common.throttling.UserRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {
            "anon": env("API_THROTTLE_ANON", default="60/minute"),
            "user": env("API_THROTTLE_USER", default="1200/minute"),
            "sign_in": env("API_THROTTLE_SIGN_IN", default="20/minute"),
            "ocds": env("API_THROTTLE_OCDS", default="120/minute"),
            "public": env("API_THROTTLE_PUBLIC", default="120/minute"),
        },
        "NUM_PROXIES": 0,
    }
)
# Password spraying: besides LOGIN_FAILURE_LIMIT failures of one username from one address (above), the address
# itself is locked out for LOGIN_LOCKOUT_MINUTES after LOGIN_ADDRESS_FAILURE_LIMIT failures across all usernames, on
# the login page, the token endpoint and the admin alike. Higher than the per-username limit: a hospital's staff
# sign in from one address.
AXES_HANDLER = "accounts.lockout.LoginFailureHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)

# --- Sealed bids ----------------------------------------------------------------------------
# Fernet key(s), comma-separated (first encrypts, all decrypt). Required in production; derived from
# SECRET_KEY elsewhere so a development machine needs no setup.
BID_SEALING_KEY = env("BID_SEALING_KEY", default="")
if not BID_SEALING_KEY:
    import base64 as _b64
    import hashlib as _hl

    BID_SEALING_KEY = _b64.urlsafe_b64encode(_hl.sha256(f"bid-sealing:{SECRET_KEY}".encode()).digest()).decode()

# --- Direct settlement ----------------------------------------------------------------------
# The 5-working-day confirmation window follows China's public holidays and adjusted working days (chinese-calendar);
# these ISO dates, comma-separated, override it: extra days off, and extra working days (e.g. a year announced after
# the installed calendar).
# Statements written per transaction by the monthly generation (each chunk is three INSERT … SELECT).
SETTLEMENT_CHUNK_STATEMENTS = env.int("SETTLEMENT_CHUNK_STATEMENTS", default=25_000)
SETTLEMENT_HOLIDAYS = env.list("SETTLEMENT_HOLIDAYS", default=[])
SETTLEMENT_WORKDAYS = env.list("SETTLEMENT_WORKDAYS", default=[])
# Business rules of direct settlement (DESIGN §10; read through common.rules, docs/rules.md).
SETTLEMENT_PAYMENT_TERM_DAYS = env.int("SETTLEMENT_PAYMENT_TERM_DAYS", default=30)
SETTLEMENT_CLAIM_DAY = env.int("SETTLEMENT_CLAIM_DAY", default=5)
# The statement cycle: monthly (Jiangsu's practice), semimonthly or weekly (settlement.cycle). Monthly cannot meet the
# 30 days for receipts early in the month (the fund officers' statement list says so).
SETTLEMENT_CYCLE = env("SETTLEMENT_CYCLE", default="monthly")
SETTLEMENT_CONFIRMATION_WORKING_DAYS = env.int("SETTLEMENT_CONFIRMATION_WORKING_DAYS", default=5)
SETTLEMENT_DUE_SOON_DAYS = env.int("SETTLEMENT_DUE_SOON_DAYS", default=5)
SETTLEMENT_MIN_PREPAYMENT_RATE = env("SETTLEMENT_MIN_PREPAYMENT_RATE", default="0.30")

# 总额预算, 结余留用 and 综合绩效 (common.rules.budgets(), docs/budgets.md). Over-spend sharing follows the common
# provincial practice of 合理超支分担 (seed 001): within 10 % of the budget the fund bears half, beyond it the hospital.
BUDGET_OVERSPEND_BAND = env("BUDGET_OVERSPEND_BAND", default="0.10")
BUDGET_OVERSPEND_FUND_SHARE = env("BUDGET_OVERSPEND_FUND_SHARE", default="0.50")
# Retained savings are paid only when the agreed volumes were completed (≥ 100 %) and non-selected products of the
# same lots stayed under 30 % of the hospital's purchases (DESIGN §10: "in principle not more than the selected").
SAVINGS_MIN_COMPLETION = env("SAVINGS_MIN_COMPLETION", default="1.00")
SAVINGS_MAX_SUBSTITUTION = env("SAVINGS_MAX_SUBSTITUTION", default="0.30")
SCORE_WEIGHTS = env.json(
    "SCORE_WEIGHTS",
    default={
        "completion": "0.30",
        "online_share": "0.25",
        "receipt_timeliness": "0.15",
        "statement_timeliness": "0.15",
        "substitution": "0.15",
    },
)
SCORE_RECEIPT_ON_TIME_DAYS = env.int("SCORE_RECEIPT_ON_TIME_DAYS", default=3)
SCORE_HIGH = env("SCORE_HIGH", default="90")
SCORE_LOW = env("SCORE_LOW", default="60")
SCORE_PREPAYMENT_BONUS = env("SCORE_PREPAYMENT_BONUS", default="0.05")
SCORE_SAVINGS_BONUS = env("SCORE_SAVINGS_BONUS", default="0.10")

# --- Volume-based tenders: defaults of a new tender's selection rules (7th national batch; common.rules) ------------
TENDER_RATIO_TO_LOWEST = env("TENDER_RATIO_TO_LOWEST", default="1.8")
TENDER_DISCOUNT_FROM_MAX = env("TENDER_DISCOUNT_FROM_MAX", default="0.50")
TENDER_FLOOR_PRICE = env("TENDER_FLOOR_PRICE", default="0.1000")
# (min valid bidders, max winners) and (min winners, agreed share): the tables a tender's document may replace.
TENDER_MAX_WINNERS_TABLE = [(1, 10)]
TENDER_AGREED_SHARE_TABLE = [(1, "0.50"), (2, "0.60"), (3, "0.70"), (4, "0.80")]
# Public notice of candidate results, objections and appeals (transparency; by analogy with 招标投标法实施条例
# art. 54 and 60; common.rules.transparency(), docs/transparency.md).
TENDER_NOTICE_DAYS = env.int("TENDER_NOTICE_DAYS", default=3)
OBJECTION_ANSWER_DAYS = env.int("OBJECTION_ANSWER_DAYS", default=3)
APPEAL_DAYS = env.int("APPEAL_DAYS", default=10)
# Seconds the public API's answers are cached (read when the views are built).
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=60)
# Patent-medicine rounds (中成药 / 蒙成药; provincial practice, docs/rules.md): price reduction from the 最高有效申报价
# instead of the chemical-drug 1.8× / ¥0.10 / 差比价 rules.
TENDER_PATENT_MIN_REDUCTION = env("TENDER_PATENT_MIN_REDUCTION", default="0.20")
TENDER_PATENT_WINNER_SHARE = env("TENDER_PATENT_WINNER_SHARE", default="0.70")

# --- Price monitoring: the detectors' thresholds and the review's scope (common.rules.prices; docs/rules.md) ---------
# Per detector, parameters replacing its defaults (docs/pricing.md), as JSON in the environment, e.g.
# PRICE_DETECTORS='{"volume_spike": {"factor": 4}, "peer_outlier_group": {"enabled": false}}'.
PRICE_DETECTORS = env.json("PRICE_DETECTORS", default={})
# Legitimate by design (a non-selected product above its payment standard: the patient pays the difference).
PRICE_INFORMATIONAL_SIGNALS = env.list(
    "PRICE_INFORMATIONAL_SIGNALS", default=["above_payment_standard", "above_national_lowest"]
)
PRICE_REVIEW_REGIONAL_AGENCIES = env.list("PRICE_REVIEW_REGIONAL_AGENCIES", default=[])
PRICE_SCAN_OVERLAP_MINUTES = env.int("PRICE_SCAN_OVERLAP_MINUTES", default=10)
PRICE_SCAN_STALE_MINUTES = env.int("PRICE_SCAN_STALE_MINUTES", default=180)

# --- Payment standards linked to VBP prices (医保发〔2019〕56号; common.rules, docs/payment-standards.md) -------------
# The national rule; PAYMENT_STANDARD_LINKAGE_BY_YEAR replaces any of these for the tenders whose cycle starts in a
# year, e.g. {"2026": {"step_years": 3}}.
PAYMENT_STANDARD_RATIO_THRESHOLD = env("PAYMENT_STANDARD_RATIO_THRESHOLD", default="2")
PAYMENT_STANDARD_FIRST_YEAR_RATE = env("PAYMENT_STANDARD_FIRST_YEAR_RATE", default="0.70")
PAYMENT_STANDARD_STEP_YEARS = env.int("PAYMENT_STANDARD_STEP_YEARS", default=2)
# Which awarded price is "the selected price" of a group with several winners: own | lowest | highest.
PAYMENT_STANDARD_SELECTED_PRICE = env("PAYMENT_STANDARD_SELECTED_PRICE", default="own")
PAYMENT_STANDARD_LINKAGE_BY_YEAR = env.json("PAYMENT_STANDARD_LINKAGE_BY_YEAR", default={})

# --- National and alliance batches, follow-on tenders (common.rules, docs/national-batches.md) ----------------------
# The names under which the batches' result tables list this province among a winner's supply provinces (供应省份).
PLATFORM_PROVINCE_NAMES = env.list("PLATFORM_PROVINCE_NAMES", default=["内蒙古", "内蒙古自治区"])
# Days hospitals have to report (or confirm) their demand for an imported batch before the agreed volumes are set.
NATIONAL_RESULTS_DEMAND_DAYS = env.int("NATIONAL_RESULTS_DEMAND_DAYS", default=14)
# A results import (the page) of more data rows than this, both files together, runs as a background job.
NATIONAL_RESULTS_INLINE_MAX_ROWS = env.int("NATIONAL_RESULTS_INLINE_MAX_ROWS", default=2000)
# A follow-on tender's price cap per lot: highest_awarded | lowest_awarded | max_price (the expiring lot's own
# 最高有效申报价), times FOLLOW_ON_CAP_FACTOR. Default: not above the expiring awarded price (practice).
FOLLOW_ON_PRICE_CAP = env("FOLLOW_ON_PRICE_CAP", default="highest_awarded")
FOLLOW_ON_CAP_FACTOR = env("FOLLOW_ON_CAP_FACTOR", default="1")

# --- Import / export ------------------------------------------------------------------------
# Uploads (every import): the file as sent, and what an .xlsx (a zip archive) may unpack to.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=500 * 1024 * 1024)
IMPORT_XLSX_MAX_MEMBERS = env.int("IMPORT_XLSX_MAX_MEMBERS", default=1000)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusal_without_traceback": {"()": "common.logfilters.RefusalWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusal_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # axes.apps announces its version at INFO on every start (each manage.py call); lockouts still log (axes.*).
    # Django's own loggers go through the same console handler (its default one would print the tracebacks again).
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Online ordering --------------------------------------------------------------------------
# Provincial practice: the distributor confirms or rejects within 24 h and delivers within 72 h of submission.
ORDER_RESPONSE_HOURS = env.int("ORDER_RESPONSE_HOURS", default=24)
ORDER_DELIVERY_HOURS = env.int("ORDER_DELIVERY_HOURS", default=72)
ORDER_URGENT_DELIVERY_HOURS = env.int("ORDER_URGENT_DELIVERY_HOURS", default=24)
ORDER_MAX_LINES = env.int("ORDER_MAX_LINES", default=200)
# Listing applications (挂网申报): price linkage with other provinces and the qualification watch (docs/listings.md).
# The ceiling of an applied price: "other_provinces" (the lowest listed price of other provinces), "national_lowest",
# "both" (the lower of the two) or "off"; times LISTING_PRICE_LINKAGE_RATIO. Above it needs a justification.
LISTING_PRICE_LINKAGE = env("LISTING_PRICE_LINKAGE", default="other_provinces")
LISTING_PRICE_LINKAGE_RATIO = env("LISTING_PRICE_LINKAGE_RATIO", default="1.00")
LISTING_PRICE_BASIS_MONTHS = env.int("LISTING_PRICE_BASIS_MONTHS", default=24)
QUALIFICATION_WARNING_DAYS = env.list("QUALIFICATION_WARNING_DAYS", cast=int, default=[60, 30, 7])
QUALIFICATION_DOCUMENT_MAX_BYTES = env.int("QUALIFICATION_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Online-purchase share targets (seed 000, by 2025): drugs ≥ 90 %, high-value consumables ≥ 80 %.
ONLINE_SHARE_TARGETS = {"drug": 90, "hv_consumable": 80}
# Pharmacies (定点零售药店, docs/pharmacies.md): by default a pharmacy may order only the national negotiated drugs
# (谈判药) whose agreement is in force on the day (seed 004 “双通道”); False lets it order any listed product.
PHARMACY_NEGOTIATED_ONLY = env.bool("PHARMACY_NEGOTIATED_ONLY", default=True)
# The negotiated-drug monitoring report (谈判药监测, seed 003) marks an agreement ending within this many days.
NEGOTIATED_EXPIRING_DAYS = env.int("NEGOTIATED_EXPIRING_DAYS", default=90)

# --- Notifications and e-mail ---------------------------------------------------------------
# Notifications are mailed through Django's mail settings; the console backend prints them until SMTP is set.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@yaoxie.example.gov.cn")
PLATFORM_BASE_URL = env("PLATFORM_BASE_URL", default="http://127.0.0.1:8000")  # links in the mails

# --- Demo data, Content-Security-Policy ----------------------------------------------------------
# seed_demo creates users with a published password: it runs with DEBUG on, where this is true (the test settings),
# or with --allow-production-demo.
DEMO_DATA_ALLOWED = False

# Content-Security-Policy (django-csp): scripts only from this site — no inline script or handler anywhere (pages use
# static/js, Swagger UI loads its initialiser as a file, ReDoc reads its settings from markup). Styles allow inline:
# the progress bars' widths, pygal's SVG stylesheet, and Swagger UI and ReDoc inject their own. ReDoc's search runs
# in a worker made from a blob. Nothing is loaded from another origin (fonts included). See docs/security.md.
INSTALLED_APPS = [*INSTALLED_APPS, "csp"]
# early in the chain, so its header also goes on responses other middleware make (the login lockout page)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- OCDS publication (docs/ocds.md) ----------------------------------------------------------
# The ocid prefix is assigned by the Open Contracting Partnership on registration (docs/ocds.md says how); the
# default is a placeholder for development and the demo.
OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", default="ocds-nmgyx1")
# Where the public endpoints are served: the base of the packages' `uri` and of the pages' links.
OCDS_BASE_URI = env("OCDS_BASE_URI", default="https://yaoxie.example.gov.cn/api/ocds/")
# Identifier scheme of the parties' 统一社会信用代码 (org-id.guide list code).
OCDS_ORG_SCHEME = env("OCDS_ORG_SCHEME", default="CN-USCC")
# The procurement centre that publishes (the framework processes' buyer): the agency with this USCC; empty: the
# first agency organisation. OCDS_PUBLISHER_NAME names the publisher when there is none.
OCDS_PUBLISHER_USCC = env("OCDS_PUBLISHER_USCC", default="")
OCDS_PUBLISHER_NAME = env("OCDS_PUBLISHER_NAME", default="药械集采平台")
# Seconds a public OCDS answer is cached (shared cache) and may be cached by clients (Cache-Control: max-age).
OCDS_CACHE_SECONDS = env.int("OCDS_CACHE_SECONDS", default=300)
