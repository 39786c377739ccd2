"""A submission's workbook is decided by its size like the other exports (core/exports.py): its lists' counts, kept
beside the snapshot, say how many households it lists; a small one answers at once, a large one is a background
job that replays the request as its requester, through the same ``Submission.objects.visible_to``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from core.exports import EXPORT_JOB, export_dir
from core.jobs import job_run_execute
from core.models import JobRun, JobStatus
from reviews.excel import submission_filename
from tests.export_jobs import cell_values, export_content, in_request_up_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(walk, settings, tmp_path):
    """The round of two poor households submitted once: its lists name both (two listed households)."""
    settings.MEDIA_ROOT = tmp_path
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    submission = walk.fresh().submissions.get()
    assert sum(submission.counts["lists"].values()) == 2
    return submission


def url_of(submission) -> str:
    return reverse("reviews:submission_xlsx", args=[submission.pk])


def test_a_small_submission_answers_at_once_without_a_job(client_for, users, submission, monkeypatch):
    in_request_up_to(monkeypatch, 2)  # exactly the households it lists
    response = client_for(users.district_staff).get(url_of(submission))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-lan-{submission.number}.xlsx"')
    assert not JobRun.objects.exists()


def test_a_large_submission_is_a_job_whose_file_is_the_immediate_one(client_for, users, submission, monkeypatch):
    client = client_for(users.district_staff)
    at_once = export_content(client, url_of(submission))
    in_request_up_to(monkeypatch, 1)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url_of(submission))
    assert response.status_code == 302
    assert not any('"snapshot"' in query["sql"] for query in queries.captured_queries), "the size is from the counts"
    job = JobRun.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert (job.kind, job.status, job.requested_by) == (EXPORT_JOB, JobStatus.QUEUED, users.district_staff)
    assert job.params["url_name"] == "reviews:submission_xlsx" and job.params["args"] == [str(submission.pk)]
    assert "Tệp Excel đang được chuẩn bị trong nền" in client.get(response["Location"]).content.decode()

    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["filename"] == submission_filename(submission)
    download = client.get(reverse("core:job_download", args=[job.pk]))
    through_job = b"".join(download.streaming_content)
    assert cell_values(through_job) == cell_values(at_once)
    assert [row[1] for row in cell_values(through_job)["Hộ nghèo"][4:]] == ["IRS-001", "IRS-002"]


def test_the_worker_checks_the_requesters_scope_again(client_for, users, tree, submission, monkeypatch):
    """A commune officer moved to another commune after asking gets no file: the replayed view finds the
    submission through ``visible_to`` of the officer as they are when the job runs."""
    in_request_up_to(monkeypatch, 1)
    officer = users.commune_officer
    response = client_for(officer).get(url_of(submission))
    job_pk = resolve(response["Location"]).kwargs["pk"]
    officer.unit = tree.sibling_commune
    officer.save()
    job = job_run_execute(job_id=job_pk)
    assert job.status == JobStatus.FAILED
    assert "không còn quyền xem" in job.error
    assert not list(export_dir().glob("*.xlsx"))  # the half-written file, if any, is gone
    assert client_for(officer).get(url_of(submission)).status_code == 404


def test_an_outsider_still_gets_a_404_not_a_job(client_for, other_district_staff, submission, monkeypatch):
    in_request_up_to(monkeypatch, 1)
    assert client_for(other_district_staff).get(url_of(submission)).status_code == 404
    assert not JobRun.objects.exists()
