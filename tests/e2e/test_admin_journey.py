"""An administrator runs the full system check (a real Celery job with a progress bar), creates an officer
account, and the new officer must change the temporary password before working."""

import re

import pytest

from core.demo import DEMO_PASSWORD, demo_load

from .test_sign_in_journey import go_to, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_load()


def test_admin_runs_the_system_check(page, live_server, demo, celery_worker, screenshot):
    from core.tasks import heartbeat_task

    heartbeat_task.delay().get(timeout=30)
    sign_in(page, live_server, "admin")
    go_to(page, "Trạng thái hệ thống")
    assert page.get_by_test_id("status-checks").locator(".status-ok").count() >= 4
    screenshot(page, "system-status")
    page.get_by_test_id("run-check").click()
    page.wait_for_url(re.compile(r".*/cong-viec/\d+/$"))
    results = page.get_by_test_id("check-results")  # the page polls, then reloads when the job ends
    results.wait_for(timeout=60_000)
    assert results.locator(".status-fail").count() == 0
    assert "Hoàn thành" in page.content()
    screenshot(page, "system-check-job")
    assert page.console_errors == []


def test_admin_creates_an_officer_who_then_sets_a_password(page, live_server, demo, screenshot, browser):
    sign_in(page, live_server, "admin")
    go_to(page, "Người dùng")
    screenshot(page, "user-list")
    page.get_by_role("link", name="Thêm tài khoản").click()
    page.get_by_label("Tên đăng nhập").fill("xa.phutuc2")
    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Vai trò").select_option(label="Cán bộ xã")
    page.get_by_label("Đơn vị công tác").select_option(label="Thị trấn Phú Túc (cấp xã, 24076)")
    page.get_by_label("Mật khẩu ban đầu").fill("123")
    page.get_by_label("Nhập lại mật khẩu").fill("123")
    page.get_by_role("button", name="Lưu").click()
    assert page.get_by_label("Họ và tên").input_value() == "Trần Thị Mai"  # kept after the error
    assert "Mật khẩu này quá ngắn" in page.content()
    screenshot(page, "user-form-error")
    page.get_by_label("Mật khẩu ban đầu").fill("Tam-thoi-2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Tam-thoi-2026")
    page.get_by_role("button", name="Lưu").click()
    assert "Đã tạo tài khoản xa.phutuc2" in page.content()

    officer = browser.new_context().new_page()
    officer.goto(f"{live_server.url}/dang-nhap/")
    officer.get_by_label("Tên đăng nhập").fill("xa.phutuc2")
    officer.get_by_label("Mật khẩu").fill("Tam-thoi-2026")
    officer.get_by_test_id("login-submit").click()
    officer.wait_for_url("**/doi-mat-khau/")
    officer.get_by_label("Mật khẩu cũ").fill("Tam-thoi-2026")
    officer.get_by_label(re.compile(r"^Mật khẩu mới")).fill(DEMO_PASSWORD + "x")
    officer.get_by_label("Xác nhận mật khẩu mới").fill(DEMO_PASSWORD + "x")
    officer.get_by_role("button", name="Đổi mật khẩu").click()
    assert "Mật khẩu của bạn đã được đổi" in officer.content()
    officer.goto(f"{live_server.url}/")
    assert "Thị trấn Phú Túc" in officer.content()
    officer.context.close()
