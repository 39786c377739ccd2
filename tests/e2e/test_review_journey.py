"""A commune officer runs the annual review of Buôn Chư Tê: surveys two households (the classification follows
what is typed), records the village meeting and the posting, submits; district staff return it with a comment;
the officer corrects and resubmits; the district approves; the officer records the chairman's decision and
downloads the decision and a certificate as PDFs; the dashboards show what waits and then nothing."""

import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import User
from areas.models import AdministrativeUnit
from core.demo import DEMO_PASSWORD, demo_load
from households import services as household_services
from households.models import Household
from reviews.models import ReviewRound
from tests.households.conftest import POOR_FACTS, family

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_load()
    officer = User.objects.get(username="xa.iarsai")
    village = AdministrativeUnit.objects.get(code="24079-01", level="village")
    for code, income in (("IRS-101", 1_200_000), ("IRS-102", 1_000_000)):
        household_services.household_save(
            household=Household(code=code, village=village, **{**POOR_FACTS, "income_per_capita": income}),
            members=family(),
            user=officer,
            expected_version=None,
        )


def open_as(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def pdf_text(page, url) -> str:
    response = page.request.get(page.url.split("/ra-soat/")[0] + url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "doc.pdf")
        path.write_bytes(response.body())
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout


def survey(page, code, screenshot=None):
    page.locator(f'[data-case="{code}"] a').click()
    page.wait_for_url("**/ra-soat/ho/*/")
    # the classification follows what the officer types, before anything is saved
    page.get_by_label("Thu nhập bình quân (đồng/người/tháng)").fill("5000000")
    page.get_by_test_id("assessment-summary").filter(has_text="5.000.000").wait_for()
    assert "Hộ nghèo" not in page.get_by_test_id("assessment-class").inner_text()
    page.get_by_label("Thu nhập bình quân (đồng/người/tháng)").fill("1200000")
    page.get_by_test_id("assessment-summary").filter(has_text="1.200.000").wait_for()
    assert page.get_by_test_id("assessment-class").inner_text().strip() == "Hộ nghèo"
    if screenshot:
        screenshot(page, "review-survey")
    page.get_by_test_id("save-result").click()
    page.wait_for_url("**/ra-soat/*/")


def meet(page, agreeing="30"):
    page.get_by_role("link", name="Ghi họp dân").first.click()
    held = timezone.localtime() - timedelta(days=14)  # held before the posting that starts 10 days ago
    page.get_by_label("Thời gian họp").fill(held.strftime("%d/%m/%Y %H:%M"))
    page.get_by_label("Địa điểm").fill("Nhà văn hoá Buôn Chư Tê")
    page.get_by_label("Chủ trì (trưởng thôn)").fill("Ksor Y Phen")
    page.get_by_label("Thư ký").fill("Rơ Mah H'Bia")
    page.get_by_label("Số người dự họp").fill("40")
    page.get_by_label("Đại diện Ủy ban MTTQ Việt Nam xã giám sát").fill("Nay H'Luân")
    page.get_by_label("Đại diện giám sát").fill("Ủy ban MTTQ xã Ia RSai")
    for field in page.locator('input[name^="agree-"]').all():
        field.fill(agreeing)
    page.get_by_test_id("save-meeting").click()
    page.wait_for_url("**/ra-soat/*/")


def test_periodic_round_from_list_to_certificates(browser, live_server, demo, screenshot):
    officer = open_as(browser, live_server, "xa.iarsai")
    assert officer.get_by_test_id("deadline-count").inner_text() == "0"
    officer.locator("#main-nav").get_by_role("link", name="Rà soát").click()
    officer.get_by_role("link", name="Mở đợt rà soát").click()
    officer.get_by_label("Loại rà soát").select_option(label="Rà soát định kỳ (hằng năm)")
    officer.get_by_label("Năm").fill(str(timezone.localdate().year))
    officer.get_by_test_id("open-round").click()
    officer.wait_for_url("**/ra-soat/*/")
    assert officer.locator("[data-case]").count() == 2
    screenshot(officer, "review-round-opened")

    survey(officer, "IRS-101", screenshot)
    survey(officer, "IRS-102")
    meet(officer)
    assert "Họp dân thống nhất" in officer.get_by_test_id("cases").inner_text()
    officer.get_by_test_id("start-posting").click()
    officer.get_by_label("Ngày bắt đầu niêm yết").fill((timezone.localdate() - timedelta(days=10)).strftime("%d/%m/%Y"))
    officer.get_by_label("Nơi niêm yết").fill("Trụ sở UBND xã Ia RSai; nhà văn hoá Buôn Chư Tê")
    officer.get_by_label("Họ tên người ký").fill("Nguyễn Văn Hùng")
    officer.once("dialog", lambda dialog: dialog.accept())  # irreversible: the page asks first
    officer.get_by_test_id("save-posting").click()
    officer.wait_for_url("**/ra-soat/*/")
    assert officer.get_by_test_id("round-state").inner_text() == "Đang niêm yết"
    officer.once("dialog", lambda dialog: dialog.accept())
    officer.get_by_test_id("submit-round").click()
    officer.get_by_test_id("round-state").filter(has_text="Đã trình, chờ duyệt").wait_for()
    screenshot(officer, "review-round-submitted")

    district = open_as(browser, live_server, "huyen.krongpa")
    assert district.get_by_test_id("deadline-count").inner_text() == "1"
    assert district.get_by_test_id("deadline-approval").is_visible()
    screenshot(district, "review-district-dashboard")
    district.locator("#main-nav").get_by_role("link", name="Rà soát").click()
    district.get_by_role("link", name="Danh sách trình duyệt").click()
    district.get_by_test_id("open-submission").first.click()
    screenshot(district, "review-submission")
    district.get_by_test_id("return").click()  # without a comment: refused
    assert "xã cần sửa gì" in district.locator(".alert").first.inner_text()
    district.get_by_label("Ý kiến").fill("Hộ IRS-102 có xe máy mới, đề nghị rà soát lại điểm A.")
    district.get_by_test_id("return").click()
    district.wait_for_url("**/ra-soat/duyet/")

    officer.reload()
    assert "Hộ IRS-102 có xe máy mới" in officer.get_by_test_id("returned-comment").inner_text()
    screenshot(officer, "review-round-returned")
    survey(officer, "IRS-102")
    meet(officer)
    officer.once("dialog", lambda dialog: dialog.accept())
    officer.get_by_test_id("submit-round").click()
    officer.get_by_test_id("round-state").filter(has_text="Đã trình, chờ duyệt").wait_for()

    district.reload()
    district.get_by_test_id("open-submission").first.click()
    assert "Thay đổi so với lần trình 1" in district.get_by_test_id("diff-previous").inner_text()
    district.get_by_label("Ý kiến").fill("Đồng ý.")
    district.once("dialog", lambda dialog: dialog.accept())  # irreversible: the page asks first
    district.get_by_test_id("approve").click()
    district.wait_for_url("**/ra-soat/duyet/")
    district.goto(f"{live_server.url}/")
    assert district.get_by_test_id("deadline-approval").count() == 0  # nothing waits for the district any more

    officer.reload()
    officer.get_by_test_id("record-decision").click()
    officer.get_by_label("Số quyết định").fill("125/QĐ-UBND")
    officer.get_by_label("Ngày ký").fill(timezone.localdate().strftime("%d/%m/%Y"))
    officer.get_by_label("Họ tên người ký").fill("Nguyễn Văn Hùng")
    officer.get_by_label("Người ký với tư cách").select_option(label="Chủ tịch ký")
    officer.once("dialog", lambda dialog: dialog.accept())  # irreversible: the page asks first
    officer.get_by_test_id("save-decision").click()
    officer.wait_for_url("**/ra-soat/*/")
    assert officer.get_by_test_id("round-state").inner_text() == "Đã công nhận (khoá)"
    screenshot(officer, "review-round-recognised")
    log = officer.get_by_test_id("round-log").inner_text()
    assert "Trả lại" in log and "Duyệt" in log and "Hộ IRS-102 có xe máy mới" in log

    decision_text = pdf_text(officer, officer.get_by_test_id("decision-pdf").get_attribute("href"))
    assert "125/QĐ-UBND" in decision_text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in decision_text
    assert "Ksor Y Bhin" in decision_text
    certificate_text = pdf_text(officer, officer.get_by_test_id("certificate-pdf").first.get_attribute("href"))
    assert "1/GCN-HN.HCN" in certificate_text and "Rơ Mah H'Nga" in certificate_text

    round = ReviewRound.objects.get()
    assert round.is_locked and round.submissions.count() == 2
    household = Household.objects.get(code="IRS-101")
    assert household.status_records.get(valid_to__isnull=True).decision.startswith("Quyết định số 125/QĐ-UBND")
    officer.goto(f"{live_server.url}/")
    assert officer.get_by_test_id("deadline-count").inner_text() == "0"
    assert not officer.errors and not district.errors
