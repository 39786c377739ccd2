"""An officer reads the standards page: each value says whether it was checked against the law (with the article)
or is provisional (with the text to check and who corrects it), and the [V]/[P]/[U] badges are explained."""

import pytest

from core.demo import demo_load

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_load()


def test_the_standards_page_shows_each_values_legal_status(page, live_server, demo, screenshot):
    sign_in(page, live_server, "xa.iarsai")
    page.goto(f"{live_server.url}/ho-gia-dinh/chuan-ngheo/")
    legend = page.get_by_test_id("standards-legend")
    assert "[V] đã đối chiếu văn bản" in legend.inner_text()
    assert "quản trị hệ thống sửa giá trị trong trang quản trị" in legend.inner_text()
    nd07 = page.get_by_test_id("standard-ND07_2021")
    line = nd07.get_by_test_id("status-poverty_line")
    assert "[V]" in line.inner_text() and "Nghị định 07/2021/NĐ-CP, Điều 3 khoản 1" in line.inner_text()
    insurance = nd07.get_by_test_id("indicator-health_insurance")
    assert "[P]" in insurance.inner_text() and "Phụ lục, chỉ số 4" in insurance.inner_text()
    badge = insurance.locator(".verification-tag")
    assert badge.get_attribute("title") == "[P] đối chiếu một phần"
    body = page.locator("main").inner_text()
    assert "nguồn thứ cấp" not in body and "Sửa trong trang quản trị" not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "standards-legal-status")
    assert not page.console_errors
