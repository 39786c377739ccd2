"""A save that meets another writer's row locks ends in the busy page (503), keeps what was typed, and saves when
sent again (core/busy.py). Real transactions: the other writer holds the household's row in its own connection."""

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.busy import is_conflict
from households.models import Household, StatusRecord
from tests.test_forms_no_500 import form_on_page


def _hold_row(pk, holding, release, errors):
    """Lock the household's row as a province-wide payment does until it commits (ADR 0053)."""
    try:
        with transaction.atomic():
            list(Household.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))
            holding.set()
            release.wait(20)
    except Exception as error:  # noqa: BLE001 (reported by the test's thread join)
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_status_decision_that_waits_too_long_shows_the_busy_page_and_can_be_sent_again(
    tree, users, make_household, client_for
):
    household = make_household(code="IRS-BUSY")
    client = client_for(users.commune_officer)
    page = reverse("households:detail", args=[household.pk])
    action = reverse("households:status_add", args=[household.pk])
    typed = (timezone.localdate() - timedelta(days=3)).strftime("%d/%m/%Y")
    data = {**form_on_page(client, page, action), "household_class": "near_poor", "valid_from": typed}
    data["decision"] = "QĐ 7/QĐ-UBND về hộ cận nghèo <b>"
    holding, release, errors = threading.Event(), threading.Event(), []
    holder = threading.Thread(target=_hold_row, args=(household.pk, holding, release, errors))
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:  # the web server's DB_LOCK_TIMEOUT_MS, shortened for the test
            cursor.execute("SET lock_timeout = '300ms'")
        response = client.post(action, data)
    finally:
        release.set()
        holder.join(20)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert not errors
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "Chưa có thay đổi nào được lưu" in html
    assert f'action="{action}"' in html
    assert f'name="valid_from" value="{typed}"' in html
    assert 'value="QĐ 7/QĐ-UBND về hộ cận nghèo &lt;b&gt;"' in html  # written back escaped
    assert not StatusRecord.objects.filter(household=household, household_class="near_poor").exists()

    # "Gửi lại": the same fields, the same submission token (released by the failure), now saved once.
    again = client.post(action, data)
    assert again.status_code == 302
    assert StatusRecord.objects.filter(household=household, household_class="near_poor").count() == 1
    assert client.post(action, data).status_code == 302  # a third press is the double-submit guard's, not a save
    assert StatusRecord.objects.filter(household=household, household_class="near_poor").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_page_read_that_meets_a_lock_timeout_offers_to_reload(tree, users, make_household, client_for, monkeypatch):
    household = make_household(code="IRS-BUSY2")
    client = client_for(users.commune_officer)
    from households import views

    monkeypatch.setattr(views.HouseholdDetailView, "get_context_data", _raise_real_lock_timeout(household.pk))
    response = client.get(reverse("households:detail", args=[household.pk]))
    assert response.status_code == 503
    assert "Tải lại trang" in response.content.decode()


def _raise_real_lock_timeout(pk):
    """A view body that meets a real lock timeout: another connection holds the row, this one waits 1 ms."""

    def body(self, **kwargs):
        holding, release, errors = threading.Event(), threading.Event(), []
        holder = threading.Thread(target=_hold_row, args=(pk, holding, release, errors))
        holder.start()
        try:
            assert holding.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1ms'")
                list(Household.objects.select_for_update().filter(pk=pk))
        finally:
            release.set()
            holder.join(20)

    return body


def test_only_lock_conflicts_count():
    class Cause(Exception):
        def __init__(self, pgcode):
            self.pgcode = pgcode

    for code, expected in (("40P01", True), ("55P03", True), ("40001", True), ("23505", False), (None, False)):
        error = OperationalError("x")
        error.__cause__ = Cause(code)
        assert is_conflict(error) is expected, code
    assert not is_conflict(ValueError("x"))


def test_passwords_and_marked_fields_are_not_written_back(rf, monkeypatch):
    from core import busy

    class Cause(Exception):
        pgcode = "40P01"

    error = OperationalError("deadlock detected")
    error.__cause__ = Cause()
    monkeypatch.setattr(busy, "render", lambda request, template, context, status: _Captured(context, status))
    request = rf.post("/tai-khoan/doi-mat-khau/", {"old_password": "cũ-bí-mật", "new_password1": "mới", "note": "giữ"})
    response = busy.BusyDatabaseMiddleware(lambda r: None).process_exception(request, error)
    assert response.status == 503
    assert response.context["resend_fields"] == [("note", "giữ")] and response.context["withheld"]
    request = rf.post("/x/", {"so_cccd": "079123456789", "note": "giữ"})
    request.sensitive_post_parameters = ["so_cccd"]
    response = busy.BusyDatabaseMiddleware(lambda r: None).process_exception(request, error)
    assert response.context["resend_fields"] == [("note", "giữ")]
    request = rf.post("/x/", {"note": "giữ"})
    request.sensitive_post_parameters = "__ALL__"
    response = busy.BusyDatabaseMiddleware(lambda r: None).process_exception(request, error)
    assert response.context["resend_fields"] == [] and response.context["withheld"]


class _Captured(dict):
    def __init__(self, context, status):
        super().__init__()
        self.context, self.status = context, status
