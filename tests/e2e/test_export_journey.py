"""A province officer exports the province's households: the export runs in the Celery worker while the job page
shows its progress, then the page offers the file, which downloads with its name and every member. The rows written
inside the request are lowered so that the demo's 300 households are a large export."""

import pytest
from openpyxl import load_workbook

from accounts.models import User
from core.demo import demo_load
from households.demo import households_generate
from households.models import Member
from tests.export_jobs import in_request_up_to

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province():
    demo_load()
    communes = [User.objects.get(username=name).unit for name in ("xa.iarsai", "xa.phutuc")]
    households_generate(communes=communes, per_commune=150, seed=7)


def test_province_export_shows_progress_then_downloads(
    page, live_server, province, celery_worker, screenshot, tmp_path, monkeypatch
):
    in_request_up_to(monkeypatch, 100)
    page.set_default_timeout(60_000)  # the province's list page on a loaded test machine
    sign_in(page, live_server, "tinh.gialai")
    page.goto(f"{live_server.url}/ho-gia-dinh/")
    page.get_by_role("link", name="Xuất Excel").click()
    page.wait_for_url("**/cong-viec/*/")
    assert "Tệp Excel đang được chuẩn bị trong nền" in page.content()
    seen_running = page.locator("progress.job-progress").is_visible()
    screenshot(page, "export-job-progress")
    download_button = page.get_by_test_id("job-download")
    download_button.wait_for(timeout=90_000)  # the page polls the job, then reloads with the link
    assert seen_running
    assert page.locator("progress.job-progress").get_attribute("value") == "100"
    screenshot(page, "export-job-done")
    with page.expect_download() as info:
        download_button.click()
    download = info.value
    assert download.suggested_filename.startswith("ho-gia-dinh-") and download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).worksheets[0]
    rows = sum(1 for _row in sheet.iter_rows(values_only=True)) - 1
    assert rows == Member.objects.current().count()
    assert page.console_errors == []
