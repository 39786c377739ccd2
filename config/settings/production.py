"""Production settings: every secret comes from the environment; there are no defaults to fall back on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

MIN_SECRET_KEY_LENGTH = 50
# Values that appear in this repository (settings, Dockerfile, .env.example, documentation) or in Django's own
# templates: anyone can read them, so a deployment that uses one signs its sessions with a public key.
PUBLIC_SECRET_KEY_MARKERS = (
    "not-secret",
    "not-a-secret",
    "django-insecure",
    "change-me",
    "changeme",
    "your-secret-key",
    "secret-key-here",
    "example",
)


def checked_secret_key(value: str) -> str:
    """The secret key, refused (ImproperlyConfigured) when it is short, repetitive or a published example."""
    if len(value) < MIN_SECRET_KEY_LENGTH or len(set(value)) < 5:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters; generate one with "
            'python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
    lowered = value.lower()
    if any(marker in lowered for marker in PUBLIC_SECRET_KEY_MARKERS):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is a default or example value published with the code; generate a new one with "
            'python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
    return value


DEBUG = False
SECRET_KEY = checked_secret_key(env("DJANGO_SECRET_KEY"))
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
EMAIL_CONFIG = env.email_url("DJANGO_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
