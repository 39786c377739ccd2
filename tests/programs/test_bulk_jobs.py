"""A commune's bulk support work past ``IMMEDIATE_BULK_ROWS`` runs as background jobs (programs.bulk_jobs): the same
payments and cards as inside the request, all or nothing, with the same report on the page the officer acts from."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.jobs import job_run_execute
from core.models import JobRun, JobStatus
from households.models import Member
from programs import bulk, bulk_jobs, services
from programs.models import Benefit
from tests.factories import UserFactory

from .test_bulk import exported, to_xlsx, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def small_limit(monkeypatch):
    """Two rows record inside the request; three go to a job."""
    monkeypatch.setattr(bulk_jobs, "IMMEDIATE_BULK_ROWS", 2)


def this_quarter() -> tuple[int, int, date]:
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    return today.year, quarter, date(today.year, 3 * quarter - 2, 1)


def pay(client, year, quarter, paid_on: date, decision="QĐ 99"):
    return client.post(
        reverse("programs:electricity_pay"),
        {"year": year, "quarter": quarter, "paid_on": paid_on.strftime("%d/%m/%Y"), "decision": decision},
    )


def paid(year, quarter) -> set[tuple]:
    rows = Benefit.objects.filter(programme__code="ELECTRICITY", period_year=year, period_quarter=quarter)
    return set(rows.values_list("household__code", "amount", "date", "decision", "household_status", "eligible"))


def test_a_large_payment_runs_once_as_a_job_and_writes_what_the_page_writes(
    client_for, users, make_household, media, small_limit
):
    year, quarter, _start = this_quarter()
    for code in ("IRS-001", "IRS-002", "IRS-003"):
        make_household(code=code)
    today = timezone.localdate()
    client = client_for(users.commune_officer)
    response = pay(client, year, quarter, today)
    job = JobRun.objects.get(kind=bulk_jobs.ELECTRICITY_JOB)
    assert response.status_code == 302 and response.url == reverse("core:job_detail", args=[job.pk])
    assert not Benefit.objects.exists()  # nothing written inside the request
    assert job.params == {"year": year, "quarter": quarter, "paid_on": today.isoformat(), "decision": "QĐ 99"}
    pay(client, year, quarter, today - timedelta(days=1), decision="QĐ 100")  # a second click while it waits
    assert JobRun.objects.filter(kind=bulk_jobs.ELECTRICITY_JOB).count() == 1
    # Meanwhile the quarter's page says the payment is being recorded, links to it and offers no second payment.
    waiting = client.get(reverse("programs:electricity"), {"year": year, "quarter": quarter}).content.decode()
    assert 'data-testid="payment-running"' in waiting and reverse("core:job_detail", args=[job.pk]) in waiting
    assert 'data-testid="pay-form"' not in waiting and f"năm {year} đang được ghi trong nền" in waiting
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED and job.result["ok"] and job.result["report"]["created"] == 3
    in_job = paid(year, quarter)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Đã ghi nhận chi trả cho 3 hộ." in page
    after = client.get(reverse("programs:electricity"), {"year": year, "quarter": quarter}).content.decode()
    assert 'data-testid="payment-running"' not in after  # done: the page is the quarter's list again
    assert f"?year={year}&amp;quarter={quarter}" in page  # back to the quarter's list

    # The same households paid inside the request (under the limit) are the same rows.
    Benefit.objects.all().delete()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk_jobs, "IMMEDIATE_BULK_ROWS", 200)
        assert pay(client, year, quarter, today).status_code == 302
    assert paid(year, quarter) == in_job and len(in_job) == 3
    assert JobRun.objects.filter(kind=bulk_jobs.ELECTRICITY_JOB).count() == 1


def test_a_refused_household_leaves_the_job_with_nothing_written_and_its_reason(
    client_for, users, make_household, media, small_limit
):
    year, quarter, start = this_quarter()
    if quarter == 1:  # the day before the first quarter lies in the year before: refused for another reason
        quarter, start = 2, date(year, 4, 1)
    make_household(code="IRS-001")
    make_household(code="IRS-002")
    make_household(code="IRS-003", status=("poor", start, None))  # poor only from the quarter's first day
    client = client_for(users.commune_officer)
    pay(client, year, quarter, start - timedelta(days=1))  # paid the day before: not yet poor that day
    job = job_run_execute(job_id=JobRun.objects.get(kind=bulk_jobs.ELECTRICITY_JOB).pk)
    assert job.status == JobStatus.SUCCEEDED and not job.result["ok"]
    assert not Benefit.objects.exists()  # all or nothing
    errors = job.result["report"]["errors"]
    assert len(errors) == 1 and "Không đúng đối tượng" in errors[0]["message"]
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Chưa ghi được (không hộ nào được ghi)" in page and "Không đúng đối tượng" in page
    assert 'data-testid="job-page-link"' in page


def test_the_payment_job_keeps_to_the_requesters_commune(client_for, users, make_household, tree, media, small_limit):
    from tests.factories import VillageFactory

    year, quarter, _start = this_quarter()
    for code in ("IRS-001", "IRS-002", "IRS-003"):
        make_household(code=code)
    make_household(code="PT-001", village=VillageFactory(parent=tree.sibling_commune))
    pay(client_for(users.commune_officer), year, quarter, timezone.localdate())
    job_run_execute(job_id=JobRun.objects.get(kind=bulk_jobs.ELECTRICITY_JOB).pk)
    assert {code for code, *_rest in paid(year, quarter)} == {"IRS-001", "IRS-002", "IRS-003"}


def bhyt_file(client, make_household) -> bytes:
    """The BHYT list of three near-poor members with their new cards."""
    household = make_household(status=("near_poor", date(2025, 1, 1), None))
    Member.objects.filter(household=household).update(health_insurance_valid_to=None, health_insurance_valid_from=None)
    header, rows = exported(client, year=timezone.localdate().year)
    number, start, end = (header.index(h) for h in ("Số thẻ BHYT mới", "Giá trị từ ngày", "Giá trị đến ngày"))
    first = timezone.localdate().replace(day=1)
    for i, row in enumerate(rows[:3]):
        row[number] = f"CN264001234567{i}"
        row[start] = first.strftime("%d/%m/%Y")
        row[end] = (first.replace(year=first.year + 1) - timedelta(days=1)).strftime("%d/%m/%Y")
    return to_xlsx(header, rows)


def test_a_large_bhyt_file_is_checked_and_written_by_jobs(client_for, users, make_household, tree, media, small_limit):
    client = client_for(users.commune_officer)
    content = bhyt_file(client, make_household)
    url = reverse("programs:bhyt_import")
    with pytest.MonkeyPatch.context() as patch:  # the report of the same file checked inside the request
        patch.setattr(bulk_jobs, "IMMEDIATE_BULK_ROWS", 200)
        immediate = upload(client, url, content).content.decode()
    assert 'data-testid="import-ok"' in immediate

    response = upload(client, url, content)
    dry = JobRun.objects.get(kind=bulk_jobs.BHYT_IMPORT_JOB)
    assert response.status_code == 302 and response.url == f"{url}?kiem-tra={dry.pk}"
    assert dry.params["sha256"] == client.session["programs_bhyt_import"]["sha256"] and not dry.params["commit"]
    waiting = client.get(response.url).content.decode()
    assert 'data-testid="import-job"' in waiting and "data-job-progress-url" in waiting
    dry = job_run_execute(job_id=dry.pk)
    assert dry.status == JobStatus.SUCCEEDED and not Benefit.objects.exists()  # the dry run wrote nothing
    assert bulk.BulkReport.from_dict(dry.result["report"]).created == 3
    assert f"?kiem-tra={dry.pk}" in client.get(reverse("core:job_detail", args=[dry.pk])).content.decode()

    report = client.get(response.url).content.decode()
    summary = 'data-testid="import-summary"'
    assert (
        report[report.index(summary) :].split("</div></div>")[0]
        == (immediate[immediate.index(summary) :].split("</div></div>")[0])
    )
    assert 'data-testid="confirm-import"' in report

    token = client.session["programs_bhyt_import"]["token"]
    confirmed = client.post(url, {"action": "confirm", "token": token})
    commit = JobRun.objects.get(kind=bulk_jobs.BHYT_IMPORT_JOB, params__commit=True)
    assert confirmed.url == f"{url}?kiem-tra={commit.pk}"
    client.post(url, {"action": "confirm", "token": token})  # a second click finds the same job
    assert JobRun.objects.filter(kind=bulk_jobs.BHYT_IMPORT_JOB, params__commit=True).count() == 1
    commit = job_run_execute(job_id=commit.pk)
    assert commit.result["summary"] == "Đã ghi 3 khoản hỗ trợ."
    assert Benefit.objects.filter(programme__code="BHYT").count() == 3
    done = client.get(confirmed.url)
    assert done.status_code == 302 and done.url == reverse("programs:bhyt_list")
    assert "programs_bhyt_import" not in client.session
    other = client_for(UserFactory(role="commune_officer", unit=tree.sibling_commune))
    assert other.get(response.url).status_code == 404  # another commune's officer: not their job
    # Another officer of the same commune sees the job, not the link to a report that is the requester's alone.
    colleague = client_for(UserFactory(username="xa.dongnghiep", role="commune_officer", unit=tree.commune))
    seen = colleague.get(reverse("core:job_detail", args=[dry.pk]))
    assert seen.status_code == 200 and "?kiem-tra=" not in seen.content.decode()


def test_a_bhyt_file_with_errors_shows_each_row_from_the_job(client_for, users, make_household, media, small_limit):
    client = client_for(users.commune_officer)
    household = make_household(status=("poor", date(2025, 1, 1), None))
    members = list(household.members.order_by("pk"))
    header = [c.title for c in bulk.BHYT_COLUMNS]
    start = timezone.localdate().replace(day=1).strftime("%d/%m/%Y")
    rows = []
    for member in members[:3]:
        row = [None] * len(header)
        row[0], row[12], row[13], row[14] = member.pk, f"HN264{member.pk:010d}", start, "32/01/2099"
        rows.append(row)
    url = reverse("programs:bhyt_import")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk_jobs, "IMMEDIATE_BULK_ROWS", 200)
        immediate = upload(client, url, to_xlsx(header, rows)).content.decode()
    response = upload(client, url, to_xlsx(header, rows))
    job_run_execute(job_id=JobRun.objects.get(kind=bulk_jobs.BHYT_IMPORT_JOB).pk)
    report = client.get(response.url).content.decode()
    table = 'data-testid="import-errors"'

    def errors(page: str) -> str:
        return page[page.index(table) :].split("</table>")[0]

    assert errors(report) == errors(immediate)
    assert "không có thật" in report and 'data-testid="confirm-import"' not in report


def test_the_job_fails_with_a_reason_when_the_file_is_gone(client_for, users, make_household, media, small_limit):
    client = client_for(users.commune_officer)
    response = upload(client, reverse("programs:bhyt_import"), bhyt_file(client, make_household))
    for path in (media / "imports").glob("*.xlsx"):
        path.unlink()
    job = job_run_execute(job_id=JobRun.objects.get(kind=bulk_jobs.BHYT_IMPORT_JOB).pk)
    assert job.status == JobStatus.FAILED and "không còn trên máy chủ" in job.error
    page = client.get(response.url).content.decode()
    assert "không còn trên máy chủ" in page and 'data-testid="retry"' in page


def test_a_large_training_file_is_checked_by_a_job(client_for, users, make_household, media, small_limit):
    from .test_bulk import course_data

    make_household(code="IRS-001")
    client = client_for(users.commune_officer)
    header = [c.title for c in bulk.TRAINING_COLUMNS]
    rows = [
        ["IRS-001", "Ksor Y Bhin", "01/03/1980", None, "CC-1", "Có"],
        ["IRS-001", "Rơ Mah H'Nga", None, None, None, "Không"],
        ["IRS-009", "Không Có Ai", None, None, None, "Có"],
    ]
    url = reverse("programs:training_import")
    response = upload(client, url, to_xlsx(header, rows), **course_data())
    job = JobRun.objects.get(kind=bulk_jobs.TRAINING_IMPORT_JOB)
    assert job.params["course"]["course_name"] == "Lớp may công nghiệp K1"
    job_run_execute(job_id=job.pk)
    page = client.get(response.url).content.decode()
    assert "Không tìm thấy Không Có Ai trong hộ IRS-009" in page
    assert 'value="Lớp may công nghiệp K1"' in page  # the course typed with the file, offered again
    assert not Benefit.objects.exists()


def test_a_job_id_in_other_digits_is_not_found(client_for, users):
    """``"²".isdigit()`` is true but ``int("²")`` fails: a crafted link is a 404, not a server error."""
    client = client_for(users.commune_officer)
    for value in ("²", "١٢", "-1", ""):
        assert client.get(reverse("programs:bhyt_import"), {"kiem-tra": value}).status_code == 404


def test_the_written_count_after_a_job_is_grouped_by_thousands(client_for, users):
    officer = users.commune_officer
    job = JobRun.objects.create(
        kind=bulk_jobs.BHYT_IMPORT_JOB,
        requested_by=officer,
        unit=officer.unit,
        status=JobStatus.SUCCEEDED,
        params={"token": "x", "commit": True},
        result={"report": {"rows": 1234, "created": 1234, "committed": True, "errors": []}},
    )
    page = client_for(officer).get(reverse("programs:bhyt_import"), {"kiem-tra": job.pk}, follow=True)
    assert "Đã ghi 1.234 khoản hỗ trợ." in page.content.decode()


def test_a_write_under_way_is_not_cancelled_as_if_nothing_were_written(
    client_for, users, make_household, media, small_limit
):
    """The "Huỷ" button while the confirmation's job runs cannot stop it: the page neither offers it nor says
    nothing was written (the job had read the file and wrote every card)."""
    client = client_for(users.commune_officer)
    url = reverse("programs:bhyt_import")
    upload(client, url, bhyt_file(client, make_household))
    job_run_execute(job_id=JobRun.objects.get(kind=bulk_jobs.BHYT_IMPORT_JOB).pk)
    token = client.session["programs_bhyt_import"]["token"]
    confirmed = client.post(url, {"action": "confirm", "token": token})
    commit = JobRun.objects.get(kind=bulk_jobs.BHYT_IMPORT_JOB, params__commit=True)
    assert 'value="cancel"' not in client.get(confirmed.url).content.decode()
    said = {}
    real = bulk_jobs.stored_upload

    def read_then_cancel(params):
        content = real(params)  # the worker has the file; the officer presses "Huỷ" in another tab
        said["page"] = client.post(url, {"action": "cancel"}, follow=True).content.decode()
        return content

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk_jobs, "stored_upload", read_then_cancel)
        commit = job_run_execute(job_id=commit.pk)
    assert commit.status == JobStatus.SUCCEEDED and Benefit.objects.filter(programme__code="BHYT").count() == 3
    assert "chưa có gì được ghi" not in said["page"] and "đang được ghi trong nền" in said["page"]
    done = client.get(confirmed.url)  # the job's page still ends as any finished write
    assert done.status_code == 302 and done.url == reverse("programs:bhyt_list")


def test_the_payment_jobs_progress_says_what_is_checked_then_that_all_are(users, make_household, monkeypatch):
    """The payments are checked one by one and written together at the end (services.benefits_record): the job's
    progress counts the households checked, and says every one is checked before the writes."""
    year, quarter, _start = this_quarter()
    for code in ("IRS-001", "IRS-002", "IRS-003"):
        make_household(code=code)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    heard = []
    job = JobRun.objects.create(
        kind=bulk_jobs.ELECTRICITY_JOB,
        requested_by=users.commune_officer,
        params={"year": year, "quarter": quarter, "paid_on": timezone.localdate().isoformat(), "decision": "QĐ 99"},
    )
    result = bulk_jobs.electricity_pay_job(job, lambda percent, message: heard.append(message))
    assert result["ok"] and result["report"]["created"] == 3
    assert heard[1:] == ["Đã kiểm tra 2/3 hộ", "Đã kiểm tra 3/3 hộ"]
