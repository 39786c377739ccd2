"""Periodic reports end to end, through the real Celery worker: Krông Pa's district staff create the 6-month draft,
edit a paragraph and issue it; the province's staff download its PDF, DOCX and XLSX from the download centre, each
download logged. Screenshots of the pages at desktop width and at 390 px."""

import subprocess

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.models import User
from core.demo import demo_load
from households.demo import households_generate
from reports.models import PeriodicReport, ReportDownload, ReportStatus

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EDITED = "Các xã đã rà soát, cập nhật kịp thời biến động hộ nghèo trong hành trình thử nghiệm."


@pytest.fixture
def district():
    demo_load()
    communes = [User.objects.get(username=name).unit for name in ("xa.iarsai", "xa.phutuc")]
    households_generate(communes=communes, per_commune=20, seed=11)


def report_year() -> int:
    """The latest first half-year that has ended (a 6-month report is issued after its period began)."""
    today = timezone.localdate()
    return today.year if today.month >= 7 else today.year - 1


def wait_for_generation(page):
    """The report page polls the job and, since it holds a form, says when it ended instead of reloading."""
    page.get_by_test_id("report-job-done").wait_for(state="visible", timeout=180_000)
    page.get_by_test_id("report-job-done").get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("report-job-failed").count() == 0, page.get_by_test_id("report-job-failed").inner_text()


def narrow(page, screenshot, name):
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, f"{name} scrolls sideways at 390 px"
    page.set_viewport_size({"width": 1280, "height": 860})


def test_district_issues_a_six_month_report_that_the_province_downloads(
    page, browser, live_server, district, celery_worker, screenshot, tmp_path
):
    page.set_default_timeout(60_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of "Cập nhật số liệu" and "Ban hành"
    year = report_year()
    sign_in(page, live_server, "huyen.krongpa")
    page.get_by_test_id("nav-group-reports").click()
    page.get_by_role("link", name="Danh sách báo cáo").click()
    page.get_by_test_id("report-create").click()
    page.get_by_label("Loại báo cáo").select_option("six_month")
    page.get_by_label("Năm").select_option(str(year))
    screenshot(page, "reports-create")
    page.get_by_test_id("report-create-submit").click()
    page.wait_for_url("**/bao-cao/*/")
    assert page.get_by_test_id("report-job").is_visible()
    wait_for_generation(page)
    draft_url = page.url
    page.goto(f"{live_server.url}/")
    assert "Dự thảo mới" in page.get_by_test_id("dashboard-reports").inner_text()  # the new draft on the dashboard
    screenshot(page, "reports-dashboard")
    page.goto(draft_url)
    assert f"6 tháng đầu năm {year}" in page.get_by_test_id("report-preview").inner_text()
    screenshot(page, "reports-draft")
    narrow(page, screenshot, "reports-draft")

    achievements = page.get_by_label("II.1. Mặt đạt được")
    achievements.fill(EDITED)
    page.get_by_label("Người ký", exact=True).fill("Nguyễn Tiến Đăng")  # the name under the signature
    page.get_by_test_id("report-save").click()
    page.wait_for_url("**/bao-cao/*/")
    assert "Đã lưu nội dung báo cáo." in page.content()
    wait_for_generation(page)
    assert page.get_by_label("II.1. Mặt đạt được").input_value() == EDITED

    today = timezone.localdate().strftime("%d/%m/%Y")
    page.get_by_test_id("report-finalise-form").get_by_label("Ngày ban hành").fill(today)
    page.get_by_test_id("report-finalise").click()
    page.wait_for_url("**/bao-cao/*/")
    wait_for_generation(page)
    assert page.get_by_test_id("report-number").is_visible()
    report = PeriodicReport.objects.get(unit__name="Huyện Krông Pa", kind="six_month", period_start__year=year)
    assert report.status == ReportStatus.FINALISED and report.number.endswith("/BC-UBND")
    assert page.get_by_test_id("report-new-version").is_visible()
    screenshot(page, "reports-finalised")
    page.goto(f"{live_server.url}/bao-cao/")
    assert report.number in page.get_by_test_id(f"report-row-{report.pk}").inner_text()
    screenshot(page, "reports-list")
    narrow(page, screenshot, "reports-list")

    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN", accept_downloads=True)
    province = context.new_page()
    province.set_default_timeout(60_000)
    sign_in(province, live_server, "tinh.gialai")
    province.goto(f"{live_server.url}/bao-cao/trung-tam-tai/")
    province.get_by_label("Loại báo cáo").select_option("six_month")
    province.get_by_label("Năm").select_option(str(year))
    province.get_by_test_id("centre-filter").click()
    row = province.get_by_test_id(f"unit-status-{report.unit_id}")
    assert report.number in row.inner_text()
    assert "Chưa có báo cáo" in province.get_by_test_id("unit-status-table").inner_text()  # Ia Pa has none
    screenshot(province, "reports-centre")
    narrow(province, screenshot, "reports-centre")
    files = {}
    for kind in ("pdf", "docx", "xlsx"):
        with province.expect_download() as info:
            row.get_by_test_id(f"download-{kind}-{report.pk}").click()
        download = info.value
        assert download.suggested_filename == f"bao-cao-6-thang-{year}-krong-pa-v1.{kind}"
        files[kind] = tmp_path / download.suggested_filename
        download.save_as(files[kind])
    text = subprocess.run(["pdftotext", "-layout", str(files["pdf"]), "-"], capture_output=True, text=True).stdout
    assert report.number.split("/")[0] in text and "BÁO CÁO" in text
    assert " ".join(EDITED.split()[:6]) in " ".join(text.split())
    assert any(EDITED in paragraph.text for paragraph in Document(files["docx"]).paragraphs)
    assert load_workbook(files["xlsx"]).sheetnames
    logged = ReportDownload.objects.filter(report=report, user__username="tinh.gialai")
    assert sorted(logged.values_list("file_kind", flat=True)) == ["docx", "pdf", "xlsx"]
    province.goto(f"{live_server.url}/bao-cao/nhat-ky-tai/")
    assert province.get_by_test_id("download-log").get_by_text("tinh.gialai").count() == 3
    screenshot(province, "reports-download-log")
    assert page.console_errors == []
    context.close()
