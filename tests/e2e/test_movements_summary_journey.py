"""A district officer reads this year's movements from the summary rows (with when they were computed and which
communes are being updated), reads the 6-month report's period from its rows too, and is sent to the background
export for an earlier year of a large unit."""

import pytest
from django.utils import timezone

from core.demo import demo_load
from households import summary, views_targets
from households.demo import demo_communes, households_generate
from households.demo_targets import demo_targets_load
from households.models import SummaryStale

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_load()
    communes = demo_communes(["24076", "24079", "24082", "24085"])
    households_generate(communes=communes, per_commune=40, seed=2021)
    demo_targets_load(seed=2021)
    summary.summaries_rebuild()
    return communes


def test_district_reads_movements_from_the_summary(page, live_server, demo, screenshot, monkeypatch):
    sign_in(page, live_server, "huyen.krongpa")
    page.goto(f"{live_server.url}/ho-gia-dinh/bien-dong/")
    assert "Số liệu tổng hợp lúc" in page.get_by_test_id("summary-note").inner_text()
    assert "Xã Ia RSai" in page.get_by_test_id("transition-table").inner_text()
    screenshot(page, "movements-from-summary")

    SummaryStale.objects.create(commune=demo[1])
    monkeypatch.setattr(summary, "LIVE_FALLBACK_COMMUNES", 0)
    page.goto(f"{live_server.url}/ho-gia-dinh/muc-tieu/")
    assert "Đang cập nhật số liệu của 1 xã" in page.get_by_test_id("summary-pending").inner_text()
    screenshot(page, "targets-being-updated")

    monkeypatch.setattr(views_targets, "LIVE_PAGE_HOUSEHOLDS", 10)
    # the report calendar's 6-month period (01/01–30/06) is kept as rows: a large unit reads it on the page
    summary.summaries_sweep()  # the mark left above is counted
    year = timezone.localdate().year
    page.goto(f"{live_server.url}/ho-gia-dinh/bien-dong/?tu_ngay=01/01/{year}&den_ngay=30/06/{year}")
    assert "Số liệu tổng hợp lúc" in page.get_by_test_id("summary-note").inner_text()
    assert "Xã Ia RSai" in page.get_by_test_id("transition-table").inner_text()
    assert not page.get_by_test_id("transitions-in-background").count()
    assert not page.get_by_test_id("summary-pending").count()
    screenshot(page, "movements-six-month-period-from-summary")

    page.goto(f"{live_server.url}/ho-gia-dinh/bien-dong/?nam={timezone.localdate().year - 2}")
    notice = page.get_by_test_id("transitions-in-background").inner_text()
    assert "chưa được tổng hợp sẵn" in notice and "Xuất Excel" in notice
    assert page.get_by_test_id("export-transitions").is_visible()
    screenshot(page, "movements-earlier-year-in-background")
