"""A commune officer double-clicks "Lưu" on a new household, presses Back and saves again, then types an existing
code in lower case: one household is saved, and each repeat is a Vietnamese message, never a server error."""

import re

import pytest

from core.demo import demo_load
from households.models import Household

from .test_sign_in_journey import sign_in

DETAIL = re.compile(r".*/ho-gia-dinh/\d+/$")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_load()


def fill_household(page, code):
    page.get_by_label("Mã hộ").fill(code)
    page.get_by_label("Thôn, buôn, tổ dân phố").select_option(label="Buôn Chư Tê – Xã Ia RSai")
    page.fill('[name="members-0-full_name"]', "Ksor Y Bhin")
    page.select_option('[name="members-0-relationship"]', label="Chủ hộ")
    page.select_option('[name="members-0-sex"]', label="Nam")
    page.fill('[name="members-0-date_of_birth"]', "01/03/1980")
    page.select_option('[name="members-0-ethnic_group"]', label="Gia-rai")


def test_double_click_back_and_case_twin_save_one_household(page, live_server, demo, screenshot):
    sign_in(page, live_server, "xa.iarsai")
    page.goto(f"{live_server.url}/ho-gia-dinh/them/")
    fill_household(page, "IRS-901")
    page.get_by_test_id("save-household").dblclick()
    page.wait_for_url(DETAIL)
    page.wait_for_load_state("networkidle")
    assert Household.objects.filter(code__iexact="IRS-901").count() == 1
    detail = page.url
    screenshot(page, "double-click-one-household")

    # Back to the filled form (the browser keeps what was typed, token included) and save again.
    page.go_back()
    page.wait_for_url("**/ho-gia-dinh/them/")
    if page.get_by_label("Mã hộ").input_value() != "IRS-901":  # the browser reloaded the page instead
        fill_household(page, "IRS-901")
    page.get_by_test_id("save-household").click()
    page.wait_for_load_state("networkidle")
    text = page.locator("main").inner_text()
    assert "Server Error" not in page.content()
    assert page.url == detail or "Xã đã có hộ mang mã này" in text
    assert Household.objects.filter(code__iexact="IRS-901").count() == 1
    screenshot(page, "back-and-save-again")

    # The same code in lower case, typed in a new form: the error is beside "Mã hộ" and the input stays.
    page.goto(f"{live_server.url}/ho-gia-dinh/them/")
    fill_household(page, "irs-901")
    page.get_by_test_id("save-household").click()
    page.wait_for_load_state("networkidle")
    code = page.get_by_label("Mã hộ")
    assert code.input_value() == "irs-901"
    assert "is-invalid" in (code.get_attribute("class") or "")
    feedback = page.locator('[name="code"] ~ .invalid-feedback, [name="code"] + .invalid-feedback').first
    assert "Xã đã có hộ mang mã này" in page.locator("main").inner_text()
    assert feedback.count() == 0 or "Xã đã có hộ mang mã này" in feedback.inner_text()
    assert page.locator('[name="members-0-full_name"]').input_value() == "Ksor Y Bhin"
    assert Household.objects.filter(code__iexact="IRS-901").count() == 1
    screenshot(page, "code-differing-in-case")
    assert page.console_errors == []
