"""Each demo role signs in, sees its dashboard, switches language, and signs out."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from core.demo import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = [
    ("admin", "Quản trị hệ thống", "Trạng thái hệ thống"),
    ("tinh.gialai", "Tỉnh Gia Lai", "Huyện Krông Pa"),
    ("huyen.krongpa", "Huyện Krông Pa", "Xã Ia RSươm"),
    ("xa.iarsai", "Xã Ia RSai", "Buôn Chư Tê"),
]


@pytest.fixture
def demo(db):
    demo_load()


def go_to(page, label: str) -> None:
    """Follow a main-menu link, opening its drop-down group first when the link sits in one.

    On a narrow screen the menu slides open; a drop-down clicked while it is still sliding can stay
    closed, so wait for the slide to end and open the group again until the link shows.
    """
    nav = page.locator("#main-nav")
    named = re.compile(rf"^\s*{re.escape(label)}\s*$")
    link = nav.locator("a", has_text=named)
    page.wait_for_function("() => !document.querySelector('#main-nav.collapsing')")
    group = nav.locator("li.dropdown", has=page.locator("a", has_text=named)).locator("[data-bs-toggle=dropdown]")
    for _attempt in range(3):
        if link.is_visible():
            break
        group.click()  # in a closed drop-down group: open the group (its locator must be relative)
        try:
            link.wait_for(state="visible", timeout=3000)
        except PlaywrightTimeoutError:
            continue
    link.click()


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert "/dang-nhap/" in page.url  # anonymous visitors are sent to the sign-in page
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("username,unit_text,child_text", ROLES)
def test_role_signs_in_sees_dashboard_switches_language_and_signs_out(
    page, live_server, demo, screenshot, username, unit_text, child_text
):
    page.goto(f"{live_server.url}/dang-nhap/")
    screenshot(page, "login")
    sign_in(page, live_server, username)
    assert page.locator("h1").inner_text().startswith("Tổng quan")
    assert unit_text in page.content() and child_text in page.content()
    screenshot(page, f"dashboard-{username}")

    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Dashboard")
    screenshot(page, f"dashboard-{username}-en")
    page.get_by_test_id("lang-vi").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Tổng quan")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/dang-nhap/")
    page.goto(f"{live_server.url}/")
    assert "/dang-nhap/" in page.url
    assert page.console_errors == []  # nothing blocked by the Content-Security-Policy, no script errors


def test_keyboard_only_sign_in(page, live_server, demo):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.keyboard.type("huyen.krongpa")  # the username box has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.className").startswith("skip-link")


def test_tablet_width_collapses_the_menu(page, live_server, demo, screenshot):
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, live_server, "xa.iarsai")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    go_to(page, "Đơn vị hành chính")
    page.wait_for_url("**/don-vi/")
    screenshot(page, "tablet-units-xa.iarsai")
