"""A province officer types a clan name thousands share: the list shows the first matches found, best first, and
asks for another word; typing the full name narrows it to the households that match."""

from io import StringIO

import pytest
from django.core.management import call_command

from core.demo import demo_load
from households import selectors

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_load()
    call_command("generate_households", "--per-commune", "30", "--seed", "1", "--commune", "24079", stdout=StringIO())


def test_a_broad_search_asks_for_another_word(page, live_server, demo, screenshot, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CAP", 2)  # the live server runs in this process: 2 stands for 1.000
    sign_in(page, live_server, "tinh.gialai")
    page.goto(f"{live_server.url}/ho-gia-dinh/")
    page.locator('[name="q"]').fill("ksor")
    page.get_by_role("button", name="Lọc").click()
    capped = page.get_by_test_id("search-capped")
    capped.wait_for()
    assert "Có hơn 2 hộ khớp, hãy gõ thêm tên đệm, mã hộ hoặc số CCCD." in capped.inner_text()
    assert page.locator('[data-testid="household-table"] tbody tr').count() == 2
    assert "hơn 2 hộ" in page.get_by_test_id("household-count").inner_text()
    screenshot(page, "household-search-capped")
    first = page.locator('[data-testid="household-table"] tbody tr td:nth-child(2)').first.inner_text()
    page.locator('[name="q"]').fill(first)
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("search-capped").count() == 0
    assert first in page.locator('[data-testid="household-table"] tbody tr td:nth-child(2)').first.inner_text()
