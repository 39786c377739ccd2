"""Bulk work: the BHYT list out and card numbers back (round trip), a training course's participants, the quarter's
electricity payments — dry run first, then all or nothing, per-row Vietnamese errors."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from households.models import Member
from programs import bulk, services
from programs.models import Benefit

from .conftest import programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def exported(client, year=2026) -> tuple[list, list[list]]:
    response = client.get(reverse("programs:bhyt_list"), {"nam": year, "xuat": "xlsx"})
    assert response.status_code == 200
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "Mã thành viên*")
    return rows[header_index], rows[header_index + 1 :]


def to_xlsx(header, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, url, content, **data):
    file = io.BytesIO(content)
    file.name = "the-bhyt.xlsx"
    return client.post(url, {"action": "upload", "file": file, **data})


def test_bhyt_round_trip(client_for, users, make_household, media):
    household = make_household(status=("near_poor", date(2025, 1, 1), None))
    Member.objects.filter(household=household).update(health_insurance_valid_to=date(2026, 6, 30))
    client = client_for(users.commune_officer)
    header, rows = exported(client)
    assert len(rows) == 4 and all(r[header.index("Mức ngân sách hỗ trợ (%)")] == 70 for r in rows)  # near-poor
    number, start, end = (header.index(h) for h in ("Số thẻ BHYT mới", "Giá trị từ ngày", "Giá trị đến ngày"))
    for i, row in enumerate(rows[:3]):  # the agency issued three cards; the fourth row stays empty
        row[number], row[start], row[end] = f"CN264001234567{i}", "01/07/2026", "30/06/2027"
    url = reverse("programs:bhyt_import")
    preview = upload(client, url, to_xlsx(header, rows))
    assert 'data-testid="import-ok"' in preview.content.decode()
    assert not Benefit.objects.exists()  # the dry run wrote nothing
    token = client.session["programs_bhyt_import"]["token"]
    done = client.post(url, {"action": "confirm", "token": token})
    assert done.status_code == 302
    cards = Benefit.objects.filter(programme__code="BHYT")
    assert cards.count() == 3 and {c.household_status for c in cards} == {"near_poor"}
    member = cards.first().member
    member.refresh_from_db()
    assert member.health_insurance_valid_to == date(2027, 6, 30)  # written back to the registry
    _header, again = exported(client)
    assert len(again) == 1  # only the member without a new card is still on the list


def test_bhyt_bad_rows_are_reported_and_nothing_is_written(client_for, users, make_household, media, tree):
    household = make_household(status=("poor", date(2025, 1, 1), None))
    Member.objects.filter(household=household).update(health_insurance_valid_to=None, health_insurance_valid_from=None)
    client = client_for(users.commune_officer)
    header, rows = exported(client)
    number, start, end, name, mid = (
        header.index(h)
        for h in ("Số thẻ BHYT mới", "Giá trị từ ngày", "Giá trị đến ngày", "Họ và tên", "Mã thành viên*")
    )
    rows[0][number], rows[0][start], rows[0][end] = "HN2640012345670", "01/01/2026", "31/12/2026"  # good
    rows[1][number], rows[1][start], rows[1][end] = "HN2640012345671", "31/12/2026", "01/01/2026"  # reversed
    rows[2][number], rows[2][start], rows[2][end] = "HN2640012345672", "32/01/2026", "31/12/2026"  # no such day
    rows[3][number], rows[3][start], rows[3][end], rows[3][name] = "HN 26400", "01/01/2026", "31/12/2026", "Ai Đó"
    extra = list(rows[0])
    extra[mid] = 999999
    response = upload(client, reverse("programs:bhyt_import"), to_xlsx(header, [*rows, extra]))
    text = response.content.decode()
    assert 'data-testid="import-has-errors"' in text
    assert "Ngày này phải sau hoặc bằng" in text and "không có thật" in text
    assert "khác với sổ hộ" in text and "Không có thành viên mã 999999" in text
    assert not Benefit.objects.exists()
    confirm = client.post(reverse("programs:bhyt_import"), {"action": "confirm", "token": "x"})
    assert confirm.status_code == 302 and not Benefit.objects.exists()


def test_unusable_files_get_one_clear_message(client_for, users, media):
    client = client_for(users.commune_officer)
    response = upload(client, reverse("programs:bhyt_import"), b"PK not really")
    assert "không phải bảng tính Excel" in response.content.decode()
    response = upload(client, reverse("programs:bhyt_import"), to_xlsx(["Cột lạ"], [["x"]]))
    assert "Không tìm thấy dòng tiêu đề" in response.content.decode()


def course_data(**more):
    return {
        "course_name": "Lớp may công nghiệp K1",
        "occupation": "May công nghiệp",
        "course_start": "04/05/2026",
        "course_end": "15/07/2026",
        "amount": "3000000",
        "decision": "QĐ 45/QĐ-UBND",
        **more,
    }


def test_training_course_dry_run_then_all_at_once(client_for, users, make_household, media):
    make_household(code="IRS-001")
    make_household(code="IRS-002", members=None)
    client = client_for(users.commune_officer)
    header = [c.title for c in bulk.TRAINING_COLUMNS]
    good = [
        ["IRS-001", "Ksor Y Bhin", "01/03/1980", None, "CC-1", "Có"],
        ["IRS-001", "Rơ Mah H'Nga", None, None, None, "Không"],
    ]
    url = reverse("programs:training_import")
    bad = upload(
        client, url, to_xlsx(header, [*good, ["IRS-009", "Không Có Ai", None, None, None, "Có lẽ"]]), **course_data()
    )
    text = bad.content.decode()
    assert "Không tìm thấy Không Có Ai trong hộ IRS-009" in text and "chỉ nhận Có hoặc Không" in text
    assert not Benefit.objects.exists()
    preview = upload(client, url, to_xlsx(header, good), **course_data())
    assert 'data-testid="import-ok"' in preview.content.decode()
    token = client.session["programs_training_import"]["token"]
    assert client.post(url, {"action": "confirm", "token": token}).status_code == 302
    trainees = Benefit.objects.filter(programme__code="TRAINING_46").order_by("member__full_name")
    assert trainees.count() == 2 and trainees[0].employed_after is True and trainees[0].certificate == "CC-1"
    again = upload(client, url, to_xlsx(header, good), **course_data())
    assert "một lần" in again.content.decode()  # QĐ 46/2015: once per person


def test_electricity_quarter_list_and_payment(client_for, users, make_household, media):
    poor = make_household(code="IRS-001")
    make_household(code="IRS-002", status=("near_poor", date(2025, 1, 1), None))
    protected = make_household(code="IRS-003", status=("non_poor", date(2025, 1, 1), None), social_protection=True)
    client = client_for(users.commune_officer)
    page = client.get(reverse("programs:electricity"), {"year": 2026, "quarter": 2}).content.decode()
    amount = 30 * 1984 * 3  # the catalogue's parameters
    assert "IRS-001" in page and "IRS-003" in page and "IRS-002" not in page
    assert "Hỗ trợ tiền điện quý 2 năm 2026" in page  # a year, not "2.026"
    assert f"{amount:,}".replace(",", ".") in page
    response = client.post(
        reverse("programs:electricity_pay"), {"year": 2026, "quarter": 2, "paid_on": "20/06/2026", "decision": "QĐ 99"}
    )
    assert response.status_code == 302
    paid = Benefit.objects.filter(programme__code="ELECTRICITY", period_quarter=2)
    assert {b.household_id for b in paid} == {poor.pk, protected.pk} and all(b.amount == amount for b in paid)
    client.post(reverse("programs:electricity_pay"), {"year": 2026, "quarter": 2, "paid_on": "21/06/2026"})
    assert paid.count() == 2  # paying the same quarter again adds nothing
    export = client.get(reverse("programs:electricity"), {"year": 2026, "quarter": 2, "xuat": "xlsx"})
    assert export.status_code == 200


def test_bhyt_import_service_dry_run_rolls_back(users, make_household):
    household = make_household()
    member = household.members.first()
    rows = [
        bulk.SheetRow(
            2,
            {
                "member_id": member.pk,
                "card_number": "HN2640099999999",
                "card_valid_from": "01/01/2026",
                "card_valid_to": "31/12/2026",
            },
        )
    ]
    report = bulk.bhyt_import(rows=rows, user=users.commune_officer, commit=False)
    assert report.ok and report.created == 1 and not Benefit.objects.exists()
    report = bulk.bhyt_import(rows=rows, user=users.commune_officer, commit=True)
    assert report.committed and Benefit.objects.get().card_number == "HN2640099999999"
    assert services  # imported for the module's API
    assert programme("BHYT").parameter("share_poor") == 100
