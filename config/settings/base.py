"""Settings shared by every environment. Values that differ come from the environment (12-factor)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "csp",
    "import_export",
    "core",
    "areas",
    "accounts",
    "households",
    "reviews",
    "programs",
    "emulation",
    "reports",
    "dashboards",  # the top layer: reads the domain apps above, nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Above SubmitOnce: a lock conflict's token is released first, then the busy page offers to send it again.
    "core.busy.BusyDatabaseMiddleware",
    "core.submit_once.SubmitOnceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last: it turns a lockout signal into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
            # {% csrf_token %} also writes the one-time submission token (core.submit_once).
            "builtins": ["core.templatetags.submit_once"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# PostgreSQL's JIT off on every connection: the portal's statements are interactive aggregates that run in well
# under a second once set-based, and JIT compilation alone cost 0,7–2,4 s per statement whenever the planner's
# estimate crossed jit_above_cost (docs/performance.md, "Figures at scale"). Per connection rather than
# SET LOCAL in each selector: no transaction or extra statement to remember around every report query.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# How long a statement of this process waits for another transaction's row locks (ms; 0: for ever). The web server
# sets it (docker-compose.yml, scripts/run.sh): an officer's save that meets a province-wide job on the same
# households (the electricity payment locks each household it pays until it commits, ADR 0053) gives up after
# 20 s and shows the busy page (core/busy.py) instead of holding a worker past gunicorn's 60 s timeout. Workers,
# beat and migrations keep waiting: a job retries, a migration should not fail halfway for a busy table.
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=0)
if DB_LOCK_TIMEOUT_MS > 0:
    DATABASES["default"]["OPTIONS"]["options"] += f" -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
# A second connection to the same database, used only by the job runner for progress and heartbeats
# (core/jobs.py): a job that holds one transaction for its whole run still shows its progress bar moving.
# Its writes give up after 2 s instead of waiting for ever if a job's own transaction holds the job's row.
DATABASES["jobs"] = {
    **DATABASES["default"],
    "CONN_MAX_AGE": 0,
    "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "options": "-c jit=off -c lock_timeout=2000"},
    "TEST": {"MIRROR": "default"},
}
# A PostgreSQL streaming replica for the figure pages and the dashboard (ADR 0027, config/routers.py), off unless
# DATABASE_REPLICA_URL is set: without it the settings below add nothing. With it, GET requests to the views of
# REPLICA_READ_VIEWS read from the replica; every write and every other read stays on the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
REPLICA_READ_VIEWS = ["dashboards:index", "programs:figures", "households:transitions"]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "OPTIONS": {"options": "-c jit=off"},
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.routers.FiguresReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware"), "config.routers.ReplicaReadsMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "giamngheo",
        "TIMEOUT": 300,
        # Every form's submission token is claimed here (core/submit_once.py): an unreachable Redis must fail in
        # seconds, so the form is then processed without it, not hang the request.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# --- Accounts and sign-in -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading the unit and its parent with the user (docs/adr/0047-…). A session records
    # its backend's path: changing this line signs everyone out once.
    "accounts.backends.UserBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:index"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: the age counts from the last request
# Database sessions whose row is written only when the data changed or the expiry moved by a minute (docs/adr/0047-…)
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(hours=env.float("AXES_COOLOFF_HOURS", default=1))
# Lock the account where the failures come from, and an address that fails across many accounts
# (docs/adr/0016-lockout-by-account-and-address.md; accounts/lockout.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)  # a shared office address
# Reverse proxies in front of the portal that append to X-Forwarded-For (1 behind the compose TLS proxy).
TRUSTED_PROXY_HOPS = env.int("DJANGO_TRUSTED_PROXY_HOPS", default=0)
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Security headers ------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Language, time zone, formats ------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy and 1.234.567 in both languages: officers read Vietnamese formats even in English.
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = True

# --- Static and media ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Celery (config/celery.py reads every CELERY_* name) --------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Excel exports and batches of PDFs grow with the unit: a province's million-row export gets this limit of its own
# (``@job_kind(..., time_limit=...)``, core/job_registry.py) instead of every job getting a longer one.
DOCUMENT_JOB_TIME_LIMIT = env.int("DOCUMENT_JOB_TIME_LIMIT", default=2 * 60 * 60)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keep the worker alive through a broker restart: reconnect for ever, let running tasks finish (the runner
# is idempotent, so a message redelivered after the restart finds its job finished), and use the transport
# that does not crash while putting messages back (config/broker.py).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_TRANSPORT = "config.broker:Transport"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,  # fail fast when publishing to an unreachable Redis
    # an unacknowledged task comes back only after the longest limit a job kind may have
    "visibility_timeout": 2 * max(CELERY_TASK_TIME_LIMIT, DOCUMENT_JOB_TIME_LIMIT),
}
# One queue per kind of work (core.job_registry.QUEUES): a worker started without -Q consumes all of them (the
# scripts, the tests); a deployment runs workers per queue (docker-compose.yml, docs/adr/0027).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in ("celery", "imports", "reports", "documents"))
# After a commit that marked communes stale, queue their summary rows' refresh (households and programs summary).
SUMMARY_REFRESH_AFTER_COMMIT = True
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.heartbeat_task", "schedule": 60.0},
    "job-run-fail-dead": {"task": "core.tasks.job_run_fail_dead_task", "schedule": 60.0},
    # The dashboards' summary rows of communes whose changes no task refreshed (broker down, COPY writes), and of
    # every commune once a day when "today" moves on (households.summary, docs/adr/0036).
    "summaries-sweep": {"task": "households.tasks.summaries_sweep_task", "schedule": 120.0},
    # The support figures' rows of communes whose changes no task refreshed, and the default periods' missing rows
    # (programs.summary, docs/adr/0040); on the reports queue, as a province-wide refresh takes minutes.
    "support-summaries-sweep": {
        "task": "programs.tasks.support_sweep_task",
        "schedule": 180.0,
        "options": {"queue": "reports"},
    },
    # The electricity list's counted quarters (the one before today's, today's and the next; programs.electricity,
    # docs/adr/0053): the next quarter counted ahead of its first day, the triggers' rows folded every hour.
    "electricity-counts-keep": {
        "task": "programs.tasks.electricity_counts_keep_task",
        "schedule": crontab(minute=7),
        "options": {"queue": "reports"},
    },
    # Every night: the households' years with support that cancellations removed while other benefits still
    # supported them, put back for the list of the poor households without support (programs.support_year).
    "support-year-rebuild": {
        "task": "programs.tasks.support_year_rebuild_task",
        "schedule": crontab(hour=2, minute=15),
        "options": {"queue": "reports"},
    },
    # Every day at 01:30: drafts of the periodic reports whose preparation day (ReportDeadline) has come. The
    # dates are data administrators edit; this entry only says how often to read them (docs/adr/0025).
    "report-deadlines-prepare": {
        "task": "reports.tasks.report_deadlines_prepare_task",
        "schedule": crontab(hour=1, minute=30),
    },
}

# --- Background jobs (core/jobs.py, core/services.py) -----------------------------------------------------
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=15)
# A running job silent for this long has lost its worker (also detected at once from its advisory lock).
JOB_STALE_AFTER_SECONDS = env.int("JOB_STALE_AFTER_SECONDS", default=120)
# A queued job no worker took within this time is failed (e.g. the queue lost it); re-running sends it again.
JOB_QUEUE_TIMEOUT_SECONDS = env.int("JOB_QUEUE_TIMEOUT_SECONDS", default=6 * 60 * 60)
# A job whose worker died under it this many times is failed instead of redelivered again.
JOB_MAX_DELIVERIES = env.int("JOB_MAX_DELIVERIES", default=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools log every rendering step at INFO; keep their warnings only.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
