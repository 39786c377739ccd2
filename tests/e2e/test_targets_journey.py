"""District staff assign this year's poverty-reduction targets to their communes and read the movements; a commune
officer sees the target on the dashboard, registers a poor household to escape poverty with a helper."""

import pytest
from django.utils import timezone

from accounts.models import User
from core.demo import demo_load
from households.demo import demo_communes, households_generate
from households.demo_targets import demo_targets_load
from households.models import EscapeRegistration, PovertyTarget
from households.targets import escape_candidates_for

from .test_sign_in_journey import go_to, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_load()
    households_generate(communes=demo_communes(["24076", "24079", "24082", "24085"]), per_commune=60, seed=2021)
    demo_targets_load(seed=2021)


def test_district_sets_targets_and_commune_registers_a_household(page, live_server, demo, celery_worker, screenshot):
    year = timezone.localdate().year
    sign_in(page, live_server, "huyen.krongpa")
    screenshot(page, "targets-dashboard-district")
    assert "Tiến độ giảm nghèo năm" in page.get_by_test_id("dashboard-targets").inner_text()

    go_to(page, "Mục tiêu giảm nghèo")
    page.wait_for_url("**/muc-tieu/")
    table = page.get_by_test_id("target-table")
    assert "Xã Ia RSai" in table.inner_text()
    ia_rsai = table.locator("tr", has_text="Xã Ia RSai")
    ia_rsai.get_by_role("spinbutton").fill("25")
    ia_rsai.get_by_role("textbox").fill("3,68")
    page.get_by_label("Căn cứ giao chỉ tiêu").fill("Quyết định số 235/QĐ-UBND ngày 12/5/2026 của UBND huyện Krông Pa")
    screenshot(page, "targets-district-form")
    page.get_by_test_id("save-targets").click()
    page.wait_for_load_state()
    assert "Đã lưu chỉ tiêu giảm nghèo" in page.content()
    target = PovertyTarget.objects.get(unit__code="24079", year=year)
    assert target.households_to_escape == 25 and str(target.rate_reduction) == "3.68" and target.revisions
    assert "Đã điều chỉnh" in page.get_by_test_id("target-table").inner_text()
    screenshot(page, "targets-district-saved")

    go_to(page, "Biến động hộ nghèo")
    page.wait_for_url("**/bien-dong/**")
    page.get_by_label("Năm").select_option(str(year - 1))
    page.get_by_role("button", name="Xem số liệu").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("period-label").inner_text().startswith(f"Năm {year - 1}")
    assert "Tổng cộng" in page.get_by_test_id("transition-table").inner_text()
    screenshot(page, "transitions-district")
    transitions_url = page.url
    # a district's export is prepared in the background: the job page shows its progress, then the file
    page.get_by_test_id("export-transitions").click()
    page.wait_for_url("**/cong-viec/*/")
    download_button = page.get_by_test_id("job-download")
    download_button.wait_for(timeout=90_000)
    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename.startswith(f"bien-dong-ho-ngheo-01-01-{year - 1}")
    page.goto(transitions_url)
    page.get_by_role("link", name="Xã Ia RSai").first.click()
    page.wait_for_load_state()
    assert "Buôn Chư Tê" in page.get_by_test_id("transition-table").inner_text()
    screenshot(page, "transitions-commune-villages")
    page.context.clear_cookies()  # sign out without hunting for the menu

    sign_in(page, live_server, "xa.iarsai")
    widget = page.get_by_test_id("dashboard-targets").inner_text()
    assert "/25 hộ theo chỉ tiêu" in widget
    screenshot(page, "targets-dashboard-commune")
    go_to(page, "Mục tiêu giảm nghèo")
    page.wait_for_url("**/muc-tieu/")
    assert page.get_by_test_id("target-households").inner_text() == "25"
    before = EscapeRegistration.objects.filter(household__commune__code="24079", year=year).count()
    page.get_by_test_id("register-escape").click()
    page.wait_for_url("**/muc-tieu/dang-ky/**")
    # the officer types the code of a poor household not yet registered (a commune has thousands: no list)
    officer = User.objects.get(username="xa.iarsai")
    candidate = escape_candidates_for(officer, commune=officer.unit, year=year).first()
    assert candidate is not None
    page.get_by_label("Mã hộ đăng ký thoát nghèo").fill(candidate.code.lower())  # whatever its case
    page.get_by_label("Họ tên cán bộ phụ trách").fill("Nay Văn Hlang")
    page.get_by_label("Chức vụ, đơn vị").fill("Chủ tịch Hội Nông dân xã")
    page.get_by_label("Cam kết và giải pháp hỗ trợ").fill("Vay vốn nuôi bò sinh sản")
    screenshot(page, "escape-registration-form")
    page.get_by_test_id("save-registration").click()
    page.wait_for_url("**/muc-tieu/?nam=*")
    assert EscapeRegistration.objects.filter(household__commune__code="24079", year=year).count() == before + 1
    assert "Nay Văn Hlang" in page.get_by_test_id("registration-table").inner_text()
    screenshot(page, "targets-commune")
    assert not page.console_errors
