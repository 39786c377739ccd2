"""The Celery application, configured from Django settings (prefix ``CELERY_``)."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("giamngheo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def send_first_heartbeat(sender, **kwargs) -> None:
    """Beat's schedule first fires after a minute; send one heartbeat at start so the status page is right."""
    sender.app.send_task("core.tasks.heartbeat_task")
