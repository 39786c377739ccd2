"""Exports that write many rows run as background jobs, whatever the officer's unit (core/exports.py, docs/adr/0024):
the officer is sent to the job's page, a double click starts one job, the worker writes the file, and only those who
may see the job download it; a small export answers at once. The tests lower the rows written inside the request
(``in_request_up_to``) so that two households stand for a large commune. The formula neutralisation of the job's
file is checked for every export in tests/core/test_spreadsheets.py."""

import io
import time

import pytest
from django.urls import resolve, reverse
from openpyxl import load_workbook

from accounts.choices import Role
from core.exports import EXPORT_JOB, BackgroundExportMixin, export_dir, rows_up_to, tracked
from core.jobs import job_run_execute
from core.models import JobRun, JobStatus
from households import services as household_services
from households.excel import COLUMNS
from households.models import Household
from households.selectors import household_export_size, household_list_for
from tests.export_jobs import cell_values, export_content, in_request_up_to
from tests.factories import UserFactory
from tests.households.conftest import POOR_FACTS, family

COLUMN_NAME = [column.key for column in COLUMNS].index("full_name")
EVIL_NAME = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def large(monkeypatch):
    """One household is all an export writes inside the request: the registry's two make a large export."""
    in_request_up_to(monkeypatch, 1)


@pytest.fixture
def registry(tree, users):
    """Two households of Ia RSai, the first headed by a name that looks like a formula."""
    made = []
    for code in ("IRS-001", "IRS-002"):
        members = family()
        if code == "IRS-001":
            members[0].full_name = EVIL_NAME
        household = Household(code=code, village=tree.village, **POOR_FACTS)
        made.append(
            household_services.household_save(
                household=household, members=members, user=users.commune_officer, expected_version=None
            )
        )
    return made


def job_of(response) -> JobRun:
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.view_name == "core:job_detail"
    return JobRun.objects.get(pk=match.kwargs["pk"])


def file_of(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_district_export_is_a_job_and_a_double_click_starts_one(client_for, users, registry, media, large):
    client = client_for(users.district_staff)
    url = reverse("households:export") + "?household_class=&q="
    first = job_of(client.get(url))
    again = job_of(client.get(reverse("households:export") + "?q=&household_class="))  # same filters, other order
    assert again.pk == first.pk
    assert JobRun.objects.filter(kind=EXPORT_JOB).count() == 1
    assert first.status == JobStatus.QUEUED and first.requested_by == users.district_staff
    assert first.unit == users.district_staff.unit

    page = client.get(reverse("core:job_detail", args=[first.pk]))
    text = page.content.decode()
    assert "Tệp Excel đang được chuẩn bị" in text and 'data-testid="job-download"' not in text

    job = job_run_execute(job_id=first.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["filename"].startswith("ho-gia-dinh-") and job.result["size"] > 0
    assert (media / job.result["file"]).is_file() and (media / job.result["file"]).parent == export_dir()

    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-download"' in page
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{job.result["filename"]}"'
    sheet = load_workbook(io.BytesIO(file_of(response))).worksheets[0]
    names = [row[COLUMN_NAME] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert EVIL_NAME in names and len(names) == 8  # two households of four members
    evil = next(cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == EVIL_NAME)
    assert evil.data_type == "s" and evil.quotePrefix

    # once finished, the same click starts a fresh export (the data may have changed since)
    assert job_of(client.get(url)).pk != first.pk


@pytest.mark.django_db
def test_a_small_commune_export_stays_in_the_request(client_for, users, registry, media, monkeypatch):
    in_request_up_to(monkeypatch, 2)  # exactly as many households as the export writes
    response = client_for(users.commune_officer).get(reverse("households:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not JobRun.objects.filter(kind=EXPORT_JOB).exists()


@pytest.mark.django_db
def test_a_large_communes_export_is_a_job_like_a_districts(client_for, users, tree, registry, media, large):
    """The commune officer's unit no longer keeps the export inside the request: its size does."""
    client = client_for(users.commune_officer)
    response = client.get(reverse("households:export") + "?household_class=poor")
    job = job_of(response)
    assert job.kind == EXPORT_JOB and job.status == JobStatus.QUEUED
    assert job.requested_by == users.commune_officer and job.unit == tree.commune
    assert job.params["url_name"] == "households:export" and job.params["query"] == "household_class=poor"
    page = client.get(response["Location"]).content.decode()
    assert "Tệp Excel đang được chuẩn bị trong nền vì có nhiều số liệu." in page
    assert "một xã" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"household_class": "poor"}, {"q": "IRS-001"}])
def test_the_jobs_file_holds_what_the_immediate_export_gives(client_for, users, registry, media, monkeypatch, query):
    client = client_for(users.commune_officer)
    url = reverse("households:export")
    at_once = export_content(client, url, query)
    assert not JobRun.objects.exists()
    in_request_up_to(monkeypatch, 0)
    through_job = export_content(client, url, query)
    assert JobRun.objects.get().status == JobStatus.SUCCEEDED
    assert cell_values(through_job) == cell_values(at_once)
    rows = len(next(iter(cell_values(at_once).values()))) - 1  # under the header
    assert rows == (4 if query.get("q") else 8)  # one household's four members, or both households'


@pytest.mark.django_db
def test_a_district_officers_small_export_answers_at_once(client_for, users, tree, registry, media):
    """Above the commune an export is a job unless it is small: a village chosen, or a filter that leaves few."""
    client = client_for(users.district_staff)
    for query in (f"?village={tree.village.pk}", "", "?q=IRS-001"):
        response = client.get(reverse("households:export") + query)
        assert response.status_code == 200, query
    assert not JobRun.objects.filter(kind=EXPORT_JOB).exists()


@pytest.mark.django_db
def test_the_size_is_counted_no_further_than_the_limit(users, registry, django_assert_num_queries):
    households = Household.objects.all()
    with django_assert_num_queries(1) as captured:
        assert rows_up_to(households, 0) == 1  # two households, counted up to one more than the limit
    assert "LIMIT 1" in captured.captured_queries[0]["sql"]
    assert rows_up_to(households, 5) == 2
    assert rows_up_to([1, 2, 3], 1) == 3  # a list's rows are in memory already


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["commune_officer", "district_staff"])
def test_a_searchs_size_is_the_matches_its_export_writes(users, tree, registry, user):
    """A search's size is collected through the indexes as the list page's matches are, no further than the limit
    (the first household's head is named like a formula: "ksor bhin" names the second one only)."""
    officer = getattr(users, user)
    for q, matches in [("IRS-00", 2), ("IRS-002", 1), ("ksor bhin", 1), ("nga", 2), ("không ai", 0)]:
        filters = {"q": q}
        assert household_export_size(officer, filters=filters, limit=10) == matches, q
        assert household_list_for(officer, filters=filters).count() == matches, q
        assert household_export_size(officer, filters=filters, limit=0) == min(matches, 1), q
    assert household_export_size(officer, filters={"village": tree.village, "q": "ksor"}, limit=10) == 2
    assert household_export_size(officer, filters={"household_class": "near_poor"}, limit=10) == 0


@pytest.mark.django_db
def test_only_who_may_see_the_job_downloads_its_file(client, users, tree, registry, media, large):
    client.force_login(users.district_staff)
    job = job_run_execute(job_id=job_of(client.get(reverse("households:export"))).pk)
    url = reverse("core:job_download", args=[job.pk])
    other_district = UserFactory(username="huyen.iapa", role=Role.DISTRICT_STAFF, unit=tree.other_district)
    for outsider in (users.commune_officer, other_district):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    for insider in (users.district_staff, users.province_staff, users.admin):
        client.force_login(insider)
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_removed_file_is_explained_not_a_server_error(client_for, users, registry, media, large):
    client = client_for(users.district_staff)
    job = job_run_execute(job_id=job_of(client.get(reverse("households:export"))).pk)
    (media / job.result["file"]).unlink()
    response = client.get(reverse("core:job_download", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert "không còn trên máy chủ" in response.content.decode()


@pytest.mark.django_db
def test_the_job_runs_as_its_requester_and_stops_if_the_account_was_closed(client_for, users, registry, media, large):
    job = job_of(client_for(users.district_staff).get(reverse("households:export")))
    users.district_staff.is_active = False
    users.district_staff.save()
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.FAILED
    assert "không còn hoạt động" in job.error
    assert not list(export_dir().glob("*.xlsx"))


@pytest.mark.django_db
def test_every_province_sized_export_goes_through_a_job(client_for, users, media, monkeypatch):
    """The figures, targets and movements tables of a district are jobs by the district's scope; the programme and
    coverage lists when they hold more rows than the request writes (forced here: this district holds none). The
    rows themselves are checked in tests/core/test_spreadsheets.py."""
    client = client_for(users.district_staff)

    def through_its_job(name, query):
        job = job_run_execute(job_id=job_of(client.get(f"{reverse(name)}?{query}")).pk)
        assert job.status == JobStatus.SUCCEEDED, f"{name}: {job.error}"
        content = file_of(client.get(reverse("core:job_download", args=[job.pk])))
        assert load_workbook(io.BytesIO(content)).sheetnames, name

    for name, query in [
        ("households:transitions_export", ""),
        ("households:targets", "xuat=xlsx"),
        ("programs:figures", "xuat=xlsx"),
    ]:
        through_its_job(name, query)
    monkeypatch.setattr(BackgroundExportMixin, "export_in_request", lambda view: False)
    for name in ("programs:coverage_unsupported", "programs:electricity", "programs:bhyt_list"):
        through_its_job(name, "xuat=xlsx")


def test_progress_is_reported_every_thousand_rows():
    heard = []
    rows = list(tracked(range(2500), lambda percent, message: heard.append((percent, message)), total=2500))
    assert rows == list(range(2500))
    assert heard == [(41, "Đã ghi 1.000/2.500 dòng"), (77, "Đã ghi 2.000/2.500 dòng")]


# --- through the real worker -------------------------------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_province_export_runs_in_the_worker_and_downloads(
    celery_worker, client_for, users, registry, settings, large
):
    client = client_for(users.province_staff)
    job = job_of(client.get(reverse("households:export")))
    deadline = time.monotonic() + 60
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.celery_task_id and job.progress == 100
    content = file_of(client.get(reverse("core:job_download", args=[job.pk])))
    names = [row[COLUMN_NAME] for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    assert EVIL_NAME in names
