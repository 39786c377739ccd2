"""Settings: production refuses to start without its secrets; the basics are as the issue asks."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]


def test_production_has_no_secret_defaults():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_ALLOWED_HOSTS="giamngheo.gov.vn")
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_no_missing_migrations(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _production_setup(secret_key: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ALLOWED_HOSTS="giamngheo.gov.vn",
        DJANGO_SECRET_KEY=secret_key,
    )
    code = "import django; django.setup()"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)


@pytest.mark.parametrize(
    "secret_key",
    [
        "short-but-random-Xq8v",  # under 50 characters
        "a" * 64,  # long but not random
        "dev-only-not-secret-giamngheo" + "-padding" * 4,  # the development default, lengthened
        "django-insecure-" + "k2j3h4g5f6d7s8a9q0w1e2r3t4y5u6i7o8p9z0x1c2v3",  # Django's startproject example
        "change-me-to-a-long-random-password-for-the-portal-2026",
    ],
)
def test_production_refuses_a_short_or_published_secret_key(secret_key):
    result = _production_setup(secret_key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_accepts_a_generated_secret_key():
    result = _production_setup(secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stderr
