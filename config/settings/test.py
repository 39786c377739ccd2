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
