"""Development settings: `make run` provisions PostgreSQL and Redis and exports their URLs."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-not-secret-giamngheo")
os.environ.setdefault("DATABASE_URL", "postgres://giamngheo:giamngheo@127.0.0.1:54329/giamngheo")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:63799/0")

from .base import *  # noqa: E402,F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)  # noqa: F405
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
