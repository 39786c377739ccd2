"""Job kinds go to the Celery queue of their kind of work, and the settings declare exactly those queues."""

import pytest
from django.conf import settings

from core.job_registry import DEFAULT_QUEUE, QUEUES, find_job_kind, job_kind


def test_settings_declare_the_registry_queues():
    assert tuple(queue.name for queue in settings.CELERY_TASK_QUEUES) == QUEUES
    assert settings.CELERY_TASK_DEFAULT_QUEUE == DEFAULT_QUEUE


@pytest.mark.parametrize(
    ("code", "queue"),
    [
        ("household_import", "imports"),
        ("report_generate", "reports"),
        ("report_finalise", "reports"),
        ("excel_export", "documents"),
        ("system_check", "celery"),
    ],
)
def test_kinds_name_their_queue(code, queue):
    kind = find_job_kind(code)
    assert kind is not None, code
    assert kind.queue == queue


def test_an_unknown_queue_is_refused():
    with pytest.raises(ValueError):
        job_kind("test_bad_queue", "x", queue="nowhere")
