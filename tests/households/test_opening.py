"""Opening balances and history of a unit that starts mid-period: the approved lists become status records marked
as opening balance from the decision date, past targets and escape registrations are recorded through the targets'
rules, all or nothing, within the officer's unit."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from households import opening
from households.excel import opening as sheets
from households.models import ChangeEntry, EscapeRegistration, Household, PovertyTarget, StatusRecord
from tests.export_jobs import run_queued_jobs
from tests.factories import VillageFactory

from .conftest import family

pytestmark = pytest.mark.django_db

DECIDED = date(2020, 12, 25)  # the list of 2021, judged by QĐ 59/2015 (applied through 2021)


def workbook(lists=(), targets=(), registrations=()) -> bytes:
    """A workbook in the template's layout; rows are dicts keyed by column key."""
    book = Workbook()
    book.remove(book.active)
    for kind, rows in ((sheets.LISTS, lists), (sheets.TARGETS, targets), (sheets.REGISTRATIONS, registrations)):
        title, columns = sheets.SHEETS[kind]
        sheet = book.create_sheet(str(title))
        sheet.append([column.title for column in columns])
        for row in rows:
            sheet.append([row.get(column.key) for column in columns])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def listed(code, household_class="Hộ nghèo", village="24079-01", decided=DECIDED, **extra) -> dict:
    return {
        "code": code,
        "village": village,
        "household_class": household_class,
        "decision_number": "1234/QĐ-UBND",
        "decision_date": decided,
        "issuer": "UBND huyện Krông Pa",
        "standard": "QĐ 59/2015/QĐ-TTg",
        **extra,
    }


def new_head(**extra) -> dict:
    return {"full_name": "Rơ Chăm Y Đen", "sex": "Nam", "date_of_birth": "05/03/1979", "ethnic_group": "Jrai", **extra}


def run(content: bytes, user, *, commit: bool) -> opening.OpeningReport:
    return opening.opening_import(book=sheets.read_opening_workbook(content), user=user, commit=commit)


def messages(report) -> str:
    return " ".join(f"[{e.sheet} {e.row} {e.column}] {e.message}" for e in report.errors)


def test_the_lists_become_opening_balance_records_from_the_decision_date(make_household, users):
    existing = make_household(code="IRS-001")
    content = workbook(lists=[listed("IRS-001"), listed("irs-002", "Hộ cận nghèo", **new_head())])

    dry = run(content, users.commune_officer, commit=False)
    assert dry.ok, messages(dry)
    assert (dry.balances, dry.households_created, dry.committed) == (2, ["IRS-002"], False)
    assert not StatusRecord.objects.exists() and not Household.objects.filter(code="IRS-002").exists()

    report = run(content, users.commune_officer, commit=True)
    assert report.ok and report.committed, messages(report)
    records = {r.household.code: r for r in StatusRecord.objects.select_related("household")}
    assert set(records) == {"IRS-001", "IRS-002"}
    poor, near = records["IRS-001"], records["IRS-002"]
    assert poor.household_id == existing.pk and poor.household_class == "poor" and near.household_class == "near_poor"
    for record in (poor, near):
        assert record.opening_balance and record.valid_from == DECIDED and record.valid_to is None
        assert record.standard_code == "QD59_2015" and record.created_by == users.commune_officer
        assert record.decision == "Quyết định số 1234/QĐ-UBND ngày 25/12/2020 của UBND huyện Krông Pa"
    created = Household.objects.get(code="IRS-002")
    assert created.head_name == "Rơ Chăm Y Đen" and created.ethnic_minority and created.village.code == "24079-01"

    again = run(content, users.commune_officer, commit=True)  # the same file again changes nothing
    assert again.ok and (again.balances, again.balances_unchanged) == (0, 2)
    assert StatusRecord.objects.count() == 2


def test_an_earlier_open_record_is_closed_the_day_before(make_household, users):
    household = make_household(code="IRS-001")
    StatusRecord.objects.create(household=household, household_class="non_poor", valid_from=date(2018, 1, 1))
    report = run(workbook(lists=[listed("IRS-001")]), users.commune_officer, commit=True)
    assert report.ok, messages(report)
    earlier, opened = household.status_records.order_by("valid_from")
    assert earlier.valid_to == date(2020, 12, 24) and not earlier.opening_balance
    assert opened.opening_balance and opened.valid_to is None


def test_a_unit_with_history_after_the_decision_date_is_refused_and_nothing_is_written(make_household, users, tree):
    household = make_household(code="IRS-001")
    make_household(code="IRS-003")
    StatusRecord.objects.create(household=household, household_class="poor", valid_from=date(2022, 1, 1))
    other_village = VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    content = workbook(
        lists=[listed("IRS-003"), listed("PT-001", village=other_village.code, **new_head(full_name="Nguyễn Văn Hùng"))]
    )
    report = run(content, users.district_staff, commit=True)
    assert not report.committed and len(report.errors) == 1
    error = report.errors[0]
    assert error.row == 2 and error.column == "Ngày quyết định*" and error.sheet == "Danh sách đầu kỳ"
    assert "Xã Ia RSai đã có lịch sử phân loại từ ngày 25/12/2020 trở đi" in error.message
    assert "hộ IRS-001: hộ nghèo từ ngày 01/01/2022" in error.message
    # the other commune's row was valid, yet nothing is written: all or nothing
    assert StatusRecord.objects.count() == 1 and not Household.objects.filter(code="PT-001").exists()


def test_refused_rows_outside_the_unit_duplicates_and_wrong_standards(make_household, users, tree):
    make_household(code="IRS-001")
    make_household(code="IRS-004")
    outside = VillageFactory(code="24076-02", name="Tổ dân phố 2", parent=tree.sibling_commune)
    content = workbook(
        lists=[
            listed("IRS-001"),
            listed("IRS-001", "Hộ cận nghèo"),  # the same household twice
            listed("PT-002", village=outside.code, **new_head()),  # a commune the officer does not work in
            listed("IRS-004", standard="NĐ 07/2021/NĐ-CP", decided=date(2020, 6, 1)),  # the standard of 2022–2025
            listed("IRS-005"),  # not in the registry, no head's data to create it
            listed("IRS-006", decided=date(2099, 1, 1), **new_head()),
        ]
    )
    report = run(content, users.commune_officer, commit=True)
    by_row = {e.row: e.message for e in report.errors}
    assert "Hộ IRS-001 đã có ở dòng 2" in by_row[3]
    assert "Không tìm thấy thôn, buôn “24076-02”" in by_row[4]
    assert "Chuẩn ND07_2021 áp dụng trong thời gian 01/01/2022 – 31/12/2026" in by_row[5]
    assert "chưa có trong sổ theo dõi" in by_row[6] and "họ và tên chủ hộ" in by_row[6]
    assert "không được sau hôm nay" in by_row[7]
    assert 2 not in by_row and not report.committed and not StatusRecord.objects.exists()


def test_a_list_approved_in_december_for_the_next_year_takes_that_years_standard(make_household, users):
    make_household(code="IRS-001")
    report = run(
        workbook(lists=[listed("IRS-001", standard="ND07_2021", decided=date(2021, 12, 20))]),
        users.commune_officer,
        commit=True,
    )
    assert report.ok, messages(report)
    assert StatusRecord.objects.get().standard_code == "ND07_2021"


def test_all_or_nothing_with_an_error_in_the_last_row(make_household, users):
    for code in ("IRS-001", "IRS-002", "IRS-003"):
        make_household(code=code)
    content = workbook(lists=[listed("IRS-001"), listed("IRS-002"), listed("IRS-003", household_class="Trung bình")])
    report = run(content, users.commune_officer, commit=True)
    assert [(e.row, e.column) for e in report.errors] == [(4, "Phân loại*")]
    assert "chỉ nhận Hộ nghèo hoặc Hộ cận nghèo" in report.errors[0].message
    assert not report.committed and not StatusRecord.objects.exists()


def test_past_targets_are_assigned_by_the_level_above(users, tree):
    content = workbook(
        targets=[
            {"unit": "Xã Ia RSai", "year": 2021, "households_to_escape": 40, "rate_reduction": "3,5",
             "legal_basis": "Quyết định 146/QĐ-UBND ngày 22/3/2021"},
            {"unit": "24076", "year": 2021, "households_to_escape": 25, "rate_reduction": 2,
             "legal_basis": "Quyết định 146/QĐ-UBND ngày 22/3/2021"},
        ]
    )  # fmt: skip
    refused = run(content, users.commune_officer, commit=True)
    assert not refused.committed and "Không tìm thấy “Xã Ia RSai”" in messages(refused)

    report = run(content, users.district_staff, commit=True)
    assert report.ok and report.targets == 2, messages(report)
    target = PovertyTarget.objects.get(unit=tree.commune, year=2021)
    assert (target.households_to_escape, target.rate_reduction, target.set_by) == (
        40,
        Decimal("3.5"),
        users.district_staff,
    )

    changed = workbook(targets=[{"unit": "24079", "year": 2021, "households_to_escape": 50, "rate_reduction": 3,
                                 "legal_basis": "QĐ khác"}])  # fmt: skip
    again = run(changed, users.district_staff, commit=True)
    assert "đã có chỉ tiêu năm 2021 trên cổng (40 hộ, giảm 3,50 điểm %" in messages(again)
    assert PovertyTarget.objects.get(unit=tree.commune, year=2021).households_to_escape == 40


def test_registrations_of_past_years_use_the_history_or_the_class_in_the_file(make_household, users):
    listed_household = make_household(code="IRS-001")
    make_household(code="IRS-002")
    content = workbook(
        lists=[listed("IRS-001")],
        registrations=[
            {"code": "IRS-001", "year": 2021, "registered_on": "15/01/2021", "cadre_name": "Ksor Thị Hoa",
             "cadre_position": "Công chức LĐ-TB&XH xã"},
            {"code": "IRS-002", "year": 2020, "registered_on": "20/12/2019", "cadre_name": "Rơ Mah Blưk"},
        ],
    )  # fmt: skip
    report = run(content, users.commune_officer, commit=True)
    assert "chưa có lịch sử phân loại của hộ IRS-002 vào ngày 20/12/2019" in messages(report)
    assert not EscapeRegistration.objects.exists()

    content = workbook(
        lists=[listed("IRS-001")],
        registrations=[
            {"code": "IRS-001", "year": 2021, "registered_on": "15/01/2021", "cadre_name": "Ksor Thị Hoa",
             "class_at_registration": "Hộ cận nghèo"},
            {"code": "IRS-002", "year": 2020, "registered_on": "20/12/2019", "cadre_name": "Rơ Mah Blưk",
             "class_at_registration": "Hộ nghèo"},
        ],
    )  # fmt: skip
    report = run(content, users.commune_officer, commit=True)
    assert "ngày 15/01/2021 hộ IRS-001 là hộ nghèo, khác với phân loại ghi trong tệp" in messages(report)

    content = workbook(
        lists=[listed("IRS-001")],
        registrations=[
            {"code": "IRS-001", "year": 2021, "registered_on": "15/01/2021", "cadre_name": "Ksor Thị Hoa"},
            {"code": "IRS-002", "year": 2020, "registered_on": "20/12/2019", "cadre_name": "Rơ Mah Blưk",
             "class_at_registration": "Hộ nghèo"},
        ],
    )  # fmt: skip
    report = run(content, users.commune_officer, commit=True)
    assert report.ok and report.registrations == 2, messages(report)
    registrations = {r.household.code: r for r in EscapeRegistration.objects.select_related("household")}
    assert registrations["IRS-001"].class_at_registration == "poor" and registrations["IRS-001"].year == 2021
    assert registrations["IRS-002"].class_at_registration == "poor" and registrations["IRS-002"].year == 2020
    assert ChangeEntry.objects.filter(household=listed_household, action="escape_register").exists()


def test_the_recorded_balances_are_listed_per_unit_within_the_scope(make_household, users, tree, client_for):
    make_household(code="IRS-001")
    make_household(code="IRS-002")
    content = workbook(lists=[listed("IRS-001"), listed("IRS-002", "Hộ cận nghèo")])
    assert run(content, users.commune_officer, commit=True).committed
    (balance,) = opening.opening_balances_for(users.district_staff)
    assert (balance.commune, balance.valid_from, balance.poor, balance.near_poor, balance.total) == (
        "Xã Ia RSai", DECIDED, 1, 1, 2)  # fmt: skip
    assert balance.standard.startswith("Quyết định 59/2015/QĐ-TTg")
    outsider = type(users.district_staff).objects.create(
        username="huyen.iapa", role="district_staff", unit=tree.other_district
    )
    assert opening.opening_balances_for(outsider) == []
    page = client_for(users.district_staff).get(reverse("households:opening")).content.decode()
    assert "Quyết định số 1234/QĐ-UBND ngày 25/12/2020 của UBND huyện Krông Pa" in page and "25/12/2020" in page


def test_the_page_runs_the_dry_run_and_the_commit_as_background_jobs(make_household, users, client_for):
    make_household(code="IRS-001", members=family())
    client = client_for(users.commune_officer)
    template = client.get(reverse("households:opening_template"))
    assert template.status_code == 200
    names = load_workbook(BytesIO(template.content)).sheetnames
    assert names == ["Danh sách đầu kỳ", "Chỉ tiêu các năm trước", "Đăng ký thoát nghèo", "Hướng dẫn"]

    file = SimpleUploadedFile("dau-ky.xlsx", workbook(lists=[listed("IRS-001")]))
    response = client.post(reverse("households:opening"), {"action": "upload", "file": file})
    assert response.status_code == 302
    run_queued_jobs()
    page = client.get(response["Location"])
    assert 'data-testid="opening-ok"' in page.content.decode() and not StatusRecord.objects.exists()
    token = client.session["opening_import"]["token"]
    response = client.post(reverse("households:opening"), {"action": "confirm", "token": token})
    run_queued_jobs()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Đã nhập xong. 1 hộ ghi vào danh sách đầu kỳ" in page
    assert StatusRecord.objects.get().opening_balance


def test_a_file_without_the_sheets_is_refused_in_vietnamese():
    book = Workbook()
    book.active.title = "Trang tính 1"
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(sheets.ImportFileError, match="Tệp không có dòng dữ liệu nào ở các trang"):
        sheets.read_opening_workbook(buffer.getvalue())


@pytest.mark.parametrize("role,status", [("commune_officer", 200), ("district_staff", 200), ("admin", 200)])
def test_the_page_opens_for_the_units_staff(client_for, users, role, status):
    assert client_for(getattr(users, role)).get(reverse("households:opening")).status_code == status


def test_a_list_opened_mid_year_is_the_balance_at_the_start_of_that_year_not_newly_poor(make_household, users, tree):
    """The first period of a unit that starts on 15/03/2021: its imported lists are the start of 2021's movements."""
    from households.transitions import period_for_year, transition_table

    make_household(code="IRS-001")
    make_household(code="IRS-002")
    decided = date(2021, 3, 15)
    content = workbook(lists=[listed("IRS-001", decided=decided), listed("IRS-002", "Hộ cận nghèo", decided=decided)])
    assert run(content, users.commune_officer, commit=True).committed
    table = transition_table(users.district_staff, period=period_for_year(2021), level="commune", scope=tree.district)
    (row,) = [r for r in table.rows if r.unit == tree.commune]
    counts = row.counts
    assert (counts["poor_start"], counts["near_start"], counts["poor_end"], counts["near_end"]) == (1, 1, 1, 1)
    assert counts["new_poor"] == counts["new_near"] == 0
