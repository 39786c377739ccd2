"""The bulk Excel import against the household-by-household one it replaced: same rows, history and errors;
all or nothing; a number of queries that does not grow with the file."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from households import excel
from households.models import ChangeEntry, Household, IndicatorOverride, Member, StatusRecord

from ..factories import VillageFactory
from .import_reference import reference_import
from .test_excel import errors_by_row, good_rows, person, saved_household, xlsx

pytestmark = pytest.mark.django_db

SKIP = {"id", "created_at", "updated_at"}
MEMBER_SKIP = SKIP | {"household"}  # its id differs between the two runs: compared through the code


def registry() -> dict:
    """Everything an import writes, keyed by household code and member name instead of generated ids."""
    households = {
        h.code: {f.attname: getattr(h, f.attname) for f in Household._meta.concrete_fields if f.name not in SKIP}
        for h in Household.objects.all()
    }
    members = sorted(
        (
            m.household.code,
            m.full_name,
            tuple((f.name, getattr(m, f.attname)) for f in Member._meta.concrete_fields if f.name not in MEMBER_SKIP),
        )
        for m in Member.objects.select_related("household")
    )
    entries = sorted(
        (e.household.code, e.member.full_name if e.member else "", e.subject, e.action, repr(e.changes), e.note,
         e.user_id)
        for e in ChangeEntry.objects.select_related("household", "member")
    )
    return {"households": households, "members": members, "entries": entries, "status": StatusRecord.objects.count()}


def both(content: bytes, user, *, commit: bool, **kwargs) -> tuple:
    """The reference import then the bulk one on the same registry (the reference's writes are rolled back)."""
    sheet = excel.read_sheet(content)
    with transaction.atomic():
        expected = reference_import(sheet=sheet, user=user, commit=commit, **kwargs)
        expected_rows = registry()
        transaction.set_rollback(True)
    report = excel.household_import(sheet=sheet, user=user, commit=commit, **kwargs)
    return expected, expected_rows, report, registry()


def assert_same(content: bytes, user, *, commit: bool, **kwargs) -> excel.ImportReport:
    expected, expected_rows, report, rows = both(content, user, commit=commit, **kwargs)
    assert report.errors == expected.errors
    assert report.created == expected.created and report.updated == expected.updated
    assert report.unchanged == expected.unchanged
    assert (report.committed, report.versions) == (expected.committed, expected.versions)
    assert (report.households, report.members) == (expected.households, expected.members)
    assert rows == expected_rows
    return report


def test_new_households_give_the_same_rows_history_and_classification(users):
    report = assert_same(xlsx(good_rows()), users.commune_officer, commit=True)
    assert report.committed and report.created == ["IRS-101", "IRS-102"]
    assert Member.objects.count() == 5 and ChangeEntry.objects.count() == 7  # a household and each member
    assert all(h.classification and h.current_class for h in Household.objects.all())


def test_the_dry_run_reports_the_same_and_writes_nothing(users):
    report = assert_same(xlsx(good_rows()), users.commune_officer, commit=False)
    assert report.ok and not report.committed and not Household.objects.exists()


def test_bad_rows_give_the_same_errors(users, tree):
    VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    rows = [
        person("A-1", "Ksor Y Một", born="31/02/1980"),
        person("A-2", "Ksor Y Hai", ethnic="Kinh Thượng"),
        person("A-3", "Ksor Y Ba", personal_id="06408001234"),
        person("A-4", "Ksor Y Bốn"),
        person("A-4", "Siu Y Năm", born="01/01/1985"),
        person("A-5", "Nay Y Sáu", personal_id="064080099999"),
        person("A-6", "Nay Y Sáu", personal_id="064080099999"),  # the same person as in A-5
        person("A-7", "Kpă Y Bảy", village="Buôn Không Có"),
        person("A-8", "Puih Y Tám", village="Tổ dân phố 1"),
        person("A-9", "Rơ Lan Y Chín", phone="12345"),  # a phone the form refuses
        person("A-10", "Rơ Lan Y Mười", income_per_capita=-5, floor_area_m2="12,25"),  # beyond the model's bounds
        person("A-11", "Rơ Lan Y Một", born="01/01/1990", personal_id_issued_on="01/01/2020"),  # no ID
        person("A-12", "Rơ Lan Y Hai", personal_id="064080099999"),  # a third household with the same ID
        person("A-13", "Rơ Lan Y Ba", "Con", born="01/01/2000"),  # no head
        person("A-14", "R" * 151),  # a name longer than the register keeps
        person("A-15", "Rơ Lan Y Năm"),  # fine, but the file is all or nothing
    ]
    for commit in (False, True):
        report = assert_same(xlsx(rows), users.commune_officer, commit=commit)
        assert len(errors_by_row(report)) >= 14 and not report.committed
    assert not Household.objects.exists()


def test_cell_errors_give_the_same_errors(users):
    rows = [
        person("B-1", "Ksor Y Bhin", relationship="Cháu rể", sex="Đực", in_school="Có lẽ", income_per_capita="1,5",
               floor_area_m2="hai mươi", date_of_birth="1980"),
        person("B-1", "Rơ Mah H'Nga", "Vợ", "Nữ", "01/05/1983", latrine="Tự hoại"),
        person("B-2", "", relationship=None),
        {"full_name": "Siu Y Mất Mã", "relationship": "Chủ hộ"},
        person("B-3", "Ksor Y Ba", personal_id="064080012346", personal_id_issued_on="01/01/1979"),
    ]
    assert_same(xlsx(rows), users.commune_officer, commit=False)


def test_updates_give_the_same_rows_and_history(users, tree):
    saved_household(tree, users.commune_officer)
    saved_household(tree, users.commune_officer, code="IRS-002", with_ids=False)
    rows = [
        # IRS-001: the income changes, the head is matched by ID and changes job, a child is born.
        person("IRS-001", "Ksor Y Bhin", personal_id="064080054321", income_per_capita=3_000_000,
               floor_area_m2="31,5", employment="Làm công ăn lương có hợp đồng lao động"),
        person("IRS-001", "Ksor H'Mai", "Con", "Nữ", "15/08/2025", income_per_capita=3_000_000, floor_area_m2="31,5"),
        # IRS-002: a spouse matched by name and birth date, the household's facts from the file.
        person("IRS-002", "Nguyễn Thị Hoa", "Vợ/chồng", "Nữ", "09/07/1984", ethnic="Kinh", income_per_capita=1_250_000,
               floor_area_m2="31,5", water_source="Giếng đào không được bảo vệ", latrine="Hố xí đơn giản",
               phone="0912345678", address="Tổ 3", disability="Có"),
        person("IRS-003", "Siu Y Mới", personal_id="064080054399"),
    ]
    report = assert_same(xlsx(rows), users.commune_officer, commit=True)
    assert report.updated == ["IRS-001", "IRS-002"] and report.created == ["IRS-003"]
    assert Household.objects.get(code="IRS-001").version == 2


def test_an_update_records_the_same_history_for_names_lists_and_decimals(users, tree):
    """The history displays only what changed (history.changed_display): a member renamed (matched by ID), the
    household's facts from the file (its floor area, a decimal), and members the file does not
    change give the entries of two whole snapshots."""
    saved_household(tree, users.commune_officer)
    rows = [
        person("IRS-001", "Ksor Y Bhin Mới", personal_id="064080054321", floor_area_m2="32"),
        person("IRS-001", "Ksor H'Lan", "Con", "Nữ", "28/02/2014", personal_id="064314054322",
               floor_area_m2="32"),
    ]
    report = assert_same(xlsx(rows), users.commune_officer, commit=True)
    assert not report.errors and report.updated == ["IRS-001"]
    assert ChangeEntry.objects.filter(action="member_update", subject="Ksor Y Bhin Mới").exists()


def plan_rows_by_key():
    """The plan a large registry gets for an update: each row of the temporary table looked up by its key, in the
    file's order (this test's transaction only)."""
    with connection.cursor() as cursor:
        for setting in ("enable_hashjoin", "enable_mergejoin", "enable_seqscan"):
            cursor.execute(f"SET LOCAL {setting} = off")


@pytest.mark.parametrize("by_key", [False, True])
def test_a_new_head_listed_before_the_old_one_is_written(users, tree, by_key):
    """One head per household is checked row by row: the old head is demoted before the new one takes the place."""
    saved_household(tree, users.commune_officer)
    if by_key:
        plan_rows_by_key()
    rows = [
        person("IRS-001", "Nguyễn Thị Hoa", "Chủ hộ", "Nữ", "09/07/1984", ethnic="Kinh"),
        person("IRS-001", "Ksor Y Bhin", "Vợ/chồng", personal_id="064080054321"),
    ]
    report = excel.household_import(sheet=excel.read_sheet(xlsx(rows)), user=users.commune_officer, commit=True)
    assert report.committed, report.errors
    household = Household.objects.get(code="IRS-001")
    assert household.head_name == "Nguyễn Thị Hoa"
    assert list(household.members.filter(relationship="head").values_list("full_name", flat=True)) == [
        "Nguyễn Thị Hoa"
    ]


def test_a_new_member_who_becomes_head_is_written_after_the_old_head_steps_down(users, tree):
    saved_household(tree, users.commune_officer)
    rows = [
        person("IRS-001", "Ksor Y Mới", "Chủ hộ", born="01/03/2002", personal_id="064202054399"),
        person("IRS-001", "Ksor Y Bhin", "Bố/mẹ", personal_id="064080054321"),
    ]
    report = excel.household_import(sheet=excel.read_sheet(xlsx(rows)), user=users.commune_officer, commit=True)
    assert report.committed, report.errors
    assert Household.objects.get(code="IRS-001").head_name == "Ksor Y Mới"


def test_an_update_keeps_the_officers_overrides_in_the_classification(users, tree):
    """The import reads the overrides with the households (one list each) and hands them to the classification."""
    household = saved_household(tree, users.commune_officer)
    IndicatorOverride.objects.create(
        household=household, code="latrine", deprived=False, reason="Hộ đã xây nhà tiêu tự hoại, chưa cập nhật phiếu"
    )
    rows = [person("IRS-001", "Ksor Y Bhin", personal_id="064080054321", income_per_capita=3_000_000)]
    report = assert_same(xlsx(rows), users.commune_officer, commit=True)
    assert report.updated == ["IRS-001"]
    indicators = Household.objects.get(code="IRS-001").classification["indicators"]
    latrine = next(i for i in indicators if i["code"] == "latrine")
    assert latrine["derived"] is True and latrine["override"]["deprived"] is False and latrine["final"] is False


def test_an_update_of_a_household_in_a_village_no_longer_in_force(users, tree):
    """Its village is not among those the officer may choose (read with the commune once, not from the lookups):
    the household moves to the village the file names, as the household-by-household import moves it."""
    old = VillageFactory(code="24079-09", name="Buôn Cũ", parent=tree.commune)
    saved_household(tree, users.commune_officer, village=old)
    yesterday = timezone.localdate() - timedelta(days=1)
    type(old).objects.filter(pk=old.pk).update(valid_to=yesterday)  # merged away: in force until yesterday
    rows = [person("IRS-001", "Ksor Y Bhin", personal_id="064080054321", income_per_capita=3_000_000)]
    report = assert_same(xlsx(rows), users.commune_officer, commit=True)
    assert report.updated == ["IRS-001"] and Household.objects.get(code="IRS-001").village == tree.village


def test_a_personal_id_already_in_the_registry_gives_the_same_error(users, tree):
    saved_household(tree, users.commune_officer)
    rows = [
        person("IRS-009", "Ksor Y Bhin", personal_id="064080054321"),  # the head of IRS-001
        person("IRS-010", "Ksor Y Mười", personal_id="064080054330"),
        person("IRS-011", "Ksor Y Mười Một", personal_id="064080054330"),  # the one of IRS-010, earlier in the file
    ]
    report = assert_same(xlsx(rows), users.commune_officer, commit=True)
    assert {e.code for e in report.errors} == {"IRS-009", "IRS-011"}


def test_a_household_saved_after_the_preview_gives_the_same_refusal(users, tree):
    household = saved_household(tree, users.commune_officer)
    rows = [person("IRS-001", "Ksor Y Bhin", personal_id="064080054321", income_per_capita=2_000_000)]
    stale = {f"{household.commune_id}:IRS-001": household.version - 1}
    report = assert_same(xlsx(rows), users.commune_officer, commit=True, expected_versions=stale)
    assert not report.committed and "vừa được" in report.errors[0].message


def test_a_code_taken_in_another_case_gives_the_same_error(users, tree):
    saved_household(tree, users.commune_officer, code="irs-lower")
    Household.objects.filter(code="IRS-LOWER").update(code="irs-lower")  # written before codes were upper-cased
    report = assert_same(xlsx([person("IRS-LOWER", "Siu Y Hoa")]), users.commune_officer, commit=False)
    assert report.errors and "Xã đã có hộ mang mã này" in report.errors[0].message


def test_one_bad_last_row_writes_nothing(users):
    rows = [person(f"C-{n:03}", f"Ksor Y {n}", personal_id=f"0640800{n:05}") for n in range(1, 41)]
    rows.append(person("C-041", "Ksor Y Cuối", born="31/02/1980"))  # the last row has no real date
    report = excel.household_import(sheet=excel.read_sheet(xlsx(rows)), user=users.commune_officer, commit=True)
    assert not report.committed and [e.row for e in report.errors] == [len(rows) + 1]
    assert len(report.created) == 40  # checked and valid, but not written
    assert not Household.objects.exists() and not Member.objects.exists() and not ChangeEntry.objects.exists()


def count_queries(rows: list[dict], user, *, commit: bool) -> int:
    sheet = excel.read_sheet(xlsx(rows))
    with CaptureQueriesContext(connection) as queries:
        report = excel.household_import(sheet=sheet, user=user, commit=commit)
    assert report.ok, report.errors
    return len(queries)


def family(code: str, n: int, **facts) -> list[dict]:
    return [
        person(code, f"Ksor Y Chủ {n}", personal_id=f"0640800{n:05}", **facts),
        person(code, f"Rơ Mah H'Vợ {n}", "Vợ", "Nữ", "01/05/1983", personal_id=f"0641830{n:05}", **facts),
        person(code, f"Ksor Y Con {n}", "Con", "Nam", date(2015, 5, 1).strftime("%d/%m/%Y"), **facts),
    ]


def households(count: int, start: int, **facts) -> list[dict]:
    return [row for n in range(start, start + count) for row in family(f"D-{n:03}", n, **facts)]


@pytest.mark.parametrize("commit", [False, True])
def test_the_number_of_queries_does_not_grow_with_new_households(users, commit):
    few = count_queries(households(2, 1), users.commune_officer, commit=commit)
    many = count_queries(households(30, 101), users.commune_officer, commit=commit)
    assert few == many


@pytest.mark.parametrize("commit", [False, True])
def test_the_number_of_queries_does_not_grow_with_updated_households(users, commit):
    """Nothing read per household, the stored classification (deferred by the preload) included."""
    count_queries(households(2, 1) + households(30, 101), users.commune_officer, commit=True)
    few = count_queries(households(2, 1, income_per_capita=9_000_000), users.commune_officer, commit=commit)
    many = count_queries(households(30, 101, income_per_capita=9_000_000), users.commune_officer, commit=commit)
    assert few == many
    assert Household.objects.filter(income_per_capita=9_000_000, version=2).count() == (32 if commit else 0)


def test_later_rows_that_contradict_the_first_give_the_same_errors(users):
    """The rows' agreement check (once per file for the sheet's columns) against the reference: a household cell of
    a later row that differs from the first row is reported; one the first row could not read is not compared."""
    rows = [
        person("D-1", "Ksor Y Đầu", floor_area_m2="hai mươi", latrine="Tự hoại"),
        person("D-1", "Rơ Mah H'Hai", "Vợ/chồng", "Nữ", "01/05/1983", floor_area_m2="30", latrine="Không có nhà tiêu"),
        person("D-1", "Ksor Y Ba", "Con", born="01/05/2010", latrine="Tự hoại", income_per_capita=900_000),
        person("D-2", "Siu Y Một"),
        person("D-2", "", relationship=None, sex=None, born=None, ethnic=None),  # a row without a member
    ]
    report = assert_same(xlsx(rows), users.commune_officer, commit=False)
    found = errors_by_row(report)
    contradicts = {(row, e.column) for row, errors in found.items() for e in errors if "Khác với dòng 2" in e.message}
    assert (3, "Nhà tiêu") in contradicts and (4, "Thu nhập bình quân (đồng/người/tháng)") in contradicts
    assert not any(column == "Diện tích nhà ở (m²)" for _row, column in contradicts)  # unreadable on the first row
