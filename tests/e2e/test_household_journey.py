"""A commune officer registers a household of four, sees it classified as poor with the reasons, gives the
child a health-insurance card so it becomes near-poor, and reads the change history."""

import pytest

from core.demo import demo_load

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    # name, relationship, sex, born, in school, card from, card to
    ("Ksor Y Bhin", "Chủ hộ", "Nam", "01/03/1980", "", "01/01/2026", "31/12/2026"),
    ("Rơ Mah H'Nga", "Vợ/chồng", "Nữ", "01/05/1983", "", "01/01/2026", "31/12/2026"),
    ("Ksor Y Thuận", "Con", "Nam", "01/09/2018", "Có", "", ""),
    ("Ksor H'Lan", "Con", "Nữ", "01/05/2021", "Có", "01/01/2026", "31/12/2026"),
]


@pytest.fixture
def demo(db):
    demo_load()


def fill_member(page, index, person):
    name, relation, sex, born, school, card_from, card_to = person
    prefix = f"members-{index}-"
    page.fill(f'[name="{prefix}full_name"]', name)
    page.select_option(f'[name="{prefix}relationship"]', label=relation)
    page.select_option(f'[name="{prefix}sex"]', label=sex)
    page.fill(f'[name="{prefix}date_of_birth"]', born)
    page.select_option(f'[name="{prefix}ethnic_group"]', label="Gia-rai")
    if school:
        page.select_option(f'[name="{prefix}in_school"]', label=school)
    page.fill(f'[name="{prefix}health_insurance_valid_from"]', card_from)
    page.fill(f'[name="{prefix}health_insurance_valid_to"]', card_to)
    if card_to:
        page.fill(f'[name="{prefix}health_insurance_number"]', f"DN46464{index}1234567"[:15])


def test_officer_registers_classifies_and_edits_a_household(page, live_server, demo, screenshot):
    sign_in(page, live_server, "xa.iarsai")
    page.locator("#main-nav").get_by_role("link", name="Hộ gia đình").click()
    page.wait_for_url("**/ho-gia-dinh/")
    screenshot(page, "household-list-empty")
    page.get_by_role("link", name="Thêm hộ", exact=True).click()

    page.get_by_label("Mã hộ").fill("IRS-900")
    page.get_by_label("Thôn, buôn, tổ dân phố").select_option(label="Buôn Chư Tê – Xã Ia RSai")
    page.get_by_label("Thu nhập bình quân (đồng/người/tháng)").fill("1200000")
    page.get_by_label("Ngày tham chiếu").fill("01/06/2026")
    page.get_by_label("Diện tích nhà ở (m²)").fill("40")
    page.get_by_label("Số kết cấu chính không bền chắc").fill("0")
    page.get_by_label("Nguồn nước sinh hoạt").select_option(label="Nước sông, suối, ao, hồ")
    page.get_by_label("Loại nhà tiêu").select_option(label="Không có nhà tiêu")
    page.get_by_label("Có dùng điện thoại hoặc internet").select_option(label="Có")
    page.get_by_label("Có TV, radio, máy tính, điện thoại…").select_option(label="Có")
    for index, person in enumerate(PEOPLE):
        if page.locator(f'[name="members-{index}-full_name"]').count() == 0:
            page.get_by_role("button", name="Thêm thành viên").click()
        fill_member(page, index, person)
    screenshot(page, "household-form")
    page.get_by_test_id("save-household").click()

    page.wait_for_url("**/ho-gia-dinh/*/")
    assert page.get_by_test_id("current-class").inner_text().strip().startswith("Hộ nghèo")
    summary = page.get_by_test_id("summary").inner_text()
    assert "1.200.000 ≤ 1.500.000" in summary and "3 chỉ số" in summary
    health = page.locator('[data-indicator="health_insurance"]').inner_text()
    assert "Ksor Y Thuận" in health
    screenshot(page, "household-detail-poor")

    page.get_by_role("link", name="Sửa hộ và thành viên").click()
    row = page.locator('[name$="-full_name"][value="Ksor Y Thuận"]')
    prefix = row.get_attribute("name").removesuffix("full_name")
    page.fill(f'[name="{prefix}health_insurance_number"]', "TE1646412345678")
    page.fill(f'[name="{prefix}health_insurance_valid_from"]', "01/01/2026")
    page.fill(f'[name="{prefix}health_insurance_valid_to"]', "31/12/2026")
    page.get_by_test_id("save-household").click()
    page.wait_for_url("**/ho-gia-dinh/*/")
    assert page.get_by_test_id("current-class").inner_text().strip().startswith("Hộ cận nghèo")
    screenshot(page, "household-detail-near-poor")

    page.get_by_role("link", name="Lịch sử thay đổi").click()
    history = page.get_by_test_id("change-history").inner_text()
    assert "Sửa thông tin thành viên" in history and "Ksor Y Thuận" in history and "31/12/2026" in history
    assert "Hộ nghèo → Hộ cận nghèo" in history
    screenshot(page, "household-history")
    assert page.console_errors == []
