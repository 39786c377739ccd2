"""The Celery application, configured from Django settings (prefix ``CELERY_``)."""

import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

if os.environ.get("CELERY_QUIET_ROOT_WARNING") == "1":
    # scripts/run.sh and the tests run the worker as root on a throwaway development or CI machine, where Celery's
    # "running the worker with superuser privileges" warning is noise; production (the Dockerfile's unprivileged
    # user) never sets this, so the warning stays where it matters.
    warnings.filterwarnings("ignore", category=SecurityWarning)

app = Celery("giamngheo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def send_first_heartbeat(sender, **kwargs) -> None:
    """Beat's schedule first fires after a minute; send one heartbeat at start so the status page is right."""
    sender.app.send_task("core.tasks.heartbeat_task")
