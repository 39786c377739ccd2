"""District staff bring a commune's approved lists as its opening balance: the check and the write run in the
Celery worker while the page shows progress; the page then lists the balance recorded for the commune."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook

from accounts.models import User
from core.demo import demo_load
from households.demo import households_generate
from households.excel import opening as sheets
from households.models import Household, StatusRecord

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workbook(tmp_path):
    """Ia RSai's list of 2021 (QĐ 59/2015): eight households already in the registry, one to create."""
    demo_load()
    commune = User.objects.get(username="xa.iarsai").unit
    households_generate(communes=[commune], per_commune=8, seed=5)
    StatusRecord.objects.filter(household__commune=commune).delete()  # a commune without history yet
    book = Workbook()
    book.remove(book.active)
    for kind, (title, columns) in sheets.SHEETS.items():
        sheet = book.create_sheet(str(title))
        sheet.append([column.title for column in columns])
        if kind != sheets.LISTS:
            continue
        rows = [
            {"code": h.code, "village": h.village.code, "household_class": "Hộ nghèo" if n % 3 else "Hộ cận nghèo"}
            for n, h in enumerate(Household.objects.filter(commune=commune).select_related("village").order_by("code"))
        ]
        village = rows[0]["village"]
        head = {"full_name": "Ksor Y Hlăm", "sex": "Nam", "date_of_birth": "12/04/1970", "ethnic_group": "Jrai"}
        rows.append({"code": "IRS-MOI-01", "village": village, "household_class": "Hộ nghèo", **head})
        for row in rows:
            row.update(decision_number="1234/QĐ-UBND", decision_date=date(2020, 12, 25),
                       issuer="UBND huyện Krông Pa", standard="QĐ 59/2015/QĐ-TTg")  # fmt: skip
            sheet.append([row.get(column.key) for column in columns])
    buffer = BytesIO()
    book.save(buffer)
    path = tmp_path / "dau-ky-ia-rsai.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def test_district_staff_import_a_communes_opening_lists(page, live_server, workbook, celery_worker, screenshot):
    sign_in(page, live_server, "huyen.krongpa")
    page.goto(f"{live_server.url}/ho-gia-dinh/")
    page.get_by_test_id("opening-link").click()
    page.set_input_files('input[type="file"]', str(workbook))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("opening-ok").wait_for(timeout=60_000)  # the page polls the job, then reloads
    assert page.get_by_test_id("balances").inner_text() == "9"
    assert not StatusRecord.objects.filter(opening_balance=True).exists()
    screenshot(page, "opening-preview")
    page.get_by_test_id("confirm-opening").click()
    page.get_by_test_id("opening-balances").wait_for(timeout=60_000)
    assert "Đã nhập xong. 9 hộ ghi vào danh sách đầu kỳ (1 hộ mới tạo)" in page.content()
    table = page.get_by_test_id("opening-balances").inner_text()
    assert "Xã Ia RSai" in table and "25/12/2020" in table and "Quyết định 59/2015/QĐ-TTg" in table
    assert StatusRecord.objects.filter(opening_balance=True, valid_from=date(2020, 12, 25)).count() == 9
    screenshot(page, "opening-done")
    assert page.console_errors == []
