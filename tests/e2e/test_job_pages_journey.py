"""Job pages in a browser: a job whose worker died shows failed with its reason and history; the retry button
shows only to whoever may re-run it."""

import pytest
from django.utils import timezone

from core.models import JobLogAction, JobRun, JobRunLog, JobStatus

from ..factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()


def test_a_dead_job_is_shown_failed_with_a_retry_for_its_requester_only(page, live_server, users, screenshot):
    started = timezone.now()
    job = JobRun.objects.create(
        kind="household_import",
        requested_by=users.commune_officer,
        unit=users.commune_officer.unit,
        status=JobStatus.RUNNING,
        started_at=started,
        heartbeat_at=started,
        progress=37,
        attempts=1,
    )
    JobRunLog.objects.create(job=job, action=JobLogAction.RERUN, actor=users.commune_officer)

    sign_in(page, live_server, users.commune_officer.username)
    page.goto(f"{live_server.url}/cong-viec/{job.pk}/")
    page.get_by_test_id("retry").wait_for()
    text = page.inner_text("main")
    assert "Thất bại" in text and "Tiến trình xử lý nền đã dừng giữa chừng" in text
    assert "Hệ thống đánh dấu thất bại" in text and "Chạy lại" in text
    screenshot(page, "job-dead-requester")
    assert not page.console_errors

    page.context.clear_cookies()
    sign_in(page, live_server, users.district_staff.username)
    page.goto(f"{live_server.url}/cong-viec/{job.pk}/")
    page.get_by_test_id("retry-not-allowed").wait_for()
    assert page.get_by_test_id("retry").count() == 0
    screenshot(page, "job-dead-district")
