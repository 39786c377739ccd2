"""Test settings: the same real PostgreSQL and Redis as development, Redis database 1."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret-giamngheo")
os.environ.setdefault("DATABASE_URL", "postgres://giamngheo:giamngheo@127.0.0.1:54329/giamngheo")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:63799/1")

from .base import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "giamngheo-test"  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Saves in tests do not queue the summary rows' refresh: the test Celery worker, shared by the whole run, would
# otherwise still be recomputing rows (a province's default periods on 1 January) when a transactional test empties
# the tables, and the two deadlock on their locks. Tests of the summaries call the sweeps themselves; the one that
# checks the queuing turns this back on.
SUMMARY_REFRESH_AFTER_COMMIT = False

# A shifted clock, to prove the suite passes on any day: `GIAMNGHEO_TEST_TODAY=2028-02-29 bash scripts/test.sh`
# (scripts/test-dates.sh runs the suite on several such days). The settings module is read by pytest and by
# the Celery workers the tests start, so all live on the same day. The first process to read it notes the real
# moment the run began (GIAMNGHEO_TEST_CLOCK_ANCHOR, inherited by the workers): every process then stands at
# 09:00 that morning plus the real time since, so a worker started later agrees with pytest to the second (a job's
# heartbeat would otherwise look minutes old).
_TEST_TODAY = os.environ.get("GIAMNGHEO_TEST_TODAY", "").strip()
if _TEST_TODAY:
    import time as _time
    from datetime import date, datetime, timedelta
    from datetime import time as _clock
    from zoneinfo import ZoneInfo

    import time_machine

    _anchor = float(os.environ.setdefault("GIAMNGHEO_TEST_CLOCK_ANCHOR", repr(_time.time())))
    _start = datetime.combine(date.fromisoformat(_TEST_TODAY), _clock(9, 0), tzinfo=ZoneInfo(TIME_ZONE))  # noqa: F405
    time_machine.travel(_start + timedelta(seconds=_time.time() - _anchor), tick=True).start()
