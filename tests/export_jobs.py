"""Following an Excel export that runs as a background job (core/exports.py): past the rows written inside the
request, the export answers with a redirect to its job page; the tests then do what the Celery worker does, in this
process, and download the file from the job."""

import io

from django.urls import resolve, reverse
from openpyxl import load_workbook

from core.jobs import job_run_execute
from core.models import JobRun, JobStatus


def run_queued_jobs() -> None:
    for pk in JobRun.objects.filter(status=JobStatus.QUEUED).order_by("pk").values_list("pk", flat=True):
        job_run_execute(job_id=pk)


def fetch_export(client, url: str, data=None):
    """The export's response and the workbook's bytes, whether answered at once or through a job."""
    response = client.get(url, data)
    if response.status_code == 302 and resolve(response["Location"]).view_name == "core:job_detail":
        run_queued_jobs()
        job = JobRun.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
        assert job.status == JobStatus.SUCCEEDED, job.error
        response = client.get(reverse("core:job_download", args=[job.pk]))
    if response.status_code != 200:
        return response, b""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def export_content(client, url: str, data=None) -> bytes:
    response, content = fetch_export(client, url, data)
    assert response.status_code == 200, response.status_code
    return content


def in_request_up_to(monkeypatch, rows: int) -> None:
    """Lower the rows an export writes inside the request (``core.exports.ROWS_IN_REQUEST``, and a submission's
    listed households), so that a few households stand for a large commune instead of thousands made for the test."""
    monkeypatch.setattr("core.exports.ROWS_IN_REQUEST", rows)
    monkeypatch.setattr("reviews.views.submissions.LISTED_IN_REQUEST", rows)


def cell_values(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cells as values, by sheet name: two workbooks with the same rows compare equal whatever their
    writer's timestamps."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}
