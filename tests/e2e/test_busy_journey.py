"""A commune officer records a status decision while a payment holds the household (ADR 0053): the busy page says
nothing was saved and keeps what was typed; "Gửi lại" once the payment is done saves it once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from areas.models import AdministrativeUnit
from core.demo import demo_load
from households import services
from households.models import Household, StatusRecord

from ..households.conftest import POOR_FACTS, family
from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def hold(pk, holding, release):
    try:
        with transaction.atomic():
            list(Household.objects.select_for_update().filter(pk=pk).values_list("pk"))
            holding.set()
            release.wait(30)
    finally:
        connection.close()


def test_a_save_that_meets_a_payment_is_kept_and_sent_again(page, live_server, screenshot, monkeypatch):
    demo_load()
    officer = User.objects.get(username="xa.iarsai")
    village = AdministrativeUnit.objects.filter(parent=officer.unit).order_by("code").first()
    household = services.household_save(
        household=Household(code="IRS-BUSY", village=village, **POOR_FACTS),
        members=family(),
        user=officer,
        expected_version=None,
    )
    real_add = services.status_record_add

    def add_with_short_wait(**kwargs):  # the web server's DB_LOCK_TIMEOUT_MS, shortened for the test
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '500ms'")
        return real_add(**kwargs)

    monkeypatch.setattr(services, "status_record_add", add_with_short_wait)
    sign_in(page, live_server, "xa.iarsai")
    page.goto(f"{live_server.url}/ho-gia-dinh/{household.pk}/")
    day = (timezone.localdate() - timedelta(days=2)).strftime("%d/%m/%Y")
    page.select_option("#id_household_class", label="Hộ cận nghèo")
    page.fill("#id_valid_from", day)
    page.fill("#id_decision", "QĐ 15/QĐ-UBND ngày " + day)
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold, args=(household.pk, holding, release))
    holder.start()
    try:
        assert holding.wait(10)
        page.get_by_role("button", name="Ghi nhận trạng thái").click()
        page.get_by_test_id("busy-page").wait_for()
        assert "Chưa có thay đổi nào được lưu" in page.content()
        screenshot(page, "busy-page")
        assert not StatusRecord.objects.filter(household=household, decision__startswith="QĐ 15/").exists()
    finally:
        release.set()
        holder.join(30)
    page.get_by_role("button", name="Gửi lại").click()
    page.wait_for_url(f"{live_server.url}/ho-gia-dinh/{household.pk}/")
    assert "Đã ghi nhận trạng thái chính thức." in page.content()
    saved = StatusRecord.objects.get(household=household, decision__startswith="QĐ 15/")
    assert saved.household_class == "near_poor" and saved.valid_from.strftime("%d/%m/%Y") == day
    # The browser logs the busy page's own status (503); nothing else went wrong on the pages.
    assert [e for e in page.console_errors if "status of 503" not in e] == []
