# syntax=docker/dockerfile:1
# Production image for Giảm nghèo: gunicorn serves Django; the same image runs the
# Celery worker and beat (see docker-compose.yml). Static files are collected at build
# time and served by WhiteNoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF reports) needs Pango/HarfBuzz; Noto fonts cover Vietnamese;
# gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md* ./
RUN pip install .

COPY . .

# Translations and static files are part of the image. The settings need these
# variables to import; the values below exist only during this build step (production refuses a short or
# published secret key, so the build draws a random one that is thrown away with the step).
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    sh -c 'DJANGO_SECRET_KEY="$(python -c "import secrets; print(secrets.token_urlsafe(64))")" \
        && export DJANGO_SECRET_KEY \
        && python manage.py compilemessages && python manage.py collectstatic --noinput'

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/media \
    && chown app:app /app/media
USER app

ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/app/media
EXPOSE 8000

# Extra gunicorn options can be given with GUNICORN_CMD_ARGS (e.g. "--workers 5").
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60", "--access-logfile", "-", "--error-logfile", "-"]
