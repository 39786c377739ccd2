"""A commune officer sees the members of a poor household without a health-insurance card, issues their BHYT
cards, records a house repair with a photo, and sees the coverage views update; district staff read the figures."""

import io
from datetime import date

import pytest
from django.utils import timezone
from PIL import Image

from areas.models import AdministrativeUnit
from core.demo import demo_load
from households import services as household_services
from households.models import EthnicGroup, Household, Member, StatusRecord
from programs.catalogue import catalogue_load

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Ksor Y Bhin", "head", date(1980, 3, 1), "male"),
    ("Rơ Mah H'Nga", "spouse", date(1983, 5, 1), "female"),
    ("Ksor Y Thuận", "child", date(2015, 5, 1), "male"),
    ("Ksor H'Lan", "child", date(2019, 5, 1), "female"),
]


@pytest.fixture
def poor_household(db):
    demo_load()
    catalogue_load()
    village = AdministrativeUnit.objects.get(code="24079-01")  # Buôn Chư Tê, Xã Ia RSai
    jrai = EthnicGroup.objects.get(code="10")
    members = [Member(full_name=n, relationship=r, date_of_birth=b, sex=s, ethnic_group=jrai) for n, r, b, s in PEOPLE]
    household = Household(
        code="IRS-700",
        village=village,
        income_per_capita=1_100_000,
        floor_area_m2=18,
        non_durable_main_parts=2,
        water_source="surface_water",
        latrine="none",
        uses_telecom=True,
        has_information_device=True,
        reference_date=date(timezone.localdate().year, 1, 1),  # the cards the journey issues run from 1/1
    )
    from accounts.models import User

    officer = User.objects.get(username="xa.iarsai")
    household = household_services.household_save(
        household=household, members=members, user=officer, expected_version=None
    )
    StatusRecord.objects.create(
        household=household,
        household_class="poor",
        valid_from=date(2025, 1, 1),
        decision="QĐ 12/QĐ-UBND ngày 31/12/2024 của UBND xã Ia RSai",
    )
    return household


def test_officer_issues_cards_records_a_repair_and_sees_coverage_update(
    page, live_server, poor_household, screenshot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    sign_in(page, live_server, "xa.iarsai")
    page.locator("#main-nav").get_by_role("link", name="Hỗ trợ").click()
    page.wait_for_url("**/chuong-trinh/")
    screenshot(page, "programs-index")

    page.get_by_test_id("programs-nav").get_by_role("link", name="Chưa có thẻ BHYT").click()
    assert page.get_by_test_id("coverage-count").inner_text().startswith("4 ")
    screenshot(page, "programs-uninsured-before")
    page.get_by_test_id("programs-nav").get_by_role("link", name="Thiếu hụt nhà ở").click()
    assert "IRS-700" in page.get_by_test_id("coverage-table").inner_text()

    page.goto(f"{live_server.url}/ho-gia-dinh/{poor_household.pk}/")
    page.get_by_test_id("support-link").click()
    page.wait_for_url("**/chuong-trinh/ho/*/")
    for index, (name, *_rest) in enumerate(PEOPLE):
        page.get_by_test_id("record-links").get_by_role("link", name="Thẻ BHYT").click()
        assert "hộ là hộ nghèo" in page.get_by_test_id("eligibility-preview").inner_text()
        page.get_by_label("Thành viên").select_option(
            label=next(o for o in page.locator("#id_member option").all_inner_texts() if o.startswith(name))
        )
        page.get_by_label("Số thẻ BHYT").fill(f"HN26400123456{70 + index}")
        page.get_by_label("Mức ngân sách hỗ trợ (%)").fill("100")
        page.get_by_label("Quyết định, chứng từ").fill("Danh sách BHYT năm 2026")
        if index == 0:
            screenshot(page, "programs-bhyt-form")
        page.get_by_test_id("save-benefit").click()
        page.wait_for_url("**/chuong-trinh/ho/*/")
    table = page.get_by_test_id("household-benefits").inner_text()
    assert table.count("Thẻ BHYT") == 4 and "HN2640012345670" in table

    page.get_by_test_id("record-links").get_by_role("link", name="Hỗ trợ nhà ở (nguồn khác)").click()
    page.get_by_label("Hình thức").select_option(label="Sửa chữa")
    page.get_by_label("Ngân sách địa phương (đồng)").fill("20000000")
    page.get_by_label("Huy động, xã hội hoá (đồng)").fill("10000000")
    page.get_by_label("Ngày khởi công").fill("01/09/2026")
    page.get_by_label("Quyết định, chứng từ").fill("QĐ 88/QĐ-UBND ngày 25/8/2026")
    page.get_by_label("Đơn vị hỗ trợ, nguồn kinh phí").fill("Quỹ Vì người nghèo huyện Krông Pa")
    page.get_by_test_id("save-benefit").click()
    page.wait_for_url("**/chuong-trinh/ho/*/")
    page.get_by_test_id("household-benefits").get_by_role("row").filter(has_text="Sửa chữa").get_by_role("link").click()
    photo = tmp_path / "nha.png"
    Image.new("RGB", (320, 200), (170, 120, 60)).save(photo)
    page.get_by_label("Ảnh công trình").set_input_files(str(photo))
    page.get_by_label("Chú thích").fill("Mái nhà sau khi sửa")
    page.get_by_role("button", name="Tải ảnh lên").click()
    page.get_by_test_id("photos").get_by_role("img").first.wait_for()
    assert "30.000.000" in page.get_by_test_id("benefit-fields").inner_text()
    screenshot(page, "programs-housing-repair")

    page.goto(f"{live_server.url}/chuong-trinh/bao-phu/chua-co-the-bhyt/")
    assert page.get_by_test_id("coverage-count").inner_text().startswith("0 ")
    screenshot(page, "programs-uninsured-after")
    page.goto(f"{live_server.url}/chuong-trinh/bao-phu/nha-o/")
    assert "IRS-700" not in page.get_by_test_id("coverage-table").inner_text()
    page.goto(f"{live_server.url}/ho-gia-dinh/{poor_household.pk}/")
    assert "Ksor Y Thuận" not in page.locator('[data-indicator="health_insurance"]').inner_text()
    assert page.console_errors == []


def test_district_staff_read_the_figures(page, live_server, poor_household, screenshot):
    from programs.models import Benefit, Programme

    programme = Programme.objects.get(code="BHYT")
    for index, member in enumerate(poor_household.members.all()):
        Benefit.objects.create(
            programme=programme,
            household=poor_household,
            member=member,
            date=date(2026, 2, 1),
            household_status="poor",
            card_number=f"HN264001234{index:04d}",
            card_valid_from=date(2026, 1, 1),
            card_valid_to=date(2026, 12, 31),
            funding_share=100,
        )
    sign_in(page, live_server, "huyen.krongpa")
    page.goto(f"{live_server.url}/chuong-trinh/so-lieu/?year=2026&half=1")
    assert "Đã cấp 4 thẻ BHYT" in page.get_by_test_id("fig-bhyt").inner_text()
    assert "Xã Ia RSai" in page.content()
    screenshot(page, "programs-figures-district")
    page.goto(f"{live_server.url}/chuong-trinh/ho/{poor_household.pk}/")
    assert page.get_by_test_id("record-links").count() == 0  # read only
    assert page.console_errors == []
    assert io  # keeps the import list tidy for editors adding file checks


def test_officer_cancels_a_card_recorded_for_the_wrong_member(page, live_server, poor_household, screenshot):
    from accounts.models import User
    from programs import services
    from programs.models import Benefit, Programme

    officer = User.objects.get(username="xa.iarsai")
    child = poor_household.members.get(full_name="Ksor H'Lan")
    benefit = services.benefit_record(
        benefit=Benefit(
            programme=Programme.objects.get(code="BHYT"),
            household=poor_household,
            member=child,
            date=date(2026, 1, 1),
            card_number="HN2640012345699",
            card_valid_from=date(2026, 1, 1),
            card_valid_to=date(2026, 12, 31),
            funding_share=100,
        ),
        user=officer,
    )
    sign_in(page, live_server, "xa.iarsai")
    page.goto(f"{live_server.url}/chuong-trinh/ho-tro/{benefit.pk}/")
    page.get_by_test_id("cancel-link").click()
    page.wait_for_url("**/huy/")
    assert "HN2640012345699" in page.get_by_test_id("card-on-member").inner_text()
    page.get_by_role("button", name="Huỷ bản ghi").click()
    assert "Hãy ghi lý do huỷ bản ghi." in page.get_by_test_id("cancel-form").inner_text()
    page.get_by_label("Lý do huỷ").fill("Thẻ của người khác, ghi nhầm thành viên")
    screenshot(page, "programs-benefit-cancel")
    page.get_by_role("button", name="Huỷ bản ghi").click()
    page.wait_for_url(f"**/chuong-trinh/ho-tro/{benefit.pk}/")
    assert "Đã huỷ: Thẻ của người khác, ghi nhầm thành viên" in page.get_by_test_id("cancelled").inner_text()
    assert page.get_by_test_id("cancel-link").count() == 0
    screenshot(page, "programs-benefit-cancelled")
    page.goto(f"{live_server.url}/chuong-trinh/ho/{poor_household.pk}/")
    row = page.get_by_test_id("household-benefits").locator('tr[data-cancelled="1"]')
    assert "Đã huỷ: Thẻ của người khác" in row.inner_text()
    screenshot(page, "programs-household-cancelled")
    assert page.console_errors == []
